using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// CONCATENATION along one axis (negative counts from the end) for float32, int8, int16, int32, int64
/// and bool, by copying bytes: for each index of the axes before the concatenation axis, each input's
/// block in turn. Quantized inputs are not rescaled, so every input must share the output's scale and
/// zero point; TFLM copies the bytes without checking, this kernel refuses a model where they differ.
/// </summary>
internal sealed class ConcatenationKernel : OperatorKernel
{
    private sealed class OpData
    {
        public int OuterCount;
        public required int[] BlockBytes;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var options = node.Operator.Options<ConcatenationOptions>();
        var activation = options?.FusedActivationFunction ?? ActivationFunctionType.NONE;
        node.Require(activation == ActivationFunctionType.NONE, $"fused activation {activation} is not supported; only NONE");
        node.Require(node.InputCount >= 1, "needs at least one input");
        var output = node.Output(0);
        node.RequireType(output, "output",
            TensorType.FLOAT32, TensorType.INT8, TensorType.INT16, TensorType.INT32, TensorType.INT64, TensorType.BOOL);

        int rank = output.Rank;
        int declaredAxis = options?.Axis ?? 0;
        int axis = declaredAxis < 0 ? declaredAxis + rank : declaredAxis;
        node.Require(axis >= 0 && axis < rank,
            $"axis {declaredAxis} is outside output tensor {output.Index} of shape {KernelChecks.ShapeText(output)}");

        int elementSize = TensorTypes.ElementSize(output.Type);
        var blockBytes = new int[node.InputCount];
        long axisTotal = 0; // many inputs with huge axis sizes must not wrap around to the output's
        for (int i = 0; i < node.InputCount; i++)
        {
            var input = node.Input(i);
            node.RequireSameType(input, output);
            node.Require(input.Rank == rank,
                $"input tensor {input.Index} has shape {KernelChecks.ShapeText(input)} but output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; ranks must match");
            int block = 1;
            for (int d = 0; d < rank; d++)
            {
                if (d != axis && input.Dim(d) != output.Dim(d))
                    throw node.Unsupported(
                        $"input tensor {input.Index} has shape {KernelChecks.ShapeText(input)}, which differs from output tensor {output.Index} {KernelChecks.ShapeText(output)} in dimension {d}, not only in the concatenation axis {axis}");
                if (d >= axis) block *= input.Dim(d);
            }
            axisTotal += input.Dim(axis);
            blockBytes[i] = block * elementSize;
        }
        node.Require(axisTotal == output.Dim(axis),
            $"inputs add up to {axisTotal} along axis {axis}, but output tensor {output.Index} {KernelChecks.ShapeText(output)} has {output.Dim(axis)}");
        if (output.Type is TensorType.INT8 or TensorType.INT16)
            RequireSameQuantization(node, output);

        // An empty output may declare huge leading dimensions; copying nothing needs no loop over them.
        int outer = output.ElementCount == 0 ? 0 : 1;
        for (int d = 0; d < axis && outer > 0; d++) outer *= output.Dim(d);
        node.Data = new OpData { OuterCount = outer, BlockBytes = blockBytes };
    }

    /// <summary>A byte copy is only a concatenation of values when every tensor is quantized the same way.</summary>
    private static void RequireSameQuantization(Node node, Tensor output)
    {
        bool anyQuantized = !ElementwiseSupport.IsUnquantized(output);
        for (int i = 0; i < node.InputCount; i++) anyQuantized |= !ElementwiseSupport.IsUnquantized(node.Input(i));
        if (!anyQuantized) return;

        node.RequirePerTensorQuantization(output, "output");
        for (int i = 0; i < node.InputCount; i++)
        {
            var input = node.Input(i);
            node.RequirePerTensorQuantization(input, "input");
            if (input.Scale != output.Scale || input.ZeroPoint != output.ZeroPoint)
                throw node.Unsupported(
                    $"input tensor {input.Index} {KernelChecks.ShapeText(input)} has scale {input.Scale:G9} and zero point {input.ZeroPoint}, " +
                    $"output tensor {output.Index} {KernelChecks.ShapeText(output)} has scale {output.Scale:G9} and zero point {output.ZeroPoint}; " +
                    $"{TensorTypes.Name(output.Type)} concatenation copies values unchanged, so they must match");
        }
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var data = node.DataAs<OpData>();
        var inputs = node.Inputs;
        var target = node.Outputs[0].AsSpan<byte>();
        int offset = 0;
        for (int outer = 0; outer < data.OuterCount; outer++)
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                int block = data.BlockBytes[i];
                inputs[i]!.Bytes.Slice(outer * block, block).CopyTo(target.Slice(offset, block));
                offset += block;
            }
        }
    }
}
