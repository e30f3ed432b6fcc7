using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// The shared move of SPLIT, SPLIT_V and UNPACK: for each outer index, each output in turn takes the
/// next block of the input (its extent along the axis times the inner size).
/// </summary>
internal sealed class SplitPlan
{
    public int Outer;
    public int[] BlockBytes = [];

    public static SplitPlan For(Tensor input, int axis, IReadOnlyList<int> axisExtents)
    {
        int inner = IndexTensors.Product(input.Shape, axis + 1, input.Rank) * TensorTypes.ElementSize(input.Type);
        return new SplitPlan
        {
            Outer = IndexTensors.Product(input.Shape, 0, axis),
            BlockBytes = axisExtents.Select(e => e * inner).ToArray(),
        };
    }

    public void Split(ReadOnlySpan<byte> input, Tensor[] outputs)
    {
        int at = 0;
        for (int k = 0; k < Outer; k++)
        for (int i = 0; i < BlockBytes.Length; i++)
        {
            int block = BlockBytes[i];
            input.Slice(at, block).CopyTo(outputs[i].AsSpan<byte>().Slice(k * block, block));
            at += block;
        }
    }

    /// <summary>The inverse (PACK): each input's block for an outer index goes next into the output.</summary>
    public void Join(Tensor?[] inputs, Span<byte> output)
    {
        int at = 0;
        for (int k = 0; k < Outer; k++)
        for (int i = 0; i < BlockBytes.Length; i++)
        {
            int block = BlockBytes[i];
            inputs[i]!.Bytes.Slice(k * block, block).CopyTo(output.Slice(at, block));
            at += block;
        }
    }

    public static readonly TensorType[] Types = [TensorType.FLOAT32, TensorType.INT8, TensorType.INT16, TensorType.INT32];

    /// <summary>Every output has the input's type and rank, and its dims except along the axis.</summary>
    public static void RequireOutputsAlong(Node node, Tensor input, int axis)
    {
        for (int i = 0; i < node.OutputCount; i++)
        {
            var output = node.Output(i);
            node.RequireSameType(input, output);
            bool same = output.Rank == input.Rank;
            for (int a = 0; same && a < input.Rank; a++) same = a == axis || output.Dim(a) == input.Dim(a);
            node.Require(same, $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; splitting input {KernelChecks.ShapeText(input)} along axis {axis} keeps every other dimension");
        }
    }

    /// <summary>The axis from a constant int32 scalar tensor, made non-negative and checked against the input's rank.</summary>
    public static int ConstantAxis(Node node, Tensor axisTensor, Tensor input)
    {
        node.RequireType(axisTensor, "axis", TensorType.INT32);
        node.RequireData(axisTensor, "axis");
        node.Require(axisTensor.ElementCount == 1, $"axis tensor {axisTensor.Index} has shape {KernelChecks.ShapeText(axisTensor)}; one value expected");
        int declared = axisTensor.AsReadOnlySpan<int>()[0];
        int axis = declared < 0 ? declared + input.Rank : declared;
        node.Require(axis >= 0 && axis < input.Rank, $"axis {declared} is outside input tensor {input.Index} of shape {KernelChecks.ShapeText(input)}");
        return axis;
    }
}

/// <summary>SPLIT: num_splits equal parts along a constant axis; float32, int8, int16, int32 as TFLM.</summary>
internal sealed class SplitKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.InputCount == 2, $"has {node.InputCount} inputs; 2 expected (axis, input)");
        var input = node.Input(1);
        node.RequireType(input, "input", SplitPlan.Types);
        int axis = SplitPlan.ConstantAxis(node, node.Input(0), input);
        int splits = node.Operator.Options<SplitOptions>()?.NumSplits ?? node.OutputCount;
        node.Require(splits == node.OutputCount && splits > 0, $"num_splits is {splits} but the operator has {node.OutputCount} outputs");
        node.Require(input.Dim(axis) % splits == 0, $"input tensor {input.Index} {KernelChecks.ShapeText(input)} does not split into {splits} equal parts along axis {axis}");
        SplitPlan.RequireOutputsAlong(node, input, axis);
        int part = input.Dim(axis) / splits;
        foreach (var output in node.Outputs)
            node.Require(output.Dim(axis) == part, $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; splitting {KernelChecks.ShapeText(input)} into {splits} gives {part} along axis {axis}");
        node.Data = SplitPlan.For(input, axis, Enumerable.Repeat(part, splits).ToArray());
    }

    public override void Invoke(KernelContext context, Node node) =>
        node.DataAs<SplitPlan>().Split(node.Inputs[1]!.Bytes, node.Outputs);
}

/// <summary>
/// SPLIT_V: parts of the given sizes (one may be −1: the rest) along a constant axis; float32, int8,
/// int16, int32 as TFLM. The outputs' shapes carry the sizes; a constant size_splits must agree.
/// </summary>
internal sealed class SplitVKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(3, node.OutputCount);
        var input = node.Input(0);
        var sizes = node.Input(1);
        node.RequireType(input, "input", SplitPlan.Types);
        int axis = SplitPlan.ConstantAxis(node, node.Input(2), input);
        node.RequireType(sizes, "size_splits", TensorType.INT32, TensorType.INT64);
        node.Require(node.OutputCount > 0, "has no outputs");
        SplitPlan.RequireOutputsAlong(node, input, axis);
        var extents = node.Outputs.Select(o => o.Dim(axis)).ToArray();
        node.Require(extents.Sum(e => (long)e) == input.Dim(axis),
            $"outputs take {string.Join("+", extents)} along axis {axis} of input tensor {input.Index} {KernelChecks.ShapeText(input)}");
        if (sizes.IsConstant)
        {
            node.Require(sizes.ElementCount == node.OutputCount, $"size_splits tensor {sizes.Index} has {sizes.ElementCount} values for {node.OutputCount} outputs");
            for (int i = 0; i < extents.Length; i++)
            {
                long s = IndexTensors.Read(sizes, i);
                node.Require(s == extents[i] || s == -1,
                    $"size_splits {IndexTensors.Text(sizes)} disagrees with output tensor {node.Outputs[i].Index} {KernelChecks.ShapeText(node.Outputs[i])} along axis {axis}");
            }
        }
        node.Data = SplitPlan.For(input, axis, extents);
    }

    public override void Invoke(KernelContext context, Node node) =>
        node.DataAs<SplitPlan>().Split(node.Inputs[0]!.Bytes, node.Outputs);
}
