using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// MIRROR_PAD, REFLECT (the edge is not repeated) and SYMMETRIC (it is); float32 and int8 as TFLM.
/// Paddings ([rank, 2], int32 or int64) may be a runtime tensor: they must give the model's output
/// shape and stay within what the mode can mirror (dim − 1 for REFLECT, dim for SYMMETRIC), checked in
/// Prepare when constant and at the start of Invoke otherwise.
/// </summary>
internal sealed class MirrorPadKernel : OperatorKernel
{
    private sealed class OpData
    {
        public int ElementSize;
        // 1 for REFLECT: the mirror starts one element in from the edge.
        public int Offset;
        public bool Constant;
        public int[] InDims = [], InStrides = [], OutStrides = [];
        public int[] Before = [];
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var input = node.Input(0);
        var paddings = node.Input(1);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8);
        node.RequireSameType(input, output);
        node.RequireType(paddings, "paddings", TensorType.INT32, TensorType.INT64);
        node.Require(paddings.Rank == 2 && paddings.Dim(0) == input.Rank && paddings.Dim(1) == 2,
            $"paddings tensor {paddings.Index} has shape {KernelChecks.ShapeText(paddings)}; [{input.Rank},2] expected");
        node.Require(output.Rank == input.Rank, $"output tensor {output.Index} {KernelChecks.ShapeText(output)} and input tensor {input.Index} {KernelChecks.ShapeText(input)} differ in rank");
        var mode = node.Operator.Options<MirrorPadOptions>()?.Mode ?? MirrorPadMode.REFLECT;
        var d = new OpData
        {
            ElementSize = TensorTypes.ElementSize(input.Type),
            Offset = mode == MirrorPadMode.REFLECT ? 1 : 0,
            Constant = paddings.IsConstant,
            InDims = input.ShapeArray(),
            InStrides = IndexTensors.Strides(input.Shape),
            OutStrides = IndexTensors.Strides(output.Shape),
            Before = new int[input.Rank],
        };
        if (d.Constant && Check(d, paddings, output) is { } problem)
            throw node.Unsupported(problem);
        node.Data = d;
    }

    private static string? Check(OpData d, Tensor paddings, Tensor output)
    {
        for (int i = 0; i < d.InDims.Length; i++)
        {
            long before = IndexTensors.Read(paddings, 2 * i), after = IndexTensors.Read(paddings, 2 * i + 1);
            long most = d.InDims[i] - d.Offset;
            if (before < 0 || after < 0 || before > most || after > most)
                return $"paddings {IndexTensors.Text(paddings)} pad dimension {i} (size {d.InDims[i]}) by {before} and {after}; {(d.Offset == 1 ? "REFLECT" : "SYMMETRIC")} allows 0 to {Math.Max(most, 0)}";
            if (d.InDims[i] + before + after != output.Dim(i))
                return $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; paddings {IndexTensors.Text(paddings)} give {d.InDims[i] + before + after} in dimension {i}";
            d.Before[i] = (int)before;
        }
        return null;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var output = node.Outputs[0];
        if (!d.Constant && Check(d, node.Inputs[1]!, output) is { } problem)
            throw IndexTensors.OutOfRange(node, "paddings", node.Inputs[1]!, problem);
        var input = node.Inputs[0]!;
        switch (d.ElementSize)
        {
            case 4: Run(d, input.AsReadOnlySpan<int>(), output.AsSpan<int>()); break;
            default: Run(d, input.AsReadOnlySpan<byte>(), output.AsSpan<byte>()); break;
        }
    }

    private static void Run<T>(OpData d, ReadOnlySpan<T> input, Span<T> output) where T : unmanaged
    {
        int rank = d.InDims.Length;
        for (int i = 0; i < output.Length; i++)
        {
            int rest = i, from = 0;
            for (int a = 0; a < rank; a++)
            {
                int index = rest / d.OutStrides[a];
                rest -= index * d.OutStrides[a];
                from += Mirror(index, d.Before[a], d.InDims[a], d.Offset) * d.InStrides[a];
            }
            output[i] = input[from];
        }
    }

    /// <summary>The input index output index <paramref name="padded"/> copies: mirrored about the edge before or after the input.</summary>
    private static int Mirror(int padded, int before, int size, int offset)
    {
        int index = padded - before;
        if (index < 0) return -index - 1 + offset;
        if (index >= size) return 2 * size - index - 1 - offset;
        return index;
    }
}
