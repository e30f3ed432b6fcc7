using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// DENSIFY: a sparse constant (TFLite's sparsity format, checked when the model was read) to its dense tensor —
/// float32, float16 and int8, the types converters store sparse. TFLM expands once; so do we, into the output's
/// arena bytes on every Invoke (it is a copy of stored values into zeros, no arithmetic).
/// </summary>
internal sealed class DensifyKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var input = node.Input(0);
        var output = node.Output(0);
        node.Require(input.Info.Sparsity is not null && input.IsConstant,
            $"input tensor {input.Index} is not a sparse constant; DENSIFY expands only those");
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.FLOAT16, TensorType.INT8);
        node.RequireSameType(input, output);
        node.Require(input.Shape.SequenceEqual(output.Shape),
            $"output tensor {output.Index} {KernelChecks.ShapeText(output)} differs from the dense shape {KernelChecks.ShapeText(input)}");
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var input = node.Inputs[0]!;
        input.Info.Sparsity!.Expand(input.Bytes, node.Outputs[0].AsSpan<byte>(), input.Info.Shape, TensorTypes.ElementSize(input.Type));
    }
}
