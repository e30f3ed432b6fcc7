using System.Runtime.CompilerServices;

namespace TinyMl.Interpreter.Quantization;

/// <summary>
/// The fixed-point primitives TFLM's integer kernels are built from (gemmlowp's rounding rules).
/// Bit-exactness with TFLM depends on every rounding here: do not "simplify" them.
/// </summary>
public static partial class FixedPoint
{
    /// <summary>
    /// (a * b * 2) >> 32 rounded to nearest, saturating the one overflow case (MIN * MIN).
    /// The division truncates towards zero after a sign-dependent nudge, as gemmlowp does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SaturatingRoundingDoublingHighMul(int a, int b)
    {
        if (a == b && a == int.MinValue) return int.MaxValue;
        long ab = (long)a * b;
        long nudge = ab >= 0 ? 1L << 30 : 1 - (1L << 30);
        return (int)((ab + nudge) / (1L << 31));
    }

    /// <summary>x / 2^exponent rounded to nearest, ties away from zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RoundingDivideByPOT(int x, int exponent)
    {
        int mask = (int)((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /// <summary>64-bit variant used by int16 kernels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long RoundingDivideByPOT(long x, int exponent)
    {
        long mask = (1L << exponent) - 1;
        long remainder = x & mask;
        long threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /// <summary>
    /// x * multiplier * 2^shift with TFLM's double rounding: a left shift before the high multiply,
    /// a rounding right shift after. The left shift wraps like the C code does on int32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyByQuantizedMultiplier(int x, int multiplier, int shift)
    {
        int leftShift = shift > 0 ? shift : 0;
        int rightShift = shift > 0 ? 0 : -shift;
        return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), multiplier), rightShift);
    }

    /// <summary>
    /// The 64-bit accumulator form (int16 activations): the multiplier is reduced to 16 bits and a
    /// single rounding shift applied, exactly as TFLM's int64 overload does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyByQuantizedMultiplier(long x, int multiplier, int shift)
    {
        int reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
        int totalShift = 15 - shift;
        long round = 1L << (totalShift - 1);
        long result = (x * reduced + round) >> totalShift;
        return (int)result;
    }

    /// <summary>For multipliers known to be below one (shift &lt;= 0): no left shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyByQuantizedMultiplierSmallerThanOneExp(int x, int multiplier, int shift) =>
        RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, multiplier), -shift);

    /// <summary>For multipliers known to be at least one (shift &gt;= 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyByQuantizedMultiplierGreaterThanOne(int x, int multiplier, int leftShift) =>
        SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), multiplier);
}
