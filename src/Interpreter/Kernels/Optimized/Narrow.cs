using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyMl.Interpreter.Kernels.Optimized;

/// <summary>
/// Requantized int32 lanes (already clamped to the int8 range) to int8 bytes in lane order, with the AVX2/SSE2
/// saturating packs; their in-lane order is put right by one cross-lane permute.
/// </summary>
internal static class Narrow
{
    /// <summary>Eight lanes as eight bytes (in a long, lane 0 in the low byte).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Eight(Vector256<int> lanes)
    {
        var shorts = Sse2.PackSignedSaturate(lanes.GetLower(), lanes.GetUpper());
        return Sse2.PackSignedSaturate(shorts, shorts).AsInt64().ToScalar();
    }

    /// <summary>Sixteen lanes (low: 0–7, high: 8–15) as sixteen bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<sbyte> Sixteen(Vector256<int> low, Vector256<int> high)
    {
        // Packing works within 128-bit lanes: [l0-3 h0-3 | l4-7 h4-7]; the permute restores [l0-7 | h0-7].
        var shorts = Avx2.Permute4x64(Avx2.PackSignedSaturate(low, high).AsInt64(), 0b11_01_10_00).AsInt16();
        return Sse2.PackSignedSaturate(shorts.GetLower(), shorts.GetUpper());
    }
}
