using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// REVERSE_V2: the input with the listed axes flipped; float32, int8, uint8, int16, int32, int64 and bool
/// as TFLM, rank at most 6. As TFLM, the axes (int32, possibly a runtime tensor) must form one contiguous
/// run once sorted; a runtime axis tensor that breaks this fails before any write.
/// </summary>
internal sealed class ReverseV2Kernel : OperatorKernel
{
    private sealed class OpData
    {
        public int ElementSize;
        public bool Constant;
        public int[] Dims = [];
        public int[] InputStrides = [];
        // Filled for the axes in force: the stride each output axis walks, and where the walk starts.
        public int[] Strides = [];
        public int Start;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var input = node.Input(0);
        var axes = node.Input(1);
        var output = node.Output(0);
        node.RequireType(input, "input", MoveTypes.Any);
        node.RequireSameType(input, output);
        node.RequireType(axes, "axis", TensorType.INT32);
        node.Require(input.Rank <= StridedWalk.MaxRank, $"input tensor {input.Index} has shape {KernelChecks.ShapeText(input)}; at most {StridedWalk.MaxRank} dimensions are supported");
        node.Require(axes.Rank == 1 && axes.ElementCount <= input.Rank,
            $"axis tensor {axes.Index} has shape {KernelChecks.ShapeText(axes)}; a vector of at most {input.Rank} axes expected");
        node.Require(output.Shape.SequenceEqual(input.Shape), $"output tensor {output.Index} {KernelChecks.ShapeText(output)} and input tensor {input.Index} {KernelChecks.ShapeText(input)} differ in shape");
        var d = new OpData
        {
            ElementSize = TensorTypes.ElementSize(input.Type),
            Constant = axes.IsConstant,
            Dims = StridedCopy.Padded(input.Shape, 1),
            InputStrides = StridedCopy.Padded(IndexTensors.Strides(input.Shape), 0),
            Strides = new int[StridedWalk.MaxRank],
        };
        if (d.Constant && Plan(d, axes, input.Rank) is { } problem) throw node.Unsupported(problem);
        node.Data = d;
    }

    /// <summary>Sets the walk for <paramref name="axes"/>; null when they are valid, else what is wrong.</summary>
    private static string? Plan(OpData d, Tensor axes, int rank)
    {
        var values = axes.AsReadOnlySpan<int>();
        int first = int.MaxValue, last = int.MinValue, mask = 0;
        foreach (int declared in values)
        {
            int axis = declared < 0 ? declared + rank : declared;
            if (axis < 0 || axis >= rank) return $"axis {declared} is outside [{-rank}, {rank})";
            if ((mask & 1 << axis) != 0) return $"axes [{string.Join(",", values.ToArray())}] repeat axis {axis}; TFLM reverses one contiguous run of axes";
            mask |= 1 << axis;
            first = Math.Min(first, axis);
            last = Math.Max(last, axis);
        }
        if (values.Length > 0 && last - first + 1 != values.Length)
            return $"axes [{string.Join(",", values.ToArray())}] are not contiguous; TFLM reverses one contiguous run of axes";
        int offset = StridedWalk.MaxRank - rank;
        d.Start = 0;
        for (int i = 0; i < StridedWalk.MaxRank; i++)
        {
            bool flip = i >= offset && (mask & 1 << (i - offset)) != 0;
            d.Strides[i] = flip ? -d.InputStrides[i] : d.InputStrides[i];
            if (flip) d.Start += (d.Dims[i] - 1) * d.InputStrides[i];
        }
        return null;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        if (!d.Constant && Plan(d, node.Inputs[1]!, input.Rank) is { } problem)
            throw IndexTensors.OutOfRange(node, "axis", node.Inputs[1]!, problem);
        StridedCopy.Run(d.ElementSize, input.Bytes, node.Outputs[0].AsSpan<byte>(), d.Dims, d.Strides, d.Start);
    }
}
