using BenchmarkDotNet.Attributes;
using TinyMl.Interpreter.Benchmarks.Peer;

namespace TinyMl.Interpreter.Benchmarks;

/// <summary>
/// One model, four engines, one run, one thread: this runtime's reference and optimized kernels, TensorFlow
/// Lite 2.9's built-in kernels and TFLite with its XNNPACK delegate, all on the shared deterministic inputs.
/// Needs benchmarks/fetch-tflite.sh once. The setup checks the engines agree on the output (TFLite's
/// optimized int8 kernels may round a few LSB differently from TFLM's reference).
/// </summary>
public class PeerBenchmarks
{
    private MicroInterpreter _reference = null!, _optimized = null!;
    private TfLiteRunner _tflite = null!, _xnnpack = null!;

    [Params("person_detect", "mobilenet_v2_quantized_1x3x224x224", FloatDetector.Name)]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        if (TfLiteC.LibraryPath() is null)
            throw new InvalidOperationException("TensorFlow Lite's C library is missing: run benchmarks/fetch-tflite.sh (or set TFLITE_C_LIBRARY)");
        var bytes = Model == FloatDetector.Name ? FloatDetector.Build() : File.ReadAllBytes(SharedModels.Path(Model));
        var model = Interpreter.Model.FromBytes(bytes, Model);
        _reference = Allocate(model, KernelSet.Reference);
        _optimized = Allocate(model, KernelSet.Optimized);
        _tflite = new TfLiteRunner(bytes, xnnpack: false);
        _xnnpack = new TfLiteRunner(bytes, xnnpack: true);
        for (int i = 0; i < _reference.Inputs.Count; i++)
        {
            _tflite.SetInput(i, _reference.Input(i).Bytes);
            _xnnpack.SetInput(i, _reference.Input(i).Bytes);
        }
        _reference.Invoke(); _optimized.Invoke(); _tflite.Invoke(); _xnnpack.Invoke();
        Console.WriteLine($"// {Model} outputs: reference {Head(_reference.Output(0).Bytes.ToArray())}, optimized {Head(_optimized.Output(0).Bytes.ToArray())}, " +
            $"TFLite {Head(_tflite.Output(0))}, TFLite+XNNPACK {Head(_xnnpack.Output(0))}");
        if (!_reference.Output(0).Bytes.SequenceEqual(_optimized.Output(0).Bytes))
            throw new InvalidOperationException("optimized kernels differ from the reference kernels");
    }

    /// <summary>The first values of an output, as int8 for quantized models and float for float ones.</summary>
    private string Head(byte[] bytes) => Model == FloatDetector.Name
        ? "[" + string.Join(",", System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray().Take(4).Select(v => v.ToString("G6"))) + ",…]"
        : "[" + string.Join(",", bytes.Take(8).Select(b => (sbyte)b)) + "]";

    private static MicroInterpreter Allocate(Model model, KernelSet kernels)
    {
        var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(kernels), 64 << 20);
        interpreter.AllocateTensors();
        ReferenceInputs.Fill(interpreter);
        return interpreter;
    }

    [Benchmark(Baseline = true)] public void TfLiteXnnpack() => _xnnpack.Invoke();
    [Benchmark] public void TfLite() => _tflite.Invoke();
    [Benchmark] public void OursOptimized() => _optimized.Invoke();
    [Benchmark] public void OursReference() => _reference.Invoke();

    [GlobalCleanup]
    public void Cleanup()
    {
        _reference.Dispose(); _optimized.Dispose(); _tflite.Dispose(); _xnnpack.Dispose();
    }
}
