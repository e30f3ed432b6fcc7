using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Runs;
using TinyMl.Workbench.Tensors;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench;

/// <summary>Operators of one type taken together.</summary>
public sealed record OperatorTypeTotal(string Name, int Count, long Macs, long ParameterBytes);

/// <summary>
/// The arena one planner needs for the model (head = planned tensors and scratch, tail = persistent
/// kernel data and variables), or why it could not be measured.
/// </summary>
public sealed record ArenaFigure(string Planner, int? UsedBytes, int HeadBytes, int TailBytes, string? Unavailable);

public sealed record SubgraphSummary(int Index, string Name, int OperatorCount, int TensorCount);

/// <summary>
/// A model at a glance: per operator its index, op, options, input/output shapes and types, MACs and
/// parameter bytes; totals (parameters = flash, peak arena = RAM per planner, MACs per op type);
/// inputs and outputs with quantization; subgraphs; metadata names.
/// </summary>
public sealed class ModelSummary : WorkbenchView
{
    /// <summary>
    /// Summarizes <paramref name="model"/>. The arena figures come from allocating it with each planner
    /// (<paramref name="resolver"/> defaults to every builtin); a model the runtime cannot allocate still
    /// gets everything else, with the reason in place of the arena figures.
    /// </summary>
    public static ModelSummary Of(Model model, IOpResolver? resolver = null)
    {
        resolver ??= OpResolver.WithAllBuiltins();
        var operators = OperatorTable.Of(model);
        var main = model.MainSubgraph;
        return new ModelSummary
        {
            ModelSource = model.Source,
            FileBytes = model.Bytes.Length,
            Description = model.Description,
            SchemaVersion = model.Version,
            Operators = operators,
            // Flash holds each constant buffer once, however many tensors (in any subgraph) point at it.
            ParameterBytes = model.Subgraphs.SelectMany(s => s.Tensors).Where(t => t.IsConstant)
                .GroupBy(t => t.BufferIndex).Sum(g => (long)g.First().Data.Length),
            TensorCount = model.Subgraphs.Sum(s => s.Tensors.Count),
            OperatorTypes = operators.Operators.GroupBy(o => o.Name)
                .Select(g => new OperatorTypeTotal(g.Key, g.Count(), g.Sum(o => o.Macs), g.Sum(o => o.ParameterBytes)))
                .OrderByDescending(t => t.Macs).ThenByDescending(t => t.Count).ThenBy(t => t.Name, StringComparer.Ordinal).ToArray(),
            Arena = MeasureArena(model, resolver),
            // The allocation error names the first op without a kernel; a person porting the model wants them all.
            UnsupportedOperators = model.MainSubgraph.Operators.Where(o => resolver.FindKernel(o.Code) is null)
                .Select(o => o.Name).Distinct().ToArray(),
            Inputs = main.Inputs.Select(i => TensorSummary.Of(main.Tensors[i])).ToArray(),
            Outputs = main.Outputs.Select(i => TensorSummary.Of(main.Tensors[i])).ToArray(),
            Subgraphs = model.Subgraphs.Select(s => new SubgraphSummary(s.Index, s.Name, s.Operators.Count, s.Tensors.Count)).ToArray(),
            Metadata = model.Metadata.Select(m => (m.Key, (long)m.Value.Length)).ToArray(),
        };
    }

