using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>
/// What one operator costs: multiply-accumulates per Invoke (counted for the ops whose work is
/// multiply-accumulate: convolutions, fully connected, SVDF, LSTM; 0 for the rest) and the bytes of
/// the constant tensors it reads (its parameters, which live in flash on a microcontroller).
/// </summary>
public readonly record struct OperatorCost(long Macs, long ParameterBytes)
{
    /// <summary>The cost of <paramref name="op"/> from the shapes the model declares.</summary>
    public static OperatorCost Of(SubGraphInfo subgraph, OperatorInfo op)
    {
        TensorInfo? Tensor(int[] indices, int i) =>
            i < indices.Length && indices[i] >= 0 && indices[i] < subgraph.Tensors.Count ? subgraph.Tensors[indices[i]] : null;
        int[]? Shape(int[] indices, int i) => Tensor(indices, i)?.Shape;

        long parameters = 0;
        foreach (int t in op.Inputs.Distinct())
            if (t >= 0 && t < subgraph.Tensors.Count && subgraph.Tensors[t].IsConstant)
                parameters += subgraph.Tensors[t].Data.Length;

        return new OperatorCost(EstimateMacs(op.Code.Builtin, i => Shape(op.Inputs, i), i => Shape(op.Outputs, i)), parameters);
    }

    /// <summary>
    /// MACs from input and output shapes (null where absent). Shapes that do not fit the operator give 0:
    /// the estimate is for display, and a malformed model is refused elsewhere.
    /// </summary>
    public static long EstimateMacs(BuiltinOperator op, Func<int, int[]?> input, Func<int, int[]?> output)
    {
        static long Count(int[]? shape) => shape is null ? 0 : shape.Aggregate(1L, (n, d) => n * Math.Max(d, 0));
        static int Dim(int[]? shape, int i) => shape is not null && i < shape.Length && i >= -shape.Length ? Math.Max(shape[i < 0 ? shape.Length + i : i], 0) : 0;
        try
        {
            checked
            {
                switch (op)
                {
                    case BuiltinOperator.CONV_2D:
                    {
                        // filter [out_channels, kh, kw, in_channels per group]: every output element sums kh*kw*in.
                        var filter = input(1);
                        return Count(output(0)) * Dim(filter, 1) * Dim(filter, 2) * Dim(filter, 3);
                    }
                    case BuiltinOperator.DEPTHWISE_CONV_2D:
                    {
                        var filter = input(1); // [1, kh, kw, channels]: each output element sums one channel's window
                        return Count(output(0)) * Dim(filter, 1) * Dim(filter, 2);
                    }
                    case BuiltinOperator.TRANSPOSE_CONV:
                    {
                        var filter = input(1); // [out_channels, kh, kw, in_channels]: each input element scatters kh*kw*out
                        return Count(input(2)) * Dim(filter, 0) * Dim(filter, 1) * Dim(filter, 2);
                    }
                    case BuiltinOperator.FULLY_CONNECTED:
                        return Count(output(0)) * Dim(input(1), -1); // weights [units, depth]
                    case BuiltinOperator.BATCH_MATMUL:
                    {
                        // lhs is [.., M, K], or [.., K, M] with adj_x: the contraction is lhs's dimension that
                        // is not the output's M (when both equal M, K = M either way).
                        var lhs = input(0);
                        long k = Dim(lhs, -2) == Dim(output(0), -2) ? Dim(lhs, -1) : Dim(lhs, -2);
                        return Count(output(0)) * k;
                    }
                    case BuiltinOperator.SVDF:
                    {
                        // feature weights [filters, input] and time weights [filters, memory], per batch row.
                        long batch = Dim(input(0), 0);
                        var feature = input(1);
                        var time = input(2);
                        return batch * Dim(feature, 0) * (Dim(feature, 1) + Dim(time, 1));
                    }
                    case BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM:
                    {
                        // Per step and batch row: four gates of input-to-gate [cell, input] and recurrent
                        // [cell, output] weights, plus the projection [output, cell] when present.
                        var x = input(0);
                        long steps = Count(x) / Math.Max(Dim(x, -1), 1);
                        long perStep = 0;
                        for (int gate = 1; gate <= 8; gate++)
                            perStep += Count(input(gate));
                        perStep += Count(input(16));
                        return steps * perStep;
                    }
                    default:
                        return 0;
                }
            }
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }
}
