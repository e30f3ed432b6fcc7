using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Markdig;

namespace TinyMl.Workbench.Notebooks;

/// <summary>
/// A notebook as one self-contained HTML page: markdown cells rendered, code cells with their outputs
/// inline (HTML outputs as they are, scripts included: the workbench's charts carry plotly.js themselves,
/// so the page needs no network).
/// </summary>
public static class NotebookPage
{
    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    // Richest representation first, as Jupyter picks it.
    private static readonly string[] MimePreference = ["text/html", "image/svg+xml", "image/png", "image/jpeg", "text/markdown", "text/plain"];

    private const string PageStyle = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#1f2328}
.nb-cell{margin:10px 0}
.nb-source{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;overflow-x:auto;font-size:12.5px;margin:0}
.nb-prompt{color:#57606a;font:11px monospace;margin:2px 0}
.nb-output{margin:6px 0 6px 12px;overflow-x:auto}
.nb-output pre{margin:0;font-size:12.5px;white-space:pre-wrap}
.nb-stderr{background:#fff8c5}
.nb-error{background:#ffebe9;border-left:4px solid #cf222e;padding:6px 10px}
""";

    public static string Of(JupyterNotebook notebook, string title)
    {
        var html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(Encode(title)).Append("</title><style>").Append(PageStyle).Append("</style></head><body>\n");
        foreach (var cell in notebook.Cells)
        {
            if (cell.CellType == "markdown")
                html.Append("<div class=\"nb-cell nb-markdown\">").Append(Markdig.Markdown.ToHtml(cell.Source, Markdown)).Append("</div>\n");
            else if (cell.IsCode)
                AppendCode(html, cell);
            else
                html.Append("<div class=\"nb-cell\"><pre>").Append(Encode(cell.Source)).Append("</pre></div>\n");
        }
        return html.Append("</body></html>\n").ToString();
    }

    private static void AppendCode(StringBuilder html, NotebookCell cell)
    {
        html.Append("<div class=\"nb-cell nb-code\"><div class=\"nb-prompt\">In [")
            .Append(cell.ExecutionCount?.ToString() ?? " ").Append("]:</div><pre class=\"nb-source\"><code>")
            .Append(Encode(cell.Source)).Append("</code></pre>");
        foreach (var output in cell.Outputs.OfType<JsonObject>())
            html.Append("<div class=\"nb-output\">").Append(Render(output)).Append("</div>");
        html.Append("</div>\n");
    }

    private static string Render(JsonObject output) => output["output_type"]?.GetValue<string>() switch
    {
        "stream" => $"<pre class=\"nb-{Encode(Text(output["name"]))}\">{Encode(Text(output["text"]))}</pre>",
        "error" => $"<pre class=\"nb-error\">{Encode(Text(output["ename"]))}: {Encode(Text(output["evalue"]))}</pre>",
        "display_data" or "execute_result" when output["data"] is JsonObject data => RenderData(data),
        _ => "",
    };

    private static string RenderData(JsonObject data)
    {
        string? mime = MimePreference.FirstOrDefault(data.ContainsKey);
        if (mime is null) return "";
        string value = Text(data[mime]);
        return mime switch
        {
            "text/html" or "image/svg+xml" => value,
            "image/png" or "image/jpeg" => $"<img src=\"data:{mime};base64,{value.Replace("\n", "")}\">",
            "text/markdown" => Markdig.Markdown.ToHtml(value, Markdown),
            _ => $"<pre>{Encode(value)}</pre>",
        };
    }

    /// <summary>nbformat text: a string or a list of lines.</summary>
    private static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        null => "",
        _ => node.ToJsonString(),
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
