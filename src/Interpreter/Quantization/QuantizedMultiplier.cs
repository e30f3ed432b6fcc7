namespace TinyMl.Interpreter.Quantization;

/// <summary>
/// A real multiplier as TFLM encodes it: a Q31 mantissa in [2^30, 2^31) and a power-of-two shift
/// (positive = left), so that real ≈ Multiplier * 2^(Shift - 31).
/// </summary>
public readonly record struct QuantizedMultiplier(int Multiplier, int Shift)
{
    /// <summary>TFLM's QuantizeMultiplier: frexp, round half away from zero, renormalise at 2^31, flush tiny values to zero.</summary>
    public static QuantizedMultiplier FromDouble(double real)
    {
        if (real == 0.0) return new QuantizedMultiplier(0, 0);
        double mantissa = Frexp(real, out int shift);
        long q = (long)Math.Round(mantissa * (1L << 31), MidpointRounding.AwayFromZero);
        if (q == 1L << 31)
        {
            q /= 2;
            shift++;
        }
        if (shift < -31)
        {
            shift = 0;
            q = 0;
        }
        return new QuantizedMultiplier((int)q, shift);
    }

    /// <summary>
    /// Per-channel multiplier input_scale * filter_scale[c] / output_scale, all in double
    /// (TFLM's PopulateConvolutionQuantizationParams).
    /// </summary>
    public static QuantizedMultiplier ForConvolution(float inputScale, float filterScale, float outputScale) =>
        FromDouble((double)inputScale * filterScale / outputScale);

    /// <summary>
    /// Per-tensor multiplier as TFLM's GetQuantizedConvolutionMultipler forms it: the scale product in
    /// float, widened to double only for the division. Differs from <see cref="ForConvolution"/> in the last bits.
    /// </summary>
    public static QuantizedMultiplier ForPerTensorProduct(float inputScale, float filterScale, float outputScale) =>
        FromDouble((double)(inputScale * filterScale) / outputScale);

    /// <summary>C's frexp: value = mantissa * 2^exponent with |mantissa| in [0.5, 1).</summary>
    public static double Frexp(double value, out int exponent)
    {
        if (value == 0.0 || double.IsNaN(value) || double.IsInfinity(value))
        {
            exponent = 0;
            return value;
        }
        exponent = Math.ILogB(value) + 1;
        double mantissa = Math.ScaleB(value, -exponent);
        // Guard subnormal edge cases where ILogB's view and the scaled mantissa disagree.
        while (Math.Abs(mantissa) >= 1.0) { mantissa /= 2; exponent++; }
        while (Math.Abs(mantissa) < 0.5) { mantissa *= 2; exponent--; }
        return mantissa;
    }

    public int Apply(int x) => FixedPoint.MultiplyByQuantizedMultiplier(x, Multiplier, Shift);
    public int Apply(long x) => FixedPoint.MultiplyByQuantizedMultiplier(x, Multiplier, Shift);

    public double ToDouble() => Multiplier * Math.Pow(2, Shift - 31);
}
