using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// CUMSUM along an int32 axis, optionally exclusive (each output leaves out its own element) and/or
/// reversed; float32 (summed in float32 in order) and int8 by TFLM's ADD-style arithmetic: inputs
/// shifted left 20 bits and scaled by 1/2, summed in int32, then rescaled to the output.
/// </summary>
internal sealed class CumSumKernel : OperatorKernel
{
    private const int LeftShift = 20;

    private sealed class OpData
    {
        public TensorType Type;
        public bool Exclusive, Reverse, ConstantAxis;
        public int Outer, Depth, Inner;
        public int InputOffset, OutputOffset, InputMultiplier, InputShift, OutputMultiplier, OutputShift;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var input = node.Input(0);
        var axis = node.Input(1);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8);
        node.RequireSameType(input, output);
        node.RequireType(axis, "axis", TensorType.INT32);
        node.Require(axis.ElementCount == 1, $"axis tensor {axis.Index} has shape {KernelChecks.ShapeText(axis)}; one value expected");
        node.Require(input.Rank >= 1, $"input tensor {input.Index} is a scalar; at least one dimension is needed");
        node.Require(output.Shape.SequenceEqual(input.Shape), $"output tensor {output.Index} {KernelChecks.ShapeText(output)} and input tensor {input.Index} {KernelChecks.ShapeText(input)} differ in shape");
        var options = node.Operator.Options<CumsumOptions>();
        var d = new OpData { Type = input.Type, Exclusive = options?.Exclusive ?? false, Reverse = options?.Reverse ?? false, ConstantAxis = axis.IsConstant };
        if (input.Type == TensorType.INT8)
        {
            node.RequirePerTensorQuantization(input, "input");
            node.RequirePerTensorQuantization(output, "output");
            d.InputOffset = -input.ZeroPoint;
            d.OutputOffset = output.ZeroPoint;
            double twiceMaxInputScale = 2 * (double)input.Scale;
            var inputMultiplier = QuantizedMultiplier.FromDouble(input.Scale / twiceMaxInputScale);
            var outputMultiplier = QuantizedMultiplier.FromDouble(twiceMaxInputScale / ((1 << LeftShift) * (double)output.Scale));
            (d.InputMultiplier, d.InputShift) = (inputMultiplier.Multiplier, inputMultiplier.Shift);
            (d.OutputMultiplier, d.OutputShift) = (outputMultiplier.Multiplier, outputMultiplier.Shift);
        }
        if (d.ConstantAxis && Plan(d, input, axis) is { } problem) throw node.Unsupported(problem);
        node.Data = d;
    }

    private static string? Plan(OpData d, Tensor input, Tensor axisTensor)
    {
        int declared = axisTensor.AsReadOnlySpan<int>()[0];
        int axis = declared < 0 ? declared + input.Rank : declared;
        if (axis < 0 || axis >= input.Rank) return $"axis {declared} is outside input tensor {input.Index} of shape {KernelChecks.ShapeText(input)}";
        d.Outer = IndexTensors.Product(input.Shape, 0, axis);
        d.Depth = input.Dim(axis);
        d.Inner = IndexTensors.Product(input.Shape, axis + 1, input.Rank);
        return null;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        if (!d.ConstantAxis && Plan(d, input, node.Inputs[1]!) is { } problem)
            throw IndexTensors.OutOfRange(node, "axis", node.Inputs[1]!, problem);
        var output = node.Outputs[0];
        if (d.Type == TensorType.FLOAT32) Float(d, input.AsReadOnlySpan<float>(), output.AsSpan<float>());
        else Int8(d, input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>());
    }

    private static void Float(OpData d, ReadOnlySpan<float> input, Span<float> output)
    {
        for (int o = 0; o < d.Outer; o++)
        for (int i = 0; i < d.Inner; i++)
        {
            float sum = 0;
            for (int k = 0; k < d.Depth; k++)
            {
                int at = (o * d.Depth + (d.Reverse ? d.Depth - 1 - k : k)) * d.Inner + i;
                if (d.Exclusive) { output[at] = sum; sum += input[at]; }
                else { sum += input[at]; output[at] = sum; }
            }
        }
    }

    private static void Int8(OpData d, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        for (int o = 0; o < d.Outer; o++)
        for (int i = 0; i < d.Inner; i++)
        {
            // TFLM starts the sum from the scaled input offset, not 0 (its comment says 0; the code does this).
            int sum = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked(d.InputOffset * (1 << LeftShift)), d.InputMultiplier, d.InputShift);
            for (int k = 0; k < d.Depth; k++)
            {
                int at = (o * d.Depth + (d.Reverse ? d.Depth - 1 - k : k)) * d.Inner + i;
                int scaled = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked((d.InputOffset + input[at]) * (1 << LeftShift)), d.InputMultiplier, d.InputShift);
                int result;
                if (d.Exclusive) { result = sum; sum = unchecked(sum + scaled); }
                else { sum = unchecked(sum + scaled); result = sum; }
                int raw = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(result, d.OutputMultiplier, d.OutputShift) + d.OutputOffset;
                output[at] = (sbyte)Math.Clamp(raw, sbyte.MinValue, sbyte.MaxValue);
            }
        }
    }
}
