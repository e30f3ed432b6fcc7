namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>
/// TFLM's signal library (signal/micro/kernels), registered as the custom operators its models name.
/// Options are FlexBuffer maps (<see cref="CustomOptions"/>); kernels read them by key in Init.
/// </summary>
internal static class SignalOps
{
    // One line per custom operator. Kernels are stateless; per-node state lives in Node.Data.
    public static readonly IReadOnlyDictionary<string, OperatorKernel> Kernels = new Dictionary<string, OperatorKernel>(StringComparer.Ordinal)
    {
        ["SignalWindow"] = new WindowKernel(),
        ["SignalFftAutoScale"] = new FftAutoScaleKernel(),
        ["SignalRfft"] = new RfftKernel(),
        ["SignalIrfft"] = new IrfftKernel(),
        ["SignalEnergy"] = new EnergyKernel(),
        ["SignalFilterBank"] = new FilterBankKernel(),
        ["SignalFilterBankSquareRoot"] = new FilterBankSquareRootKernel(),
        ["SignalFilterBankSpectralSubtraction"] = new FilterBankSpectralSubtractionKernel(),
        ["SignalPCAN"] = new PcanKernel(),
        ["SignalFilterBankLog"] = new FilterBankLogKernel(),
        ["SignalFramer"] = new FramerKernel(),
        ["SignalStacker"] = new StackerKernel(),
        ["SignalOverlapAdd"] = new OverlapAddKernel(),
        ["SignalDelay"] = new DelayKernel(),
    };
}
