namespace TinyMl.Interpreter.Kernels;

/// <summary>RESHAPE (and the same copy serves SQUEEZE/EXPAND_DIMS later): the bytes stay, only the shape changes.</summary>
internal sealed class ReshapeKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireSameType(input, output);
        node.RequireSameElementCount(input, output);
        // An int4 constant may be packed two values to a byte, fewer bytes than the output holds.
        node.Require(input.Type != Schema.TensorType.INT4, $"input tensor {input.Index} is int4, which is not supported");
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        var source = input.Bytes;
        var target = output.AsSpan<byte>();
        // TFLM copies unless both tensors share memory; a planned arena never aliases them.
        if (!source.Overlaps(target)) source.CopyTo(target);
    }
}
