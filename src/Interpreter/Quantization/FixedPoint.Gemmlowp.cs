using System.Numerics;
using System.Runtime.CompilerServices;

namespace TinyMl.Interpreter.Quantization;

/// <summary>
/// gemmlowp's fixed-point number formats and math functions, on raw integers.
/// A raw int32 with <c>integerBits</c> integer bits (gemmlowp's <c>FixedPoint&lt;int32_t, integerBits&gt;</c>,
/// Q<c>integerBits</c>.<c>31 - integerBits</c>) stands for raw / 2^(31 - integerBits). C# has no integer
/// template parameters, so the format travels as an argument; multiplying two values
/// (<see cref="SaturatingRoundingDoublingHighMul(int, int)"/>) gives a result whose integer bits are the sum
/// of the operands'. Additions and subtractions wrap, as gemmlowp's do; only the operations named
/// "saturating" saturate. The polynomial and Newton-Raphson constants are gemmlowp's own raw values, so
/// results match TFLM bit for bit.
/// </summary>
public static partial class FixedPoint
{
    /// <summary>Raw value of 1.0 in Q0.31 (not representable: the largest value below it).</summary>
    public const int Q0One = int.MaxValue;

    /// <summary>Fractional bits of a raw int32 with <paramref name="integerBits"/> integer bits.</summary>
    public static int FractionalBits(int integerBits) => 31 - integerBits;

    /// <summary>1.0 in the format (for 0 integer bits, the largest value, as gemmlowp's One()).</summary>
    public static int One(int integerBits) => integerBits == 0 ? int.MaxValue : 1 << (31 - integerBits);

    /// <summary>2^<paramref name="exponent"/> exactly; needs 0 &lt;= 31 - integerBits + exponent &lt;= 30.</summary>
    public static int ConstantPowerOfTwo(int integerBits, int exponent) => 1 << (31 - integerBits + exponent);

    /// <summary>Nearest raw value (ties away from zero), saturated to the int32 range.</summary>
    public static int FromDouble(double value, int integerBits)
    {
        double scaled = Math.Round(value * (1L << (31 - integerBits)), MidpointRounding.AwayFromZero);
        return (int)Math.Clamp(scaled, int.MinValue, int.MaxValue);
    }

    public static double ToDouble(int raw, int integerBits) => raw / (double)(1L << (31 - integerBits));

    /// <summary>The 16-bit form of <see cref="SaturatingRoundingDoublingHighMul(int, int)"/>: (a * b * 2) >> 16, rounded, MIN * MIN saturated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short SaturatingRoundingDoublingHighMul(short a, short b)
    {
        if (a == b && a == short.MinValue) return short.MaxValue;
        int ab = a * b;
        int nudge = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
        return (short)((ab + nudge) / (1 << 15));
    }

    /// <summary>x / 2^exponent rounded to nearest, ties away from zero, for 16-bit raw values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short RoundingDivideByPOT(short x, int exponent) => (short)RoundingDivideByPOT((int)x, exponent);

