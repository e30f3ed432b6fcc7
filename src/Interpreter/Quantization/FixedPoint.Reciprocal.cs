using System.Numerics;
using System.Runtime.CompilerServices;

namespace TinyMl.Interpreter.Quantization;

/// <summary>
/// gemmlowp's fixed-point reciprocal, as TFLM's quantized DIV (and softmax-style kernels) use it.
/// Every step reproduces the integer rounding of the C++ templates; Q-formats are noted per method.
/// </summary>
public static partial class FixedPoint
{
    /// <summary>
    /// Redundant leading sign bits of <paramref name="x"/> (GCC's __builtin_clrsb): how far x can be
    /// shifted left without overflowing. 31 for 0 and -1, 0 for int.MinValue.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CountLeadingSignBits(int x) => BitOperations.LeadingZeroCount((uint)(x ^ (x >> 31))) - 1;

    /// <summary>(a + b) / 2 rounded half away from zero, computed without overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RoundingHalfSum(int a, int b)
    {
        long sum = (long)a + b;
        long sign = sum >= 0 ? 1 : -1;
        return (int)((sum + sign) / 2);
    }

    /// <summary>
    /// x * 2^exponent: a saturating left shift for positive exponents, a rounding right shift
    /// (<see cref="RoundingDivideByPOT(int, int)"/>) for negative ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SaturatingRoundingMultiplyByPOT(int x, int exponent)
    {
        if (exponent == 0) return x;
        if (exponent < 0) return RoundingDivideByPOT(x, -exponent);
        int threshold = (1 << (31 - exponent)) - 1;
        if (x > threshold) return int.MaxValue;
        if (x < -threshold) return int.MinValue;
        return x << exponent;
    }

    /// <summary>
    /// 1 / (1 + a) for a in [0, 1), with a and the result in Q0.31: three Newton-Raphson steps on
    /// half the denominator in Q2.29, starting from 48/17 - 32/17 * d (gemmlowp's constants).
    /// </summary>
    public static int OneOverOnePlusXForXIn01(int a)
    {
        const int OneQ2_29 = 1 << 29;
        const int FortyEightOverSeventeenQ2_29 = 1515870810;
        const int MinusThirtyTwoOverSeventeenQ2_29 = -1010580540;
        // Q0.31 cannot hold 1.0; gemmlowp's One() for zero integer bits is the largest raw value.
        int halfDenominator = RoundingHalfSum(a, int.MaxValue);
        int x = unchecked(FortyEightOverSeventeenQ2_29 + SaturatingRoundingDoublingHighMul(halfDenominator, MinusThirtyTwoOverSeventeenQ2_29));
        for (int i = 0; i < 3; i++)
        {
            int halfDenominatorTimesX = SaturatingRoundingDoublingHighMul(halfDenominator, x); // Q0 * Q2 = Q2
            int oneMinus = unchecked(OneQ2_29 - halfDenominatorTimesX);
            // Q2 * Q2 = Q4, brought back to Q2 by a saturating shift of 2.
            x = unchecked(x + SaturatingRoundingMultiplyByPOT(SaturatingRoundingDoublingHighMul(x, oneMinus), 2));
        }
        // x / 2 as a Q1.30 value is the same raw; rescaling Q1 to Q0 is a saturating shift of 1.
        return SaturatingRoundingMultiplyByPOT(x, 1);
    }

    /// <summary>
    /// TFLM's GetReciprocal: 1 / x for a positive x with <paramref name="integerDigits"/> integer bits,
    /// returned as a Q0.31 mantissa; the true reciprocal is result * 2^-<paramref name="bitsOverUnit"/>.
    /// </summary>
    public static int GetReciprocal(int x, int integerDigits, out int bitsOverUnit)
    {
        int headroomPlusOne = BitOperations.LeadingZeroCount((uint)x);
        bitsOverUnit = integerDigits - headroomPlusOne;
        // C# masks the shift count to 5 bits like x86 does, so x == 0 gives what TFLM's build computes.
        int shiftedMinusOne = unchecked((int)(((uint)x << headroomPlusOne) - (1u << 31)));
        return OneOverOnePlusXForXIn01(shiftedMinusOne);
    }
}
