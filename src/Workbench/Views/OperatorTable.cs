using TinyMl.Interpreter;
using TinyMl.Workbench.Html;
using TensorType = TinyMl.Interpreter.Schema.TensorType;

namespace TinyMl.Workbench;

/// <summary>A tensor as an operator row shows it: type and shape, with its name for hovering.</summary>
public sealed record TensorSummary(int Index, string Name, TensorType Type, int[] Shape, bool IsConstant, bool IsVariable, QuantizationParams? Quantization, long Bytes)
{
    public string TypeName => TensorTypes.Name(Type);
    /// <summary>"int8[1,96,96,1]", and "int16[1,512] state" for a variable (SVDF, LSTM state kept across Invokes).</summary>
    public string Text => TypeName + Html.Html.Shape(Shape) + (IsVariable ? " state" : "");

    public static TensorSummary Of(TensorInfo tensor) =>
        new(tensor.Index, tensor.Name, tensor.Type, tensor.Shape, tensor.IsConstant, tensor.IsVariable, tensor.Quantization,
            tensor.IsConstant ? tensor.Data.Length : tensor.Shape.Aggregate((long)TensorTypes.ElementSize(tensor.Type), (n, d) => n * Math.Max(d, 0)));
}

/// <summary>One operator of a model: what it is, what it reads and writes, and what it costs.</summary>
public sealed record OperatorSummary(
    int Subgraph, int Index, string Name, string Options,
    IReadOnlyList<TensorSummary> Inputs, IReadOnlyList<TensorSummary> Weights, IReadOnlyList<TensorSummary> Outputs,
    long Macs, long ParameterBytes)
{
    /// <summary>"12" in subgraph 0, "1:3" in others (subgraph 0 is the one the interpreter runs).</summary>
    public string Label => Subgraph == 0 ? Index.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Subgraph}:{Index}";
}

/// <summary>
/// Every operator of a model (subgraph 0 first) with inputs split into activations and weights
/// (constant inputs), MACs and parameter bytes; shared by the model summary and the interpreter view.
/// </summary>
public sealed class OperatorTable
{
    /// <summary>Rows shown before the middle of the table is elided (with a note saying how many).</summary>
    public const int MaxRows = 300;

    public required IReadOnlyList<OperatorSummary> Operators { get; init; }

    public static OperatorTable Of(Model model)
    {
        var rows = new List<OperatorSummary>();
        foreach (var subgraph in model.Subgraphs)
            foreach (var op in subgraph.Operators)
            {
                TensorSummary[] Tensors(IEnumerable<int> indices) => indices
                    .Where(t => t >= 0 && t < subgraph.Tensors.Count)
                    .Select(t => TensorSummary.Of(subgraph.Tensors[t])).ToArray();
                var cost = OperatorCost.Of(subgraph, op);
                rows.Add(new OperatorSummary(subgraph.Index, op.Index, op.Name, OperatorOptions.Describe(subgraph, op),
                    Tensors(op.Inputs.Where(t => !IsConstant(subgraph, t))), Tensors(op.Inputs.Where(t => IsConstant(subgraph, t))),
                    Tensors(op.Outputs), cost.Macs, cost.ParameterBytes));
            }
        return new OperatorTable { Operators = rows };
    }

    private static bool IsConstant(SubGraphInfo subgraph, int t) => t >= 0 && t < subgraph.Tensors.Count && subgraph.Tensors[t].IsConstant;

    /// <summary>The table; rows of operators named in <paramref name="unsupported"/> are highlighted.</summary>
    public string ToHtml(IReadOnlySet<string>? unsupported = null) => Build(html: true, unsupported).ToHtml(MaxRows);

    public string ToText() => Build(html: false, null).ToText(MaxRows);

    private HtmlTable Build(bool html, IReadOnlySet<string>? unsupported)
    {
        long most = Operators.Count == 0 ? 0 : Operators.Max(o => o.Macs);
        var table = new HtmlTable("#", "operator", "options", "input", "weights", "output", "MACs", "parameters").Numeric(0, 6, 7);
        foreach (var op in Operators)
        {
            string macs = op.Macs == 0 ? "" : Html.Html.Number(op.Macs);
            // A bar to the MAC count's right, to scale with the costliest operator: the hot layers stand out.
            Cell macCell = html && op.Macs > 0
                ? Cell.WithMarkup(macs, $"{macs} <span style=\"display:inline-block;width:40px;text-align:left\">" +
                    $"<span class=\"bar\" style=\"width:{Math.Max(1, (int)Math.Round(40.0 * op.Macs / most))}px\"></span></span>")
                : macs;
            var weights = Tensors(op.Weights);
            if (html && weights.Text.Length > 0) weights = Cell.WithMarkup(weights.Text, $"<span class=\"muted\">{Html.Html.Encode(weights.Text)}</span>", weights.Title);
            table.RowWithClass(unsupported?.Contains(op.Name) == true ? "hot" : null,
                op.Label, op.Name, op.Options, Tensors(op.Inputs), weights, Tensors(op.Outputs),
                macCell, op.ParameterBytes == 0 ? "" : Html.Html.Number(op.ParameterBytes));
        }
        return table;
    }

    /// <summary>
    /// Shapes joined, a run of equal ones once with its count (an LSTM's twelve gate weights read
    /// "int8[128,257] ×4 int8[128,128] ×4 int32[128] ×4"); each tensor's index and name in the hover title.
    /// </summary>
    private static Cell Tensors(IReadOnlyList<TensorSummary> tensors)
    {
        if (tensors.Count == 0) return "";
        var runs = new List<(string Text, int Count)>();
        foreach (var t in tensors)
        {
            if (runs.Count > 0 && runs[^1].Text == t.Text) runs[^1] = (t.Text, runs[^1].Count + 1);
            else runs.Add((t.Text, 1));
        }
        return new Cell(string.Join(" ", runs.Select(r => r.Count == 1 ? r.Text : $"{r.Text} ×{r.Count}")),
            Title: string.Join("\n", tensors.Select(t => $"{t.Index}: {t.Name}")));
    }
}
