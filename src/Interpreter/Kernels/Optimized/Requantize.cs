using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TinyMl.Interpreter.Quantization;

namespace TinyMl.Interpreter.Kernels.Optimized;

/// <summary>
/// TFLM's per-channel requantization (<see cref="FixedPoint.MultiplyByQuantizedMultiplier(int,int,int)"/>:
/// left shift, saturating rounding doubling high multiply, rounding right shift, ties away from zero),
/// eight int32 lanes at a time with AVX2, giving exactly the scalar result lane by lane.
/// </summary>
internal static class Requantize
{
    /// <summary>Per-lane constants, derived once in Prepare from a channel block's multipliers and shifts.</summary>
    public readonly struct Lanes
    {
        public readonly Vector256<int> LeftShift, Multiplier, RightShift, Mask, HalfMask;
        /// <summary>The odd lanes' multipliers moved into the even positions, where VPMULDQ reads them.</summary>
        public readonly Vector256<int> OddMultiplier;
        /// <summary>Whether any lane shifts left (a multiplier above one); most layers' do not, and skip that step.</summary>
        public readonly bool ShiftsLeft;

        public Lanes(ReadOnlySpan<int> multipliers, ReadOnlySpan<int> shifts)
        {
            Span<int> left = stackalloc int[8], mult = stackalloc int[8], right = stackalloc int[8], mask = stackalloc int[8], half = stackalloc int[8];
            for (int i = 0; i < 8; i++)
            {
                // Lanes past the last channel requantize with multiplier 0: harmless, never stored.
                int shift = i < shifts.Length ? shifts[i] : 0;
                left[i] = shift > 0 ? shift : 0;
                right[i] = shift > 0 ? 0 : -shift;
                mult[i] = i < multipliers.Length ? multipliers[i] : 0;
                mask[i] = (int)((1L << right[i]) - 1);
                half[i] = mask[i] >> 1;
            }
            LeftShift = Vector256.Create<int>(left);
            ShiftsLeft = LeftShift != Vector256<int>.Zero;
            Multiplier = Vector256.Create<int>(mult);
            OddMultiplier = Vector256.ShiftRightLogical(Multiplier.AsInt64(), 32).AsInt32();
            RightShift = Vector256.Create<int>(right);
            Mask = Vector256.Create<int>(mask);
            HalfMask = Vector256.Create<int>(half);
        }
    }

    /// <summary>Requantized, shifted by the output zero point and clamped to the activation range: what every int8 kernel stores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> ToOutput(Vector256<int> acc, in Lanes lanes, Vector256<int> offset, Vector256<int> min, Vector256<int> max) =>
        Avx2.Min(Avx2.Max(Avx2.Add(Apply(acc, lanes), offset), min), max);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Apply(Vector256<int> x, in Lanes lanes)
    {
        // The left shift wraps in 32 bits, as the C code's does.
        if (lanes.ShiftsLeft)
            x = Avx2.ShiftLeftLogicalVariable(x, lanes.LeftShift.AsUInt32());
        var high = HighMul(x, lanes.Multiplier, lanes.OddMultiplier);
        // Rounding divide by 2^right: (x >> e) + (remainder > (mask >> 1) + (x < 0 ? 1 : 0)).
        var remainder = Avx2.And(high, lanes.Mask);
        var negative = Avx2.ShiftRightLogical(high, 31);                      // 1 where high < 0
        var threshold = Avx2.Add(lanes.HalfMask, negative);
        var roundUp = Avx2.CompareGreaterThan(remainder, threshold);         // -1 where rounding up
        return Avx2.Subtract(Avx2.ShiftRightArithmeticVariable(high, lanes.RightShift.AsUInt32()), roundUp);
    }

    /// <summary>
    /// (a·b + nudge) / 2^31 truncated toward zero, nudge = 2^30 or 1 − 2^30 by the product's sign, per lane.
    /// b is never int.MinValue (multipliers are positive), so the saturating case cannot arise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> HighMul(Vector256<int> a, Vector256<int> b, Vector256<int> bOdd)
    {
        var even = Round(Avx2.Multiply(a, b));                                                   // lanes 0, 2, 4, 6
        var odd = Round(Avx2.Multiply(Avx2.ShiftRightLogical(a.AsInt64(), 32).AsInt32(), bOdd));
        // Each 64-bit result holds its int32 answer in bits 31..62: move it to the low (even) or high (odd) dword.
        var evenLow = Avx2.ShiftRightLogical(even, 31);
        var oddHigh = Avx2.ShiftLeftLogical(odd, 1);
        return Avx2.Blend(evenLow.AsInt32(), oddHigh.AsInt32(), 0b1010_1010);
    }

    /// <summary>
    /// ab + nudge, ready for a floor shift by 31. gemmlowp adds 2^30 to a non-negative product and 1 − 2^30 to a
    /// negative one, then truncates toward zero; for a negative product that truncation equals the floor of
    /// (ab + 1 − 2^30 + 2^31 − 1) / 2^31 = (ab + 2^30) / 2^31. So both signs are (ab + 2^30) floored: one add.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<long> Round(Vector256<long> ab) => Avx2.Add(ab, Vector256.Create(1L << 30));
}
