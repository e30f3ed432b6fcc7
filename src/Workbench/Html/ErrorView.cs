using System.Text;

namespace TinyMl.Workbench.Html;

/// <summary>What a view shows instead of itself when it cannot render: what failed and why, never an exception.</summary>
public static class ErrorView
{
    public static string Html(string what, Exception error) => Html(what, Describe(error), error is TinyMl.Interpreter.TinyMlException ? null : error.ToString());

    /// <summary>An error box: <paramref name="what"/> could not be shown because of <paramref name="cause"/>; optional details folded away.</summary>
    public static string Html(string what, string cause, string? details = null)
    {
        var html = new StringBuilder(Styles.Sheet)
            .Append("<div class=\"tmw\"><div class=\"error\"><b>").Append(Workbench.Html.Html.Encode(what)).Append(" cannot be shown</b>: ")
            .Append(Workbench.Html.Html.Encode(cause));
        if (details is not null)
            html.Append("<details><summary>details</summary><pre>").Append(Workbench.Html.Html.Encode(details)).Append("</pre></details>");
        return html.Append("</div></div>").ToString();
    }

    public static string Text(string what, Exception error) => $"{what} cannot be shown: {Describe(error)}";

    private static string Describe(Exception error) =>
        error is TinyMl.Interpreter.TinyMlException ? error.Message : $"{error.GetType().Name}: {error.Message}";
}
