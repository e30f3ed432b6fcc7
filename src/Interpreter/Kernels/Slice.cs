using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// SLICE: the block of the input starting at begin with extent size (−1: to the end of the dimension),
/// rank at most 5, float32, int8, int16, int32 and bool as TFLM. begin and size (int32 or int64) may be
/// runtime tensors; the output's shape is the model's, so at runtime they must still describe it.
/// </summary>
internal sealed class SliceKernel : OperatorKernel
{
    private const int MaxRank = 5;

    private sealed class OpData
    {
        public int ElementSize;
        public bool Constant;
        public int[] Dims = [];
        public int[] Strides = [];
        public int Start;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(3, 1);
        var input = node.Input(0);
        var begin = node.Input(1);
        var size = node.Input(2);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8, TensorType.INT16, TensorType.INT32, TensorType.BOOL);
        node.RequireSameType(input, output);
        node.RequireType(begin, "begin", TensorType.INT32, TensorType.INT64);
        node.RequireSameType(begin, size);
        int rank = input.Rank;
        node.Require(rank <= MaxRank, $"input tensor {input.Index} has shape {KernelChecks.ShapeText(input)}; at most {MaxRank} dimensions are supported");
        node.Require(begin.Rank == 1 && size.Rank == 1 && begin.ElementCount == rank && size.ElementCount == rank,
            $"begin tensor {begin.Index} {KernelChecks.ShapeText(begin)} and size tensor {size.Index} {KernelChecks.ShapeText(size)} must both be [{rank}] for input {KernelChecks.ShapeText(input)}");
        node.Require(output.Rank == rank, $"output tensor {output.Index} {KernelChecks.ShapeText(output)} and input tensor {input.Index} {KernelChecks.ShapeText(input)} differ in rank");

        var d = new OpData
        {
            ElementSize = TensorTypes.ElementSize(input.Type),
            Constant = begin.IsConstant && size.IsConstant,
            Dims = StridedCopy.Padded(output.Shape, 1),
            Strides = StridedCopy.Padded(IndexTensors.Strides(input.Shape), 0),
        };
        if (d.Constant)
        {
            string? problem = Check(input, begin, size, output, out d.Start);
            if (problem is not null) throw node.Unsupported(problem);
        }
        node.Data = d;
    }

    /// <summary>Null when begin and size select a block of the input with the output's shape; else what is wrong.</summary>
    private static string? Check(Tensor input, Tensor begin, Tensor size, Tensor output, out int start)
    {
        start = 0;
        var strides = IndexTensors.Strides(input.Shape);
        for (int i = 0; i < input.Rank; i++)
        {
            long b = IndexTensors.Read(begin, i), s = IndexTensors.Read(size, i), dim = input.Dim(i);
            long extent = s == -1 ? dim - b : s;
            if (b < 0 || b > dim || extent < 0 || b + extent > dim)
                return $"slices input tensor {input.Index} {KernelChecks.ShapeText(input)} with begin {IndexTensors.Text(begin)} and size {IndexTensors.Text(size)}: dimension {i} is out of range";
            if (extent != output.Dim(i))
                return $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; begin {IndexTensors.Text(begin)} and size {IndexTensors.Text(size)} give {extent} in dimension {i}";
            start += (int)b * strides[i];
        }
        return null;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        int start = d.Start;
        if (!d.Constant)
            start = RuntimeStart(node, input, node.Inputs[1]!, node.Inputs[2]!, output);
        StridedCopy.Run(d.ElementSize, input.Bytes, output.AsSpan<byte>(), d.Dims, d.Strides, start);
    }

    private static int RuntimeStart(Node node, Tensor input, Tensor begin, Tensor size, Tensor output)
    {
        int start = 0, stride = 1;
        for (int i = input.Rank - 1; i >= 0; i--)
        {
            long b = IndexTensors.Read(begin, i), s = IndexTensors.Read(size, i), dim = input.Dim(i);
            long extent = s == -1 ? dim - b : s;
            if (b < 0 || b > dim || extent != output.Dim(i) || b + extent > dim)
                throw IndexTensors.OutOfRange(node, "begin", begin,
                    $"holds {IndexTensors.Text(begin)} with size {IndexTensors.Text(size)}: dimension {i} does not select output shape {KernelChecks.ShapeText(output)} from input {KernelChecks.ShapeText(input)}");
            start += (int)b * stride;
            stride *= (int)dim;
        }
        return start;
    }
}
