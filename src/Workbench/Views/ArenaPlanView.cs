using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Charts;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Runs;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench;

/// <summary>
/// The arena plan as an interactive chart (x = operator, y = offset, one rectangle per buffer), the
/// tail, planners side by side, and the answer "this model needs N bytes" — what TFLM leaves users to
/// find "by experimentation".
/// </summary>
public sealed class ArenaPlanView : WorkbenchView
{
    /// <summary>Buffer rows shown before the table elides the middle.</summary>
    public const int MaxBufferRows = 40;

    /// <summary>One plan of <paramref name="modelName"/> (operators go by index: the plan does not know their names).</summary>
    public static ArenaPlanView Of(ArenaPlan plan, string modelName = "model") =>
        new() { ModelName = modelName, Plans = [(plan.Planner, new ArenaPlanChart(plan))] };

    /// <summary>The plan of an allocated interpreter, with its operators' names.</summary>
    public static ArenaPlanView Of(MicroInterpreter interpreter) => new()
    {
        ModelName = interpreter.Model.Source,
        Plans = [(interpreter.Plan.Planner, new ArenaPlanChart(interpreter.Plan, OperatorNames(interpreter.Model)))],
    };

    /// <summary>
    /// Plans <paramref name="model"/> with the greedy and the linear planner, and with its offline plan
    /// when it has OfflineMemoryAllocation metadata, each in the arena it needs. A model that cannot be
    /// allocated (an unsupported operator, say) gives a view saying why.
    /// </summary>
    public static ArenaPlanView Compare(Model model, IOpResolver? resolver = null)
    {
        resolver ??= OpResolver.WithAllBuiltins();
        bool hasOffline = model.FindMetadata(Model.OfflineMemoryAllocationMetadata) is not null;
        var attempts = new List<(string Label, InterpreterOptions Options)>
        {
            ("greedy", new InterpreterOptions { Planner = MemoryPlannerKind.Greedy, UseOfflinePlan = false }),
            ("linear", new InterpreterOptions { Planner = MemoryPlannerKind.Linear, UseOfflinePlan = false }),
        };
        if (hasOffline)
            attempts.Add(("offline (+ greedy)", new InterpreterOptions { Planner = MemoryPlannerKind.Greedy, UseOfflinePlan = true }));

        var names = OperatorNames(model);
        var plans = new List<(string, ArenaPlanChart)>();
        var failures = new List<(string, string)>();
        foreach (var (label, options) in attempts)
        {
            try
            {
                using var interpreter = ArenaSizing.Allocate(model, resolver, options);
                plans.Add((label, new ArenaPlanChart(interpreter.Plan, names)));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures.Add((label, e is TinyMlException ? e.Message : $"{e.GetType().Name}: {e.Message}"));
            }
        }
        return new ArenaPlanView
        {
            ModelName = model.Source, Plans = plans, Failures = failures, IsComparison = true, HasOfflinePlan = hasOffline,
        };
    }

    public required string ModelName { get; init; }
    /// <summary>The plans drawn, each with its label ("greedy", "linear", "offline (+ greedy)").</summary>
    public required IReadOnlyList<(string Label, ArenaPlanChart Chart)> Plans { get; init; }
    /// <summary>Planners that could not plan the model, and why.</summary>
    public IReadOnlyList<(string Label, string Problem)> Failures { get; init; } = [];
    public bool IsComparison { get; init; }
    /// <summary>Whether the model carries OfflineMemoryAllocation metadata (known for comparisons).</summary>
    public bool HasOfflinePlan { get; init; }

    /// <summary>The plan needing the fewest bytes (the first listed on a tie), or null when none succeeded.</summary>
    public (string Label, ArenaPlanChart Chart)? Best =>
        Plans.Count == 0 ? null : Plans.MinBy(p => p.Chart.Plan.TotalBytes);

    public override string Title => IsComparison ? $"Arena plans of {ModelName}" : $"Arena plan of {ModelName}";

    /// <summary>The plotly figure (null when there is no plan to draw).</summary>
    public PlotlyChart? Figure() => Plans.Count == 0 ? null : ArenaPlanChart.Figure(Plans, Plans.Count > 1 ? 540 : 500);

    private static IReadOnlyList<string> OperatorNames(Model model) => model.MainSubgraph.Operators.Select(o => o.Name).ToArray();

