using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests;

public class InterpreterTests
{
    private sealed class CountingProfiler : IProfiler
    {
        public readonly List<(int Op, long Start, long End)> Calls = new();
        public void OperatorInvoked(Node node, long startTimestamp, long endTimestamp) => Calls.Add((node.Index, startTimestamp, endTimestamp));
    }

    [Fact]
    public void Profiler_hears_each_operator_once_per_invoke_in_order()
    {
        var profiler = new CountingProfiler();
        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("hello_world_float")), OpResolver.WithAllBuiltins(), 4096,
            new InterpreterOptions { Profiler = profiler });
        interpreter.AllocateTensors();
        interpreter.Invoke();
        interpreter.Invoke();
        Assert.Equal(new[] { 0, 1, 2, 0, 1, 2 }, profiler.Calls.Select(c => c.Op));
        Assert.All(profiler.Calls, c => Assert.True(c.End >= c.Start));
    }

    [Fact]
    public void Caller_owned_arena_holds_every_planned_tensor()
    {
        var arena = new byte[4096];
        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("hello_world_int8")), OpResolver.WithAllBuiltins(), arena.AsMemory());
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new sbyte[] { 42 });
        // The input's bytes are the caller's arena bytes at the planned offset.
        var planned = interpreter.Plan.Buffers.Single(b => b.Kind == PlannedBufferKind.Tensor && b.Id == interpreter.Input(0).Index);
        Assert.Equal(42, (sbyte)arena[planned.Offset]);
        Assert.Equal(interpreter.Plan.HeadBytes + interpreter.Plan.TailBytes, interpreter.ArenaUsedBytes);
    }

    [Fact]
    public void Plan_of_a_real_model_never_overlaps_tensors_alive_together()
    {
        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("hello_world_float")), OpResolver.WithAllBuiltins(), 4096);
        interpreter.AllocateTensors();
        var buffers = interpreter.Plan.Buffers;
        foreach (var a in buffers)
        foreach (var b in buffers)
        {
            if (ReferenceEquals(a, b) || a.FirstOperator > b.LastOperator || b.FirstOperator > a.LastOperator) continue;
            Assert.True(a.Offset + a.Bytes <= b.Offset || b.Offset + b.Bytes <= a.Offset, $"{a.Name} and {b.Name} overlap");
        }
        Assert.True(interpreter.Plan.HeadBytes < interpreter.Plan.UnsharedBytes, "the greedy plan shares no memory");
    }

    [Fact]
    public void Linear_planner_option_gives_a_plan_at_least_as_large()
    {
        var model = Model.Load(SharedData.ModelPath("hello_world_float"));
        using var greedy = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 4096);
        using var linear = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 4096, new InterpreterOptions { Planner = MemoryPlannerKind.Linear });
        greedy.AllocateTensors();
        linear.AllocateTensors();
        Assert.Equal("linear", linear.Plan.Planner);
        Assert.Equal(linear.Plan.UnsharedBytes, linear.Plan.HeadBytes);
        Assert.True(greedy.Plan.HeadBytes <= linear.Plan.HeadBytes);
    }

    [Fact]
    public void Offline_memory_allocation_metadata_places_tensors_where_it_says()
    {
        // x -> FC -> h -> FC -> y with an offline plan putting x at 64, h at 0, and y online.
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.FLOAT32, [1, 4]);
        int w = b.AddConstant("w", TensorType.FLOAT32, [4, 4], new float[16]);
        int h = b.AddTensor("h", TensorType.FLOAT32, [1, 4]);
        int y = b.AddTensor("y", TensorType.FLOAT32, [1, 4]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, -1], [h]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [h, w, -1], [y]);
        b.SetInputs(x).SetOutputs(y);
        var words = new[] { 1, 0, 4, 64, -1, 0, -1 };
        b.AddMetadata(Model.OfflineMemoryAllocationMetadata, words.SelectMany(BitConverter.GetBytes).ToArray());

        using var interpreter = new MicroInterpreter(b.ToModel(), OpResolver.WithAllBuiltins(), 4096);
        interpreter.AllocateTensors();
        var byId = interpreter.Plan.Buffers.ToDictionary(p => p.Id);
        Assert.Equal(64, byId[x].Offset);
        Assert.True(byId[x].OfflinePlanned);
        Assert.Equal(0, byId[h].Offset);
        Assert.False(byId[y].OfflinePlanned);
        Assert.True(byId[y].Offset >= 16, "y is alive with h and must not share its bytes");
    }

    [Fact]
    public void Resolver_with_only_some_ops_names_the_missing_one()
    {
        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("hello_world_float")), new OpResolver().Add(BuiltinOperator.RESHAPE), 4096);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Equal("operator 0 (FULLY_CONNECTED) has no registered kernel", e.Message);
    }

    [Fact]
    public void Plan_records_what_owns_each_byte_of_the_persistent_tail()
    {
        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("keyword_scrambled")), OpResolver.WithAllBuiltins(), 1 << 20);
        interpreter.AllocateTensors();
        var plan = interpreter.Plan;
        // Every tail byte is accounted for (allocations are 16-byte aligned) and none overlap.
        Assert.Equal(plan.TailBytes, plan.PersistentBuffers.Sum(p => (p.Bytes + 15) / 16 * 16));
        var sorted = plan.PersistentBuffers.OrderBy(p => p.Offset).ToArray();
        for (int i = 1; i < sorted.Length; i++)
            Assert.True(sorted[i - 1].Offset + sorted[i - 1].Bytes <= sorted[i].Offset);
        // The 7 SVDF state tensors are variables, so they live in the tail.
        var variables = interpreter.Tensors.Where(t => t.IsVariable).ToArray();
        Assert.Equal(7, variables.Length);
        foreach (var v in variables)
            Assert.Contains(plan.PersistentBuffers, p => p.Owner.StartsWith($"variable tensor {v.Index} ") && p.Bytes == v.ByteCount);
    }

    [Fact]
    public void A_failed_allocation_is_not_retried_on_a_half_used_arena()
    {
        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("keyword_scrambled")), OpResolver.WithAllBuiltins(), 1024);
        var first = Assert.Throws<ArenaTooSmallException>(interpreter.AllocateTensors);
        var second = Assert.Throws<InterpreterStateException>(interpreter.AllocateTensors);
        Assert.Contains(first.Message, second.Message);
    }
}
