namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>
/// TFLM's signal library (signal/micro/kernels), registered as the custom operators its models name.
/// Options are FlexBuffer maps; kernels read them by key in Init.
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

    /// <summary>The node's custom options as a FlexBuffer map; a malformed buffer is the model's error, naming the operator.</summary>
    public static FlexBufferMap Options(Node node)
    {
        try
        {
            return FlexBufferMap.Parse(node.Operator.CustomOptions.Span);
        }
        catch (FormatException e)
        {
            throw new ModelFormatException($"{node.Operator.Location}, field custom_options", $"malformed FlexBuffer options: {e.Message}");
        }
    }

    /// <summary>Reads options with <paramref name="read"/>; a missing or mistyped key is reported like a malformed buffer.</summary>
    public static T Options<T>(Node node, Func<FlexBufferMap, T> read)
    {
        var map = Options(node);
        try
        {
            return read(map);
        }
        catch (FormatException e)
        {
            throw new ModelFormatException($"{node.Operator.Location}, field custom_options", e.Message);
        }
    }
}