    /// <summary>
    /// Allocates the model once per planner; offline only when the model carries an offline plan
    /// (greedy and linear ignore it, so the three figures can be compared).
    /// </summary>
    private static IReadOnlyList<ArenaFigure> MeasureArena(Model model, IOpResolver resolver)
    {
        var planners = new List<(string Label, InterpreterOptions Options)>
        {
            ("greedy", new InterpreterOptions { Planner = MemoryPlannerKind.Greedy, UseOfflinePlan = false }),
            ("linear", new InterpreterOptions { Planner = MemoryPlannerKind.Linear, UseOfflinePlan = false }),
        };
        if (model.FindMetadata(Model.OfflineMemoryAllocationMetadata) is not null)
            planners.Add(("offline", new InterpreterOptions { Planner = MemoryPlannerKind.Greedy, UseOfflinePlan = true }));
        var figures = new List<ArenaFigure>();
        foreach (var (label, options) in planners)
        {
            try
            {
                using var interpreter = ArenaSizing.Allocate(model, resolver, options);
                figures.Add(new ArenaFigure(label, interpreter.ArenaUsedBytes, interpreter.Plan.HeadBytes, interpreter.Plan.TailBytes, null));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                figures.Add(new ArenaFigure(label, null, 0, 0, e is TinyMlException ? e.Message : $"{e.GetType().Name}: {e.Message}"));
            }
        }
        return figures;
    }

    public required string ModelSource { get; init; }
    public long FileBytes { get; init; }
    public string Description { get; init; } = "";
    public int SchemaVersion { get; init; }
    public required OperatorTable Operators { get; init; }
    /// <summary>Bytes of the unique constant buffers: what the model puts in flash.</summary>
    public long ParameterBytes { get; init; }
    public long Macs => Operators.Operators.Sum(o => o.Macs);
    public int TensorCount { get; init; }
    /// <summary>Per op type: count, MACs, parameter bytes; most MACs first.</summary>
    public IReadOnlyList<OperatorTypeTotal> OperatorTypes { get; init; } = [];
    /// <summary>Greedy, linear and (when the model has one) offline plan.</summary>
    public IReadOnlyList<ArenaFigure> Arena { get; init; } = [];
    /// <summary>Op names of subgraph 0 the resolver has no kernel for.</summary>
    public IReadOnlyList<string> UnsupportedOperators { get; init; } = [];
    public IReadOnlyList<TensorSummary> Inputs { get; init; } = [];
    public IReadOnlyList<TensorSummary> Outputs { get; init; } = [];
    public IReadOnlyList<SubgraphSummary> Subgraphs { get; init; } = [];
    public IReadOnlyList<(string Name, long Bytes)> Metadata { get; init; } = [];

    public string FileName => Path.GetFileName(ModelSource) is { Length: > 0 } name ? name : ModelSource;
    public override string Title => $"Summary of {FileName}";

    /// <summary>The figure a MicroInterpreter with default options needs: the offline plan when the model has one, else greedy.</summary>
    public ArenaFigure? DefaultArena => Arena.FirstOrDefault(a => a.Planner == "offline") ?? Arena.FirstOrDefault(a => a.Planner == "greedy");

    /// <summary>Why no arena figure could be measured, when all planners failed alike (an unsupported op, say).</summary>
    public string? ArenaUnavailable => Arena.Count > 0 && Arena.All(a => a.UsedBytes is null) ? Arena[0].Unavailable : null;

    private int OperatorCount => Operators.Operators.Count;

    private string Headline(Func<string, string> strong)
    {
        var text = new StringBuilder();
        text.Append($"{strong(FileName)}: {strong(Number(OperatorCount))} operator{(OperatorCount == 1 ? "" : "s")}, ");
        text.Append($"{strong(Count(Macs))} MACs, {strong(Bytes(ParameterBytes))} of parameters, ");
        text.Append(DefaultArena is { UsedBytes: { } used } arena
            ? $"needs {strong(Number(used) + " B")} of arena ({arena.Planner})"
            : "arena size unavailable");
        return text.ToString();
    }

    private IEnumerable<(string Key, string Value)> Totals()
    {
        yield return ("operators", $"{Number(OperatorCount)} in {Number(Subgraphs.Count)} subgraph{(Subgraphs.Count == 1 ? "" : "s")}");
        yield return ("MACs", Number(Macs));
        yield return ("parameters (flash)", Number(ParameterBytes) + " B");
        if (DefaultArena is { UsedBytes: { } used } arena) yield return ($"arena (RAM, {arena.Planner})", Number(used) + " B");
        yield return ("tensors", Number(TensorCount));
        yield return ("model file", Number(FileBytes) + " B");
        yield return ("schema version", Number(SchemaVersion));
    }

