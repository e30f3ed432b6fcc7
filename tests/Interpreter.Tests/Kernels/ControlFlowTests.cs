using TinyMl.Interpreter.Schema;

using TinyMl.Interpreter.Tests.Models;
using static TinyMl.Interpreter.Tests.Models.ControlFlowModels;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>
/// IF, WHILE and CALL_ONCE with resource variables, on models built here with several subgraphs; expected values
/// are worked out by hand from the small graphs each test draws.
/// </summary>
public class ControlFlowTests
{
    private const TensorType F = TensorType.FLOAT32;

    [Theory]
    [InlineData(true, new[] { 2f, 3f, 4f, -3f })]
    [InlineData(false, new[] { 2f, 4f, 6f, -8f })]
    public void If_runs_the_branch_its_condition_picks(bool condition, float[] expected)
    {
        using var interpreter = new MicroInterpreter(IfModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new[] { condition });
        interpreter.Input(1).CopyFrom(new[] { 1f, 2f, 3f, -4f });
        interpreter.Invoke();
        Assert.Equal(expected, interpreter.Output(0).ToArray<float>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void While_runs_its_body_until_the_condition_fails()
    {
        using var interpreter = new MicroInterpreter(WhileModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new[] { 3 });
        interpreter.Input(1).CopyFrom(new[] { 1f, -0.5f });
        interpreter.Invoke();
        Assert.Equal([0], interpreter.Output(0).ToArray<int>());
        Assert.Equal([8f, -4f], interpreter.Output(1).ToArray<float>());
        // A condition false from the start: the outputs are the inputs.
        interpreter.Input(0).CopyFrom(new[] { -2 });
        interpreter.Invoke();
        Assert.Equal([-2], interpreter.Output(0).ToArray<int>());
        Assert.Equal([1f, -0.5f], interpreter.Output(1).ToArray<float>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void A_while_that_never_ends_stops_at_the_iteration_bound_with_a_clear_error()
    {
        using var interpreter = new MicroInterpreter(WhileModel(forever: true), OpResolver.WithAllBuiltins(), 16 * 1024,
            new InterpreterOptions { MaxWhileIterations = 1000 });
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new[] { 5 });
        var e = Assert.Throws<LoopLimitException>(interpreter.Invoke);
        Assert.Equal("operator 0 (WHILE) ran its body 1,000 times and its condition still holds: stopped at " +
                     "InterpreterOptions.MaxWhileIterations (raise it if the model really loops that long)", e.Message);
        Assert.Equal(1000, e.Limit);
    }

    [Fact]
    public void Call_once_initializes_a_resource_variable_that_keeps_its_value_across_invocations()
    {
        using var interpreter = new MicroInterpreter(AccumulatorModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new[] { 1f, 2f });
        interpreter.Invoke();
        Assert.Equal([11f, 22f], interpreter.Output(0).ToArray<float>());
        interpreter.Invoke();
        Assert.Equal([12f, 24f], interpreter.Output(0).ToArray<float>());
        // Reset zeroes the variable and re-arms CALL_ONCE, so the model starts over.
        interpreter.Reset();
        interpreter.Invoke();
        Assert.Equal([11f, 22f], interpreter.Output(0).ToArray<float>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
        // The variable's 8 bytes sit in the arena tail, recorded like any persistent buffer.
        Assert.Contains(interpreter.Plan.PersistentBuffers, p => p.Bytes >= 8);
    }

    [Fact]
    public void A_called_subgraphs_tensors_are_planned_in_the_arena_while_their_caller_runs()
    {
        using var interpreter = new MicroInterpreter(IfModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        var called = interpreter.Plan.Buffers.Where(b => b.Kind == PlannedBufferKind.SubgraphTensor).ToArray();
        // then: a and r, else: a and r — 16 bytes each, alive during operator 0 (the IF).
        Assert.Equal(4, called.Length);
        Assert.All(called, b => Assert.Equal((0, 0, 16), (b.FirstOperator, b.LastOperator, b.Bytes)));
        Assert.Contains(called, b => b.Name == "subgraph 1: a");
        // Alive together with the IF's own input and output, so no two of these six share bytes.
        var live = interpreter.Plan.Buffers.Where(b => b.FirstOperator <= 0 && b.LastOperator >= 0).OrderBy(b => b.Offset).ToArray();
        for (int i = 1; i < live.Length; i++)
            Assert.True(live[i].Offset >= live[i - 1].Offset + live[i - 1].Bytes, $"{live[i - 1].Name} and {live[i].Name} overlap");
    }

    [Fact]
    public void If_whose_branch_takes_other_tensors_names_the_mismatch()
    {
        var b = new ModelBuilder();
        int cond = b.AddTensor("cond", TensorType.BOOL, [1]);
        int x = b.AddTensor("x", F, [4]);
        int y = b.AddTensor("y", F, [4]);
        b.AddOperator(BuiltinOperator.IF, [cond, x], [y], BuiltinOptionsUnion.FromIfOptions(new IfOptionsT { ThenSubgraphIndex = 1, ElseSubgraphIndex = 1 }));
        b.SetInputs(cond, x).SetOutputs(y);
        b.AddSubgraph("branch");
        int a = b.AddTensor("a", F, [3]);
        b.SetInputs(a).SetOutputs(a);
        using var interpreter = new MicroInterpreter(b.ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Equal("operator 0 (IF) tensor 1 [4] (float32) and subgraph 1's tensor 0 [3] (float32) differ in size", e.Message);
    }

    [Fact]
    public void Float16_weights_are_widened_exactly_by_dequantize()
    {
        var b = new ModelBuilder();
        var halves = new[] { (Half)0.5f, (Half)(-1.25f), (Half)1024f, Half.MaxValue };
        int w = b.AddConstant("w16", TensorType.FLOAT16, [4], halves);
        int x = b.AddTensor("x", F, [4]);
        int wide = b.AddTensor("w", F, [4]);
        int y = b.AddTensor("y", F, [4]);
        b.AddOperator(BuiltinOperator.DEQUANTIZE, [w], [wide]);
        b.AddOperator(BuiltinOperator.ADD, [wide, x], [y]);
        b.SetInputs(x).SetOutputs(y);
        using var interpreter = new MicroInterpreter(b.ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new[] { 0f, 1f, 0.25f, 0f });
        interpreter.Invoke();
        Assert.Equal([0.5f, -0.25f, 1024.25f, 65504f], interpreter.Output(0).ToArray<float>());
    }

    [Fact]
    public void Int8_comparisons_rescale_each_side_as_tflm_does()
    {
        // 2 at scale 0.5 and 4 at scale 0.25 are both 1.0: (2 << 8) · 0.5 = 256 and (4 << 8) · 0.25 = 256.
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [3], scales: [0.5f], zeroPoints: [0]);
        int c = b.AddConstant("c", TensorType.INT8, [3], new sbyte[] { 4, 4, 4 }, [0.25f], [0]);
        int equal = b.AddTensor("equal", TensorType.BOOL, [3]);
        int less = b.AddTensor("less", TensorType.BOOL, [3]);
        b.AddOperator(BuiltinOperator.EQUAL, [x, c], [equal]);
        b.AddOperator(BuiltinOperator.LESS, [x, c], [less]);
        b.SetInputs(x).SetOutputs(equal, less);
        using var interpreter = new MicroInterpreter(b.ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new sbyte[] { 1, 2, 3 });
        interpreter.Invoke();
        Assert.Equal([false, true, false], interpreter.Output(0).ToArray<bool>());
        Assert.Equal([true, false, false], interpreter.Output(1).ToArray<bool>());
    }
}
