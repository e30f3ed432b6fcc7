using System.Globalization;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Tensors;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench.Graph;

public enum GraphNodeKind { Input, Operator, Output }

/// <summary>
/// A node of the drawn graph: an operator (with <see cref="Index"/> its position in the subgraph's
/// execution order) or a model input or output (with <see cref="Index"/> its position among the
/// subgraph's inputs or outputs, and <see cref="Tensor"/> the tensor it stands for).
/// </summary>
public sealed record GraphNode(
    int Id, GraphNodeKind Kind, int Index, int? Tensor, string Title, string Options, IReadOnlyList<string> Constants,
    OperatorFamily Family, long Macs, double? MedianMicroseconds, string Hover, IReadOnlyList<int> Outputs)
{
    /// <summary>"op 3", "input 0", "output 1": the node as the text view and the tests name it.</summary>
    public string Name => Kind switch
    {
        GraphNodeKind.Operator => $"op {Index}",
        GraphNodeKind.Input => $"input {Index}",
        _ => $"output {Index}",
    };
}

/// <summary>An activation tensor flowing from the node that produces it to one that reads it (nodes by <see cref="GraphNode.Id"/>).</summary>
public sealed record GraphEdge(int Source, int Target, int Tensor, string Label, string Hover);

/// <summary>
/// The operator graph of one subgraph as plain data: operators, model inputs and outputs as nodes;
/// activation tensors as edges from their producer to every reader. Constant tensors are not nodes:
/// they are summarized on the operator that reads them ("filter 8×3×3×1 int8").
/// </summary>
public sealed class OperatorGraph
{
    public required IReadOnlyList<GraphNode> Nodes { get; init; }
    public required IReadOnlyList<GraphEdge> Edges { get; init; }
    /// <summary>Operators of the subgraph not drawn (beyond the limit), 0 when all are.</summary>
    public int ElidedOperators { get; init; }
    /// <summary>Model outputs not drawn because the operator producing them was elided.</summary>
    public int ElidedOutputs { get; init; }
    /// <summary>Each drawn activation tensor's edge label ("1×48×48×8 int8"), by tensor index.</summary>
    public IReadOnlyDictionary<int, string> TensorLabels { get; init; } = new Dictionary<int, string>();

    /// <summary>
    /// The graph of <paramref name="subgraph"/>, its first <paramref name="maxOperators"/> operators drawn;
    /// <paramref name="timings"/> (by operator index) annotates the operators with their median time.
    /// </summary>
    public static OperatorGraph Of(SubGraphInfo subgraph, int maxOperators, IReadOnlyDictionary<int, double>? timings = null)
    {
        var tensors = subgraph.Tensors;
        bool Valid(int t) => t >= 0 && t < tensors.Count;
        bool IsActivation(int t) => Valid(t) && !tensors[t].IsConstant;

        var nodes = new List<GraphNode>();
        var edges = new HashSet<GraphEdge>();
        // The node writing each tensor: a model input's node, then operators in order (a later writer wins, as at run time).
        var producer = new Dictionary<int, int>();
        var labels = new Dictionary<int, string>();

        for (int i = 0; i < subgraph.Inputs.Length; i++)
        {
            int t = subgraph.Inputs[i];
            if (!Valid(t)) continue;
            var node = new GraphNode(nodes.Count, GraphNodeKind.Input, i, t, "input " + i.ToString(CultureInfo.InvariantCulture),
                TensorName(tensors[t]), [Label(tensors[t])], OperatorFamily.Other, 0, null, TensorHover(tensors[t]), [t]);
            nodes.Add(node);
            producer[t] = node.Id;
            labels[t] = Label(tensors[t]);
        }

        var operators = subgraph.Operators.Take(Math.Max(0, maxOperators)).ToArray();
        foreach (var op in operators)
        {
            var cost = OperatorCost.Of(subgraph, op);
            double? time = timings is not null && timings.TryGetValue(op.Index, out var us) ? us : null;
            var node = new GraphNode(nodes.Count, GraphNodeKind.Operator, op.Index, null, op.Name, Options(subgraph, op), Constants(subgraph, op),
                OperatorFamilies.Of(op.Code.Builtin), cost.Macs, time, OperatorHover(subgraph, op, cost), op.Outputs.Where(Valid).ToArray());
            nodes.Add(node);
            foreach (int t in op.Inputs.Where(IsActivation).Distinct())
                if (producer.TryGetValue(t, out int from))
                    edges.Add(Edge(from, node.Id, tensors[t]));
            foreach (int t in op.Outputs.Where(Valid))
            {
                producer[t] = node.Id;
                labels[t] = Label(tensors[t]);
            }
        }

        int elidedOutputs = 0;
        for (int i = 0; i < subgraph.Outputs.Length; i++)
        {
            int t = subgraph.Outputs[i];
            if (!Valid(t)) continue;
            if (!producer.TryGetValue(t, out int from) && operators.Length < subgraph.Operators.Count)
            {
                elidedOutputs++; // written by an operator past the limit: an output node hanging in the air would mislead
                continue;
            }
            var node = new GraphNode(nodes.Count, GraphNodeKind.Output, i, t, "output " + i.ToString(CultureInfo.InvariantCulture),
                TensorName(tensors[t]), [Label(tensors[t])], OperatorFamily.Other, 0, null, TensorHover(tensors[t]), []);
            nodes.Add(node);
            if (producer.ContainsKey(t)) edges.Add(Edge(from, node.Id, tensors[t]));
        }

        return new OperatorGraph
        {
            Nodes = nodes,
            Edges = edges.OrderBy(e => e.Source).ThenBy(e => e.Target).ThenBy(e => e.Tensor).ToArray(),
            ElidedOperators = subgraph.Operators.Count - operators.Length,
            ElidedOutputs = elidedOutputs,
            TensorLabels = labels,
        };
    }

