using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// GATHER: slices of the input along the axis picked by int32 indices, per batch (batch_dims leading
/// dimensions shared by input and indices); float32 and int8 as TFLM. Indices are checked against the
/// axis — in Prepare when constant, before any copy in Invoke otherwise (TFLM only DCHECKs them).
/// </summary>
internal sealed class GatherKernel : OperatorKernel
{
    private sealed class OpData
    {
        public int Batches, Outer, AxisSize, Coords, InnerBytes;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var input = node.Input(0);
        var indices = node.Input(1);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8);
        node.RequireType(indices, "indices", TensorType.INT32);
        node.RequireSameType(input, output);
        var options = node.Operator.Options<GatherOptions>();
        int declaredAxis = options?.Axis ?? 0, declaredBatch = options?.BatchDims ?? 0;
        int axis = declaredAxis < 0 ? declaredAxis + input.Rank : declaredAxis;
        int batchDims = declaredBatch < 0 ? declaredBatch + indices.Rank : declaredBatch;
        node.Require(axis >= 0 && axis < input.Rank, $"axis {declaredAxis} is outside input tensor {input.Index} of shape {KernelChecks.ShapeText(input)}");
        node.Require(batchDims >= 0 && batchDims <= axis && batchDims <= indices.Rank,
            $"batch_dims {declaredBatch} must be in [0, axis {axis}] and at most the rank of indices tensor {indices.Index} {KernelChecks.ShapeText(indices)}");
        for (int i = 0; i < batchDims; i++)
            node.Require(input.Dim(i) == indices.Dim(i),
                $"input tensor {input.Index} {KernelChecks.ShapeText(input)} and indices tensor {indices.Index} {KernelChecks.ShapeText(indices)} differ in batch dimension {i}");
        var expected = input.ShapeArray()[..axis].Concat(indices.ShapeArray()[batchDims..]).Concat(input.ShapeArray()[(axis + 1)..]).ToArray();
        node.Require(output.Shape.SequenceEqual(expected),
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; gathering {KernelChecks.ShapeText(input)} along axis {axis} by indices {KernelChecks.ShapeText(indices)} gives {IndexTensors.ShapeText(expected)}");
        var d = new OpData
        {
            Batches = IndexTensors.Product(input.Shape, 0, batchDims),
            Outer = IndexTensors.Product(input.Shape, batchDims, axis),
            AxisSize = input.Dim(axis),
            Coords = IndexTensors.Product(indices.Shape, batchDims, indices.Rank),
            InnerBytes = IndexTensors.Product(input.Shape, axis + 1, input.Rank) * TensorTypes.ElementSize(input.Type),
        };
        if (indices.IsConstant && FirstOutOfRange(indices, d.AxisSize) is int bad and >= 0)
            throw node.Unsupported($"indices tensor {indices.Index} holds {indices.AsReadOnlySpan<int>()[bad]} at element {bad}, outside [0, {d.AxisSize}) of axis {axis} of input tensor {input.Index} {KernelChecks.ShapeText(input)}");
        node.Data = d;
    }

    private static int FirstOutOfRange(Tensor indices, int axisSize)
    {
        var values = indices.AsReadOnlySpan<int>();
        for (int i = 0; i < values.Length; i++)
            if ((uint)values[i] >= (uint)axisSize) return i;
        return -1;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!.Bytes;
        var indices = node.Inputs[1]!;
        var output = node.Outputs[0].AsSpan<byte>();
        if (!indices.IsConstant && FirstOutOfRange(indices, d.AxisSize) is int bad and >= 0)
            throw IndexTensors.OutOfRange(node, "indices", indices, $"holds {indices.AsReadOnlySpan<int>()[bad]} at element {bad}, outside [0, {d.AxisSize})");
        var coords = indices.AsReadOnlySpan<int>();
        int inner = d.InnerBytes, to = 0;
        for (int b = 0; b < d.Batches; b++)
        for (int o = 0; o < d.Outer; o++)
        {
            int row = (b * d.Outer + o) * d.AxisSize;
            for (int c = 0; c < d.Coords; c++, to += inner)
                input.Slice((row + coords[b * d.Coords + c]) * inner, inner).CopyTo(output.Slice(to, inner));
        }
    }
}

