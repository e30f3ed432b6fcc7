using System.Globalization;
using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Tensors;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench;

/// <summary>
/// What displaying a MicroInterpreter shows: its model, whether it is allocated, the arena it uses
/// (head and tail) against its capacity, inputs and outputs with their current values, and its
/// operators folded away. An interpreter that is not allocated yet shows that, and what to call.
/// </summary>
public sealed class InterpreterView : WorkbenchView
{
    /// <summary>Values shown per tensor; the count of the rest is stated.</summary>
    public const int ShownValues = 8;

    public static InterpreterView Of(MicroInterpreter interpreter)
    {
        bool allocated = interpreter.IsAllocated;
        var plan = allocated ? interpreter.Plan : null;
        return new InterpreterView
        {
            ModelSource = interpreter.Model.Source,
            IsAllocated = allocated,
            ArenaCapacity = interpreter.ArenaCapacity,
            ArenaUsedBytes = allocated ? interpreter.ArenaUsedBytes : 0,
            HeadBytes = plan?.HeadBytes ?? 0,
            TailBytes = plan?.TailBytes ?? 0,
            Planner = plan?.Planner ?? "",
            // Snapshots: the interpreter reuses these bytes on its next Invoke.
            Inputs = interpreter.Inputs.Select(TensorData.From).ToArray(),
            Outputs = interpreter.Outputs.Select(TensorData.From).ToArray(),
            Operators = OperatorTable.Of(interpreter.Model),
        };
    }

    public required string ModelSource { get; init; }
    public bool IsAllocated { get; init; }
    public int ArenaCapacity { get; init; }
    /// <summary>Head plus tail, as the interpreter reports it (0 before AllocateTensors).</summary>
    public int ArenaUsedBytes { get; init; }
    public int HeadBytes { get; init; }
    public int TailBytes { get; init; }
    public string Planner { get; init; } = "";
    /// <summary>The input and output tensors with the values they held when the view was made.</summary>
    public IReadOnlyList<TensorData> Inputs { get; init; } = [];
    public IReadOnlyList<TensorData> Outputs { get; init; } = [];
    public required OperatorTable Operators { get; init; }

    public string FileName => Path.GetFileName(ModelSource) is { Length: > 0 } name ? name : ModelSource;
    public override string Title => $"Interpreter of {FileName}";

    private const string NotAllocatedAdvice =
        "Call AllocateTensors() to bind the kernels and plan the arena, then fill the inputs and call Invoke().";

    private string State => IsAllocated ? "allocated" : "not allocated";

    private string ArenaUse => $"arena {Number(ArenaUsedBytes)} B used of {Number(ArenaCapacity)} B ({Number(100.0 * ArenaUsedBytes / Math.Max(ArenaCapacity, 1), 1)} %)";

    private IEnumerable<(string Key, string Value)> Facts()
    {
        yield return ("operators", Number(Operators.Operators.Count(o => o.Subgraph == 0)));
        yield return ("inputs", Number(Inputs.Count));
        yield return ("outputs", Number(Outputs.Count));
        yield return ("arena capacity", Number(ArenaCapacity) + " B");
        if (IsAllocated) yield return ("planner", Planner);
    }

    protected override void WriteHtml(StringBuilder html)
    {
        html.Append("<div class=\"answer\"><b>").Append(Encode(FileName)).Append("</b> interpreter: <b>").Append(State).Append("</b>")
            .Append(IsAllocated ? ", " + ArenaUse : "").Append("</div>");
        if (IsAllocated) WriteArenaBar(html);
        else html.Append("<div>").Append(Encode(NotAllocatedAdvice)).Append("</div>");
        html.Append("<div class=\"kv\">");
        foreach (var (key, value) in Facts())
            html.Append("<span>").Append(Encode(key)).Append(" <b>").Append(Encode(value)).Append("</b></span>");
        html.Append("</div>");
        html.Append("<h4>Inputs and outputs").Append(IsAllocated ? " (current values)" : "").Append("</h4>").Append(TensorTable(html: true).ToHtml());
        html.Append("<details><summary>").Append(Number(Operators.Operators.Count)).Append(" operators</summary>")
            .Append(Operators.ToHtml()).Append("</details>");
    }

