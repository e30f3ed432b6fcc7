using System.Runtime.InteropServices;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Benchmarks.Peer;
using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Tests.Operators;

// dotnet run -c Release --project benchmarks/TfLiteParity [-- <filter>]
// Every random single-op case of the oracle's parity test (same seeds, 30 per operator and type) run by this runtime's
// reference kernels and by TensorFlow Lite 2.9's builtin kernels (no delegate): how many output elements differ and by
// how much (stored steps; float32 as ULP distance — TFLite's float kernels sum in another order, so those differ).
// Cases TFLite 2.9 cannot run (newer ops or types) are listed as such. Needs artifacts/tflite (benchmarks/fetch-tflite.sh).
if (TfLiteC.LibraryPath() is null)
{
    Console.Error.WriteLine("error: TFLite's C library is missing: run benchmarks/fetch-tflite.sh (or set TFLITE_C_LIBRARY)");
    return 2;
}
string filter = args.Length > 0 ? args[0] : "";
int identical = 0, differing = 0, notRun = 0;
Console.WriteLine("| operator | type | cases | elements differing | largest difference |");
Console.WriteLine("|---|---|---:|---:|---:|");
foreach (var c in OperatorCases.All.Where(c => c.ToString().Contains(filter, StringComparison.OrdinalIgnoreCase)))
{
    var random = new Random(c.ToString().Aggregate(17, (h, ch) => h * 31 + ch)); // the parity test's seed
    long worst = 0, total = 0, different = 0;
    int ran = 0;
    string? refused = null;
    for (int i = 0; i < 30 && refused is null; i++)
    {
        var (model, inputs) = c.Make(random);
        using var ours = new MicroInterpreter(model, OpResolver.WithAllBuiltins(KernelSet.Reference), 4 << 20);
        ours.AllocateTensors();
        for (int k = 0; k < inputs.Length; k++) inputs[k].Bytes.CopyTo(ours.Input(k).AsSpan<byte>());
        ours.Invoke();
        byte[][] theirs;
        try
        {
            using var tflite = new TfLiteRunner(model.Bytes.ToArray(), xnnpack: false);
            for (int k = 0; k < inputs.Length; k++) tflite.SetInput(k, inputs[k].Bytes);
            tflite.Invoke();
            theirs = Enumerable.Range(0, ours.Outputs.Count).Select(tflite.Output).ToArray();
        }
        catch (InvalidOperationException e)
        {
            refused = e.Message;
            break;
        }
        for (int k = 0; k < theirs.Length; k++)
        {
            var a = Values(ours.Output(k).AsReadOnlySpan<byte>().ToArray(), ours.Output(k).Type);
            var b = Values(theirs[k], ours.Output(k).Type);
            for (int e = 0; e < a.Length; e++)
            {
                long d = Math.Abs(a[e] - b[e]);
                total++;
                if (d != 0) different++;
                worst = Math.Max(worst, d);
            }
        }
        ran++;
    }
    if (refused is not null && ran == 0)
    {
        notRun++;
        Console.WriteLine($"| {c.Op} | {c.Type} | TFLite 2.9 cannot run it ({refused}) | | |");
        continue;
    }
    if (different == 0) identical++; else differing++;
    Console.WriteLine($"| {c.Op} | {c.Type} | {ran}{(refused is null ? "" : " (then TFLite refused one)")} | {different} of {total} | {worst} |");
}
Console.WriteLine();
Console.WriteLine($"{identical} operator/type pairs byte-identical with TensorFlow Lite 2.9, {differing} differing, {notRun} it cannot run");
return 0;

// Stored values as integers; float32 as ordered bit patterns, so the difference counts ULPs.
static long[] Values(byte[] b, TensorType t) => t switch
{
    TensorType.INT8 => b.Select(x => (long)(sbyte)x).ToArray(),
    TensorType.INT16 => MemoryMarshal.Cast<byte, short>(b).ToArray().Select(x => (long)x).ToArray(),
    TensorType.INT32 => MemoryMarshal.Cast<byte, int>(b).ToArray().Select(x => (long)x).ToArray(),
    TensorType.INT64 => MemoryMarshal.Cast<byte, long>(b).ToArray(),
    TensorType.UINT32 => MemoryMarshal.Cast<byte, uint>(b).ToArray().Select(x => (long)x).ToArray(),
    TensorType.FLOAT32 => MemoryMarshal.Cast<byte, int>(b).ToArray().Select(x => x < 0 ? int.MinValue - (long)x : x).ToArray(),
    _ => b.Select(x => (long)x).ToArray(),
};
