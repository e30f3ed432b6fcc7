using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// RELU: float32 clamps below at 0; int8 and int16 requantize each value from the input's to the
/// output's quantization (multiplier input_scale / output_scale) and clamp at the output's zero point,
/// as TFLM's ReluQuantized does. int16 needs zero points of 0, as TFLM checks.
/// </summary>
internal sealed class ReluKernel : OperatorKernel
{
    private sealed class OpData
    {
        public TensorType Type;
        public int Count;
        public int InputZeroPoint, OutputZeroPoint, Multiplier, Shift, Min, Max;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8, TensorType.INT16);
        node.RequireSameType(input, output);
        node.RequireSameElementCount(input, output);
        var data = new OpData { Type = input.Type, Count = input.ElementCount };
        if (input.Type != TensorType.FLOAT32)
        {
            node.RequirePerTensorQuantization(input, "input");
            node.RequirePerTensorQuantization(output, "output");
            if (input.Type == TensorType.INT16)
                node.Require(input.ZeroPoint == 0 && output.ZeroPoint == 0,
                    $"int16 RELU needs zero points of 0; input tensor {input.Index} has {input.ZeroPoint}, output tensor {output.Index} {output.ZeroPoint}");
            var q = QuantizedMultiplier.FromDouble((double)input.Scale / output.Scale);
            var (typeMin, typeMax) = ActivationRange.ForType(input.Type);
            data.InputZeroPoint = input.ZeroPoint;
            data.OutputZeroPoint = output.ZeroPoint;
            data.Multiplier = q.Multiplier;
            data.Shift = q.Shift;
            // 0.0 quantizes to the output zero point exactly; there is no upper bound but the type's.
            data.Min = Math.Max(typeMin, output.ZeroPoint);
            data.Max = typeMax;
        }
        node.Data = data;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var data = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        switch (data.Type)
        {
            case TensorType.FLOAT32:
            {
                var x = input.AsReadOnlySpan<float>()[..data.Count];
                var y = output.AsSpan<float>()[..data.Count];
                for (int i = 0; i < x.Length; i++)
                    y[i] = x[i] < 0f ? 0f : x[i];
                break;
            }
            case TensorType.INT8:
            {
                var x = input.AsReadOnlySpan<sbyte>()[..data.Count];
                var y = output.AsSpan<sbyte>()[..data.Count];
                for (int i = 0; i < x.Length; i++)
                    y[i] = (sbyte)Requantize(data, x[i]);
                break;
            }
            case TensorType.INT16:
            {
                var x = input.AsReadOnlySpan<short>()[..data.Count];
                var y = output.AsSpan<short>()[..data.Count];
                for (int i = 0; i < x.Length; i++)
                    y[i] = (short)Requantize(data, x[i]);
                break;
            }
        }
    }

    private static int Requantize(OpData d, int value)
    {
        int requantized = d.OutputZeroPoint + FixedPoint.MultiplyByQuantizedMultiplier(value - d.InputZeroPoint, d.Multiplier, d.Shift);
        return Math.Min(d.Max, Math.Max(d.Min, requantized));
    }
}

/// <summary>
/// RELU6: float32 clamps to [0, 6]; int8 and int16 clamp the stored values between the input's zero
/// point and 6.0 quantized with the input's parameters. TFLM does not requantize to the output here,
/// so neither does this kernel.
/// </summary>
internal sealed class Relu6Kernel : OperatorKernel
{
    private sealed class OpData
    {
        public TensorType Type;
        public int Count;
        public int Zero, Six;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8, TensorType.INT16);
        node.RequireSameType(input, output);
        node.RequireSameElementCount(input, output);
        var data = new OpData { Type = input.Type, Count = input.ElementCount };
        if (input.Type != TensorType.FLOAT32)
        {
            node.RequirePerTensorQuantization(input, "input");
            var (typeMin, typeMax) = ActivationRange.ForType(input.Type);
            data.Zero = input.ZeroPoint;
            // TFLM's FloatToQuantizedType: round(6 / scale) with the division in float, plus the zero
            // point in double, converted to int32 (x86 yields int.MinValue when that overflows), then
            // kept in the type's range.
            double six = Math.Round((double)(6f / input.Scale), MidpointRounding.AwayFromZero) + input.ZeroPoint;
            int sixInt32 = six >= int.MinValue && six < 2147483648.0 ? (int)six : int.MinValue;
            data.Six = Math.Clamp(sixInt32, typeMin, typeMax);
        }
        node.Data = data;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var data = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        switch (data.Type)
        {
            case TensorType.FLOAT32:
            {
                var x = input.AsReadOnlySpan<float>()[..data.Count];
                var y = output.AsSpan<float>()[..data.Count];
                for (int i = 0; i < x.Length; i++)
                    y[i] = x[i] > 6f ? 6f : x[i] < 0f ? 0f : x[i];
                break;
            }
            case TensorType.INT8:
            {
                var x = input.AsReadOnlySpan<sbyte>()[..data.Count];
                var y = output.AsSpan<sbyte>()[..data.Count];
                sbyte zero = (sbyte)data.Zero, six = (sbyte)data.Six;
                for (int i = 0; i < x.Length; i++)
                    y[i] = x[i] > six ? six : x[i] < zero ? zero : x[i];
                break;
            }
            case TensorType.INT16:
            {
                var x = input.AsReadOnlySpan<short>()[..data.Count];
                var y = output.AsSpan<short>()[..data.Count];
                short zero = (short)data.Zero, six = (short)data.Six;
                for (int i = 0; i < x.Length; i++)
                    y[i] = x[i] > six ? six : x[i] < zero ? zero : x[i];
                break;
            }
        }
    }
}
