using Microsoft.DotNet.Interactive.Formatting;
using TinyMl.Interpreter;
using TinyMl.Workbench.Charts;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Workbench.Interactive;

/// <summary>
/// The text/html and text/plain formatters that make a displayed runtime object show its view. Every
/// formatter catches everything: a view that cannot be built shows an error view, and the kernel never
/// sees an exception from display.
/// </summary>
public static class WorkbenchFormatters
{
    public const string HtmlMimeType = "text/html";
    public const string PlainTextMimeType = "text/plain";

    public static void Register()
    {
        Register<Model>(m => ModelSummary.Of(m).ToHtml() + Folded("Operator graph", () => ModelGraph.Of(m)), m => ModelSummary.Of(m).ToText(), m => $"Model {m.Source}");
        Register<MicroInterpreter>(InterpreterView.Of, i => $"Interpreter of {i.Model.Source}");
        Register<Tensor>(TensorView.Of, t => $"Tensor {t.Index} '{t.Name}'");
        Register<TensorInfo>(TensorView.Of, t => $"Tensor {t.Index} '{t.Name}'");
        Register<TensorData>(TensorView.Of, t => $"Tensor {t.Index} '{t.Name}'");
        Register<ArenaPlan>(p => ArenaPlanView.Of(p), _ => "Arena plan");
        // Every view (those above and any a user builds) renders itself; a subclass gets this one too.
        Register<WorkbenchView>(v => v, v => v.Title);
        // A chart alone (the notebooks build some themselves): HTML only, it has no text form.
        Formatter.Register<PlotlyChart>(c => Guarded(c.ToHtml, e => ErrorView.Html("Chart", e)), HtmlMimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(PlotlyChart), HtmlMimeType);
    }

    private static void Register<T>(Func<T, WorkbenchView> view, Func<T, string> title) =>
        Register(value => view(value).ToHtml(), value => view(value).ToText(), title);

    /// <summary>
    /// Shows <typeparamref name="T"/> as <paramref name="html"/> and <paramref name="text"/> render it;
    /// <paramref name="title"/> names the object in the error view when rendering fails.
    /// </summary>
    private static void Register<T>(Func<T, string> html, Func<T, string> text, Func<T, string> title)
    {
        Formatter.Register<T>(value => Guarded(() => html(value), e => ErrorView.Html(Title(title, value), e)), HtmlMimeType);
        Formatter.Register<T>(value => Guarded(() => text(value), e => ErrorView.Text(Title(title, value), e)), PlainTextMimeType);
        // Both representations go out: HTML for notebooks, text for consoles and text exports.
        Formatter.SetPreferredMimeTypesFor(typeof(T), HtmlMimeType, PlainTextMimeType);
    }

    /// <summary>A view under a closed disclosure triangle; if it cannot be built, its error view is folded there instead.</summary>
    private static string Folded(string heading, Func<WorkbenchView> view) =>
        $"<details class=\"tmw\"><summary>{Html.Html.Encode(heading)}</summary>{Guarded(() => view().ToHtml(), e => ErrorView.Html(heading, e))}</details>";

    private static string Guarded(Func<string> render, Func<Exception, string> error)
    {
        try
        {
            return render();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return error(e);
        }
    }

    private static string Title<T>(Func<T, string> title, T value) => Guarded(() => title(value), _ => typeof(T).Name);
}