/// <summary>
/// GATHER_ND: for each index vector (the innermost dimension of int32 indices, at most 5 long) the
/// slice of params it points at; float32 and int8 as TFLM. As TFLM, an index is checked by where its
/// slice lands in the flattened params, not dimension by dimension.
/// </summary>
internal sealed class GatherNdKernel : OperatorKernel
{
    private const int MaxIndexDepth = 5;

    private sealed class OpData
    {
        public int Slices, Depth, SliceElements, ParamsElements, ElementSize;
        public readonly int[] DimStrides = new int[MaxIndexDepth];
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var parameters = node.Input(0);
        var indices = node.Input(1);
        var output = node.Output(0);
        node.RequireType(parameters, "params", TensorType.FLOAT32, TensorType.INT8);
        node.RequireType(indices, "indices", TensorType.INT32);
        node.RequireSameType(parameters, output);
        node.Require(parameters.Rank >= 1 && indices.Rank >= 1,
            $"params tensor {parameters.Index} {KernelChecks.ShapeText(parameters)} and indices tensor {indices.Index} {KernelChecks.ShapeText(indices)} must be at least vectors");
        int depth = indices.Dim(indices.Rank - 1);
        node.Require(depth <= parameters.Rank && depth <= MaxIndexDepth,
            $"indices tensor {indices.Index} {KernelChecks.ShapeText(indices)} has index vectors of length {depth}; at most the rank of params {KernelChecks.ShapeText(parameters)} and at most {MaxIndexDepth}");
        var expected = indices.ShapeArray()[..^1].Concat(parameters.ShapeArray()[depth..]).ToArray();
        node.Require(output.Shape.SequenceEqual(expected),
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; gathering {KernelChecks.ShapeText(parameters)} by indices {KernelChecks.ShapeText(indices)} gives {IndexTensors.ShapeText(expected)}");
        var d = new OpData
        {
            Slices = IndexTensors.Product(indices.Shape, 0, indices.Rank - 1),
            Depth = depth,
            SliceElements = IndexTensors.Product(parameters.Shape, depth, parameters.Rank),
            ParamsElements = parameters.ElementCount,
            ElementSize = TensorTypes.ElementSize(parameters.Type),
        };
        var strides = IndexTensors.Strides(parameters.Shape);
        for (int i = 0; i < depth; i++) d.DimStrides[i] = strides[i];
        if (indices.IsConstant && FirstOutOfRange(d, indices.AsReadOnlySpan<int>()) is int bad and >= 0)
            throw node.Unsupported($"indices tensor {indices.Index} index vector {bad} points outside params tensor {parameters.Index} {KernelChecks.ShapeText(parameters)}");
        node.Data = d;
    }

    /// <summary>Flat element offset of index vector <paramref name="i"/>, as TFLM sums it (in long, so no wrap hides a bad index).</summary>
    private static long From(OpData d, ReadOnlySpan<int> indices, int i)
    {
        long from = 0;
        for (int j = 0; j < d.Depth; j++) from += (long)indices[i * d.Depth + j] * d.DimStrides[j];
        return from;
    }

    private static int FirstOutOfRange(OpData d, ReadOnlySpan<int> indices)
    {
        for (int i = 0; i < d.Slices; i++)
        {
            long from = From(d, indices, i);
            if (from < 0 || from + d.SliceElements > d.ParamsElements) return i;
        }
        return -1;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var parameters = node.Inputs[0]!.Bytes;
        var indexTensor = node.Inputs[1]!;
        var indices = indexTensor.AsReadOnlySpan<int>();
        var output = node.Outputs[0].AsSpan<byte>();
        if (!indexTensor.IsConstant && FirstOutOfRange(d, indices) is int bad and >= 0)
            throw IndexTensors.OutOfRange(node, "indices", indexTensor, $"index vector {bad} points outside params tensor {node.Inputs[0]!.Index}");
        int bytes = d.SliceElements * d.ElementSize;
        for (int i = 0; i < d.Slices; i++)
            parameters.Slice((int)From(d, indices, i) * d.ElementSize, bytes).CopyTo(output.Slice(i * bytes, bytes));
    }
}
