namespace TinyMl.Interpreter.Quantization;

public static partial class FixedPoint
{
    /// <summary>
    /// ln(x) for x &gt;= 1 given with <paramref name="inputIntegerBits"/> integer bits, the result with
    /// <paramref name="outputIntegerBits"/> (TFLite's log_x_for_x_greater_than_or_equal_to_1, which int8 LOG_SOFTMAX
    /// uses for the log of its sum of exps). x = 2^z · r with r normalised near 1: the integer part z comes from
    /// the leading zeros — taken at two offsets (x and x·√½) so that r lands in [2^-¼, 2^¼] — and ln r from a
    /// rational approximation around 2^-¼. Every step is TFLite's, in its order, so the raw result is the same.
    /// </summary>
    public static int LogXForXAtLeastOne(int x, int inputIntegerBits, int outputIntegerBits)
    {
        int accumulatorBits = outputIntegerBits + 1; // a bit of headroom: z·ln2 may saturate before the sum
        const int ln2 = 1488522236;                  // Q0.31 constants
        const int sqrtSqrtHalf = 1805811301;
        const int sqrtHalf = 1518500250;
        const int oneQuarter = 536870912;
        const int alphaN = 117049297;   // 11/240 · 2^¼
        const int alphaD = 127690142;   // 1/20 · 2^¼
        const int alphaI = 1057819769;  // 2 / 2^¼ − 2^¼
        const int alphaF = 638450708;   // 1/4 · 2^¼
        int shiftedQuarter = Rescale(oneQuarter, 0, accumulatorBits);

        // x read as Q0.31: its exponent is found from the leading zeros, not from the format.
        int headroomA = CountLeadingZeros((uint)x);
        int ra = SaturatingRoundingMultiplyByPOT(
            SaturatingRoundingDoublingHighMul(SaturatingRoundingMultiplyByPOT(x, headroomA - 1), sqrtHalf), 1);
        int exponentA = SaturatingAdd(
            SaturatingRoundingMultiplyByPOT(inputIntegerBits - headroomA, 31 - accumulatorBits), shiftedQuarter);

        int headroomB = CountLeadingZeros((uint)SaturatingRoundingDoublingHighMul(x, sqrtHalf)) - 1;
        int rb = SaturatingRoundingMultiplyByPOT(x, headroomB);
        int exponentB = SaturatingSub(
            SaturatingRoundingMultiplyByPOT(inputIntegerBits - headroomB, 31 - accumulatorBits), shiftedQuarter);

        int r = Math.Min(ra, rb);
        int exponent = Math.Max(exponentA, exponentB);

        // ln r ≈ q·(r + q²·αn) / (1 + p·(αi + q + αd·q²) + αf·q), with q = 2(r − 2^-¼) and p = (r + 2^-¼)/2.
        int p = RoundingHalfSum(r, sqrtSqrtHalf);
        int q = r - sqrtSqrtHalf;
        q += q;
        int qSquared = SaturatingRoundingDoublingHighMul(q, q);
        int numerator = SaturatingRoundingDoublingHighMul(q, r)
            + SaturatingRoundingDoublingHighMul(SaturatingRoundingDoublingHighMul(q, qSquared), alphaN);
        int denominatorMinusOne =
            SaturatingRoundingDoublingHighMul(p, alphaI + q + SaturatingRoundingDoublingHighMul(alphaD, qSquared))
            + SaturatingRoundingDoublingHighMul(alphaF, q);
        int reciprocal = OneOverOnePlusXForXIn0To1(denominatorMinusOne);

        int sum = SaturatingRoundingDoublingHighMul(exponent, ln2)
            + SaturatingRoundingDoublingHighMul(Rescale(numerator, 0, accumulatorBits), reciprocal);
        return Rescale(sum, accumulatorBits, outputIntegerBits);
    }
}