    protected override void WriteHtml(StringBuilder html)
    {
        html.Append("<div class=\"answer\">").Append(Headline(s => "<b>" + Encode(s) + "</b>")).Append("</div>");
        if (Description.Length > 0) html.Append("<div class=\"muted\">").Append(Encode(Description)).Append("</div>");
        html.Append("<div class=\"kv\">");
        foreach (var (key, value) in Totals())
            html.Append("<span>").Append(Encode(key)).Append(" <b>").Append(Encode(value)).Append("</b></span>");
        html.Append("</div>");
        WriteArenaProblems(html);
        if (Arena.Any(a => a.UsedBytes is not null)) html.Append("<h4>Arena (RAM) by planner</h4>").Append(ArenaTable(html: true).ToHtml())
            .Append("<div class=\"muted\" style=\"font-size:11px;margin-top:-4px\"><span style=\"color:#4c78a8\">■</span> head: tensors and scratch, shared over time as the planner lays them out · ")
            .Append("<span style=\"color:#f58518\">■</span> tail: kernel data and variables, kept for the interpreter's life</div>");

        html.Append("<h4>Inputs and outputs</h4>").Append(InputOutputTable().ToHtml());
        html.Append("<h4>Operator types</h4>").Append(OperatorTypeTable(html: true).ToHtml());
        html.Append("<h4>Operators</h4>").Append(Operators.ToHtml(UnsupportedOperators.ToHashSet()));
        if (Subgraphs.Count > 1) html.Append("<h4>Subgraphs</h4>").Append(SubgraphTable().ToHtml());
        if (Metadata.Count > 0)
            html.Append("<h4>Metadata</h4><div class=\"kv\">")
                .AppendJoin("", Metadata.Select(m => $"<span>{Encode(m.Name)} <b>{Number(m.Bytes)} B</b></span>"))
                .Append("</div>");
    }

    /// <summary>A planner that could not allocate says why; when all failed alike, once.</summary>
    private void WriteArenaProblems(StringBuilder html)
    {
        if (UnsupportedOperators.Count > 0)
            html.Append("<div class=\"error\"><b>The runtime has no kernel for</b> ").Append(Encode(string.Join(", ", UnsupportedOperators)))
                .Append(" (highlighted below).</div>");
        if (ArenaUnavailable is { } reason)
            html.Append("<div class=\"error\"><b>Arena size unavailable</b>: the runtime cannot allocate this model: ").Append(Encode(reason))
                .Append(". The rest of this summary is read from the model file.</div>");
        else
            foreach (var a in Arena.Where(a => a.Unavailable is not null))
                html.Append("<div class=\"error\"><b>").Append(Encode(a.Planner)).Append(" planner</b>: ").Append(Encode(a.Unavailable)).Append("</div>");
    }

    /// <summary>Each planner's arena, split into head and tail, with a bar to scale of the largest.</summary>
    private HtmlTable ArenaTable(bool html)
    {
        int largest = Arena.Max(a => a.UsedBytes ?? 0);
        int Px(int bytes) => (int)Math.Round(200.0 * bytes / Math.Max(largest, 1));
        var table = new HtmlTable("planner", "arena", "head (tensors, scratch)", "tail (persistent)", "").Numeric(1, 2, 3);
        foreach (var a in Arena.Where(a => a.UsedBytes is not null))
            table.Row(a.Planner, Number(a.UsedBytes!.Value) + " B", Number(a.HeadBytes) + " B", Number(a.TailBytes) + " B",
                html ? Cell.WithMarkup("", $"<span class=\"bar\" title=\"head\" style=\"width:{Px(a.HeadBytes)}px\"></span>" +
                    $"<span class=\"bar\" title=\"tail\" style=\"width:{Px(a.TailBytes)}px;background:#f58518\"></span>") : "");
        return table;
    }