    /// <summary>(a + b) / 2 rounded to nearest, ties away from zero, without overflow (NEON's VRHADD).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RoundingHalfSum(int a, int b)
    {
        long sum = (long)a + b;
        long sign = sum >= 0 ? 1 : -1;
        return (int)((sum + sign) / 2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short RoundingHalfSum(short a, short b)
    {
        int sum = a + b;
        int sign = sum >= 0 ? 1 : -1;
        return (short)((sum + sign) / 2);
    }

    /// <summary>a + b clamped to the int32 range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SaturatingAdd(int a, int b) => (int)Math.Clamp((long)a + b, int.MinValue, int.MaxValue);

    /// <summary>a - b clamped to the int32 range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SaturatingSub(int a, int b) => (int)Math.Clamp((long)a - b, int.MinValue, int.MaxValue);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short SaturatingAdd(short a, short b) => (short)Math.Clamp(a + b, short.MinValue, short.MaxValue);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short SaturatingSub(short a, short b) => (short)Math.Clamp(a - b, short.MinValue, short.MaxValue);

    /// <summary>
    /// x * 2^exponent keeping the format: a positive exponent shifts left and saturates (values beyond
    /// ±(2^(31-exponent) - 1) go to MAX/MIN), a negative one is a rounding right shift. |exponent| &lt;= 31.
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

    /// <summary>The 16-bit form of <see cref="SaturatingRoundingMultiplyByPOT(int, int)"/>; |exponent| &lt;= 15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short SaturatingRoundingMultiplyByPOT(short x, int exponent)
    {
        if (exponent == 0) return x;
        if (exponent < 0) return RoundingDivideByPOT(x, -exponent);
        int threshold = (1 << (15 - exponent)) - 1;
        if (x > threshold) return short.MaxValue;
        if (x < -threshold) return short.MinValue;
        return (short)(x << exponent);
    }

    /// <summary>Moves a value from <paramref name="sourceIntegerBits"/> to <paramref name="targetIntegerBits"/> (gemmlowp's Rescale): saturating when gaining precision, rounding when losing it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Rescale(int raw, int sourceIntegerBits, int targetIntegerBits) =>
        SaturatingRoundingMultiplyByPOT(raw, sourceIntegerBits - targetIntegerBits);

    /// <summary>Leading zero bits of <paramref name="x"/> (32 for zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CountLeadingZeros(uint x) => BitOperations.LeadingZeroCount(x);

    /// <summary>Leading bits equal to the sign bit, not counting the sign bit itself (GCC's __builtin_clrsb; 31 for 0 and -1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CountLeadingSignBits(int x) =>
        BitOperations.LeadingZeroCount((uint)(x >= 0 ? x : ~x)) - 1;

    /// <summary>exp(a) for a in [-1/4, 0), both Q0.31: a fourth-order Taylor expansion around -1/8. Error below 3e-7.</summary>
    public static int ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(int a)
    {
        const int expMinusOneEighth = 1895147668; // exp(-1/8)
        const int oneThird = 715827883;
        int x = a + (1 << 28); // the expansion variable: a + 1/8
        int x2 = SaturatingRoundingDoublingHighMul(x, x);
        int x3 = SaturatingRoundingDoublingHighMul(x2, x);
        int x4 = SaturatingRoundingDoublingHighMul(x2, x2);
        int x4Over4 = SaturatingRoundingMultiplyByPOT(x4, -2);
        int higherTerms = SaturatingRoundingMultiplyByPOT(
            SaturatingRoundingDoublingHighMul(x4Over4 + x3, oneThird) + x2, -1);
        return expMinusOneEighth + SaturatingRoundingDoublingHighMul(expMinusOneEighth, x + higherTerms);
    }

    /// <summary>
    /// exp(a) for a &lt;= 0 with <paramref name="integerBits"/> integer bits (0..29); the result is Q0.31
    /// (exp(0) gives the largest Q0.31 value). a is split into a multiple of 1/4 and a remainder in
    /// [-1/4, 0): the remainder goes through the polynomial, and each set bit of the multiple multiplies
    /// in a constant exp(-2^k). Inputs below -32 give 0. Error below 3e-7.
    /// </summary>
    public static int ExpOnNegativeValues(int a, int integerBits)
    {
        int fractionalBits = 31 - integerBits;
        int oneQuarter = 1 << (fractionalBits - 2);
        int aModQuarterMinusOneQuarter = (a & (oneQuarter - 1)) - oneQuarter;
        int result = ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(Rescale(aModQuarterMinusOneQuarter, integerBits, 0));
        int remainder = aModQuarterMinusOneQuarter - a;

        result = ExpBarrelShift(result, remainder, integerBits, -2, 1672461947); // exp(-1/4)
        result = ExpBarrelShift(result, remainder, integerBits, -1, 1302514674); // exp(-1/2)
        result = ExpBarrelShift(result, remainder, integerBits, 0, 790015084);   // exp(-1)
        result = ExpBarrelShift(result, remainder, integerBits, 1, 290630308);   // exp(-2)
        result = ExpBarrelShift(result, remainder, integerBits, 2, 39332535);    // exp(-4)
        result = ExpBarrelShift(result, remainder, integerBits, 3, 720401);      // exp(-8)
        result = ExpBarrelShift(result, remainder, integerBits, 4, 242);         // exp(-16)

        // With more than 5 integer bits the barrel stops at exp(-16)·exp(-8)…; below -32 the true value is 0 anyway.
        if (integerBits > 5 && a < -(1 << (36 - integerBits)))
            result = 0;
        return a == 0 ? Q0One : result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ExpBarrelShift(int result, int remainder, int integerBits, int exponent, int multiplier)
    {
        if (integerBits <= exponent) return result;
        int bit = 1 << (31 - integerBits + exponent);
        return (remainder & bit) != 0 ? SaturatingRoundingDoublingHighMul(result, multiplier) : result;
    }

    /// <summary>1 / (1 + a) for a in [0, 1), Q0.31 in and out: three Newton-Raphson steps from 48/17 - 32/17·d. Error below 1e-8.</summary>
    public static int OneOverOnePlusXForXIn0To1(int a)
    {
        int x = NewtonRaphsonReciprocalOfHalfDenominator(RoundingHalfSum(a, Q0One));
        // x ≈ 1 / ((1 + a) / 2) in Q2.29; halving it is exact (a change of format to Q1.30), then back to Q0.31.
        return Rescale(x, 1, 0);
    }

    /// <summary>(1 - a) / (1 + a) for a in [0, 1), Q0.31 in and out (the core of tanh). Error below 6e-9.</summary>
    public static int OneMinusXOverOnePlusXForXIn0To1(int a)
    {
        int x = NewtonRaphsonReciprocalOfHalfDenominator(RoundingHalfSum(a, Q0One));
        return Rescale(x - One(2), 2, 0);
    }

    // 1 / halfDenominator in Q2.29 for halfDenominator (Q0.31) in [1/2, 1).
    private static int NewtonRaphsonReciprocalOfHalfDenominator(int halfDenominator)
    {
        const int fortyEightOverSeventeen = 1515870810;        // Q2.29
        const int minusThirtyTwoOverSeventeen = -1010580540;   // Q2.29
        int oneQ2 = One(2);
        int x = fortyEightOverSeventeen + SaturatingRoundingDoublingHighMul(halfDenominator, minusThirtyTwoOverSeventeen);
        for (int i = 0; i < 3; i++)
        {
            int halfDenominatorTimesX = SaturatingRoundingDoublingHighMul(halfDenominator, x); // Q2.29
            int oneMinusHalfDenominatorTimesX = oneQ2 - halfDenominatorTimesX;                // Q2.29
            x += Rescale(SaturatingRoundingDoublingHighMul(x, oneMinusHalfDenominatorTimesX), 4, 2);
        }
        return x;
    }

    /// <summary>tanh(a) for any a with <paramref name="integerBits"/> integer bits (0..28); Q0.31 result. Error below 1.5e-7.</summary>
    public static int Tanh(int a, int integerBits)
    {
        if (a == 0) return 0;
        int negativeMagnitude = a < 0 ? a : -a;
        // -tanh(n) = (1 - exp(2n)) / (1 + exp(2n)) for n < 0; doubling n is a change of format, not of raw value.
        int t = OneMinusXOverOnePlusXForXIn0To1(ExpOnNegativeValues(negativeMagnitude, integerBits + 1));
        return a < 0 ? -t : t;
    }

    /// <summary>1 / (1 + exp(-a)) for any a with <paramref name="integerBits"/> integer bits (0..29); Q0.31 result. Error below 3e-7.</summary>
    public static int Logistic(int a, int integerBits)
    {
        if (a == 0) return 1 << 30;
        int magnitude = a > 0 ? a : -a;
        int ofPositive = OneOverOnePlusXForXIn0To1(ExpOnNegativeValues(-magnitude, integerBits));
        return a > 0 ? ofPositive : Q0One - ofPositive;
    }

    /// <summary>
    /// 1 / x for x &gt; 0 with <paramref name="integerBits"/> integer bits (TFLM's GetReciprocal): x is
    /// normalised into [1, 2) and the result is 1 / that in Q0.31, so 1/x = result * 2^-numBitsOverUnit.
    /// </summary>
    public static int GetReciprocal(int x, int integerBits, out int numBitsOverUnit)
    {
        int headroomPlusOne = CountLeadingZeros((uint)x);
        numBitsOverUnit = integerBits - headroomPlusOne;
        int shiftedMinusOne = (int)(((uint)x << headroomPlusOne) - (1u << 31));
        return OneOverOnePlusXForXIn0To1(shiftedMinusOne);
    }
}
