using System.Numerics;

namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>
/// The integer helpers TFLM's signal library shares (signal/src: msb, square_root, log): the results
/// are defined by its bit-level loops, so they are kept exactly, including the edge cases.
/// </summary>
internal static class SignalArithmetic
{
    // TFLM's GCC build returns 32 (not 0) for x == 0.
    public static int MostSignificantBit32(uint x) => x == 0 ? 32 : 32 - BitOperations.LeadingZeroCount(x);

    public static int MostSignificantBit64(ulong x) => x == 0 ? 64 : 64 - BitOperations.LeadingZeroCount(x);

    /// <summary>Integer square root rounded to nearest (digit-by-digit), saturating at 0xFFFF.</summary>
    public static ushort Sqrt32(uint num) => (ushort)RoundedSqrt(num, 32 - MostSignificantBit32(num), 0xFFFFu);

    public static uint Sqrt64(ulong num) =>
        num >> 32 == 0 ? Sqrt32((uint)num) : (uint)RoundedSqrt(num, 64 - MostSignificantBit64(num), 0xFFFFFFFFUL);

    // TFLM's Sqrt32 and Sqrt64 share this loop at their own width; the final round-up is skipped at
    // the largest root the output type holds.
    private static T RoundedSqrt<T>(T num, int leadingZeros, T largest) where T : IBinaryInteger<T>, IUnsignedNumber<T>
    {
        if (T.IsZero(num)) return T.Zero;
        int width = int.CreateTruncating(T.PopCount(T.AllBitsSet));
        int maxBitNumber = leadingZeros | 1;
        T bit = T.One << (width - 1 - maxBitNumber);
        int iterations = (width - 1 - maxBitNumber) / 2 + 1;
        T res = T.Zero;
        while (iterations-- > 0)
        {
            if (num >= res + bit)
            {
                num -= res + bit;
                res = (res >> 1) + bit;
            }
            else
            {
                res >>= 1;
            }
            bit >>= 2;
        }
        if (num > res && res != largest) ++res;
        return res;
    }

    // Corrections to a linear log2 fraction, 128 segments of [1, 2) (signal/src/log.cc).
    private static readonly ushort[] LogLut =
    [
        0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163,
        2329, 2490, 2646, 2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848,
        3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934,
        5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507,
        5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633,
        5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370,
        5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762,
        4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848,
        3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659,
        2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
        1094, 963, 830, 695, 559, 421, 282, 142, 0, 0,
    ];


    private const int LogSegmentsLog2 = 7, LogScaleLog2 = 16, LogScale = 1 << LogScaleLog2, LogCoeff = 45426; // ln 2 in Q16

    /// <summary>ln(x) * out_scale / 2^16, rounded, for x &gt; 1 (TFLM's Log32).</summary>
    public static uint Log32(uint x, uint outScale)
    {
        uint integer = (uint)MostSignificantBit32(x) - 1;
        uint fraction = Log2FractionPart(x, integer);
        uint log2 = (integer << LogScaleLog2) + fraction;
        const uint round = LogScale / 2;
        uint loge = (uint)(((ulong)LogCoeff * log2 + round) >> LogScaleLog2);
        return (outScale * loge + round) >> LogScaleLog2; // uint32 wrap-around, as in C
    }

    private static uint Log2FractionPart(uint x, uint log2x)
    {
        int frac = (int)(x - (1L << (int)log2x));
        if (log2x < LogScaleLog2) frac <<= LogScaleLog2 - (int)log2x;
        else frac >>= (int)log2x - LogScaleLog2;
        uint baseSeg = (uint)frac >> (LogScaleLog2 - LogSegmentsLog2);
        const uint segUnit = (1u << LogScaleLog2) >> LogSegmentsLog2;
        int c0 = LogLut[(int)baseSeg];
        int c1 = LogLut[(int)baseSeg + 1];
        int segBase = (int)(segUnit * baseSeg);
        int relPos = ((c1 - c0) * (frac - segBase)) >> LogScaleLog2;
        return (uint)(frac + c0 + relPos);
    }
}
