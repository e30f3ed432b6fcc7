using System.Text;

namespace TinyMl.Workbench.Html;

/// <summary>A whole, self-contained HTML page around view fragments (for exports and for looking at views in a browser).</summary>
public static class HtmlPage
{
    public static string Wrap(string title, params string[] fragments)
    {
        var html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(Html.Encode(title)).Append("</title></head><body style=\"margin:16px\">");
        foreach (var fragment in fragments) html.Append(fragment).Append('\n');
        return html.Append("</body></html>\n").ToString();
    }

    /// <summary>A page of views; plotly.js is written once, with the page's first chart.</summary>
    public static string Of(string title, params WorkbenchView[] views)
    {
        using var page = Charts.PlotlyScript.BeginFragment();
        return Wrap(title, views.Select(v => v.ToHtml()).ToArray());
    }
}
