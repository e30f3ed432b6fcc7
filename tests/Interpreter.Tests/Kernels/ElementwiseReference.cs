namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>
/// Test oracles for TFLM's integer arithmetic, written from the definitions (gemmlowp's rounding
/// rules, C's frexp) in plain long arithmetic, independently of the runtime's FixedPoint class.
/// </summary>
internal static class ElementwiseReference
{
    /// <summary>TFLM's QuantizeMultiplier: real = m * 2^(shift - 31) with m in [2^30, 2^31), rounded half away from zero.</summary>
    public static (int Multiplier, int Shift) Quantize(double real)
    {
        if (real == 0) return (0, 0);
        int shift = (int)Math.Floor(Math.Log2(real)) + 1;
        double fraction = real / Math.Pow(2, shift);
        while (fraction >= 1) { fraction /= 2; shift++; }
        while (fraction < 0.5) { fraction *= 2; shift--; }
        long m = (long)Math.Round(fraction * 2147483648.0, MidpointRounding.AwayFromZero);
        if (m == 1L << 31) { m /= 2; shift++; }
        if (shift < -31) return (0, 0);
        return ((int)m, shift);
    }

    /// <summary>gemmlowp's doubling high multiply: a*b / 2^31 rounded half towards +infinity.</summary>
    public static int HighMul(int a, int b)
    {
        if (a == int.MinValue && b == int.MinValue) return int.MaxValue;
        return (int)(((long)a * b + (1L << 30)) >> 31);
    }

    /// <summary>x / 2^e rounded half away from zero.</summary>
    public static int DivPot(int x, int e)
    {
        if (e == 0) return x;
        long half = 1L << (e - 1);
        return x >= 0 ? (int)((x + half) >> e) : (int)-((-(long)x + half) >> e);
    }

    /// <summary>TFLM's MultiplyByQuantizedMultiplier (double rounding: high multiply, then rounding shift).</summary>
    public static int Scale(int x, int multiplier, int shift) =>
        shift > 0 ? DivPot(HighMul(unchecked(x * (1 << shift)), multiplier), 0) : DivPot(HighMul(x, multiplier), -shift);

    /// <summary>TFLM's quantized ADD for one pair, from the scales and zero points.</summary>
    public static int Add(int x1, int x2, float s1, int z1, float s2, int z2, float so, int zo, int leftShift, int min, int max)
    {
        double twiceMax = 2 * (double)Math.Max(s1, s2);
        var (m1, sh1) = Quantize(s1 / twiceMax);
        var (m2, sh2) = Quantize(s2 / twiceMax);
        var (mo, sho) = Quantize(twiceMax / ((1 << leftShift) * (double)so));
        int a = Scale((x1 - z1) << leftShift, m1, sh1);
        int b = Scale((x2 - z2) << leftShift, m2, sh2);
        return Math.Clamp(Scale(a + b, mo, sho) + zo, min, max);
    }

    /// <summary>TFLM's quantized MUL for one pair.</summary>
    public static int Mul(int x1, int x2, float s1, int z1, float s2, int z2, float so, int zo, int min, int max)
    {
        var (m, sh) = Quantize((double)s1 * s2 / so);
        return Math.Clamp(Scale((x1 - z1) * (x2 - z2), m, sh) + zo, min, max);
    }

    /// <summary>TFLM's quantized SUB for one pair: ADD's scheme with the scale ratios formed in float, then subtracted.</summary>
    public static int Sub(int x1, int x2, float s1, int z1, float s2, int z2, float so, int zo, int leftShift, int min, int max)
    {
        float twiceMax = 2 * Math.Max(s1, s2);
        var (m1, sh1) = Quantize((float)(s1 / twiceMax));
        var (m2, sh2) = Quantize((float)(s2 / twiceMax));
        var (mo, sho) = Quantize((float)(twiceMax / ((1 << leftShift) * so)));
        int a = Scale((x1 - z1) << leftShift, m1, sh1);
        int b = Scale((x2 - z2) << leftShift, m2, sh2);
        return Math.Clamp(Scale(a - b, mo, sho) + zo, min, max);
    }

    /// <summary>TFLM's quantized LEAKY_RELU for one value (a negative alpha's sign applied after scaling).</summary>
    public static int LeakyRelu(int x, float alpha, float si, int zi, float so, int zo, int min, int max)
    {
        int v = x - zi;
        int scaled;
        if (v >= 0)
        {
            var (m, sh) = Quantize((float)(si / so));
            scaled = Scale(v, m, sh);
        }
        else
        {
            float ratio = si * alpha / so;
            var (m, sh) = Quantize(Math.Abs((double)ratio));
            scaled = ratio < 0 ? -Scale(v, m, sh) : Scale(v, m, sh);
        }
        return Math.Clamp(scaled + zo, min, max);
    }
}
