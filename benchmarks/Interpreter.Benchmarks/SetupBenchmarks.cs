using BenchmarkDotNet.Attributes;

namespace TinyMl.Interpreter.Benchmarks;

/// <summary>
/// What a model costs before its first Invoke: opening it (the flatbuffer is validated and viewed in place, no
/// copy of its weights — mobilenet_v2_quantized is a 4 MB file) and AllocateTensors (kernels' Prepare, the
/// memory plan, and with the optimized set the one-time weight packing).
/// </summary>
[MemoryDiagnoser]
public class SetupBenchmarks
{
    private byte[] _bytes = [];
    private Model _model = null!;
    private int _arenaBytes;

    [Params("person_detect", "mobilenet_v2_quantized_1x3x224x224")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _bytes = File.ReadAllBytes(SharedModels.Path(Model));
        _model = Interpreter.Model.FromBytes(_bytes, Model);
        // The arena the model needs (the reference set's figure), so the benchmark does not time zeroing a large one.
        using var probe = new MicroInterpreter(_model, OpResolver.WithAllBuiltins(KernelSet.Reference), 64 << 20);
        probe.AllocateTensors();
        _arenaBytes = probe.ArenaUsedBytes;
    }

    [Benchmark]
    public Model Open() => Interpreter.Model.FromBytes(_bytes, Model);

    [Benchmark]
    public long AllocateTensorsOptimized() => Allocate(KernelSet.Optimized);

    [Benchmark]
    public long AllocateTensorsReference() => Allocate(KernelSet.Reference);

    private long Allocate(KernelSet kernels)
    {
        using var interpreter = new MicroInterpreter(_model, OpResolver.WithAllBuiltins(kernels), _arenaBytes);
        interpreter.AllocateTensors();
        return interpreter.ArenaUsedBytes;
    }
}
