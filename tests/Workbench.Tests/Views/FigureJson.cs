using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TinyMl.Workbench.Tests.Views;

/// <summary>The plotly figure a view's HTML carries, read back as JSON.</summary>
internal static class FigureJson
{
    /// <summary>The first figure in <paramref name="html"/> (PlotlyChart writes "var fig={...};" before its drawing code).</summary>
    public static JsonNode Of(string html) =>
        JsonNode.Parse(Regex.Match(html, @"var fig=(\{.*?\});\s*var tries", RegexOptions.Singleline).Groups[1].Value)!;

    /// <summary>Every string value in the figure.</summary>
    public static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };
}
