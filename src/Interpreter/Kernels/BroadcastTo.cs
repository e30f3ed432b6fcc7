using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// BROADCAST_TO: the input repeated along its size-1 (and missing leading) dimensions to a constant
/// shape of at most 5 dimensions; any fixed-size type, as TFLM.
/// </summary>
internal sealed class BroadcastToKernel : OperatorKernel
{
    private const int MaxRank = 5;

    private sealed class OpData
    {
        public int ElementSize;
        public int[] Dims = [];
        public int[] Strides = [];
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var input = node.Input(0);
        var shape = node.Input(1);
        var output = node.Output(0);
        node.RequireType(input, "input", MoveTypes.Any);
        node.RequireSameType(input, output);
        node.RequireType(shape, "shape", TensorType.INT32, TensorType.INT64);
        node.RequireData(shape, "shape");
        node.Require(input.Rank <= MaxRank && output.Rank <= MaxRank,
            $"input tensor {input.Index} {KernelChecks.ShapeText(input)} and output tensor {output.Index} {KernelChecks.ShapeText(output)} must have at most {MaxRank} dimensions");
        node.Require(shape.Rank == 1 && shape.ElementCount == output.Rank && Enumerable.Range(0, output.Rank).All(i => IndexTensors.Read(shape, i) == output.Dim(i)),
            $"shape tensor {shape.Index} holds {IndexTensors.Text(shape)} but output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}");
        int extra = output.Rank - input.Rank;
        node.Require(extra >= 0, $"input tensor {input.Index} {KernelChecks.ShapeText(input)} has more dimensions than the shape {IndexTensors.Text(shape)}");
        var inputStrides = IndexTensors.Strides(input.Shape);
        var strides = new int[output.Rank];
        for (int i = 0; i < input.Rank; i++)
        {
            node.Require(input.Dim(i) == 1 || input.Dim(i) == output.Dim(extra + i),
                $"input tensor {input.Index} {KernelChecks.ShapeText(input)} does not broadcast to {KernelChecks.ShapeText(output)}");
            strides[extra + i] = input.Dim(i) == 1 ? 0 : inputStrides[i];
        }
        node.Data = new OpData
        {
            ElementSize = TensorTypes.ElementSize(input.Type),
            Dims = StridedCopy.Padded(output.Shape, 1),
            Strides = StridedCopy.Padded(strides, 0),
        };
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        StridedCopy.Run(d.ElementSize, node.Inputs[0]!.Bytes, node.Outputs[0].AsSpan<byte>(), d.Dims, d.Strides, 0);
    }
}

/// <summary>
/// BROADCAST_ARGS: the shape two int32 (or int64) shapes broadcast to. The shapes may be runtime
/// tensors; ones that do not broadcast, or give another length than the output's, fail before any write.
/// </summary>
internal sealed class BroadcastArgsKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var a = node.Input(0);
        var b = node.Input(1);
        var output = node.Output(0);
        node.RequireType(a, "shape", TensorType.INT32, TensorType.INT64);
        node.RequireSameType(a, b);
        node.RequireSameType(a, output);
        node.Require(a.Rank == 1 && b.Rank == 1 && output.Rank == 1,
            $"shape tensors {a.Index} {KernelChecks.ShapeText(a)}, {b.Index} {KernelChecks.ShapeText(b)} and output tensor {output.Index} {KernelChecks.ShapeText(output)} must be vectors");
        node.Require(output.Dim(0) == Math.Max(a.Dim(0), b.Dim(0)),
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; broadcasting shapes of {a.Dim(0)} and {b.Dim(0)} dimensions gives [{Math.Max(a.Dim(0), b.Dim(0))}]");
        if (a.IsConstant && b.IsConstant && Mismatch(a, b) is int axis and >= 0)
            throw node.Unsupported($"shapes {IndexTensors.Text(a)} and {IndexTensors.Text(b)} do not broadcast (dimension {axis})");
    }

    private static long At(Tensor shape, int i, int rank) => i < rank - shape.ElementCount ? 1 : IndexTensors.Read(shape, i - (rank - shape.ElementCount));

    private static int Mismatch(Tensor a, Tensor b)
    {
        int rank = Math.Max(a.ElementCount, b.ElementCount);
        for (int i = 0; i < rank; i++)
        {
            long x = At(a, i, rank), y = At(b, i, rank);
            if (x != 1 && y != 1 && x != y) return i;
        }
        return -1;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var a = node.Inputs[0]!;
        var b = node.Inputs[1]!;
        var output = node.Outputs[0];
        if (!(a.IsConstant && b.IsConstant) && Mismatch(a, b) is int axis and >= 0)
            throw IndexTensors.OutOfRange(node, "shape", b, $"holds {IndexTensors.Text(b)}, which does not broadcast with {IndexTensors.Text(a)} (dimension {axis})");
        int rank = output.Dim(0);
        for (int i = 0; i < rank; i++)
        {
            long x = At(a, i, rank), y = At(b, i, rank);
            long r = x == 1 ? y : x;
            if (output.Type == TensorType.INT64) output.AsSpan<long>()[i] = r;
            else output.AsSpan<int>()[i] = (int)r;
        }
    }
}
