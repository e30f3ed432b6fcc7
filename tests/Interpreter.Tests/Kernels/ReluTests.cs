using TinyMl.Interpreter.Schema;
using static TinyMl.Interpreter.Tests.Kernels.ElementwiseOpModel;

namespace TinyMl.Interpreter.Tests.Kernels;

public class ReluTests
{
    private static MicroInterpreter Single(BuiltinOperator op, TensorType type, int[] shape,
        float? inScale = null, long inZero = 0, float? outScale = null, long outZero = 0)
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(type, shape, inScale, inZero);
        m.Output(type, shape, outScale, outZero);
        return m.Build(op, [x]);
    }

    [Fact]
    public void Float_relu_and_relu6_clamp()
    {
        using var relu = Single(BuiltinOperator.RELU, TensorType.FLOAT32, [2, 3]);
        Assert.Equal(new[] { 0f, 0f, 0.5f, 6f, 7.25f, 0f }, Run<float>(relu, new[] { -1f, 0f, 0.5f, 6f, 7.25f, -1e30f }));
        using var relu6 = Single(BuiltinOperator.RELU6, TensorType.FLOAT32, [2, 3]);
        Assert.Equal(new[] { 0f, 0f, 0.5f, 6f, 6f, 0f }, Run<float>(relu6, new[] { -1f, 0f, 0.5f, 6f, 7.25f, -1e30f }));
    }

    [Fact]
    public void Int8_relu_requantizes_from_input_to_output_scale()
    {
        // in: scale 0.5, zp -10; out: scale 0.25, zp -128. Multiplier 2 -> 2^30, shift 2.
        // x = -10 -> 0.0 -> -128; x = 0 -> 10*2 = 20 -> -108; x = -20 -> -20 -> -148 -> clamped to
        // the output zero point -128; x = 100 -> 220 -> 92; x = 127 -> 274 -> 146 -> 127.
        using var relu = Single(BuiltinOperator.RELU, TensorType.INT8, [5], 0.5f, -10, 0.25f, -128);
        Assert.Equal(new sbyte[] { -128, -108, -128, 92, 127 }, Run<sbyte>(relu, new sbyte[] { -10, 0, -20, 100, 127 }));
    }

    [Fact]
    public void Int8_relu_rounds_half_up_in_the_high_multiply()
    {
        // in scale 0.375, out scale 0.25 (both exact in float): multiplier 1.5 = 0.75 * 2^1 ->
        // 1610612736, shift 1. (x - zp) = 3 -> 4.5 -> 5; 5 -> 7.5 -> 8; 1 -> 1.5 -> 2. Zero points 0.
        using var relu = Single(BuiltinOperator.RELU, TensorType.INT8, [4], 0.375f, 0, 0.25f, 0);
        Assert.Equal(new sbyte[] { 5, 8, 2, 0 }, Run<sbyte>(relu, new sbyte[] { 3, 5, 1, -3 }));
    }

    [Fact]
    public void Int16_relu_needs_zero_points_of_zero()
    {
        // in scale 2^-10, out 2^-11: multiplier 2. 300 -> 600; -5 -> clamped to 0; 20000 -> 40000 -> 32767.
        using var relu = Single(BuiltinOperator.RELU, TensorType.INT16, [3], 1f / 1024, 0, 1f / 2048, 0);
        Assert.Equal(new short[] { 600, 0, 32767 }, Run<short>(relu, new short[] { 300, -5, 20000 }));

        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT16, [3], 1f / 1024, 4);
        m.Output(TensorType.INT16, [3], 1f / 1024, 0);
        var e = m.Rejects(BuiltinOperator.RELU, [x]);
        Assert.Contains("operator 0 (RELU)", e.Message);
        Assert.Contains("zero points of 0", e.Message);
    }

    [Fact]
    public void Int8_relu6_clamps_stored_values_between_zero_point_and_six_without_requantizing()
    {
        // in scale 1/16, zp -100: zero = -100, six = round(6 * 16) - 100 = -4. The output's own
        // (different) quantization is ignored, as in TFLM.
        using var relu6 = Single(BuiltinOperator.RELU6, TensorType.INT8, [6], 1f / 16, -100, 0.5f, 7);
        Assert.Equal(new sbyte[] { -100, -100, -99, -50, -4, -4 }, Run<sbyte>(relu6, new sbyte[] { -128, -100, -99, -50, -4, 127 }));
    }

    [Fact]
    public void Int8_relu6_keeps_six_within_the_type()
    {
        // scale 0.01: 6.0 would be 600, clamped to 127, so only the lower bound acts.
        using var relu6 = Single(BuiltinOperator.RELU6, TensorType.INT8, [3], 0.01f, 0, 0.01f, 0);
        Assert.Equal(new sbyte[] { 0, 50, 127 }, Run<sbyte>(relu6, new sbyte[] { -3, 50, 127 }));
    }

    [Fact]
    public void Int16_relu6_uses_the_input_scale()
    {
        // scale 2^-12, zp 0: six = 6 * 4096 = 24576.
        using var relu6 = Single(BuiltinOperator.RELU6, TensorType.INT16, [3], 1f / 4096, 0, 1f / 4096, 0);
        Assert.Equal(new short[] { 0, 24576, 1000 }, Run<short>(relu6, new short[] { -7, 30000, 1000 }));
    }

    [Fact]
    public void Mismatched_types_and_sizes_are_rejected()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT8, [4], 0.5f, 0);
        m.Output(TensorType.INT8, [5], 0.5f, 0);
        var e = m.Rejects(BuiltinOperator.RELU6, [x]);
        Assert.Contains("operator 0 (RELU6)", e.Message);
        Assert.Contains("[4]", e.Message);
        Assert.Contains("[5]", e.Message);

        var t = new ElementwiseOpModel();
        int y = t.Input(TensorType.INT32, [4]);
        t.Output(TensorType.INT32, [4]);
        Assert.Contains("int32", t.Rejects(BuiltinOperator.RELU, [y]).Message);
    }
}
