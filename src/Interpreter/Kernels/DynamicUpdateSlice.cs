using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// DYNAMIC_UPDATE_SLICE: the operand with the update written at the start indices; float32, int8, int16
/// and int32 as TFLM, int32 or int64 indices. As TFLM (and XLA), each start index is clamped to
/// [0, operand − update], so no runtime index can reach outside the output.
/// </summary>
internal sealed class DynamicUpdateSliceKernel : OperatorKernel
{
    private sealed class OpData
    {
        public int ElementSize;
        public int[] UpdateDims = [];
        public int[] OutputStrides = [];
        public int[] OperandDims = [];
        public int[] RawUpdateDims = [];
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(3, 1);
        var operand = node.Input(0);
        var update = node.Input(1);
        var indices = node.Input(2);
        var output = node.Output(0);
        node.RequireType(operand, "operand", TensorType.FLOAT32, TensorType.INT8, TensorType.INT16, TensorType.INT32);
        node.RequireSameType(operand, update);
        node.RequireSameType(operand, output);
        node.RequireType(indices, "start indices", TensorType.INT32, TensorType.INT64);
        node.Require(operand.Rank <= StridedWalk.MaxRank, $"operand tensor {operand.Index} has shape {KernelChecks.ShapeText(operand)}; at most {StridedWalk.MaxRank} dimensions are supported");
        node.Require(indices.Rank == 1 && indices.ElementCount == operand.Rank,
            $"start indices tensor {indices.Index} has shape {KernelChecks.ShapeText(indices)}; [{operand.Rank}] expected");
        node.Require(update.Rank == operand.Rank && Enumerable.Range(0, operand.Rank).All(i => update.Dim(i) <= operand.Dim(i)),
            $"update tensor {update.Index} {KernelChecks.ShapeText(update)} does not fit in operand tensor {operand.Index} {KernelChecks.ShapeText(operand)}");
        node.Require(output.Shape.SequenceEqual(operand.Shape), $"output tensor {output.Index} {KernelChecks.ShapeText(output)} and operand tensor {operand.Index} {KernelChecks.ShapeText(operand)} differ in shape");
        node.Data = new OpData
        {
            ElementSize = TensorTypes.ElementSize(operand.Type),
            UpdateDims = StridedCopy.Padded(update.Shape, 1),
            OutputStrides = StridedCopy.Padded(IndexTensors.Strides(operand.Shape), 0),
            OperandDims = operand.ShapeArray(),
            RawUpdateDims = update.ShapeArray(),
        };
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var operand = node.Inputs[0]!;
        var update = node.Inputs[1]!;
        var indices = node.Inputs[2]!;
        var output = node.Outputs[0];
        operand.Bytes.CopyTo(output.AsSpan<byte>());
        int start = 0, offset = StridedWalk.MaxRank - d.OperandDims.Length;
        for (int i = 0; i < d.OperandDims.Length; i++)
        {
            long clamped = Math.Min(Math.Max(0, IndexTensors.Read(indices, i)), d.OperandDims[i] - d.RawUpdateDims[i]);
            start += (int)clamped * d.OutputStrides[offset + i];
        }
        switch (d.ElementSize)
        {
            case 1: Scatter(d, update.AsReadOnlySpan<byte>(), output.AsSpan<byte>(), start); break;
            case 2: Scatter(d, update.AsReadOnlySpan<short>(), output.AsSpan<short>(), start); break;
            default: Scatter(d, update.AsReadOnlySpan<int>(), output.AsSpan<int>(), start); break;
        }
    }

    private static void Scatter<T>(OpData d, ReadOnlySpan<T> update, Span<T> output, int start) where T : unmanaged
    {
        var write = new Write<T> { Update = update, Output = output, Start = start };
        StridedWalk.Run(d.UpdateDims, d.OutputStrides, ref write);
    }

    private ref struct Write<T> : IStridedVisitor where T : unmanaged
    {
        public ReadOnlySpan<T> Update;
        public Span<T> Output;
        public int Start;
        public void Visit(int index, int offset) => Output[Start + offset] = Update[index];
    }
}
