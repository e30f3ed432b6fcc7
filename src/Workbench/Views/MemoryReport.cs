using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Charts;
using TinyMl.Workbench.Html;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench;

/// <summary>One part of the arena in use; the parts of <see cref="MemoryReport.Categories"/> add up to the arena used.</summary>
public sealed record MemoryCategory(string Region, string Name, long Bytes, int Count, string Note);

/// <summary>The persistent data one operator's kernel keeps in the tail.</summary>
public sealed record KernelPersistentData(int OperatorIndex, string OpName, int Allocations, long Bytes, long RequestedBytes);

/// <summary>The persistent data all operators of one op type keep.</summary>
public sealed record OpTypePersistentData(string OpName, int Operators, int Allocations, long Bytes);

/// <summary>
/// Arena bytes by category (planned head, variable tensors, each kernel's persistent data), like TFLM's
/// RecordingMicroAllocator: what each part of the "arena used" figure is made of.
/// </summary>
public sealed class MemoryReport : WorkbenchView
{
    public static MemoryReport Of(MicroInterpreter interpreter)
    {
        var model = interpreter.Model;
        if (!interpreter.IsAllocated)
            return new MemoryReport { ModelSource = model.Source, ModelBytes = model.Bytes.Length, Problem = "AllocateTensors has not run (or failed), so nothing is in the arena yet" };

        var plan = interpreter.Plan;
        var chart = new ArenaPlanChart(plan);
        // Tensors of the main subgraph and of the subgraphs control-flow operators run alike.
        var tensors = plan.Buffers.Where(b => b.Kind != PlannedBufferKind.Scratch).ToArray();
        var scratch = plan.Buffers.Where(b => b.Kind == PlannedBufferKind.Scratch).ToArray();
        var variables = plan.PersistentBuffers.Where(p => p.OwnedBy.Kind == PersistentOwnerKind.VariableTensor).ToArray();
        var kernelData = plan.PersistentBuffers.Where(p => p.OwnedBy.Kind == PersistentOwnerKind.KernelData).ToArray();

        var byOperator = kernelData.GroupBy(p => (p.OwnedBy.OperatorIndex, p.OwnedBy.OperatorName))
            .Select(g => new KernelPersistentData(g.Key.OperatorIndex, g.Key.OperatorName, g.Count(), g.Sum(p => (long)p.AlignedBytes), g.Sum(p => (long)p.Bytes)))
            .OrderBy(k => k.OperatorIndex).ToArray();
        var byOpType = byOperator.GroupBy(k => k.OpName)
            .Select(g => new OpTypePersistentData(g.Key, g.Count(), g.Sum(k => k.Allocations), g.Sum(k => k.Bytes)))
            .OrderByDescending(t => t.Bytes).ToArray();

        long headUnshared = plan.UnsharedBytes;
        var categories = new List<MemoryCategory>
        {
            new("head", "planned head (tensors and scratch, shared)", plan.HeadBytes, plan.Buffers.Count,
                $"{Number(headUnshared)} bytes unshared; at most {Number(chart.PeakLiveBytes)} alive at once"),
            new("tail", "variable tensors", variables.Sum(p => (long)p.AlignedBytes), variables.Length, "state kept across invocations (RNN, SVDF)"),
            new("tail", "kernels' persistent data", kernelData.Sum(p => (long)p.AlignedBytes), kernelData.Length,
                $"{byOperator.Length} operators: quantization multipliers, lookup tables"),
        };
        // The categories cover the head and every tail allocation; anything else would be a gap in the
        // bookkeeping, shown rather than hidden.
        long rest = interpreter.ArenaUsedBytes - categories.Sum(c => c.Bytes);
        if (rest != 0) categories.Add(new("other", "not attributed", rest, 0, "arena bytes no category accounts for"));

        return new MemoryReport
        {
            ModelSource = model.Source,
            ModelBytes = model.Bytes.Length,
            ConstantTensorBytes = interpreter.Tensors.Where(t => t.IsConstant).Sum(t => (long)t.ByteCount),
            ArenaUsedBytes = interpreter.ArenaUsedBytes,
            ArenaCapacity = interpreter.ArenaCapacity,
            Planner = plan.Planner,
            Categories = categories,
            TensorCount = tensors.Length,
            TensorBytesUnshared = tensors.Sum(b => (long)b.Bytes),
            ScratchCount = scratch.Length,
            ScratchBytesUnshared = scratch.Sum(b => (long)b.Bytes),
            HeadBytes = plan.HeadBytes,
            PeakLiveBytes = chart.PeakLiveBytes,
            VariableTensors = variables.Select(p => (ArenaPlanChart.OwnerName(p.OwnedBy), (long)p.AlignedBytes)).ToArray(),
            KernelDataByOperator = byOperator,
            KernelDataByOpType = byOpType,
        };
    }

