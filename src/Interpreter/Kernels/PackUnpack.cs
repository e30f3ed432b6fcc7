using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>PACK: values_count same-shaped inputs stacked along a new axis; float32, int8, int16, int32, int64 as TFLM.</summary>
internal sealed class PackKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        var options = node.Operator.Options<PackOptions>();
        int count = options?.ValuesCount ?? node.InputCount;
        node.Require(node.OutputCount == 1, $"has {node.OutputCount} outputs; 1 expected");
        node.Require(count == node.InputCount && count > 0, $"values_count is {count} but the operator has {node.InputCount} inputs");
        var output = node.Output(0);
        var first = node.Input(0);
        node.RequireType(output, "output", TensorType.FLOAT32, TensorType.INT8, TensorType.INT16, TensorType.INT32, TensorType.INT64);
        int rank = output.Rank, declared = options?.Axis ?? 0;
        int axis = declared < 0 ? declared + rank : declared;
        node.Require(axis >= 0 && axis < rank, $"axis {declared} is outside output tensor {output.Index} of shape {KernelChecks.ShapeText(output)}");
        var expected = first.ShapeArray().ToList();
        expected.Insert(Math.Min(axis, expected.Count), count);
        node.Require(output.Shape.SequenceEqual(expected.ToArray()),
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; packing {count} inputs of shape {KernelChecks.ShapeText(first)} along axis {declared} gives {IndexTensors.ShapeText(expected.ToArray())}");
        for (int i = 0; i < count; i++)
        {
            var input = node.Input(i);
            node.RequireSameType(input, output);
            node.Require(input.Shape.SequenceEqual(first.Shape), $"input tensor {input.Index} {KernelChecks.ShapeText(input)} and input tensor {first.Index} {KernelChecks.ShapeText(first)} differ in shape");
        }
        int block = IndexTensors.Product(output.Shape, axis + 1, rank) * TensorTypes.ElementSize(output.Type);
        node.Data = new SplitPlan { Outer = IndexTensors.Product(output.Shape, 0, axis), BlockBytes = Enumerable.Repeat(block, count).ToArray() };
    }

    public override void Invoke(KernelContext context, Node node) =>
        node.DataAs<SplitPlan>().Join(node.Inputs, node.Outputs[0].AsSpan<byte>());
}

/// <summary>UNPACK: num outputs, the input's slices along the axis with that axis removed; float32, int8, int16, int32 as TFLM.</summary>
internal sealed class UnpackKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, node.OutputCount);
        var input = node.Input(0);
        node.RequireType(input, "input", SplitPlan.Types);
        var options = node.Operator.Options<UnpackOptions>();
        int rank = input.Rank, declared = options?.Axis ?? 0;
        int axis = declared < 0 ? declared + rank : declared;
        node.Require(axis >= 0 && axis < rank, $"axis {declared} is outside input tensor {input.Index} of shape {KernelChecks.ShapeText(input)}");
        int num = options?.Num ?? node.OutputCount;
        node.Require(num == node.OutputCount && num == input.Dim(axis),
            $"num is {num}, the operator has {node.OutputCount} outputs and input tensor {input.Index} {KernelChecks.ShapeText(input)} has {input.Dim(axis)} along axis {axis}");
        var expected = input.ShapeArray().Where((_, i) => i != axis).ToArray();
        foreach (var output in node.Outputs)
        {
            node.RequireSameType(input, output);
            node.Require(output.Shape.SequenceEqual(expected),
                $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; unpacking {KernelChecks.ShapeText(input)} along axis {declared} gives {IndexTensors.ShapeText(expected)}");
        }
        node.Data = SplitPlan.For(input, axis, Enumerable.Repeat(1, num).ToArray());
    }

    public override void Invoke(KernelContext context, Node node) =>
        node.DataAs<SplitPlan>().Split(node.Inputs[0]!.Bytes, node.Outputs);
}