    private static GraphEdge Edge(int from, int to, TensorInfo tensor) =>
        new(from, to, tensor.Index, Label(tensor), TensorHover(tensor));

    /// <summary>What an edge says of its tensor: "1×48×48×8 int8".</summary>
    public static string Label(TensorInfo tensor) => Dims(tensor) + " " + TensorTypes.Name(tensor.Type);

    /// <summary>"1×48×48×8"; "scalar" for a rank-0 tensor.</summary>
    public static string Dims(TensorInfo tensor) =>
        tensor.Shape.Length == 0 ? "scalar" : string.Join("×", tensor.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Names can be long paths ("model/conv2d_3/Conv2D;model/batch_norm/..."): the node shows the start, the hover all.</summary>
    private static string TensorName(TensorInfo tensor) => tensor.Name.Length <= 32 ? tensor.Name : tensor.Name[..31] + "…";

    private static string TensorHover(TensorInfo tensor)
    {
        string quantization = QuantizationText.Describe(tensor.Quantization);
        return $"tensor {tensor.Index}: {tensor.Name}\n{TensorTypes.Name(tensor.Type)}{Shape(tensor.Shape)}" +
            (tensor.IsVariable ? " (variable)" : "") + (quantization.Length > 0 ? "\n" + quantization : "");
    }

    /// <summary>The key options in a short line; a dense layer also says its width ("units 16").</summary>
    private static string Options(SubGraphInfo subgraph, OperatorInfo op)
    {
        string options = OperatorOptions.Describe(subgraph, op);
        if (op.Code.Builtin == BuiltinOperator.FULLY_CONNECTED && op.Inputs.Length > 1 && op.Inputs[1] >= 0 && op.Inputs[1] < subgraph.Tensors.Count
            && subgraph.Tensors[op.Inputs[1]].Shape is { Length: 2 } weights)
            options = ("units " + weights[0].ToString(CultureInfo.InvariantCulture) + " " + options).TrimEnd();
        if (op.Code.Builtin == BuiltinOperator.CUSTOM) options = ""; // the title already is the custom op's name
        return options;
    }

    /// <summary>What each constant input is for, where the op's inputs have well-known roles.</summary>
    private static string? Role(BuiltinOperator op, int input) => (op, input) switch
    {
        (BuiltinOperator.CONV_2D or BuiltinOperator.DEPTHWISE_CONV_2D, 1) => "filter",
        (BuiltinOperator.CONV_2D or BuiltinOperator.DEPTHWISE_CONV_2D, 2) => "bias",
        (BuiltinOperator.TRANSPOSE_CONV, 0) => "output shape",
        (BuiltinOperator.TRANSPOSE_CONV, 1) => "filter",
        (BuiltinOperator.TRANSPOSE_CONV, 3) => "bias",
        (BuiltinOperator.FULLY_CONNECTED, 1) => "weights",
        (BuiltinOperator.FULLY_CONNECTED, 2) => "bias",
        (BuiltinOperator.SVDF, 1) => "feature weights",
        (BuiltinOperator.SVDF, 2) => "time weights",
        (BuiltinOperator.SVDF, 3) => "bias",
        (BuiltinOperator.SVDF, 4) => "state",
        (BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM or BuiltinOperator.LSTM, >= 1 and <= 4) => "input weights",
        (BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM or BuiltinOperator.LSTM, >= 5 and <= 8) => "recurrent weights",
        (BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM or BuiltinOperator.LSTM, >= 9 and <= 11) => "peephole",
        (BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM or BuiltinOperator.LSTM, >= 12 and <= 15) => "gate bias",
        (BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM or BuiltinOperator.LSTM, 16) => "projection",
        (BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM or BuiltinOperator.LSTM, 17) => "projection bias",
        (BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM or BuiltinOperator.LSTM, >= 20 and <= 23) => "layer norm",
        (BuiltinOperator.RESHAPE, 1) => "shape",
        (BuiltinOperator.STRIDED_SLICE or BuiltinOperator.SLICE, 1) => "begin",
        (BuiltinOperator.STRIDED_SLICE, 2) => "end",
        (BuiltinOperator.STRIDED_SLICE, 3) => "strides",
        (BuiltinOperator.SLICE, 2) => "size",
        (BuiltinOperator.GATHER, 1) => "indices",
        (BuiltinOperator.PAD or BuiltinOperator.PADV2 or BuiltinOperator.MIRROR_PAD, 1) => "paddings",
        (BuiltinOperator.TRANSPOSE, 1) => "perm",
        (BuiltinOperator.MEAN or BuiltinOperator.SUM or BuiltinOperator.REDUCE_MAX or BuiltinOperator.REDUCE_MIN, 1) => "axis",
        _ => null,
    };

    /// <summary>Most lines a node gives its constants; the rest are counted in one line.</summary>
    private const int MaxConstantLines = 5;

    /// <summary>
    /// The constant and state inputs, one line each ("filter 8×3×3×1 int8"); small integer vectors show
    /// their values ("shape = [1, 1001]"), which say more than their shape.
    /// </summary>
    private static IReadOnlyList<string> Constants(SubGraphInfo subgraph, OperatorInfo op)
    {
        // A run of inputs that read alike is one line with its count: an LSTM's four gates' weights are "input weights 128×257 int8 ×4".
        var runs = new List<(string Text, int Count, long Bytes)>();
        for (int position = 0; position < op.Inputs.Length; position++)
        {
            int t = op.Inputs[position];
            if (t < 0 || t >= subgraph.Tensors.Count || !(subgraph.Tensors[t].IsConstant || subgraph.Tensors[t].IsVariable)) continue;
            var tensor = subgraph.Tensors[t];
            string role = tensor.IsVariable ? "state" : Role(op.Code.Builtin, position) ?? "";
            string text = (role.Length > 0 ? role + " " : "") + ConstantText(tensor, showValues: role is "" or "shape" or "paddings" or "perm" or "axis"
                or "output shape" or "begin" or "end" or "strides" or "size" or "indices");
            if (runs.Count > 0 && runs[^1].Text == text) runs[^1] = (text, runs[^1].Count + 1, runs[^1].Bytes + tensor.Data.Length);
            else runs.Add((text, 1, tensor.Data.Length));
        }
        int shown = runs.Count <= MaxConstantLines ? runs.Count : MaxConstantLines - 1;
        var lines = runs.Take(shown).Select(r => r.Count == 1 ? r.Text : $"{r.Text} ×{r.Count}").ToList();
        if (shown < runs.Count)
        {
            var rest = runs.Skip(shown).ToArray();
            int count = rest.Sum(r => r.Count);
            long bytes = rest.Sum(r => r.Bytes);
            lines.Add($"+{count} more input{(count == 1 ? "" : "s")}" + (bytes > 0 ? $", {Bytes(bytes)}" : ""));
        }
        return lines;
    }

    private static string ConstantText(TensorInfo tensor, bool showValues)
    {
        if (showValues && tensor.IsConstant && tensor.Type == TensorType.INT32 && tensor.ElementCount is > 0 and <= 8 && tensor.Data.Length == tensor.ElementCount * 4)
        {
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(tensor.Data.Span).ToArray();
            return "= [" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";
        }
        return Dims(tensor) + " " + TensorTypes.Name(tensor.Type);
    }

    private static string OperatorHover(SubGraphInfo subgraph, OperatorInfo op, OperatorCost cost)
    {
        var lines = new List<string> { $"operator {op.Index}: {op.Name}" };
        foreach (int t in op.Inputs.Where(t => t >= 0 && t < subgraph.Tensors.Count))
            lines.Add((subgraph.Tensors[t].IsConstant ? "constant " : "input ") + TensorLine(subgraph.Tensors[t]));
        foreach (int t in op.Outputs.Where(t => t >= 0 && t < subgraph.Tensors.Count))
            lines.Add("output " + TensorLine(subgraph.Tensors[t]));
        if (cost.Macs > 0) lines.Add($"{Number(cost.Macs)} MACs");
        if (cost.ParameterBytes > 0) lines.Add($"{Number(cost.ParameterBytes)} B of parameters");
        return string.Join("\n", lines);
    }

    private static string TensorLine(TensorInfo tensor) => $"{tensor.Index} {TensorTypes.Name(tensor.Type)}{Shape(tensor.Shape)} {tensor.Name}";
}
