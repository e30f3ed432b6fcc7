using System.Runtime.Intrinsics.X86;
using TinyMl.Interpreter.Kernels.Optimized;

namespace TinyMl.Interpreter;

/// <summary>
/// Which kernels a resolver registers, like TFLM's optimized kernel directories that replace reference
/// kernels by name: <see cref="Optimized"/> (SIMD where the CPU allows, output bit-identical to the
/// reference) or <see cref="Reference"/> (TFLM's reference arithmetic, loop for loop).
/// </summary>
public enum KernelSet
{
    Optimized,
    Reference,
}

/// <summary>What the optimized kernels can use on this machine.</summary>
public static class KernelFeatures
{
    /// <summary>The instruction sets the optimized kernels use here, e.g. "avx2"; "portable" when they fall back to the reference loops.</summary>
    public static string Isa => FastConvKernel.Supported ? "avx2" : "portable";

    /// <summary>The CPU's vector extensions .NET reports, for benchmark reports.</summary>
    public static string Cpu => string.Join(",", new (bool Has, string Name)[]
    {
        (Sse41.IsSupported, "sse4.1"), (Avx.IsSupported, "avx"), (Avx2.IsSupported, "avx2"), (Fma.IsSupported, "fma"),
        (AvxVnni.IsSupported, "avxvnni"), (Avx512BW.IsSupported, "avx512bw"),
        (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported, "advsimd"),
    }.Where(f => f.Has).Select(f => f.Name));
}
