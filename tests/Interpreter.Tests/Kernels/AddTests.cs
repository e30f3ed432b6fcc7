using TinyMl.Interpreter.Schema;
using static TinyMl.Interpreter.Tests.Kernels.ElementwiseOpModel;

namespace TinyMl.Interpreter.Tests.Kernels;

public class AddTests
{
    private static BuiltinOptionsUnion Options(ActivationFunctionType activation) =>
        BuiltinOptionsUnion.FromAddOptions(new AddOptionsT { FusedActivationFunction = activation });

    [Fact]
    public void Float_inputs_2x1x3_and_1x4x1_broadcast_to_2x4x3()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [2, 1, 3]);
        int b = m.Input(TensorType.FLOAT32, [1, 4, 1]);
        m.Output(TensorType.FLOAT32, [2, 4, 3]);
        using var interpreter = m.Build(BuiltinOperator.ADD, [a, b]);

        float[] x = [1, 2, 3, 10, 20, 30];
        float[] y = [100, 200, 300, 400];
        var result = Run<float>(interpreter, x, y);

        // out[i, j, k] = x[i, 0, k] + y[0, j, 0]
        var expected = new float[24];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 3; k++)
                    expected[i * 12 + j * 3 + k] = x[i * 3 + k] + y[j];
        Assert.Equal(expected, result);
        Assert.Equal(new float[] { 101, 102, 103, 201, 202, 203 }, result[..6]);
        Assert.Equal(new float[] { 410, 420, 430 }, result[^3..]);
    }

    [Fact]
    public void Float_add_applies_relu6_and_equal_shapes_take_the_flat_path()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [2, 2]);
        int b = m.Input(TensorType.FLOAT32, [2, 2]);
        m.Output(TensorType.FLOAT32, [2, 2]);
        using var interpreter = m.Build(BuiltinOperator.ADD, [a, b], Options(ActivationFunctionType.RELU6));
        var result = Run<float>(interpreter, new float[] { -3, 1, 4, 2.5f }, new float[] { 1, 1, 4, 0.25f });
        Assert.Equal(new float[] { 0, 2, 6, 2.75f }, result);
    }

    [Fact]
    public void Int32_add_with_a_scalar_constant_as_the_audio_front_end_uses_it()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT32, [4]);
        int b = m.Constant(TensorType.INT32, [], new[] { 333 });
        m.Output(TensorType.INT32, [4]);
        using var interpreter = m.Build(BuiltinOperator.ADD, [a, b]);
        Assert.Equal(new[] { 333, 2425165, -667, int.MinValue + 332 }, Run<int>(interpreter, new[] { 0, 2424832, -1000, int.MaxValue }));
    }

    [Fact]
    public void Int32_add_ignores_the_fused_activation_like_TFLM()
    {
        // TFLM's int32 ADD always clamps to the full int32 range.
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT32, [3]);
        int b = m.Input(TensorType.INT32, [3]);
        m.Output(TensorType.INT32, [3]);
        using var interpreter = m.Build(BuiltinOperator.ADD, [a, b], Options(ActivationFunctionType.RELU6));
        Assert.Equal(new[] { -3, 10, 7 }, Run<int>(interpreter, new[] { -5, 4, 7 }, new[] { 2, 6, 0 }));
    }

    [Fact]
    public void Int8_add_with_different_input_scales_rounds_half_away_from_zero()
    {
        // s1 = 0.5, s2 = 0.25, so = 0.5, zero points 0. twice_max_input_scale = 1.0, so
        //   input1: 0.5  -> multiplier 2^30, shift 0  (x * 2^20 / 2)
        //   input2: 0.25 -> multiplier 2^30, shift -1 (x * 2^20 / 4)
        //   output: 1 / (2^20 * 0.5) = 2^-19 -> multiplier 2^30, shift -18
        // x1 = 3, x2 = 3: 3*2^19 + 3*2^18 = 9*2^18; halved = 9*2^17; / 2^18 = 4.5 -> 5.
        // In reals: 3*0.5 + 3*0.25 = 2.25, / 0.5 = 4.5; the rounding shift takes ties away from zero.
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [4], 0.5f, 0);
        int b = m.Input(TensorType.INT8, [4], 0.25f, 0);
        m.Output(TensorType.INT8, [4], 0.5f, 0);
        using var interpreter = m.Build(BuiltinOperator.ADD, [a, b]);
        var result = Run<sbyte>(interpreter, new sbyte[] { 3, -3, 2, 100 }, new sbyte[] { 3, -3, 4, 100 });
        // 2 and 4: 1.0 + 1.0 = 2.0 -> 4. 100 and 100: 50 + 25 = 75 -> 150, clamped to 127.
        Assert.Equal(new sbyte[] { 5, -5, 4, 127 }, result);
    }

    [Fact]
    public void Int8_add_applies_zero_points_and_relu_in_the_output_domain()
    {
        // s1 = 0.5 (zp 1), s2 = 0.25 (zp -2), so = 1.0 (zp 3): output multiplier 2^-20 -> 2^30, shift -19.
        // x1 = 7, x2 = 10: (7-1)*0.5 + (10+2)*0.25 = 3 + 3 = 6 -> 6 + 3 = 9.
        // RELU clamps at the output zero point 3: x1 = -9, x2 = -2: -5 + 0 = -5 -> -2 -> 3.
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [2], 0.5f, 1);
        int b = m.Input(TensorType.INT8, [2], 0.25f, -2);
        m.Output(TensorType.INT8, [2], 1.0f, 3);
        using var interpreter = m.Build(BuiltinOperator.ADD, [a, b], Options(ActivationFunctionType.RELU));
        Assert.Equal(new sbyte[] { 9, 3 }, Run<sbyte>(interpreter, new sbyte[] { 7, -9 }, new sbyte[] { 10, -2 }));
    }

    [Fact]
    public void Int8_add_matches_TFLMs_fixed_point_formula_for_every_input_pair()
    {
        const float s1 = 0.0372f, s2 = 0.0917f, so = 0.1143f;
        const int z1 = -7, z2 = 12, zo = -3;
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [256, 256], s1, z1);
        int b = m.Input(TensorType.INT8, [1, 256], s2, z2);
        m.Output(TensorType.INT8, [256, 256], so, zo);
        using var interpreter = m.Build(BuiltinOperator.ADD, [a, b], arenaBytes: 256 * 1024);

        var x1 = new sbyte[65536];
        var x2 = new sbyte[256];
        for (int i = 0; i < 256; i++)
        {
            x2[i] = (sbyte)(i - 128);
            for (int j = 0; j < 256; j++) x1[i * 256 + j] = (sbyte)(i - 128);
        }
        var result = Run<sbyte>(interpreter, x1, x2);
        for (int i = 0; i < 256; i++)
            for (int j = 0; j < 256; j++)
            {
                int q1 = i - 128, q2 = j - 128;
                int expected = ElementwiseReference.Add(q1, q2, s1, z1, s2, z2, so, zo, 20, -128, 127);
                Assert.True(expected == result[i * 256 + j], $"{q1} + {q2}: TFLM's formula gives {expected}, kernel {result[i * 256 + j]}");
                // And the formula is a faithful requantization: within one step of the real-valued sum.
                double real = ((q1 - z1) * (double)s1 + (q2 - z2) * (double)s2) / so + zo;
                Assert.True(Math.Abs(expected - Math.Clamp(Math.Round(real), -128, 127)) <= 1, $"{q1} + {q2}: {expected} vs real {real}");
            }
    }

    [Fact]
    public void Int16_add_uses_15_bits_of_headroom()
    {
        // s1 = s2 = 2^-10, so = 2^-9, zero points 0: multipliers 0.5 (2^30, 0) each and
        // output 1 / (2^15 * 2^-9) * 2^-9 = 2^-15 -> 2^30, shift -14.
        // x1 = 301, x2 = 200: (301 + 200) * 2^14 = 501 * 2^14; halved = 501 * 2^13; / 2^14 = 250.5 -> 251.
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT16, [3], 1f / 1024, 0);
        int b = m.Input(TensorType.INT16, [3], 1f / 1024, 0);
        m.Output(TensorType.INT16, [3], 1f / 512, 0);
        using var interpreter = m.Build(BuiltinOperator.ADD, [a, b]);
        var result = Run<short>(interpreter, new short[] { 301, -301, 32767 }, new short[] { 200, -200, 32767 });
        Assert.Equal(new short[] { 251, -251, 32767 }, result);
    }

    [Fact]
    public void Shapes_that_do_not_broadcast_are_rejected_with_both_shapes()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [2, 3]);
        int b = m.Input(TensorType.FLOAT32, [4, 3]);
        m.Output(TensorType.FLOAT32, [4, 3]);
        var e = m.Rejects(BuiltinOperator.ADD, [a, b]);
        Assert.Contains("operator 0 (ADD)", e.Message);
        Assert.Contains("[2,3]", e.Message);
        Assert.Contains("[4,3]", e.Message);
        Assert.Contains("do not broadcast", e.Message);
    }

    [Fact]
    public void An_output_that_is_not_the_broadcast_shape_is_rejected()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [2, 1]);
        int b = m.Input(TensorType.FLOAT32, [1, 3]);
        m.Output(TensorType.FLOAT32, [2, 2]);
        var e = m.Rejects(BuiltinOperator.ADD, [a, b]);
        Assert.Contains("[2,2]", e.Message);
        Assert.Contains("broadcast to [2,3]", e.Message);
    }

    [Fact]
    public void Mixed_types_and_unsupported_types_are_rejected()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [2], 0.5f, 0);
        int b = m.Input(TensorType.FLOAT32, [2]);
        m.Output(TensorType.INT8, [2], 0.5f, 0);
        Assert.Contains("must both have the output's type int8", m.Rejects(BuiltinOperator.ADD, [a, b]).Message);

        var u = new ElementwiseOpModel();
        int c = u.Input(TensorType.INT64, [2]);
        int d = u.Input(TensorType.INT64, [2]);
        u.Output(TensorType.INT64, [2]);
        Assert.Contains("int64", u.Rejects(BuiltinOperator.ADD, [c, d]).Message);
    }

    [Fact]
    public void Int8_add_without_quantization_or_with_too_small_an_output_scale_is_rejected()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [2]);
        int b = m.Input(TensorType.INT8, [2], 0.5f, 0);
        m.Output(TensorType.INT8, [2], 0.5f, 0);
        Assert.Contains("needs per-tensor quantization", m.Rejects(BuiltinOperator.ADD, [a, b]).Message);

        // 2 * 1.0 / (2^20 * 2^-21) = 4: TFLM aborts on an output multiplier of 1 or more.
        var t = new ElementwiseOpModel();
        int c = t.Input(TensorType.INT8, [2], 1f, 0);
        int d = t.Input(TensorType.INT8, [2], 1f, 0);
        t.Output(TensorType.INT8, [2], MathF.Pow(2, -21), 0);
        Assert.Contains("too small", t.Rejects(BuiltinOperator.ADD, [c, d]).Message);
    }
}
