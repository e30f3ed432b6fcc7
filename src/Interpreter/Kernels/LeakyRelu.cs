using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// LEAKY_RELU: x for x &gt; 0, alpha * x otherwise. float32 directly; int8 and int16 requantize the
/// non-negative side with input_scale / output_scale and the negative side with
/// input_scale * alpha / output_scale (TFLM's QuantizeLeakyRelu). A negative alpha keeps its sign
/// apart from the multiplier, as TFLM does, so the rounding is that of the positive multiplier.
/// </summary>
internal sealed class LeakyReluKernel : OperatorKernel
{
    private sealed class OpData
    {
        public TensorType Type;
        public int Count;
        public float Alpha;
        public int InputZeroPoint, OutputZeroPoint;
        public int IdentityMultiplier, IdentityShift, AlphaMultiplier, AlphaShift;
        public bool AlphaNegative;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var (input, output) = node.RequireElementwiseUnary(TensorType.FLOAT32, TensorType.INT8, TensorType.INT16);
        float alpha = node.Operator.Options<LeakyReluOptions>()?.Alpha ?? 0f;
        var data = new OpData { Type = input.Type, Count = input.ElementCount, Alpha = alpha };
        if (input.Type != TensorType.FLOAT32)
        {
            data.InputZeroPoint = input.ZeroPoint;
            data.OutputZeroPoint = output.ZeroPoint;
            // TFLM forms both ratios in float and only then widens them to double.
            var alphaQ = QuantizedMultiplier.FromDouble(input.Scale * alpha / output.Scale);
            var identityQ = QuantizedMultiplier.FromDouble(input.Scale / output.Scale);
            data.AlphaNegative = alphaQ.Multiplier < 0;
            data.AlphaMultiplier = unchecked(data.AlphaNegative ? -alphaQ.Multiplier : alphaQ.Multiplier);
            data.AlphaShift = alphaQ.Shift;
            data.IdentityMultiplier = identityQ.Multiplier;
            data.IdentityShift = identityQ.Shift;
        }
        node.Data = data;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        switch (d.Type)
        {
            case TensorType.FLOAT32:
            {
                var x = input.AsReadOnlySpan<float>()[..d.Count];
                var y = output.AsSpan<float>()[..d.Count];
                // alpha may exceed 1 or be negative, so this is a select, not a max.
                for (int i = 0; i < x.Length; i++)
                    y[i] = x[i] > 0f ? x[i] : x[i] * d.Alpha;
                break;
            }
            case TensorType.INT8:
            {
                var x = input.AsReadOnlySpan<sbyte>()[..d.Count];
                var y = output.AsSpan<sbyte>()[..d.Count];
                for (int i = 0; i < x.Length; i++)
                    y[i] = (sbyte)Math.Clamp(Quantized(d, x[i]), sbyte.MinValue, sbyte.MaxValue);
                break;
            }
            case TensorType.INT16:
            {
                var x = input.AsReadOnlySpan<short>()[..d.Count];
                var y = output.AsSpan<short>()[..d.Count];
                for (int i = 0; i < x.Length; i++)
                    y[i] = (short)Math.Clamp(Quantized(d, x[i]), short.MinValue, short.MaxValue);
                break;
            }
        }
    }

    private static int Quantized(OpData d, int stored)
    {
        int value = stored - d.InputZeroPoint;
        if (value >= 0)
            return d.OutputZeroPoint + FixedPoint.MultiplyByQuantizedMultiplier(value, d.IdentityMultiplier, d.IdentityShift);
        int scaled = FixedPoint.MultiplyByQuantizedMultiplier(value, d.AlphaMultiplier, d.AlphaShift);
        return d.OutputZeroPoint + (d.AlphaNegative ? -scaled : scaled);
    }
}
