using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>ABS (quantized), the math functions, logical operators, SELECT_V2 and ZEROS_LIKE: exact values worked out by hand, errors, allocation.</summary>
public class UnaryMathTests
{
    private static MicroInterpreter Single(BuiltinOperator op, TensorType type, int[] shape, TensorType? outputType = null,
        float[]? inScale = null, long[]? inZero = null, float[]? outScale = null, long[]? outZero = null, int inputs = 1)
    {
        var b = new ModelBuilder();
        var ins = Enumerable.Range(0, inputs).Select(i => b.AddTensor($"x{i}", i == 0 && op == BuiltinOperator.SELECT_V2 ? TensorType.BOOL : type, shape, scales: inScale, zeroPoints: inZero)).ToArray();
        int y = b.AddTensor("y", outputType ?? type, shape, scales: outScale, zeroPoints: outZero);
        b.AddOperator(op, ins, [y]);
        var interpreter = new MicroInterpreter(b.SetInputs(ins).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Fact]
    public void Int8_abs_takes_the_distance_from_the_zero_point_and_rescales_as_tflm()
    {
        // |−7 − 5| = 12 and |6 − 5| = 1 at scale 0.1; at output scale 0.2 that is 6 and 0.5 (rounded away from 0: 1), then zero point −3.
        using var interpreter = Single(BuiltinOperator.ABS, TensorType.INT8, [2], inScale: [0.1f], inZero: [5], outScale: [0.2f], outZero: [-3]);
        interpreter.Input(0).CopyFrom(new sbyte[] { -7, 6 });
        interpreter.Invoke();
        Assert.Equal([(sbyte)3, (sbyte)-2], interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Int8_rsqrt_uses_the_fixed_point_inverse_square_root_and_refuses_negatives()
    {
        // Scale 1, zero point 0 in; scale 1/64 out: 1/√4 = 0.5 → 32, 1/√16 = 0.25 → 16, and 0 gives int8 max as in TFLM.
        using var interpreter = Single(BuiltinOperator.RSQRT, TensorType.INT8, [3], inScale: [1f], inZero: [0], outScale: [1 / 64f], outZero: [0]);
        interpreter.Input(0).CopyFrom(new sbyte[] { 4, 16, 0 });
        interpreter.Invoke();
        Assert.Equal([(sbyte)32, (sbyte)16, sbyte.MaxValue], interpreter.Output(0).ToArray<sbyte>());
        interpreter.Input(0).CopyFrom(new sbyte[] { 4, -1, 0 });
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.Invoke);
        Assert.Equal("operator 0 (RSQRT) computes RSQRT of a negative value (stored -1, zero point 0); TFLM stops there too", e.Message);
    }

    [Fact]
    public void Round_goes_half_to_even_and_the_math_functions_follow_single_precision()
    {
        using var round = Single(BuiltinOperator.ROUND, TensorType.FLOAT32, [6]);
        round.Input(0).CopyFrom(new[] { 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f });
        round.Invoke();
        Assert.Equal([0f, 2f, 2f, -0f, -2f, 2f], round.Output(0).ToArray<float>());
        using var rsqrt = Single(BuiltinOperator.RSQRT, TensorType.FLOAT32, [3]);
        rsqrt.Input(0).CopyFrom(new[] { 4f, 0.25f, 16f });
        rsqrt.Invoke();
        Assert.Equal([0.5f, 2f, 0.25f], rsqrt.Output(0).ToArray<float>());
    }

    [Fact]
    public void Select_v2_picks_per_element_with_a_broadcast_condition()
    {
        var b = new ModelBuilder();
        int c = b.AddTensor("c", TensorType.BOOL, [1, 3]);
        int x = b.AddTensor("x", TensorType.FLOAT32, [2, 3]);
        int y = b.AddTensor("y", TensorType.FLOAT32, [2, 1]);
        int o = b.AddTensor("o", TensorType.FLOAT32, [2, 3]);
        b.AddOperator(BuiltinOperator.SELECT_V2, [c, x, y], [o]);
        using var interpreter = new MicroInterpreter(b.SetInputs(c, x, y).SetOutputs(o).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new[] { true, false, true });
        interpreter.Input(1).CopyFrom(new[] { 1f, 2f, 3f, 4f, 5f, 6f });
        interpreter.Input(2).CopyFrom(new[] { -1f, -2f });
        interpreter.Invoke();
        Assert.Equal([1f, -1f, 3f, 4f, -2f, 6f], interpreter.Output(0).ToArray<float>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Select_v2_with_a_non_bool_condition_names_it()
    {
        var b = new ModelBuilder();
        int c = b.AddTensor("c", TensorType.FLOAT32, [3]);
        int x = b.AddTensor("x", TensorType.FLOAT32, [3]);
        int o = b.AddTensor("o", TensorType.FLOAT32, [3]);
        b.AddOperator(BuiltinOperator.SELECT_V2, [c, x, x], [o]);
        using var interpreter = new MicroInterpreter(b.SetInputs(c, x).SetOutputs(o).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Equal("operator 0 (SELECT_V2) condition tensor 0 is float32; supported: bool", e.Message);
    }

    [Fact]
    public void Exp_of_int8_is_refused_as_tflm_refuses_it()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [3], scales: [0.1f], zeroPoints: [0]);
        int o = b.AddTensor("o", TensorType.INT8, [3], scales: [0.1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.EXP, [x], [o]);
        using var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(o).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Equal("operator 0 (EXP) input tensor 0 is int8; supported: float32", e.Message);
    }

    public static TheoryData<BuiltinOperator, TensorType> Allocating => new()
    {
        { BuiltinOperator.ABS, TensorType.FLOAT32 }, { BuiltinOperator.ABS, TensorType.INT16 }, { BuiltinOperator.SIN, TensorType.FLOAT32 },
        { BuiltinOperator.EXP, TensorType.FLOAT32 }, { BuiltinOperator.ROUND, TensorType.FLOAT32 }, { BuiltinOperator.LOGICAL_NOT, TensorType.BOOL },
        { BuiltinOperator.ZEROS_LIKE, TensorType.INT32 },
    };

    [Theory]
    [MemberData(nameof(Allocating))]
    public void Invoke_allocates_nothing(BuiltinOperator op, TensorType type)
    {
        using var interpreter = Single(op, type, [2, 8]);
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Int8_prelu_scales_the_negative_side_by_alpha_per_channel()
    {
        // x scale 0.5, alpha scale 0.25, output scale 0.5, zero points 0: alpha stored 2 and 4 are 0.5 and 1.0.
        // −4 (−2.0) · 0.5 = −1.0 → −2; −4 · 1.0 → −4; 3 stays 3.
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [1, 1, 2, 2], scales: [0.5f], zeroPoints: [0]);
        int alpha = b.AddConstant("alpha", TensorType.INT8, [1, 1, 2], new sbyte[] { 2, 4 }, [0.25f], [0]);
        int y = b.AddTensor("y", TensorType.INT8, [1, 1, 2, 2], scales: [0.5f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.PRELU, [x, alpha], [y]);
        using var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new sbyte[] { -4, -4, 3, 3 });
        interpreter.Invoke();
        Assert.Equal([(sbyte)-2, (sbyte)-4, (sbyte)3, (sbyte)3], interpreter.Output(0).ToArray<sbyte>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Hard_swish_bends_at_minus_three_and_three()
    {
        using var interpreter = Single(BuiltinOperator.HARD_SWISH, TensorType.FLOAT32, [5]);
        interpreter.Input(0).CopyFrom(new[] { -4f, -3f, 0f, 1.5f, 4f });
        interpreter.Invoke();
        Assert.Equal([-0f, -0f, 0f, 1.5f * 4.5f / 6, 4f], interpreter.Output(0).ToArray<float>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Floor_div_and_mod_follow_the_divisors_sign()
    {
        foreach (var (op, expected) in new[] { (BuiltinOperator.FLOOR_DIV, new[] { 2f, -3f, -3f, 2f }), (BuiltinOperator.FLOOR_MOD, new[] { 1f, -2f, 2f, -1f }) })
        {
            using var interpreter = Single(op, TensorType.FLOAT32, [4], inputs: 2);
            interpreter.Input(0).CopyFrom(new[] { 7f, 7f, -7f, -7f });
            interpreter.Input(1).CopyFrom(new[] { 3f, -3f, 3f, -3f });
            interpreter.Invoke();
            Assert.Equal(expected, interpreter.Output(0).ToArray<float>());
            Assert.Equal(0, InvokeAllocations.Measure(interpreter));
        }
    }

    [Fact]
    public void Int32_floor_div_is_refused_as_tflm_refuses_it()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT32, [3]);
        int o = b.AddTensor("o", TensorType.INT32, [3]);
        b.AddOperator(BuiltinOperator.FLOOR_DIV, [x, x], [o]);
        using var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(o).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Equal("operator 0 (FLOOR_DIV) output tensor 1 is int32; supported: float32", e.Message);
    }

    [Fact]
    public void Logical_and_or_broadcast_and_allocate_nothing()
    {
        foreach (var (op, expected) in new[] { (BuiltinOperator.LOGICAL_AND, new[] { false, false, false, true }), (BuiltinOperator.LOGICAL_OR, new[] { false, true, true, true }) })
        {
            using var interpreter = Single(op, TensorType.BOOL, [4], inputs: 2);
            interpreter.Input(0).CopyFrom(new[] { false, false, true, true });
            interpreter.Input(1).CopyFrom(new[] { false, true, false, true });
            interpreter.Invoke();
            Assert.Equal(expected, interpreter.Output(0).ToArray<bool>());
            Assert.Equal(0, InvokeAllocations.Measure(interpreter));
        }
    }
}
