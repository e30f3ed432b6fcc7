using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// SELECT_V2: output = condition ? x : y element by element, the three inputs broadcast to the output's shape (at
/// most 5 dimensions, as TFLM's BroadcastSelect5DSlow); float32, int8 and int16, as TFLM's select.cc.
/// </summary>
internal sealed class SelectV2Kernel : OperatorKernel
{
    private const int MaxRank = 5;

    private sealed class OpData
    {
        public required int[] Dims;                       // output, extended to 5
        public required int[] Condition, X, Y;            // element strides per dimension (0 where broadcast)
        public required TensorType Type;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(3, 1);
        var condition = node.Input(0);
        var x = node.Input(1);
        var y = node.Input(2);
        var output = node.Output(0);
        node.RequireType(condition, "condition", TensorType.BOOL);
        node.RequireType(x, "input", TensorType.FLOAT32, TensorType.INT8, TensorType.INT16);
        node.RequireSameType(x, y);
        node.RequireSameType(x, output);
        foreach (var t in new[] { condition, x, y, output })
            node.Require(t.Rank <= MaxRank, $"tensor {t.Index} has shape {KernelChecks.ShapeText(t)}; at most {MaxRank} dimensions are supported");
        var dims = Extend(output);
        node.Data = new OpData
        {
            Dims = dims, Type = x.Type,
            Condition = Strides(node, condition, dims, output), X = Strides(node, x, dims, output), Y = Strides(node, y, dims, output),
        };
    }

    private static int[] Extend(Tensor t)
    {
        var dims = Enumerable.Repeat(1, MaxRank).ToArray();
        for (int i = 0; i < t.Rank; i++) dims[MaxRank - t.Rank + i] = t.Dim(i);
        return dims;
    }

    /// <summary>Strides that walk <paramref name="t"/> in the output's index space; each dimension must match the output's or be 1.</summary>
    private static int[] Strides(Node node, Tensor t, int[] outDims, Tensor output)
    {
        var dims = Extend(t);
        var strides = new int[MaxRank];
        int stride = 1;
        for (int i = MaxRank - 1; i >= 0; i--)
        {
            node.Require(dims[i] == outDims[i] || dims[i] == 1,
                $"tensor {t.Index} {KernelChecks.ShapeText(t)} does not broadcast to output tensor {output.Index} {KernelChecks.ShapeText(output)}");
            strides[i] = dims[i] == 1 ? 0 : stride;
            stride *= dims[i];
        }
        return strides;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var condition = node.Inputs[0]!.AsReadOnlySpan<bool>();
        switch (d.Type)
        {
            case TensorType.FLOAT32: Run(d, condition, node.Inputs[1]!.AsReadOnlySpan<float>(), node.Inputs[2]!.AsReadOnlySpan<float>(), node.Outputs[0].AsSpan<float>()); break;
            case TensorType.INT8: Run(d, condition, node.Inputs[1]!.AsReadOnlySpan<sbyte>(), node.Inputs[2]!.AsReadOnlySpan<sbyte>(), node.Outputs[0].AsSpan<sbyte>()); break;
            case TensorType.INT16: Run(d, condition, node.Inputs[1]!.AsReadOnlySpan<short>(), node.Inputs[2]!.AsReadOnlySpan<short>(), node.Outputs[0].AsSpan<short>()); break;
        }
    }

    private static void Run<T>(OpData d, ReadOnlySpan<bool> condition, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> output) where T : unmanaged
    {
        int[] n = d.Dims, c = d.Condition, a = d.X, b = d.Y;
        int o = 0;
        for (int i0 = 0; i0 < n[0]; i0++)
        for (int i1 = 0; i1 < n[1]; i1++)
        for (int i2 = 0; i2 < n[2]; i2++)
        for (int i3 = 0; i3 < n[3]; i3++)
        {
            int ci = i0 * c[0] + i1 * c[1] + i2 * c[2] + i3 * c[3];
            int xi = i0 * a[0] + i1 * a[1] + i2 * a[2] + i3 * a[3];
            int yi = i0 * b[0] + i1 * b[1] + i2 * b[2] + i3 * b[3];
            for (int i4 = 0; i4 < n[4]; i4++, ci += c[4], xi += a[4], yi += b[4])
                output[o++] = condition[ci] ? x[xi] : y[yi];
        }
    }
}
