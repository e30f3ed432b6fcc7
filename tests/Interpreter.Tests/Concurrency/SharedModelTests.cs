using System.Diagnostics;
using Xunit.Abstractions;

namespace TinyMl.Interpreter.Tests.Concurrency;

/// <summary>
/// A Model is read-only and may be shared by any number of interpreters on any number of threads; a
/// MicroInterpreter serves one thread at a time and refuses a second one with a typed error.
/// </summary>
public class SharedModelTests
{
    private const int ArenaBytes = 140_000;
    // The default run keeps the suite fast; WORKBENCH_FULL_CONCURRENCY=1 runs the 8 × 1,000 of issue 8.
    private static readonly int InvokesPerThread = Environment.GetEnvironmentVariable("WORKBENCH_FULL_CONCURRENCY") == "1" ? 1000 : 40;
    private const int Threads = 8;

    private readonly ITestOutputHelper _output;

    public SharedModelTests(ITestOutputHelper output) => _output = output;

    /// <summary>TFLM's golden cases for person_detect: input bytes and the output it gives.</summary>
    private static (byte[] Input, byte[] Output)[] GoldenCases() =>
        new[] { ("input0.bin", "output0.bin"), ("person.input0.bin", "person.output0.bin"), ("no_person.input0.bin", "no_person.output0.bin") }
            .Select(c => (File.ReadAllBytes(SharedData.GoldenPath("person_detect", c.Item1)), File.ReadAllBytes(SharedData.GoldenPath("person_detect", c.Item2))))
            .ToArray();

    private static MicroInterpreter NewInterpreter(Model model, InterpreterOptions? options = null)
    {
        var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), ArenaBytes, options);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Fact]
    public void One_model_shared_by_eight_threads_gives_the_single_thread_golden_on_every_invoke()
    {
        var model = Model.Load(SharedData.ModelPath("person_detect"));
        var cases = GoldenCases();

        // The single-thread run first: it must itself match TFLM's goldens, or the comparison means nothing.
        using (var single = NewInterpreter(model))
        {
            foreach (var (input, output) in cases)
            {
                single.Input(0).CopyFrom<byte>(input);
                single.Invoke();
                Assert.Equal(output, single.Output(0).ToArray<byte>());
            }
        }

        var mismatches = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var start = new Barrier(Threads);
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            using var interpreter = NewInterpreter(model);
            start.SignalAndWait(); // all threads invoke at the same time, not one after another
            for (int i = 0; i < InvokesPerThread; i++)
            {
                // Each thread walks the cases from its own offset, so neighbours run different inputs at once.
                var (input, output) = cases[(i + t) % cases.Length];
                interpreter.Input(0).CopyFrom<byte>(input);
                interpreter.Invoke();
                var got = interpreter.Output(0).ToArray<byte>();
                if (!got.AsSpan().SequenceEqual(output))
                    mismatches.Enqueue($"thread {t}, invoke {i}: [{string.Join(",", (sbyte[])(Array)got)}], golden [{string.Join(",", (sbyte[])(Array)output)}]");
            }
        })).ToList();
        threads.ForEach(th => th.Start());
        threads.ForEach(th => th.Join());
        _output.WriteLine($"{Threads} threads × {InvokesPerThread} invokes over one Model in {clock.Elapsed.TotalSeconds:F1} s, {mismatches.Count} mismatches");
        Assert.True(mismatches.IsEmpty, $"{mismatches.Count} of {Threads * InvokesPerThread} outputs differ from the golden:\n" + string.Join("\n", mismatches.Take(10)));
    }

    /// <summary>Holds the first operator of an Invoke until the test lets it go, so the overlap is certain, not a race.</summary>
    private sealed class BlockingObserver : IInvokeObserver
    {
        public readonly ManualResetEventSlim Entered = new();
        public readonly ManualResetEventSlim Release = new();
        public bool Armed = true;

        public void OperatorInvoked(Node node)
        {
            if (!Armed) return;
            Armed = false;
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(30));
        }
    }

    private const string Refusal =
        "called while this MicroInterpreter is already running (on another thread, or re-entered from a profiler or observer); " +
        "an interpreter serves one thread at a time: give each thread its own MicroInterpreter (they can share one Model)";

    [Fact]
    public void An_interpreter_invoked_from_a_second_thread_while_running_refuses_with_a_typed_error()
    {
        var model = Model.Load(SharedData.ModelPath("person_detect"));
        var (input, output) = GoldenCases()[1];
        var observer = new BlockingObserver();
        using var interpreter = NewInterpreter(model, new InterpreterOptions { Observer = observer });
        interpreter.Input(0).CopyFrom<byte>(input);

        var first = Task.Run(interpreter.Invoke);
        Assert.True(observer.Entered.Wait(TimeSpan.FromSeconds(30)), "the first Invoke never reached its first operator");
        try
        {
            // The first thread is parked inside Invoke: every entry point that mutates state must refuse.
            var invoke = Assert.Throws<InterpreterStateException>(interpreter.Invoke);
            Assert.Equal("Invoke " + Refusal, invoke.Message);
            var reset = Assert.Throws<InterpreterStateException>(interpreter.Reset);
            Assert.Equal("Reset " + Refusal, reset.Message);
        }
        finally
        {
            observer.Release.Set();
        }
        first.Wait(TimeSpan.FromSeconds(30));
        Assert.True(first.IsCompletedSuccessfully, $"the first Invoke did not finish cleanly: {first.Exception}");

        // The refusals neither corrupted the run nor left the interpreter locked.
        Assert.Equal(output, interpreter.Output(0).ToArray<byte>());
        interpreter.Input(0).CopyFrom<byte>(input); // the arena reuses the input's bytes once its reader ran
        interpreter.Invoke();
        Assert.Equal(output, interpreter.Output(0).ToArray<byte>());
    }

    private sealed class ReenteringObserver(Func<MicroInterpreter> interpreter) : IInvokeObserver
    {
        public Exception? Caught;

        public void OperatorInvoked(Node node)
        {
            if (Caught is not null) return;
            try { interpreter().Invoke(); }
            catch (Exception e) { Caught = e; }
        }
    }

    [Fact]
    public void An_observer_calling_invoke_again_is_refused_the_same_way()
    {
        MicroInterpreter? interpreter = null;
        var observer = new ReenteringObserver(() => interpreter!);
        interpreter = NewInterpreter(Model.Load(SharedData.ModelPath("hello_world_int8")), new InterpreterOptions { Observer = observer });
        using (interpreter)
        {
            interpreter.Invoke();
            var error = Assert.IsType<InterpreterStateException>(observer.Caught);
            Assert.Equal("Invoke " + Refusal, error.Message);
        }
    }
}
