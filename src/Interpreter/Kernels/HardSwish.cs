using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// HARD_SWISH: x · relu6(x + 3) / 6. float32 directly; int8 in TFLM's int16 fixed point: the input on a 2⁷
/// finer scale, a "relu-ish" factor in [0, 1] from a saturating rescale of [−3, 3], their product by the
/// truncating doubling high multiply, then the output shift and zero point.
/// </summary>
internal sealed class HardSwishKernel : OperatorKernel
{
    private sealed class OpData
    {
        public required TensorType Type;
        public required int Count;
        public int InputZeroPoint, OutputZeroPoint;
        public short OutputMultiplier, ReluishMultiplier;
        public int OutputExponent, ReluishExponent;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var (input, output) = node.RequireElementwiseUnary(TensorType.FLOAT32, TensorType.INT8);
        var d = new OpData { Type = input.Type, Count = input.ElementCount };
        if (input.Type == TensorType.INT8)
        {
            d.InputZeroPoint = input.ZeroPoint;
            d.OutputZeroPoint = output.ZeroPoint;
            // Scales combined in float, widened to double, as TFLM's HardSwishPrepare does.
            float hiresInputScale = 1.0f / 128.0f * input.Scale;
            const float reluishScale = 3.0f / 32768.0f;
            var outputQ = QuantizedMultiplier.FromDouble(hiresInputScale / output.Scale);
            node.Require(outputQ.Shift <= 0, $"output tensor {output.Index} scale {output.Scale:G9} is too small for input scale {input.Scale:G9}");
            var reluishQ = QuantizedMultiplier.FromDouble(hiresInputScale / reluishScale);
            (d.OutputMultiplier, d.OutputExponent) = (DownScale(outputQ.Multiplier), outputQ.Shift);
            (d.ReluishMultiplier, d.ReluishExponent) = (DownScale(reluishQ.Multiplier), reluishQ.Shift);
        }
        node.Data = d;
    }

    /// <summary>TFLM's DownScaleInt32ToInt16Multiplier: the high half, rounded, saturating at int16 max.</summary>
    private static short DownScale(int multiplier) =>
        multiplier >= int.MaxValue - (1 << 15) ? short.MaxValue : (short)((multiplier + (1 << 15)) >> 16);

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        if (d.Type == TensorType.FLOAT32)
        {
            var x = node.Inputs[0]!.AsReadOnlySpan<float>()[..d.Count];
            var y = node.Outputs[0].AsSpan<float>()[..d.Count];
            for (int i = 0; i < x.Length; i++)
                y[i] = x[i] * Math.Min(6f, Math.Max(0f, x[i] + 3)) / 6;
            return;
        }
        var q = node.Inputs[0]!.AsReadOnlySpan<sbyte>()[..d.Count];
        var o = node.Outputs[0].AsSpan<sbyte>()[..d.Count];
        for (int i = 0; i < q.Length; i++)
            o[i] = Quantized(d, q[i]);
    }

    private static sbyte Quantized(OpData d, sbyte q)
    {
        short input = (short)(q - d.InputZeroPoint);
        short hires = (short)(input * (1 << 7));
        short preshiftOutput = FixedPoint.SaturatingRoundingDoublingHighMul(hires, d.OutputMultiplier);
        short reluish = hires;
        if (d.ReluishExponent > 0) reluish = SaturatingLeftShift(reluish, d.ReluishExponent - 1);
        reluish = FixedPoint.SaturatingRoundingDoublingHighMul(reluish, d.ReluishMultiplier);
        if (d.ReluishExponent > 0) reluish = SaturatingLeftShift(reluish, 1);
        if (d.ReluishExponent < 0) reluish = FixedPoint.RoundingDivideByPOT(reluish, -d.ReluishExponent);
        // [−1, 1] to [0, 1] in Q0.15, then the truncating high multiply TFLM chose to cancel the rounding bias above.
        reluish = (short)((reluish + (1 << 15)) >> 1);
        short preshift = DoublingHighMulTruncating(reluish, preshiftOutput);
        // The zero point is added in int16, wrapping as TFLM's int16_t arithmetic does, before the int8 clamp.
        short output = (short)(FixedPoint.RoundingDivideByPOT(preshift, -d.OutputExponent) + d.OutputZeroPoint);
        return (sbyte)Math.Clamp(output, sbyte.MinValue, sbyte.MaxValue);
    }

    private static short SaturatingLeftShift(short value, int amount) =>
        (short)Math.Clamp((long)value * (1L << amount), short.MinValue, short.MaxValue);

    /// <summary>TFLM's SaturatingDoublingHighMul for int16: (a·b) / 2¹⁵ truncated toward zero, saturating the one overflow.</summary>
    private static short DoublingHighMulTruncating(short a, short b) =>
        a == b && a == short.MinValue ? short.MaxValue : (short)(a * b / (1 << 15));
}
