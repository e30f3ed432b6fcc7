using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace TinyMl.Workbench.Notebooks;

/// <summary>
/// A submission's kernel events as nbformat outputs, the way dotnet-interactive's Jupyter frontend turns
/// them into messages: displays (later updated in place by value id), the return value, stdout/stderr
/// streams and the error.
/// </summary>
public static class CellOutputs
{
    public static List<JsonObject> From(IEnumerable<KernelEvent> events, int executionCount)
    {
        var outputs = new List<JsonObject>();
        var displays = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var errors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            switch (e)
            {
                case DisplayedValueUpdated update when update.ValueId is not null && displays.TryGetValue(update.ValueId, out var shown):
                    shown["data"] = Data(update.FormattedValues);
                    break;
                case ReturnValueProduced result:
                    outputs.Add(new JsonObject { ["output_type"] = "execute_result", ["data"] = Data(result.FormattedValues), ["metadata"] = new JsonObject(), ["execution_count"] = executionCount });
                    break;
                case DisplayEvent display when display is DisplayedValueProduced or DisplayedValueUpdated:
                    var output = new JsonObject { ["output_type"] = "display_data", ["data"] = Data(display.FormattedValues), ["metadata"] = new JsonObject() };
                    if (display.ValueId is not null) displays[display.ValueId] = output;
                    outputs.Add(output);
                    break;
                case StandardOutputValueProduced stdout:
                    AppendStream(outputs, "stdout", Text(stdout.FormattedValues));
                    break;
                case StandardErrorValueProduced stderr:
                    AppendStream(outputs, "stderr", Text(stderr.FormattedValues));
                    break;
                case ErrorProduced error:
                    AppendStream(outputs, "stderr", error.Message + "\n");
                    break;
                case CommandFailed failed when errors.Add(failed.Message):
                    // Nested commands fail with the same message as the submission: one error output.
                    outputs.Add(Error(failed));
                    break;
            }
        }
        return outputs;
    }

    public static bool IsError(JsonObject output) => output["output_type"]?.GetValue<string>() == "error";

    private static JsonObject Error(CommandFailed failed) => new()
    {
        ["output_type"] = "error",
        ["ename"] = failed.Exception?.GetType().Name ?? "Error",
        ["evalue"] = failed.Message,
        ["traceback"] = new JsonArray(failed.Message.Split('\n').Select(l => (JsonNode?)l.TrimEnd('\r')).ToArray()),
    };

    private static void AppendStream(List<JsonObject> outputs, string name, string text)
    {
        if (outputs.Count > 0 && outputs[^1]["output_type"]?.GetValue<string>() == "stream" && outputs[^1]["name"]?.GetValue<string>() == name)
            outputs[^1]["text"] = outputs[^1]["text"]!.GetValue<string>() + text;
        else
            outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = name, ["text"] = text });
    }

    private static string Text(IEnumerable<FormattedValue> values) =>
        values.FirstOrDefault(v => v.MimeType == "text/plain")?.Value ?? values.FirstOrDefault()?.Value ?? "";

    /// <summary>nbformat's mime bundle: strings, except JSON types, which must be JSON values.</summary>
    private static JsonObject Data(IEnumerable<FormattedValue> values)
    {
        var data = new JsonObject();
        foreach (var value in values.Where(v => !v.SuppressDisplay))
        {
            bool json = value.MimeType == "application/json" || value.MimeType.EndsWith("+json", StringComparison.Ordinal);
            data[value.MimeType] = json ? ParseOrString(value.Value) : JsonValue.Create(value.Value);
        }
        return data;
    }

    private static JsonNode? ParseOrString(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