    public required string ModelSource { get; init; }
    /// <summary>Why there is nothing to report (the interpreter is not allocated), else null.</summary>
    public string? Problem { get; init; }
    /// <summary>The model's flatbuffer: what sits in flash.</summary>
    public long ModelBytes { get; init; }
    /// <summary>Bytes of the constant tensors (weights, biases) inside the model.</summary>
    public long ConstantTensorBytes { get; init; }
    public long ArenaUsedBytes { get; init; }
    public long ArenaCapacity { get; init; }
    public string Planner { get; init; } = "";
    /// <summary>The parts of the arena in use; their bytes add up to <see cref="ArenaUsedBytes"/>.</summary>
    public IReadOnlyList<MemoryCategory> Categories { get; init; } = [];
    public int TensorCount { get; init; }
    /// <summary>What the head's tensors would take if none shared bytes.</summary>
    public long TensorBytesUnshared { get; init; }
    public int ScratchCount { get; init; }
    public long ScratchBytesUnshared { get; init; }
    public long HeadBytes { get; init; }
    public long PeakLiveBytes { get; init; }
    public IReadOnlyList<(string Name, long Bytes)> VariableTensors { get; init; } = [];
    public IReadOnlyList<KernelPersistentData> KernelDataByOperator { get; init; } = [];
    public IReadOnlyList<OpTypePersistentData> KernelDataByOpType { get; init; } = [];

    public override string Title => $"Memory report of {ModelSource}";

    /// <summary>Rows of the per-operator table shown before eliding.</summary>
    public const int MaxOperatorRows = 40;

    // What the workbench's kernels keep persistently, by op type (from their Init/Prepare).
    private static readonly Dictionary<string, string> KernelDataMeaning = new()
    {
        ["CONV_2D"] = "per-channel output multipliers and shifts",
        ["DEPTHWISE_CONV_2D"] = "per-channel output multipliers and shifts",
        ["FULLY_CONNECTED"] = "per-channel output multipliers and shifts",
        ["SOFTMAX"] = "exp and reciprocal lookup tables (int16)",
    };

    private static string Meaning(string opName) => KernelDataMeaning.GetValueOrDefault(opName, "kernel data");

    private const string BookkeepingNote =
        "The runtime's own bookkeeping (tensor and node structures, the plan) lives in managed objects, not in the arena. " +
        "TFLM keeps those structures in the arena, so its \"arena used\" figure for the same model is larger.";

    public PlotlyChart Chart()
    {
        var (scale, unit) = ArenaPlanChart.AxisUnit(Math.Max(ArenaUsedBytes, TensorBytesUnshared + ScratchBytesUnshared));
        var chart = new PlotlyChart(230, new
        {
            barmode = "stack",
            showlegend = true,
            legend = new { orientation = "h", x = 0, y = -0.3, yanchor = "top", traceorder = "normal" },
            margin = new { l = 150, r = 20, t = 30, b = 80 },
            xaxis = new { title = new { text = unit }, ticksuffix = unit == "KiB" ? " KiB" : "", separatethousands = true, gridcolor = "rgba(128,128,128,.25)" },
            yaxis = new { autorange = "reversed" },
        });
        const string Used = "arena used", Unshared = "head, unshared";
        void Segment(string row, string name, long bytes, string colour)
        {
            if (bytes <= 0) return;
            chart.Add(new
            {
                // Plotly reads trace names as markup; op names of custom ops come from the model.
                type = "bar", orientation = "h", name = Encode(name), y = new[] { row }, x = new[] { bytes / scale },
                text = new[] { Bytes(bytes) }, textposition = "inside", insidetextanchor = "middle", textangle = 0,
                hovertext = new[] { $"{Encode(name)}: {Number(bytes)} B" }, hoverinfo = "text",
                marker = new { color = colour, line = new { color = "rgba(0,0,0,.4)", width = 0.6 } },
            });
        }
        Segment(Used, "planned head", HeadBytes, "#4c78a8");
        Segment(Used, "tail: variable tensors", VariableTensors.Sum(v => v.Bytes), "#b279a2");
        foreach (var (type, i) in KernelDataByOpType.Select((t, i) => (t, i)))
            Segment(Used, $"tail: {type.OpName} data", type.Bytes, i % 2 == 0 ? "#9d9da1" : "#bab0ac");
        Segment(Unshared, "tensors (unshared)", TensorBytesUnshared, "#72b7b2");
        Segment(Unshared, "scratch (unshared)", ScratchBytesUnshared, "#f58518");
        return chart;
    }

