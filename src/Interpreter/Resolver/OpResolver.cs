using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>Maps an operator code to the kernel that runs it.</summary>
public interface IOpResolver
{
    OperatorKernel? FindKernel(OperatorCodeInfo code);
}

/// <summary>
/// A resolver the caller fills with just the operators a model needs, like TFLM's
/// MicroMutableOpResolver; <see cref="WithAllBuiltins"/> registers every kernel the runtime has.
/// </summary>
public sealed class OpResolver : IOpResolver
{
    private readonly Dictionary<BuiltinOperator, OperatorKernel> _builtins = new();
    private readonly Dictionary<string, OperatorKernel> _customs = new(StringComparer.Ordinal);

    public IEnumerable<BuiltinOperator> Builtins => _builtins.Keys;
    public IEnumerable<string> Customs => _customs.Keys;

    /// <summary>Registers the runtime's own kernel for <paramref name="op"/>, from <paramref name="kernels"/> (optimized unless asked otherwise).</summary>
    public OpResolver Add(BuiltinOperator op, KernelSet kernels = KernelSet.Optimized)
    {
        var kernel = BuiltinKernels.Create(op, kernels)
            ?? throw new ArgumentException($"the runtime has no kernel for {op}", nameof(op));
        return Add(op, kernel);
    }

    public OpResolver Add(BuiltinOperator op, OperatorKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (op == BuiltinOperator.CUSTOM)
            throw new ArgumentException("register custom operators with AddCustom", nameof(op));
        _builtins[op] = kernel;
        return this;
    }

    public OpResolver AddCustom(string name, OperatorKernel kernel)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(kernel);
        _customs[name] = kernel;
        return this;
    }

    public OperatorKernel? FindKernel(OperatorCodeInfo code) =>
        code.Builtin == BuiltinOperator.CUSTOM
            ? (code.CustomName is { } name && _customs.TryGetValue(name, out var custom) ? custom : null)
            : _builtins.GetValueOrDefault(code.Builtin);

    /// <summary>
    /// Registers TFLM's signal library (SignalWindow, SignalRfft, SignalFilterBank, ...) under the
    /// custom operator names its models use, e.g. micro_speech's audio_preprocessor.
    /// </summary>
    public OpResolver AddSignalOps()
    {
        foreach (var (name, kernel) in Kernels.Signal.SignalOps.Kernels)
            AddCustom(name, kernel);
        return this;
    }

    /// <summary>Registers TFLM's own custom operators (CIRCULAR_BUFFER, TFLite_Detection_PostProcess, TFLM_DECODE) under their names.</summary>
    public OpResolver AddTflmCustomOps()
    {
        foreach (var (name, create) in Kernels.CustomKernels.All)
            AddCustom(name, create());
        return this;
    }

    /// <summary>The custom operator names <see cref="AddTflmCustomOps"/> registers.</summary>
    public static IEnumerable<string> TflmCustomOpNames => Kernels.CustomKernels.All.Select(k => k.Name);

    /// <summary>The custom operator names <see cref="AddSignalOps"/> registers.</summary>
    public static IEnumerable<string> SignalOpNames => Kernels.Signal.SignalOps.Kernels.Keys.Order(StringComparer.Ordinal);

    /// <summary>
    /// A resolver with every kernel of the runtime registered — all builtins (the optimized set, or TFLM's
    /// reference loops), TFLM's custom ops and the signal library's.
    /// </summary>
    public static OpResolver WithAllBuiltins(KernelSet kernels = KernelSet.Optimized)
    {
        var resolver = new OpResolver();
        foreach (var op in BuiltinKernels.Supported)
            resolver.Add(op, kernels);
        return resolver.AddTflmCustomOps().AddSignalOps();
    }
}