    private HtmlTable InputOutputTable()
    {
        var table = new HtmlTable("", "#", "name", "type", "shape", "bytes", "quantization").Numeric(1, 5);
        foreach (var (role, tensors) in new[] { ("input", Inputs), ("output", Outputs) })
            for (int i = 0; i < tensors.Count; i++)
                table.Row($"{role} {i}", tensors[i].Index, tensors[i].Name, tensors[i].TypeName, Shape(tensors[i].Shape),
                    tensors[i].Bytes, QuantizationText.Describe(tensors[i].Quantization));
        return table;
    }

    /// <summary>Op types with count, MACs and their share (a bar in HTML), parameters; ops the runtime lacks highlighted.</summary>
    private HtmlTable OperatorTypeTable(bool html)
    {
        long totalMacs = Macs;
        if (totalMacs == 0)
        {
            // Nothing multiplies and accumulates (an audio front end, say): MAC columns would be empty.
            var plain = new HtmlTable("operator", "count", "parameters").Numeric(1, 2);
            foreach (var t in OperatorTypes)
                plain.RowWithClass(Highlight(t.Name), t.Name, t.Count, t.ParameterBytes == 0 ? "" : Number(t.ParameterBytes));
            return plain;
        }
        var table = new HtmlTable("operator", "count", "MACs", "share of MACs", "parameters").Numeric(1, 2, 4);
        foreach (var t in OperatorTypes)
        {
            double share = (double)t.Macs / totalMacs;
            string percent = t.Macs > 0 ? Number(100 * share, 1) + " %" : "";
            Cell shareCell = html && t.Macs > 0
                ? Cell.WithMarkup(percent, $"<span class=\"bar\" style=\"width:{Math.Max(1, (int)Math.Round(share * 160))}px\"></span> {percent}")
                : percent;
            table.RowWithClass(Highlight(t.Name), t.Name, t.Count, t.Macs == 0 ? "" : Number(t.Macs), shareCell, t.ParameterBytes == 0 ? "" : Number(t.ParameterBytes));
        }
        return table;
    }

    private string? Highlight(string operatorName) => UnsupportedOperators.Contains(operatorName) ? "hot" : null;

    private HtmlTable SubgraphTable()
    {
        var table = new HtmlTable("#", "name", "operators", "tensors").Numeric(0, 2, 3);
        foreach (var s in Subgraphs) table.Row(s.Index, s.Name, s.OperatorCount, s.TensorCount);
        return table;
    }

    protected override string RenderText()
    {
        var text = new StringBuilder(Headline(s => s)).AppendLine();
        if (Description.Length > 0) text.AppendLine(Description);
        text.AppendLine();
        int width = Totals().Max(t => t.Key.Length);
        foreach (var (key, value) in Totals()) text.Append(key.PadRight(width)).Append("  ").AppendLine(value);
        if (UnsupportedOperators.Count > 0)
            text.AppendLine().Append("The runtime has no kernel for ").AppendLine(string.Join(", ", UnsupportedOperators));
        if (ArenaUnavailable is { } reason)
            text.AppendLine().Append("Arena size unavailable: the runtime cannot allocate this model: ").AppendLine(reason);
        else
            foreach (var a in Arena.Where(a => a.Unavailable is not null))
                text.AppendLine().Append(a.Planner).Append(" planner: ").AppendLine(a.Unavailable);
        if (Arena.Any(a => a.UsedBytes is not null)) text.AppendLine().AppendLine("Arena (RAM) by planner").Append(ArenaTable(html: false).ToText());
        text.AppendLine().AppendLine("Inputs and outputs").Append(InputOutputTable().ToText());
        text.AppendLine().AppendLine("Operator types").Append(OperatorTypeTable(html: false).ToText());
        text.AppendLine().AppendLine("Operators").Append(Operators.ToText());
        if (Subgraphs.Count > 1) text.AppendLine().AppendLine("Subgraphs").Append(SubgraphTable().ToText());
        if (Metadata.Count > 0)
            text.AppendLine().Append("Metadata: ").AppendLine(string.Join(", ", Metadata.Select(m => $"{m.Name} ({Number(m.Bytes)} B)")));
        return text.ToString();
    }
}