    /// <summary>Head, tail and free space of the arena as one bar, to scale.</summary>
    private void WriteArenaBar(StringBuilder html)
    {
        double capacity = Math.Max(ArenaCapacity, 1);
        string Part(long bytes, string colour, string what) =>
            $"<span title=\"{what}: {Number(bytes)} B\" style=\"display:inline-block;height:12px;width:{Number(100 * bytes / capacity, 2)}%;background:{colour}\"></span>";
        long free = Math.Max(0, ArenaCapacity - HeadBytes - TailBytes);
        html.Append("<div style=\"width:420px;max-width:100%;font-size:0;border:1px solid rgba(128,128,128,.5);margin:2px 0 2px 0\">")
            .Append(Part(HeadBytes, "#4c78a8", "head")).Append(Part(free, "rgba(128,128,128,.15)", "free")).Append(Part(TailBytes, "#f58518", "tail"))
            .Append("</div><div class=\"muted\" style=\"font-size:11px\"><span style=\"color:#4c78a8\">■</span> head ")
            .Append(Number(HeadBytes)).Append(" B · <span style=\"color:#f58518\">■</span> tail ").Append(Number(TailBytes))
            .Append(" B · free ").Append(Number(free)).Append(" B</div>");
    }

    private HtmlTable TensorTable(bool html)
    {
        var table = new HtmlTable("", "#", "name", "type", "shape", "quantization", "values").Numeric(1);
        foreach (var (role, tensors) in new[] { ("input", Inputs), ("output", Outputs) })
            for (int i = 0; i < tensors.Count; i++)
            {
                var t = tensors[i];
                var (raw, real) = Values(t);
                string note = t.BytesReusedFromOperator is int op
                    ? $"operator {op} reuses these bytes: after an Invoke they no longer hold the {role} (PreserveAllTensors keeps them)"
                    : "";
                var lines = new[] { raw, real, note }.Where(l => l.Length > 0).ToArray();
                Cell values = !html ? string.Join("  ", lines) : Cell.WithMarkup(string.Join("  ", lines),
                    (t.HasValues ? $"<code>{Encode(raw)}</code>" : Encode(raw)) +
                    string.Concat(lines.Skip(1).Select(l => $"<br><span class=\"muted\">{Encode(l)}</span>")));
                table.Row(NoWrap($"{role} {i}"), t.Index, t.Name, t.TypeName, Shape(t.Shape), NoWrap(QuantizationText.Describe(t.Quantization)), values);
            }
        return table;
    }

    private static Cell NoWrap(string text) => Cell.WithMarkup(text, $"<span style=\"white-space:nowrap\">{Encode(text)}</span>");

    /// <summary>The first values as stored, and dequantized ("≈ …", empty when not quantized).</summary>
    public static (string Raw, string Real) Values(TensorData tensor)
    {
        if (!tensor.HasValues) return (tensor.ElementCount == 0 ? "(empty)" : "(no memory yet)", "");
        var raw = tensor.RawValues();
        int shown = Math.Min(raw.Length, ShownValues);
        string more = raw.Length > shown ? $", … ({Number(raw.Length)} values)" : "";
        string real = tensor.IsQuantized ? "≈ " + string.Join(", ", tensor.RealValues().Take(shown).Select(Dequantized)) + (raw.Length > shown ? ", …" : "") : "";
        return (string.Join(", ", raw.Take(shown).Select(Float)) + more, real);
    }

    /// <summary>A dequantized value to 4 significant digits: the quantization step makes more digits noise.</summary>
    private static string Dequantized(double value) => double.IsFinite(value) ? value.ToString("G4", CultureInfo.InvariantCulture) : Float(value);

    protected override string RenderText()
    {
        var text = new StringBuilder($"{FileName} interpreter: {State}{(IsAllocated ? ", " + ArenaUse : "")}").AppendLine();
        if (!IsAllocated) text.AppendLine(NotAllocatedAdvice);
        foreach (var (key, value) in Facts()) text.Append("  ").Append(key).Append(": ").AppendLine(value);
        text.AppendLine().Append(TensorTable(html: false).ToText());
        text.AppendLine().AppendLine($"{Number(Operators.Operators.Count)} operators").Append(Operators.ToText());
        return text.ToString();
    }
}
