using System.Numerics;
using System.Runtime.CompilerServices;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// int8 multiply-accumulate loops for the convolution kernels: sums of f * (x + offset) in int32.
/// TFLM's accumulator is a plain int32 and integer addition is associative (also when it wraps), so
/// evaluating the terms in SIMD lanes gives exactly the reference result. The SIMD path keeps the
/// products in 16 bits: (x + offset) is within [-255, 255] when offset is a negated int8 zero point,
/// and 255 * 128 fits in a short; callers pass <c>simd: false</c> for any other offset.
/// </summary>
internal static class Int8Mac
{
    /// <summary>True when products f * (x + offset) of int8 x and f cannot leave the 16-bit range.</summary>
    public static bool FitsSimd(int offset) => offset is >= -127 and <= 128;

    /// <summary>sum_i f[i] * (x[i] + offset), with <paramref name="x"/> and <paramref name="f"/> of equal length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Dot(ReadOnlySpan<sbyte> x, ReadOnlySpan<sbyte> f, int offset, bool simd)
    {
        int acc = 0;
        int i = 0;
        if (simd && Vector.IsHardwareAccelerated && x.Length >= Vector<sbyte>.Count)
        {
            var vOffset = new Vector<short>((short)offset);
            var sum = Vector<int>.Zero;
            for (; i <= x.Length - Vector<sbyte>.Count; i += Vector<sbyte>.Count)
            {
                Vector.Widen(new Vector<sbyte>(x.Slice(i)), out var xLow, out var xHigh);
                Vector.Widen(new Vector<sbyte>(f.Slice(i)), out var fLow, out var fHigh);
                Vector.Widen((xLow + vOffset) * fLow, out var p0, out var p1);
                Vector.Widen((xHigh + vOffset) * fHigh, out var p2, out var p3);
                sum += (p0 + p1) + (p2 + p3);
            }
            acc = Vector.Sum(sum);
        }
        for (; i < x.Length; i++)
            acc += f[i] * (x[i] + offset);
        return acc;
    }

    /// <summary>acc[c] += f[c] * (x[c] + offset) for every c (depthwise with multiplier 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateLanes(Span<int> acc, ReadOnlySpan<sbyte> x, ReadOnlySpan<sbyte> f, int offset, bool simd)
    {
        int c = 0;
        if (simd && Vector.IsHardwareAccelerated && acc.Length >= Vector<sbyte>.Count)
        {
            int lanes = Vector<int>.Count;
            var vOffset = new Vector<short>((short)offset);
            for (; c <= acc.Length - Vector<sbyte>.Count; c += Vector<sbyte>.Count)
            {
                Vector.Widen(new Vector<sbyte>(x.Slice(c)), out var xLow, out var xHigh);
                Vector.Widen(new Vector<sbyte>(f.Slice(c)), out var fLow, out var fHigh);
                Vector.Widen((xLow + vOffset) * fLow, out var p0, out var p1);
                Vector.Widen((xHigh + vOffset) * fHigh, out var p2, out var p3);
                var target = acc.Slice(c);
                (new Vector<int>(target) + p0).CopyTo(target);
                (new Vector<int>(target.Slice(lanes)) + p1).CopyTo(target.Slice(lanes));
                (new Vector<int>(target.Slice(2 * lanes)) + p2).CopyTo(target.Slice(2 * lanes));
                (new Vector<int>(target.Slice(3 * lanes)) + p3).CopyTo(target.Slice(3 * lanes));
            }
        }
        for (; c < acc.Length; c++)
            acc[c] += f[c] * (x[c] + offset);
    }
}
