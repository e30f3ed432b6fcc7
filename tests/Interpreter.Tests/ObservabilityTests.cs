namespace TinyMl.Interpreter.Tests;

/// <summary>The hooks the workbench's views are built on: observer, preserved tensors, setup times, tail owners.</summary>
public class ObservabilityTests
{
    private sealed class OutputRecorder : IInvokeObserver
    {
        public readonly List<(int Op, byte[][] Outputs)> Seen = new();
        public void OperatorInvoked(Node node) => Seen.Add((node.Index, node.Outputs.Select(t => t.Bytes.ToArray()).ToArray()));
    }

    private static MicroInterpreter Person(InterpreterOptions? options = null, int arena = 400_000)
    {
        var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("person_detect")), OpResolver.WithAllBuiltins(), arena, options);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(File.ReadAllBytes(SharedData.GoldenPath("person_detect", "person.input0.bin")));
        return interpreter;
    }

    [Fact]
    public void Observer_sees_every_operator_in_order_with_what_it_wrote()
    {
        var recorder = new OutputRecorder();
        using var interpreter = Person(new InterpreterOptions { Observer = recorder });
        interpreter.Invoke();
        Assert.Equal(Enumerable.Range(0, interpreter.Nodes.Count), recorder.Seen.Select(s => s.Op));
        // The last operator's output, seen by the observer, is TFLM's golden answer for person.bmp.
        var last = recorder.Seen[^1].Outputs[0];
        Assert.Equal(new[] { -113, 113 }, last.Select(b => (int)(sbyte)b));
    }

    [Fact]
    public void Bytes_reused_from_operator_says_which_tensors_a_run_overwrites_and_where()
    {
        var recorder = new OutputRecorder();
        using var interpreter = Person(new InterpreterOptions { Observer = recorder });
        var input = interpreter.Input(0);
        byte[] image = input.Bytes.ToArray();
        interpreter.Invoke();

        // Checked against what the run did to the bytes: a tensor the plan calls never reused still holds, at
        // the end of the Invoke, what its operator wrote; the input the plan hands on no longer holds the image.
        foreach (var (op, outputs) in recorder.Seen)
            for (int o = 0; o < outputs.Length; o++)
            {
                var tensor = interpreter.Nodes[op].Outputs[o];
                if (tensor.BytesReusedFromOperator is null)
                    Assert.Equal(outputs[o], tensor.Bytes.ToArray());
                else
                    Assert.True(tensor.BytesReusedFromOperator > op, $"tensor {tensor.Name} is reused from operator {tensor.BytesReusedFromOperator}, before it is produced at {op}");
            }
        Assert.NotNull(input.BytesReusedFromOperator);
        Assert.NotEqual(image, input.Bytes.ToArray());
        // The operator named is the first whose output lands on bytes of the input: the input holds the image
        // until that operator has run (recorded by a second run's observer).
        int reuser = input.BytesReusedFromOperator!.Value;
        var watcher = new InputWatcher(input, image);
        interpreter.Observer = watcher;
        input.CopyFrom(image);
        interpreter.Invoke();
        Assert.Equal(reuser, watcher.FirstChangedAfter);
        // The model's output is produced last: nothing reuses it.
        Assert.Null(interpreter.Output(0).BytesReusedFromOperator);
    }

    private sealed class InputWatcher(Tensor input, byte[] original) : IInvokeObserver
    {
        public int? FirstChangedAfter;
        public void OperatorInvoked(Node node)
        {
            if (FirstChangedAfter is null && !input.Bytes.SequenceEqual(original)) FirstChangedAfter = node.Index;
        }
    }

    [Fact]
    public void Preserved_tensors_are_never_reused()
    {
        using var preserved = Person(new InterpreterOptions { PreserveAllTensors = true });
        Assert.All(preserved.Tensors, t => Assert.Null(t.BytesReusedFromOperator));
    }

    [Fact]
    public void Preserved_tensors_equal_what_each_operator_wrote_when_it_ran()
    {
        var recorder = new OutputRecorder();
        using var preserved = Person(new InterpreterOptions { Observer = recorder, PreserveAllTensors = true });
        preserved.Invoke();
        // With every tensor in bytes of its own, nothing is overwritten after it is produced.
        foreach (var (op, outputs) in recorder.Seen)
            for (int o = 0; o < outputs.Length; o++)
                Assert.Equal(outputs[o], preserved.Nodes[op].Outputs[o].Bytes.ToArray());
        Assert.Equal(preserved.Plan.UnsharedBytes, preserved.Plan.HeadBytes);

        using var shared = Person();
        shared.Invoke();
        Assert.True(shared.Plan.HeadBytes < preserved.Plan.HeadBytes);
        Assert.Equal(shared.Output(0).Bytes.ToArray(), preserved.Output(0).Bytes.ToArray());
    }

    [Fact]
    public void Invoke_allocates_nothing_without_an_observer()
    {
        using var interpreter = Person();
        Assert.Equal(0, InvokeAllocations.Measure(interpreter, 2));
    }

    private sealed class CallCounter : IProfiler
    {
        public readonly List<int> Operators = new();
        public void OperatorInvoked(Node node, long startTimestamp, long endTimestamp) => Operators.Add(node.Index);
    }

    [Fact]
    public void Profiler_and_observer_attach_to_an_existing_interpreter_and_detach_again()
    {
        using var interpreter = Person();
        Assert.Null(interpreter.Profiler);
        var profiler = new CallCounter();
        var observer = new OutputRecorder();
        interpreter.Profiler = profiler;
        interpreter.Observer = observer;
        interpreter.Invoke();
        Assert.Equal(Enumerable.Range(0, interpreter.Nodes.Count), profiler.Operators);
        Assert.Equal(Enumerable.Range(0, interpreter.Nodes.Count), observer.Seen.Select(s => s.Op));

        interpreter.Profiler = null;
        interpreter.Observer = null;
        interpreter.Invoke();
        Assert.Equal(interpreter.Nodes.Count, profiler.Operators.Count);
        Assert.Equal(0, InvokeAllocations.Measure(interpreter, 2));
    }

    [Fact]
    public void Options_profiler_and_observer_are_the_starting_values()
    {
        var profiler = new CallCounter();
        var observer = new OutputRecorder();
        using var interpreter = Person(new InterpreterOptions { Profiler = profiler, Observer = observer });
        Assert.Same(profiler, interpreter.Profiler);
        Assert.Same(observer, interpreter.Observer);
    }

    [Fact]
    public void Setup_profile_times_every_operator()
    {
        using var interpreter = Person();
        var setup = interpreter.SetupProfile;
        Assert.Equal(interpreter.Nodes.Select(n => n.Index), setup.Operators.Select(o => o.OperatorIndex));
        Assert.All(setup.Operators, o => Assert.True(o.Init >= TimeSpan.Zero && o.Prepare >= TimeSpan.Zero));
        Assert.True(setup.Total >= setup.Planning);
    }

    [Fact]
    public void Tail_owners_name_the_operator_or_variable_tensor()
    {
        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("keyword_scrambled")), OpResolver.WithAllBuiltins(), 100_000);
        interpreter.AllocateTensors();
        var tail = interpreter.Plan.PersistentBuffers;
        var variables = interpreter.Tensors.Where(t => t.IsVariable).ToArray();
        Assert.NotEmpty(variables);
        foreach (var v in variables)
            Assert.Contains(tail, p => p.OwnedBy.Kind == PersistentOwnerKind.VariableTensor && p.OwnedBy.TensorIndex == v.Index && p.Bytes == v.ByteCount);
        foreach (var p in tail.Where(p => p.OwnedBy.Kind == PersistentOwnerKind.KernelData))
            Assert.Equal(interpreter.Nodes[p.OwnedBy.OperatorIndex].Name, p.OwnedBy.OperatorName);
        Assert.Equal(interpreter.Plan.TailBytes, tail.Sum(p => p.AlignedBytes));
    }
}
