namespace TinyMl.Interpreter.Quantization;

public static partial class FixedPoint
{
    /// <summary>
    /// 1/√<paramref name="input"/> as a quantized multiplier and shift (TFLM's GetInvSqrtQuantizedMultiplierExp):
    /// the input normalized into [2²⁷, 2²⁹) by pairs of bits, five Newton–Raphson steps x ← 1.5x − (input/2)x³ in
    /// gemmlowp's Q3.28 fixed point, times √2/2; <paramref name="reverseShift"/> −1 gives a left-shift exponent.
    /// Inputs 0 and 1 give int.MaxValue and shift 0, as TFLM does.
    /// </summary>
    public static (int Multiplier, int Shift) InvSqrtQuantizedMultiplier(int input, int reverseShift)
    {
        if (input <= 1) return (int.MaxValue, 0);
        int shift = 11;
        while (input >= 1 << 29)
        {
            input /= 4;
            shift++;
        }
        int leftShiftBitPairs = (CountLeadingZeros((uint)input) - 1) / 2 - 1;
        shift -= leftShiftBitPairs;
        input <<= 2 * leftShiftBitPairs;

        // Q3.28: raw = value · 2²⁸; a product of Qm and Qn values is Q(m+n), rescaled back to Q3.
        int fixedInput = input >> 1;
        int halfInput = SaturatingRoundingMultiplyByPOT(fixedInput, -1);
        const int halfThree = (1 << 28) + (1 << 27);
        int x = 1 << 28;
        for (int i = 0; i < 5; i++)
        {
            int x3 = Rescale(SaturatingRoundingDoublingHighMul(SaturatingRoundingDoublingHighMul(x, x), x), 9, 3);
            int difference = unchecked(SaturatingRoundingDoublingHighMul(halfThree, x) - SaturatingRoundingDoublingHighMul(halfInput, x3));
            x = Rescale(difference, 6, 3);
        }
        const int halfSqrt2 = 1518500250; // √2/2 in Q0.31
        x = SaturatingRoundingDoublingHighMul(x, halfSqrt2);
        if (shift < 0)
        {
            x <<= -shift;
            shift = 0;
        }
        return (x, shift * reverseShift);
    }
}
