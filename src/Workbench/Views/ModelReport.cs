using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Runs;

namespace TinyMl.Workbench;

/// <summary>
/// Everything the workbench can show about one model on one page: summary, graph, arena plans,
/// memory, profile, and the inputs and outputs of one Invoke on the shared deterministic inputs.
/// Each part renders on its own, so a model the runtime cannot run still gets its summary and graph,
/// with the reason the rest is missing.
/// </summary>
public sealed class ModelReport : WorkbenchView
{
    private readonly List<(string Heading, Func<WorkbenchView> Part)> _parts = new();

    public required string ModelSource { get; init; }
    public override string Title => $"Workbench report of {ModelSource}";

    /// <summary>The report of <paramref name="model"/>; <paramref name="profileRuns"/> Invokes are timed for the profile.</summary>
    public static ModelReport Of(Model model, IOpResolver? resolver = null, int profileRuns = 20)
    {
        var report = new ModelReport { ModelSource = model.Source };
        report._parts.Add(("Summary", () => ModelSummary.Of(model, resolver)));
        report._parts.Add(("Operator graph", () => ModelGraph.Of(model)));
        report._parts.Add(("Arena plans", () => ArenaPlanView.Compare(model, resolver)));
        // One interpreter for the parts that run the model; built lazily so a failure shows in those parts only.
        var run = new Lazy<MicroInterpreter>(() =>
        {
            var interpreter = ArenaSizing.Allocate(model, resolver);
            ReferenceInputs.Fill(interpreter);
            interpreter.Invoke();
            return interpreter;
        });
        report._parts.Add(("Memory", () => MemoryReport.Of(run.Value)));
        report._parts.Add(("Profile", () => ProfileView.Measure(run.Value, profileRuns, warmupRuns: 2)));
        report._parts.Add(("Inputs and outputs (shared deterministic inputs)", () => new ViewList(
            run.Value.Inputs.Concat(run.Value.Outputs).Select(t => (WorkbenchView)TensorView.Of(t)).ToArray())));
        return report;
    }

    protected override void WriteHtml(StringBuilder html)
    {
        // Anchors unique per render: several reports may share one notebook page.
        string anchor = Html.Html.NewId("report");
        html.Append("<h3>").Append(Html.Html.Encode(Title)).Append("</h3><p class=\"muted\">");
        html.AppendJoin(" · ", _parts.Select((p, i) => $"<a href=\"#{anchor}-{i}\">{Html.Html.Encode(p.Heading)}</a>"));
        html.Append("</p>");
        for (int i = 0; i < _parts.Count; i++)
        {
            html.Append("<h3 id=\"").Append(anchor).Append('-').Append(i).Append("\">").Append(Html.Html.Encode(_parts[i].Heading)).Append("</h3>");
            html.Append(Render(_parts[i], v => v.ToHtml(), e => ErrorView.Html(_parts[i].Heading, e)));
        }
    }

    protected override string RenderText()
    {
        var text = new StringBuilder(Title).AppendLine();
        foreach (var part in _parts)
            text.AppendLine().AppendLine("== " + part.Heading).AppendLine(Render(part, v => v.ToText(), e => ErrorView.Text(part.Heading, e)));
        return text.ToString();
    }

    /// <summary>A part whose construction fails (the model cannot be allocated, say) becomes that part's error view.</summary>
    private static string Render((string Heading, Func<WorkbenchView> Part) part, Func<WorkbenchView, string> render, Func<Exception, string> error)
    {
        try
        {
            return render(part.Part());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return error(e);
        }
    }
}

/// <summary>Several views shown one after another.</summary>
public sealed class ViewList(IReadOnlyList<WorkbenchView> views) : WorkbenchView
{
    public IReadOnlyList<WorkbenchView> Views => views;
    public override string Title => $"{views.Count} views";
    protected override void WriteHtml(StringBuilder html)
    {
        foreach (var view in views) html.Append(view.ToHtml());
    }
    protected override string RenderText() => string.Join(Environment.NewLine, views.Select(v => v.ToText()));
}
