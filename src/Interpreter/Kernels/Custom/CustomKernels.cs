namespace TinyMl.Interpreter.Kernels;

/// <summary>TFLM's own custom operators (not the signal library's), under the names models give them.</summary>
internal static class CustomKernels
{
    public static IEnumerable<(string Name, Func<OperatorKernel> Create)> All { get; } =
    [
        ("CIRCULAR_BUFFER", () => new CircularBufferKernel()),
        ("TFLite_Detection_PostProcess", () => new DetectionPostProcessKernel()),
        ("TFLM_DECODE", () => new DecodeKernel()),
    ];
}