    /// <summary>"This model needs N bytes of arena (head H planned + tail T persistent)".</summary>
    private static string Answer(ArenaPlan plan, bool markup) => markup
        ? $"This model needs <b>{Number(plan.TotalBytes)} bytes</b> of arena (head {Number(plan.HeadBytes)} planned + tail {Number(plan.TailBytes)} persistent)"
        : $"This model needs {Number(plan.TotalBytes)} bytes of arena (head {Number(plan.HeadBytes)} planned + tail {Number(plan.TailBytes)} persistent)";

    /// <summary>Why the head is as large as it is, in a sentence or two.</summary>
    private static string Explanation(ArenaPlanChart chart)
    {
        var plan = chart.Plan;
        long fragmentation = plan.HeadBytes - chart.PeakLiveBytes;
        string head = fragmentation == 0
            ? "the head is exactly that: no planner can do better"
            : $"this plan's head is {Number(plan.HeadBytes)} bytes, {Number(fragmentation)} more than that (gaps between buffers)";
        long saved = plan.UnsharedBytes - plan.HeadBytes;
        string sharing = plan.UnsharedBytes == 0 ? ""
            : saved > 0
                ? $" Sharing saves {Number(saved)} bytes ({Number(100.0 * saved / plan.UnsharedBytes, 1)}%) of the {Number(plan.UnsharedBytes)} the head's {plan.Buffers.Count} buffers would take one after another."
                : $" No two of the head's {plan.Buffers.Count} buffers share bytes ({Number(plan.UnsharedBytes)} in all).";
        return $"At most {Number(chart.PeakLiveBytes)} bytes of tensors and scratch are alive at once (at {chart.DescribePeakOperators()}); {head}.{sharing}";
    }

    private const string BookkeepingNote =
        "This runtime keeps its own bookkeeping (tensor and node structures) in managed objects; TFLM places those in the arena too, so on a microcontroller TFLM needs a few KiB more.";

    protected override void WriteHtml(StringBuilder html)
    {
        html.Append("<h3>").Append(Encode(Title)).Append("</h3>");
        if (Plans.Count == 0)
        {
            html.Append("<div class=\"error\"><b>").Append(Encode(ModelName)).Append(" cannot be planned</b>: ")
                .Append(Encode(Failures.Count > 0 ? Failures[0].Problem : "no plan was given")).Append("</div>");
            return;
        }
        var (bestLabel, best) = Best!.Value;
        html.Append("<p class=\"answer\">").Append(Answer(best.Plan, markup: true));
        if (IsComparison) html.Append(" with the ").Append(Encode(bestLabel)).Append(" planner");
        html.Append(".</p>");
        if (IsComparison) WriteComparison(html, bestLabel, best);
        html.Append("<p>").Append(Encode(Explanation(best))).Append("</p>");
        html.Append(Figure()!.ToHtml());
        html.Append("<p class=\"muted\">Each rectangle is a buffer: across, the operators during which it must stay intact; up, the bytes it occupies. ")
            .Append("Buffers alive at different times share bytes. The grey and purple band above the dashed line is the persistent tail. ")
            .Append("Drag to zoom in on small buffers; hover for names. ").Append(Encode(BookkeepingNote)).Append("</p>");

        string suffix = IsComparison ? $" ({bestLabel} plan)" : "";
        html.Append("<details").Append(best.Head.Count <= 12 ? " open" : "").Append("><summary>")
            .Append(Encode($"The head's {best.Head.Count} buffers{suffix}")).Append("</summary>")
            .Append(BufferTable(best).ToHtml(MaxBufferRows)).Append("</details>");
        html.Append("<details><summary>").Append(Encode($"Owners of the persistent tail ({Number(best.Plan.TailBytes)} bytes)")).Append("</summary>")
            .Append(TailTable(best).ToHtml(MaxBufferRows)).Append("</details>");
    }

