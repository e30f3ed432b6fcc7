using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests;

/// <summary>
/// The interpreter's answers to a caller's mistakes (too small an arena, data of the wrong size,
/// calls out of order, an operator without a kernel) and to models whose sizes would overflow the
/// arena arithmetic: each a typed error that says what is wrong, never a crash.
/// </summary>
public class InterpreterErrorTests
{
    private static ModelBuilder FloatFullyConnected()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.FLOAT32, [1, 3]);
        int w = b.AddConstant("w", TensorType.FLOAT32, [2, 3], new[] { 1f, 2f, 3f, 4f, 5f, 6f });
        int y = b.AddTensor("y", TensorType.FLOAT32, [1, 2]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, -1], [y]);
        return b.SetInputs(x).SetOutputs(y);
    }

    // Persistent per-channel data in the tail as well as planned tensors in the head.
    private static Model Int8FullyConnected()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [4, 16], scales: [0.5f], zeroPoints: [-1]);
        int w = b.AddConstant("w", TensorType.INT8, [8, 16], new sbyte[128], scales: Enumerable.Repeat(0.01f, 8).ToArray(), zeroPoints: new long[8]);
        int y = b.AddTensor("y", TensorType.INT8, [4, 8], scales: [0.25f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, -1], [y]);
        return b.SetInputs(x).SetOutputs(y).ToModel();
    }

    [Theory]
    [InlineData(1)] // one byte short
    [InlineData(100)] // the head does not fit
    [InlineData(-1)] // not even the tail fits: measured in detached memory
    public void Arena_too_small_reports_exactly_what_a_big_enough_arena_uses(int shortBy)
    {
        var model = Int8FullyConnected();
        using var big = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 1 << 16);
        big.AllocateTensors();
        int used = big.ArenaUsedBytes;
        Assert.True(big.Plan.TailBytes > 0 && big.Plan.HeadBytes > 0);

        int given = shortBy < 0 ? 8 : used - shortBy;
        using var small = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), given);
        var e = Assert.Throws<ArenaTooSmallException>(small.AllocateTensors);
        Assert.Equal($"arena too small: the plan needs {used:N0} bytes, {given:N0} given", e.Message);
        Assert.Equal(used, e.RequiredBytes);
        Assert.Equal(given, e.GivenBytes);
        Assert.False(e.IsLowerBound);

        using var exact = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), used);
        exact.AllocateTensors();
    }

    [Fact]
    public void Negative_arena_size_is_an_arena_error()
    {
        var e = Assert.Throws<ArenaTooSmallException>(() => new MicroInterpreter(FloatFullyConnected().ToModel(), OpResolver.WithAllBuiltins(), -5));
        Assert.Equal(-5, e.GivenBytes);
    }

    [Fact]
    public void Input_of_the_wrong_size_names_the_tensor_and_both_sizes()
    {
        using var interpreter = new MicroInterpreter(FloatFullyConnected().ToModel(), OpResolver.WithAllBuiltins(), 4096);
        interpreter.AllocateTensors();
        var e = Assert.Throws<TensorDataException>(() => interpreter.Input(0).CopyFrom(new[] { 1f, 2f }));
        Assert.Equal("tensor 0 ('x') is float32[1,3] = 12 bytes; 8 bytes given", e.Message);
        // Same byte count through another element type is fine: the check is on bytes.
        interpreter.Input(0).CopyFrom(new byte[12]);
    }

    [Fact]
    public void Writing_a_constant_is_refused()
    {
        var model = FloatFullyConnected().Edit(m => m.Subgraphs[0].Inputs = [1]).ToModel();
        using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 4096);
        interpreter.AllocateTensors();
        var e = Assert.Throws<TensorDataException>(() => interpreter.Input(0).CopyFrom(new float[6]));
        Assert.Contains("tensor 1 ('w') is a constant", e.Message);
    }

    [Fact]
    public void Invoke_before_AllocateTensors_is_a_state_error()
    {
        using var interpreter = new MicroInterpreter(FloatFullyConnected().ToModel(), OpResolver.WithAllBuiltins(), 4096);
        var e = Assert.Throws<InterpreterStateException>(interpreter.Invoke);
        Assert.Equal("Invoke called before AllocateTensors", e.Message);
        Assert.Throws<InterpreterStateException>(interpreter.Reset);
        Assert.Throws<InterpreterStateException>(() => interpreter.Plan);
    }

    [Fact]
    public void Copying_input_before_AllocateTensors_is_a_state_error()
    {
        using var interpreter = new MicroInterpreter(FloatFullyConnected().ToModel(), OpResolver.WithAllBuiltins(), 4096);
        var e = Assert.Throws<InterpreterStateException>(() => interpreter.Input(0).CopyFrom(new float[3]));
        Assert.Contains("call AllocateTensors first", e.Message);
    }

    [Fact]
    public void Operator_without_a_kernel_is_named_with_its_index()
    {
        // An empty resolver, so the test does not depend on which kernels exist.
        using var interpreter = new MicroInterpreter(FloatFullyConnected().ToModel(), new OpResolver(), 4096);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Equal("operator 0 (FULLY_CONNECTED) has no registered kernel", e.Message);
        Assert.Equal(0, e.OperatorIndex);
        Assert.Equal("FULLY_CONNECTED", e.OperatorName);
    }

    [Fact]
    public void Custom_operator_without_a_kernel_is_named_by_its_custom_code()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [4]);
        int y = b.AddTensor("y", TensorType.INT8, [4]);
        b.AddOperator(BuiltinOperator.CUSTOM, [x], [y], customCode: "NoSuchCustomOp");
        using var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 4096);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Equal("operator 0 (NoSuchCustomOp) is a custom operator with no registered kernel", e.Message);
    }

    // Regressions for what the mutation test found; each used to escape as a .NET exception or allocate gigabytes.

    [Fact]
    public void Offline_offset_near_2_GB_is_an_arena_error_not_an_overflow()
    {
        var model = FloatFullyConnected()
            .AddMetadata(Model.OfflineMemoryAllocationMetadata, System.Runtime.InteropServices.MemoryMarshal.AsBytes(
                new[] { 1, 0, 3, int.MaxValue - 4, -1, -1 }.AsSpan()).ToArray())
            .ToModel();
        using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 4096);
        var e = Assert.Throws<ArenaTooSmallException>(interpreter.AllocateTensors);
        // Tensor 0 (12 bytes, aligned to 16) sits at 2^31 - 5: the head ends past 2 GB.
        Assert.Equal(int.MaxValue - 4 + 16L, e.RequiredBytes);
    }

    [Fact]
    public void Tensor_of_almost_2_GB_is_an_arena_error_not_an_overflow()
    {
        // 2^31 - 1 int8 elements: aligned to 16 the size no longer fits an int.
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [int.MaxValue]);
        int y = b.AddTensor("y", TensorType.INT8, [int.MaxValue]);
        b.AddOperator(BuiltinOperator.RESHAPE, [x], [y]);
        using var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 4096);
        var e = Assert.Throws<ArenaTooSmallException>(interpreter.AllocateTensors);
        // Both tensors are alive together (input and output of operator 0): 2 x 2^31 bytes.
        Assert.Equal(2L << 31, e.RequiredBytes);
    }

    [Fact]
    public void Huge_variable_tensor_is_refused_without_allocating_it()
    {
        var b = FloatFullyConnected();
        b.AddTensor("state", TensorType.INT8, [1 << 30], isVariable: true);
        var model = b.ToModel();
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 4096);
        var e = Assert.Throws<ArenaTooSmallException>(interpreter.AllocateTensors);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20, "AllocateTensors allocated the 1 GB state to measure it");
        Assert.True(e.IsLowerBound);
        Assert.Equal(1L << 30, e.RequiredBytes);
        Assert.Equal($"arena too small: the plan needs at least {1L << 30:N0} bytes, 4,096 given", e.Message);
    }

    [Fact]
    public void Int8_output_zero_point_outside_int8_clamps_as_TFLM_does()
    {
        // TFLM: act_min = max(-128, 200) = 200, act_max = 127, output = min(max(acc, 200), 127) = 127.
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [1, 2], scales: [1f], zeroPoints: [0]);
        int w = b.AddConstant("w", TensorType.INT8, [2, 2], new sbyte[] { 1, 0, 0, -1 }, scales: [1f], zeroPoints: [0]);
        int y = b.AddTensor("y", TensorType.INT8, [1, 2], scales: [1f], zeroPoints: [200]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, -1], [y],
            BuiltinOptionsUnion.FromFullyConnectedOptions(new FullyConnectedOptionsT { FusedActivationFunction = ActivationFunctionType.RELU }));
        using var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 4096);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new sbyte[] { 5, 7 });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 127, 127 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Relu6_with_a_denormal_output_scale_stays_inside_the_type()
    {
        // 6 / 1e-45 is infinite in float: the clamp must saturate at 127, not wrap below its minimum.
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [1, 2], scales: [1f], zeroPoints: [0]);
        int w = b.AddConstant("w", TensorType.INT8, [2, 2], new sbyte[] { 1, 0, 0, -1 }, scales: [1f], zeroPoints: [0]);
        int y = b.AddTensor("y", TensorType.INT8, [1, 2], scales: [1e-45f], zeroPoints: [3]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, -1], [y],
            BuiltinOptionsUnion.FromFullyConnectedOptions(new FullyConnectedOptionsT { FusedActivationFunction = ActivationFunctionType.RELU6 }));
        using var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 4096);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new sbyte[] { 5, 7 });
        interpreter.Invoke();
        Assert.All(interpreter.Output(0).ToArray<sbyte>(), v => Assert.InRange(v, (sbyte)3, (sbyte)127));
    }

    [Fact]
    public void String_tensors_are_refused_at_AllocateTensors()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("words", TensorType.STRING, [2], data: new byte[] { 2, 0, 0, 0, 8, 0, 0, 0, 10, 0, 0, 0, 104, 105 });
        int y = b.AddTensor("copy", TensorType.STRING, [2]);
        b.AddOperator(BuiltinOperator.RESHAPE, [x], [y]);
        using var interpreter = new MicroInterpreter(b.SetOutputs(y).ToModel("strings.tflite"), OpResolver.WithAllBuiltins(), 4096);
        var e = Assert.Throws<ModelFormatException>(interpreter.AllocateTensors);
        Assert.Equal("strings.tflite: subgraph 0, tensor 0 ('words'), field type", e.Location);
        Assert.Contains("string tensors have no fixed element size", e.Message);
    }
}
