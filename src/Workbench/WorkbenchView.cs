using System.Text;
using TinyMl.Workbench.Charts;
using TinyMl.Workbench.Html;

namespace TinyMl.Workbench;

/// <summary>
/// Something a person looks at: built from runtime objects, holding plain data, rendered as
/// self-contained HTML (works with no network) and as plain text. Rendering never throws: a view
/// that cannot render shows an error view naming the cause instead, so a notebook kernel never
/// sees an exception from a formatter.
/// </summary>
public abstract class WorkbenchView
{
    /// <summary>The view as one HTML fragment, style sheet and scripts included.</summary>
    public string ToHtml()
    {
        // A view with several charts (or views inside it) carries plotly.js once, with its first chart.
        using var fragment = PlotlyScript.BeginFragment();
        try
        {
            var html = new StringBuilder(Styles.Sheet).Append("<div class=\"tmw\">");
            WriteHtml(html);
            return html.Append("</div>").ToString();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            fragment.Discard();
            return ErrorView.Html(Title, e);
        }
    }

    /// <summary>The view as plain text (text/plain, consoles, logs).</summary>
    public string ToText()
    {
        try
        {
            return RenderText();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return ErrorView.Text(Title, e);
        }
    }

    public override string ToString() => ToText();

    /// <summary>What the view shows, e.g. "Arena plan of person_detect.tflite" (used by error views too).</summary>
    public abstract string Title { get; }

    /// <summary>Appends the view's markup (inside a div.tmw that carries the shared styles).</summary>
    protected abstract void WriteHtml(StringBuilder html);

    protected abstract string RenderText();
}
