using BenchmarkDotNet.Attributes;

namespace TinyMl.Interpreter.Benchmarks;

/// <summary>
/// Invoke on TFLM's shared models with the shared deterministic inputs. MemoryDiagnoser reports the
/// managed bytes allocated per Invoke (the runtime's target is 0).
/// </summary>
[MemoryDiagnoser]
public class InvokeBenchmarks
{
    private MicroInterpreter _interpreter = null!;

    [Params("hello_world_float", "hello_world_int8", "keyword_scrambled", "micro_speech_quantized", "person_detect", "trained_lstm", "trained_lstm_int8")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var model = Interpreter.Model.Load(SharedModels.Path(Model));
        _interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 1 << 20);
        _interpreter.AllocateTensors();
        ReferenceInputs.Fill(_interpreter);
    }

    [Benchmark]
    public void Invoke() => _interpreter.Invoke();

    [GlobalCleanup]
    public void Cleanup() => _interpreter.Dispose();
}

internal static class SharedModels
{
    public static string Path(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "..", "shared", "data", "models", name + ".tflite");
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "workbench.sln")) && File.Exists(candidate))
                return System.IO.Path.GetFullPath(candidate);
        }
        throw new FileNotFoundException($"{name}.tflite not found in ../shared/data/models beside the repository");
    }
}
