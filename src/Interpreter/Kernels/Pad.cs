using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// PAD and PADV2: constant padding before and after each dimension (at most 5, as TFLM), float32,
/// int8, int16 and int32. The pad value is PADV2's third input, else 0 — for int8 the output's zero
/// point, so that the padding means 0.0. The paddings must be a constant [rank, 2] tensor (int32 or
/// int64), as TFLM requires.
/// </summary>
internal sealed class PadKernel : OperatorKernel
{
    private const int MaxRank = 5;

    private sealed class OpData
    {
        public TensorType Type;
        public readonly int[] OutputDims = new int[MaxRank];
        public readonly int[] Before = new int[MaxRank];
        public readonly int[] After = new int[MaxRank];
        public int DefaultPad;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.InputCount is 2 or 3, $"has {node.InputCount} inputs; 2 or 3 expected");
        var input = node.Input(0);
        var paddings = node.Input(1);
        var constant = node.OptionalInput(2);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8, TensorType.INT16, TensorType.INT32);
        node.RequireSameType(input, output);
        node.Require(input.Rank <= MaxRank, $"input tensor {input.Index} has shape {KernelChecks.ShapeText(input)}; at most {MaxRank} dimensions are supported");
        node.Require(output.Rank == input.Rank, $"output tensor {output.Index} {KernelChecks.ShapeText(output)} and input tensor {input.Index} {KernelChecks.ShapeText(input)} differ in rank");
        node.RequireType(paddings, "paddings", TensorType.INT32, TensorType.INT64);
        node.RequireData(paddings, "paddings");
        node.Require(paddings.ElementCount == 2 * input.Rank,
            $"paddings tensor {paddings.Index} has shape {KernelChecks.ShapeText(paddings)}; [{input.Rank},2] expected");

        var d = new OpData { Type = input.Type };
        int offset = MaxRank - input.Rank;
        for (int i = 0; i < MaxRank; i++) d.OutputDims[i] = 1;
        for (int i = 0; i < input.Rank; i++)
        {
            long before = PaddingValue(paddings, 2 * i), after = PaddingValue(paddings, 2 * i + 1);
            node.Require(before >= 0 && after >= 0, $"paddings tensor {paddings.Index} pads dimension {i} by {before} and {after}; negative padding is not supported");
            long expected = input.Dim(i) + before + after;
            node.Require(output.Dim(i) == expected,
                $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; padding input {KernelChecks.ShapeText(input)} gives {expected} in dimension {i}");
            d.Before[offset + i] = (int)before;
            d.After[offset + i] = (int)after;
            d.OutputDims[offset + i] = output.Dim(i);
        }

        if (constant is not null)
        {
            node.RequireSameType(input, constant);
            node.Require(constant.ElementCount == 1, $"constant-value tensor {constant.Index} has {constant.ElementCount} elements; 1 expected");
            if (input.Type == TensorType.INT8)
                node.Require(constant.ZeroPoint == output.ZeroPoint && constant.Scale == output.Scale,
                    $"constant-value tensor {constant.Index} (scale {constant.Scale:G9}, zero point {constant.ZeroPoint}) must share output tensor {output.Index}'s quantization (scale {output.Scale:G9}, zero point {output.ZeroPoint})");
        }
        else if (input.Type == TensorType.INT8)
        {
            node.Require(output.ZeroPoint is >= sbyte.MinValue and <= sbyte.MaxValue,
                $"output tensor {output.Index} zero point {output.ZeroPoint} is outside int8");
            d.DefaultPad = output.ZeroPoint;
        }
        FoldUnpaddedInnerDimensions(d);
        node.Data = d;
    }

    /// <summary>
    /// An unpadded innermost dimension is contiguous in input and output alike, so it can join the one before it:
    /// a row copy then moves e.g. a whole padded image row [W, C] instead of C values at a time (models exported
    /// from PyTorch pad H and W of NHWC tensors with 3 or 8 channels, where per-row overhead was the whole cost).
    /// </summary>
    private static void FoldUnpaddedInnerDimensions(OpData d)
    {
        int[] dims = d.OutputDims, before = d.Before, after = d.After;
        const int last = MaxRank - 1;
        for (int fold = 0; fold < last; fold++)
        {
            if (before[last] != 0 || after[last] != 0 || dims[0] != 1 || before[0] != 0 || after[0] != 0)
                return;
            int inner = dims[last];
            for (int i = last; i > 0; i--)
                (dims[i], before[i], after[i]) = (dims[i - 1], before[i - 1], after[i - 1]);
            (dims[0], before[0], after[0]) = (1, 0, 0);
            dims[last] *= inner;
            before[last] *= inner;
            after[last] *= inner;
        }
    }

    private static long PaddingValue(Tensor paddings, int i) =>
        paddings.Type == TensorType.INT64 ? paddings.AsReadOnlySpan<long>()[i] : paddings.AsReadOnlySpan<int>()[i];

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var constant = node.OptionalInput(2);
        var output = node.Outputs[0];
        switch (d.Type)
        {
            case TensorType.FLOAT32:
                Run(d, input.AsReadOnlySpan<float>(), output.AsSpan<float>(), constant is null ? 0f : constant.AsReadOnlySpan<float>()[0]);
                break;
            case TensorType.INT8:
                Run(d, input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(), constant is null ? (sbyte)d.DefaultPad : constant.AsReadOnlySpan<sbyte>()[0]);
                break;
            case TensorType.INT16:
                Run(d, input.AsReadOnlySpan<short>(), output.AsSpan<short>(), constant is null ? (short)0 : constant.AsReadOnlySpan<short>()[0]);
                break;
            case TensorType.INT32:
                Run(d, input.AsReadOnlySpan<int>(), output.AsSpan<int>(), constant is null ? 0 : constant.AsReadOnlySpan<int>()[0]);
                break;
        }
    }

    // Row by row along the innermost dimension: a row inside the input's extent is
    // [pad before][input row][pad after]; any other row is all padding.
    private static void Run<T>(OpData d, ReadOnlySpan<T> input, Span<T> output, T pad) where T : unmanaged
    {
        int[] dims = d.OutputDims, before = d.Before, after = d.After;
        int depth = dims[4], inDepth = depth - before[4] - after[4];
        int inIndex = 0, outIndex = 0;
        for (int b = 0; b < dims[0]; b++)
        for (int p = 0; p < dims[1]; p++)
        for (int h = 0; h < dims[2]; h++)
        for (int w = 0; w < dims[3]; w++)
        {
            var row = output.Slice(outIndex, depth);
            outIndex += depth;
            bool inside = Inside(b, 0) && Inside(p, 1) && Inside(h, 2) && Inside(w, 3);
            if (!inside || inDepth == 0)
            {
                row.Fill(pad);
                continue;
            }
            row[..before[4]].Fill(pad);
            input.Slice(inIndex, inDepth).CopyTo(row.Slice(before[4], inDepth));
            row[(before[4] + inDepth)..].Fill(pad);
            inIndex += inDepth;
        }

        bool Inside(int i, int axis) => i >= before[axis] && i < dims[axis] - after[axis];
    }
}
