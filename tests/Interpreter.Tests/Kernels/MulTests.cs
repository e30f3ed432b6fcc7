using TinyMl.Interpreter.Schema;
using static TinyMl.Interpreter.Tests.Kernels.ElementwiseOpModel;

namespace TinyMl.Interpreter.Tests.Kernels;

public class MulTests
{
    private static BuiltinOptionsUnion Options(ActivationFunctionType activation) =>
        BuiltinOptionsUnion.FromMulOptions(new MulOptionsT { FusedActivationFunction = activation });

    [Fact]
    public void Float_inputs_2x1x3_and_1x4x1_broadcast_with_relu()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [2, 1, 3]);
        int b = m.Input(TensorType.FLOAT32, [1, 4, 1]);
        m.Output(TensorType.FLOAT32, [2, 4, 3]);
        using var interpreter = m.Build(BuiltinOperator.MUL, [a, b], Options(ActivationFunctionType.RELU));

        float[] x = [1, -2, 3, 0.5f, 4, -8];
        float[] y = [1, -1, 2, 0.25f];
        var result = Run<float>(interpreter, x, y);
        var expected = new float[24];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 3; k++)
                    expected[i * 12 + j * 3 + k] = Math.Max(0f, x[i * 3 + k] * y[j]);
        Assert.Equal(expected, result);
        Assert.Equal(new float[] { 0, 2, 0 }, result[3..6]); // row j = 1: x * -1
    }

    [Fact]
    public void Int32_mul_by_a_scalar_clamps_with_the_fused_activation()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT32, [4]);
        int b = m.Constant(TensorType.INT32, [], new[] { 2 });
        m.Output(TensorType.INT32, [4]);
        using var interpreter = m.Build(BuiltinOperator.MUL, [a, b], Options(ActivationFunctionType.RELU6));
        Assert.Equal(new[] { 6, 0, 2, 6 }, Run<int>(interpreter, new[] { 3, -2, 1, 100 }));
    }

    [Fact]
    public void Int32_mul_by_256_as_the_audio_front_end_scales_its_log_features()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT32, [3]);
        int b = m.Constant(TensorType.INT32, [], new[] { 256 });
        m.Output(TensorType.INT32, [3]);
        using var interpreter = m.Build(BuiltinOperator.MUL, [a, b]);
        Assert.Equal(new[] { 2424832, -4615168, 0 }, Run<int>(interpreter, new[] { 9472, -18028, 0 }));
    }

    [Fact]
    public void Int8_mul_with_different_input_scales_uses_the_product_of_the_scales()
    {
        // s1 = 0.5, s2 = 0.25, so = 0.125, output zp -1: real multiplier 0.5*0.25/0.125 = 1.0
        // -> multiplier 2^30, shift 1. x1 = 3, x2 = 5: 15 * 2 * 2^30 / 2^31 = 15 -> 14.
        // x1 = -4 (zp 0), x2 = 7: -28 -> -29. x1 = 20, x2 = 20: 400 -> 399, clamped to 127.
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [3], 0.5f, 0);
        int b = m.Input(TensorType.INT8, [3], 0.25f, 0);
        m.Output(TensorType.INT8, [3], 0.125f, -1);
        using var interpreter = m.Build(BuiltinOperator.MUL, [a, b]);
        Assert.Equal(new sbyte[] { 14, -29, 127 }, Run<sbyte>(interpreter, new sbyte[] { 3, -4, 20 }, new sbyte[] { 5, 7, 20 }));
    }

    [Fact]
    public void Int8_mul_rounds_twice_like_TFLM()
    {
        // s1 = 0.5, s2 = 0.25, so = 0.5: real multiplier 0.25 -> 2^30, shift -1.
        // x1 = x2 = 1: product 1; the high multiply gives round(0.5) = 1, the rounding shift
        // round(1 / 2) = 1, although 0.5 * 0.25 / 0.5 = 0.25 would round to 0 in one step.
        // x1 = 3, x2 = 1: product 3 -> high multiply round(1.5) = 2 -> 2 / 2 = 1 (real 0.75).
        // x1 = 5, x2 = 3 with zero points 1 and -1: (5-1)*(3+1) = 16 -> 8 -> 4 (real 4.0).
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [2], 0.5f, 0);
        int b = m.Input(TensorType.INT8, [2], 0.25f, 0);
        m.Output(TensorType.INT8, [2], 0.5f, 0);
        using var interpreter = m.Build(BuiltinOperator.MUL, [a, b]);
        Assert.Equal(new sbyte[] { 1, 1 }, Run<sbyte>(interpreter, new sbyte[] { 1, 3 }, new sbyte[] { 1, 1 }));

        var z = new ElementwiseOpModel();
        int c = z.Input(TensorType.INT8, [1], 0.5f, 1);
        int d = z.Input(TensorType.INT8, [1], 0.25f, -1);
        z.Output(TensorType.INT8, [1], 0.5f, 0);
        using var withZeroPoints = z.Build(BuiltinOperator.MUL, [c, d]);
        Assert.Equal(new sbyte[] { 4 }, Run<sbyte>(withZeroPoints, new sbyte[] { 5 }, new sbyte[] { 3 }));
    }

    [Fact]
    public void Int8_mul_matches_TFLMs_fixed_point_formula_for_every_input_pair_with_relu6()
    {
        const float s1 = 0.0213f, s2 = 0.0571f, so = 0.0333f;
        const int z1 = 5, z2 = -17, zo = -128;
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [256, 1], s1, z1);
        int b = m.Input(TensorType.INT8, [1, 256], s2, z2);
        m.Output(TensorType.INT8, [256, 256], so, zo);
        using var interpreter = m.Build(BuiltinOperator.MUL, [a, b], Options(ActivationFunctionType.RELU6), arenaBytes: 128 * 1024);

        var x = new sbyte[256];
        for (int i = 0; i < 256; i++) x[i] = (sbyte)(i - 128);
        var result = Run<sbyte>(interpreter, x, x);
        // RELU6 in the output domain: [zo + round(0 / so), zo + round(6 / so)] = [-128, -128 + 180] = [-128, 52].
        int max = zo + (int)MathF.Round(6f / so, MidpointRounding.AwayFromZero);
        Assert.Equal(52, max);
        for (int i = 0; i < 256; i++)
            for (int j = 0; j < 256; j++)
            {
                int expected = ElementwiseReference.Mul(i - 128, j - 128, s1, z1, s2, z2, so, zo, -128, max);
                Assert.True(expected == result[i * 256 + j], $"{i - 128} * {j - 128}: TFLM's formula gives {expected}, kernel {result[i * 256 + j]}");
            }
    }

    [Fact]
    public void Int16_mul_rounds_half_away_from_zero_in_the_final_shift()
    {
        // s1 = s2 = 2^-7, so = 2^-10: real multiplier 2^-4 -> 2^30, shift -3.
        // 100 * -50 = -5000 -> high multiply -2500 -> -2500 / 8 = -312.5 -> -313.
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT16, [2], 1f / 128, 0);
        int b = m.Input(TensorType.INT16, [2], 1f / 128, 0);
        m.Output(TensorType.INT16, [2], 1f / 1024, 0);
        using var interpreter = m.Build(BuiltinOperator.MUL, [a, b]);
        Assert.Equal(new short[] { -313, 313 }, Run<short>(interpreter, new short[] { 100, 100 }, new short[] { -50, 50 }));
    }

    [Fact]
    public void Int16_mul_with_a_nonzero_zero_point_is_rejected()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT16, [2], 1f / 128, 3);
        int b = m.Input(TensorType.INT16, [2], 1f / 128, 0);
        m.Output(TensorType.INT16, [2], 1f / 1024, 0);
        var e = m.Rejects(BuiltinOperator.MUL, [a, b]);
        Assert.Contains("operator 0 (MUL)", e.Message);
        Assert.Contains("zero points of 0", e.Message);
    }

    [Fact]
    public void Shapes_that_do_not_broadcast_are_rejected()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [3, 2], 0.5f, 0);
        int b = m.Input(TensorType.INT8, [3], 0.5f, 0);
        m.Output(TensorType.INT8, [3, 3], 0.5f, 0);
        var e = m.Rejects(BuiltinOperator.MUL, [a, b]);
        Assert.Contains("operator 0 (MUL)", e.Message);
        Assert.Contains("[3,2] and", e.Message);
        Assert.Contains("[3] do not broadcast", e.Message);
    }
}
