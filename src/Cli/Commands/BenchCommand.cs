using System.CommandLine;
using System.Diagnostics;
using TinyMl.Interpreter;
using TinyMl.Workbench.Runs;

namespace TinyMl.Cli.Commands;

/// <summary>
/// `workbench bench MODEL [--runs N] [--warmup N] [--json] [--reference] [--threads N]`: times Invoke on the shared deterministic
/// inputs and measures managed allocation per Invoke. Always prints one JSON object, naming the kernel set that
/// ran and the instruction sets it used.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "Path of a .tflite file" };
        var runs = new Option<int>("--runs") { Description = "Timed invocations", DefaultValueFactory = _ => 100 };
        var warmup = new Option<int>("--warmup")
        {
            Description = $"Untimed invocations first (warm-up also lasts at least {Warmup.MinimumTime.TotalSeconds:0.#} s, so the JIT's tiered compilation has optimized the kernels)",
            DefaultValueFactory = _ => 10,
        };
        var json = new Option<bool>("--json") { Description = "Print JSON (the only format bench has; accepted for symmetry)" };
        var arena = new Option<int?>("--arena") { Description = "Arena size in bytes (default 64 MiB)" };
        var reference = CliModels.ReferenceOption();
        var threads = new Option<int>("--threads")
        {
            Description = "Worker threads large convolutions may split over (opt-in; 1, the default, is the figure that counts)",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("bench", "Time a model's Invoke on the shared deterministic inputs") { model, runs, warmup, json, arena, reference, threads };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(runs), r.GetValue(warmup), r.GetValue(arena),
            r.GetValue(reference) ? KernelSet.Reference : KernelSet.Optimized, r.GetValue(threads)));
        return command;
    }

    public static int Run(string path, int runs, int warmup, int? arenaBytes, KernelSet kernels = KernelSet.Optimized, int threads = 1)
    {
        if (runs < 1) throw new CliException($"--runs must be at least 1, {runs} given");
        if (threads is < 1 or > 64) throw new CliException($"--threads must be between 1 and 64, {threads} given");
        if (warmup < 0) throw new CliException($"--warmup must not be negative, {warmup} given");
        var model = CliModels.Load(path);
        using var interpreter = CliModels.CreateInterpreter(model, arenaBytes, new InterpreterOptions { Threads = threads }, kernels);
        ReferenceInputs.Fill(interpreter);
        var pristine = SavedInputs.Of(interpreter);
        int warmed = Warmup.Run(() =>
        {
            pristine.Restore();
            interpreter.Invoke();
        }, warmup);

        var ticks = new long[runs];
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < runs; i++)
        {
            // Inputs are restored before each run (a model may write into its input tensor's memory
            // once the input is dead); the copy is outside the timed region.
            pristine.Restore();
            long start = Stopwatch.GetTimestamp();
            interpreter.Invoke();
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        var times = RunTimes.OfTicks(ticks);
        JsonOutput.Write(w =>
        {
            w.WriteString("model", CliModels.ModelName(path));
            w.WriteNumber("runs", runs);
            w.WriteNumber("warmup", warmed);
            w.WriteNumber("median_us", Math.Round(times.MedianMicroseconds, 3));
            w.WriteNumber("min_us", Math.Round(times.MinMicroseconds, 3));
            w.WriteNumber("mean_us", Math.Round(times.MeanMicroseconds, 3));
            w.WriteNumber("arena_used_bytes", interpreter.ArenaUsedBytes);
            w.WriteString("kernels", kernels == KernelSet.Reference ? "reference" : "optimized");
            w.WriteString("isa", kernels == KernelSet.Reference ? "portable" : KernelFeatures.Isa);
            w.WriteString("cpu", KernelFeatures.Cpu);
            w.WriteNumber("threads", threads);
            w.WriteNumber("packed_weight_bytes", interpreter.PackedWeightBytes);
            w.WriteNumber("allocate_tensors_us", Math.Round(interpreter.SetupProfile.Total.TotalMicroseconds, 1));
            w.WriteNumber("allocated_bytes_per_invoke", (double)allocated / runs);
        });
        return CliExit.Ok;
    }
}