    protected override void WriteHtml(StringBuilder html)
    {
        html.Append("<h3>").Append(Encode(Title)).Append("</h3>");
        if (Problem is not null)
        {
            html.Append("<p class=\"muted\">").Append(Encode(Problem)).Append("</p>");
            return;
        }
        html.Append("<p class=\"answer\">Arena used: <b>").Append(Number(ArenaUsedBytes)).Append(" bytes</b> (")
            .Append(Encode(Planner)).Append(" plan, in an arena of ").Append(Number(ArenaCapacity)).Append("); model in flash: ")
            .Append(Number(ModelBytes)).Append(" bytes, ").Append(Number(ConstantTensorBytes)).Append(" of them constant tensors.</p>");
        html.Append(CategoryTable().ToHtml());
        html.Append(Chart().ToHtml());
        if (KernelDataByOpType.Count > 0)
        {
            html.Append("<h4>Kernels' persistent data by op type</h4>").Append(OpTypeTable().ToHtml());
            html.Append("<details><summary>").Append(Encode($"… and by operator ({KernelDataByOperator.Count})")).Append("</summary>")
                .Append(OperatorTable().ToHtml(MaxOperatorRows)).Append("</details>");
        }
        if (VariableTensors.Count > 0)
            html.Append("<h4>Variable tensors</h4>").Append(VariableTable().ToHtml(MaxOperatorRows));
        html.Append("<p class=\"muted\">").Append(Encode(BookkeepingNote)).Append("</p>");
    }

    private HtmlTable CategoryTable()
    {
        var table = new HtmlTable("region", "category", "count", "bytes", "note").Numeric(2, 3);
        foreach (var c in Categories) table.Row(c.Region, c.Name, c.Count, c.Bytes, c.Note);
        table.Row("", "head without sharing: tensors", TensorCount, TensorBytesUnshared, "non-persistent tensors (activations, inputs, outputs)");
        table.Row("", "head without sharing: scratch", ScratchCount, ScratchBytesUnshared, "kernels' scratch buffers, alive during their operator only");
        table.RowWithClass("total", "", "arena used", "", ArenaUsedBytes, "head + tail: the categories above");
        table.Row("flash", "model", 1, ModelBytes, $"{Number(ConstantTensorBytes)} bytes of constant tensors; not in the arena");
        return table;
    }

    private HtmlTable OpTypeTable()
    {
        var table = new HtmlTable("op type", "operators", "allocations", "bytes", "what it is").Numeric(1, 2, 3);
        foreach (var t in KernelDataByOpType) table.Row(t.OpName, t.Operators, t.Allocations, t.Bytes, Meaning(t.OpName));
        return table;
    }

    private HtmlTable OperatorTable()
    {
        var table = new HtmlTable("operator", "op", "allocations", "bytes", "requested").Numeric(0, 2, 3, 4);
        foreach (var k in KernelDataByOperator) table.Row(k.OperatorIndex, k.OpName, k.Allocations, k.Bytes, k.RequestedBytes);
        return table;
    }

    private HtmlTable VariableTable()
    {
        var table = new HtmlTable("variable tensor", "bytes").Numeric(1);
        foreach (var (name, bytes) in VariableTensors) table.Row(name, bytes);
        return table;
    }

    protected override string RenderText()
    {
        var text = new StringBuilder(Title).AppendLine();
        if (Problem is not null) return text.AppendLine(Problem).ToString();
        text.AppendLine($"Arena used: {Number(ArenaUsedBytes)} bytes ({Planner} plan, arena of {Number(ArenaCapacity)}); model in flash: {Number(ModelBytes)} bytes ({Number(ConstantTensorBytes)} constant tensors).");
        text.Append(CategoryTable().ToText());
        if (KernelDataByOpType.Count > 0)
        {
            text.AppendLine().AppendLine("Kernels' persistent data by op type:").Append(OpTypeTable().ToText());
            text.AppendLine().AppendLine("... and by operator:").Append(OperatorTable().ToText(MaxOperatorRows));
        }
        if (VariableTensors.Count > 0)
            text.AppendLine().AppendLine("Variable tensors:").Append(VariableTable().ToText(MaxOperatorRows));
        return text.AppendLine(BookkeepingNote).ToString();
    }
}