    private void WriteComparison(StringBuilder html, string bestLabel, ArenaPlanChart best)
    {
        var others = Plans.Where(p => p.Label != bestLabel).ToArray();
        if (others.Length > 0)
        {
            html.Append("<p>");
            var ties = others.Where(o => o.Chart.Plan.TotalBytes == best.Plan.TotalBytes).Select(o => o.Label).ToArray();
            if (ties.Length == others.Length)
                html.Append("Every planner needs the same: ").Append(Encode(string.Join(", ", Plans.Select(p => p.Label)))).Append('.');
            else
            {
                html.Append("The <b>").Append(Encode(bestLabel)).Append("</b> planner wins: ");
                html.AppendJoin("; ", others.Select(o => Encode($"{o.Label} needs {Number(o.Chart.Plan.TotalBytes)} bytes") +
                    (o.Chart.Plan.TotalBytes == best.Plan.TotalBytes ? " (the same)" : Encode($" ({Number(o.Chart.Plan.TotalBytes - best.Plan.TotalBytes)} more)"))));
                html.Append('.');
            }
            html.Append("</p>");
        }
        foreach (var (label, problem) in Failures)
            html.Append("<div class=\"error\"><b>").Append(Encode(label)).Append(" could not plan the model</b>: ").Append(Encode(problem)).Append("</div>");
        html.Append("<p class=\"muted\">").Append(Encode(OfflineNote)).Append("</p>");
        html.Append(TotalsTable().ToHtml());
    }

    private string OfflineNote => HasOfflinePlan
        ? "The model carries an offline plan (OfflineMemoryAllocation metadata): its tensors keep the offsets it gives; the greedy planner places the rest."
        : "The model has no offline plan (no OfflineMemoryAllocation metadata), so only the online planners are compared.";

    private HtmlTable TotalsTable()
    {
        var table = new HtmlTable("planner", "head", "tail", "total", "head unshared", "saved by sharing", "peak alive").Numeric(1, 2, 3, 4, 5, 6);
        var best = Best!.Value.Label;
        foreach (var (label, chart) in Plans)
        {
            var plan = chart.Plan;
            long saved = plan.UnsharedBytes - plan.HeadBytes;
            string percent = plan.UnsharedBytes == 0 ? "" : $" ({Number(100.0 * saved / plan.UnsharedBytes, 1)}%)";
            table.RowWithClass(label == best ? "hot" : null,
                label == best ? label + " (wins)" : label,
                plan.HeadBytes, plan.TailBytes, plan.TotalBytes, plan.UnsharedBytes, Number(saved) + percent, chart.PeakLiveBytes);
        }
        return table;
    }

    private static HtmlTable BufferTable(ArenaPlanChart chart)
    {
        var table = new HtmlTable("kind", "name", "bytes", "first op", "last op", "offset", "end").Numeric(2, 3, 4, 5, 6);
        // By offset, then time: the order the chart shows them, bottom to top.
        foreach (var r in chart.Head.OrderBy(r => r.Offset).ThenBy(r => r.FirstOperator))
            table.Row(r.Kind, r.Name, r.Bytes, r.FirstOperator, r.LastOperator, r.Offset, r.Top);
        return table;
    }

    private static HtmlTable TailTable(ArenaPlanChart chart)
    {
        var table = new HtmlTable("owner", "kind", "allocations", "bytes", "offset in arena").Numeric(2, 3, 4);
        foreach (var owner in chart.Tail.GroupBy(r => (r.Kind, r.Name)))
            table.Row(owner.Key.Name, owner.Key.Kind, owner.Count(), owner.Sum(r => r.Bytes), owner.Min(r => r.Offset));
        return table;
    }

    protected override string RenderText()
    {
        var text = new StringBuilder(Title).AppendLine();
        if (Plans.Count == 0)
            return text.Append(ModelName).Append(" cannot be planned: ").AppendLine(Failures.Count > 0 ? Failures[0].Problem : "no plan was given").ToString();
        var (bestLabel, best) = Best!.Value;
        text.Append(Answer(best.Plan, markup: false));
        if (IsComparison) text.Append(" with the ").Append(bestLabel).Append(" planner");
        text.AppendLine(".");
        if (IsComparison)
        {
            foreach (var (label, problem) in Failures) text.AppendLine($"{label} could not plan the model: {problem}");
            text.AppendLine(OfflineNote).AppendLine().Append(TotalsTable().ToText());
        }
        text.AppendLine(Explanation(best)).AppendLine();
        text.AppendLine($"The head's {best.Head.Count} buffers{(IsComparison ? $" ({bestLabel} plan)" : "")}:").Append(BufferTable(best).ToText(MaxBufferRows));
        text.AppendLine().AppendLine($"Owners of the persistent tail ({Number(best.Plan.TailBytes)} bytes):").Append(TailTable(best).ToText(MaxBufferRows));
        return text.ToString();
    }
}
