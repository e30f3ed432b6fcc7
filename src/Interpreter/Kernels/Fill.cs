using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// FILL: every output element is the scalar value; float32, int32 and int8 as TFLM (int8 copies the
/// stored value, whatever the quantization). dims (int8/16/32/64) must be a constant equal to the output's shape.
/// </summary>
internal sealed class FillKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var dims = node.Input(0);
        var value = node.Input(1);
        var output = node.Output(0);
        node.RequireType(value, "value", TensorType.FLOAT32, TensorType.INT32, TensorType.INT8);
        node.RequireSameType(value, output);
        node.Require(value.Rank == 0, $"value tensor {value.Index} has shape {KernelChecks.ShapeText(value)}; a scalar expected");
        node.RequireType(dims, "dims", TensorType.INT8, TensorType.INT16, TensorType.INT32, TensorType.INT64);
        node.RequireData(dims, "dims");
        node.Require(dims.Rank == 1 && dims.ElementCount == output.Rank && Enumerable.Range(0, output.Rank).All(i => Dim(dims, i) == output.Dim(i)),
            $"dims tensor {dims.Index} holds {DimsText(dims)} but output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}");
    }

    private static long Dim(Tensor dims, int i) => dims.Type switch
    {
        TensorType.INT8 => dims.AsReadOnlySpan<sbyte>()[i],
        TensorType.INT16 => dims.AsReadOnlySpan<short>()[i],
        _ => IndexTensors.Read(dims, i),
    };

    private static string DimsText(Tensor dims) => $"[{string.Join(",", Enumerable.Range(0, dims.ElementCount).Select(i => Dim(dims, i)))}]";

    public override void Invoke(KernelContext context, Node node)
    {
        var value = node.Inputs[1]!;
        var output = node.Outputs[0];
        switch (value.Type)
        {
            case TensorType.INT8: output.AsSpan<sbyte>().Fill(value.AsReadOnlySpan<sbyte>()[0]); break;
            default: output.AsSpan<int>().Fill(value.AsReadOnlySpan<int>()[0]); break;
        }
    }
}
