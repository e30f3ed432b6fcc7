using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;
using static TinyMl.Interpreter.Tests.Kernels.ElementwiseOpModel;

namespace TinyMl.Interpreter.Tests.Kernels;

public class DivTests
{
    private static BuiltinOptionsUnion Options(ActivationFunctionType activation) =>
        BuiltinOptionsUnion.FromDivOptions(new DivOptionsT { FusedActivationFunction = activation });

    [Fact]
    public void Float_division_broadcasts_and_saturates_infinity_to_the_largest_float()
    {
        // With no activation TFLM still clamps to [lowest, max] of float, so 1/0 becomes float.MaxValue.
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [2, 3]);
        int b = m.Input(TensorType.FLOAT32, [3]);
        m.Output(TensorType.FLOAT32, [2, 3]);
        using var interpreter = m.Build(BuiltinOperator.DIV, [a, b]);
        var result = Run<float>(interpreter, new float[] { 1, 2, 3, -1, 5, 0 }, new float[] { 0, 4, -2 });
        Assert.Equal(new[] { float.MaxValue, 0.5f, -1.5f, float.MinValue, 1.25f, -0f }, result);
    }

    [Fact]
    public void Float_division_with_relu_n1_to_1()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [3]);
        int b = m.Constant(TensorType.FLOAT32, [1], new[] { 4f });
        m.Output(TensorType.FLOAT32, [3]);
        using var interpreter = m.Build(BuiltinOperator.DIV, [a, b], Options(ActivationFunctionType.RELU_N1_TO_1));
        Assert.Equal(new[] { -1f, 0.5f, 1f }, Run<float>(interpreter, new float[] { -8, 2, 8 }));
    }

    [Fact]
    public void Int32_division_truncates_towards_zero_like_the_audio_front_end_needs()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT32, [5]);
        int b = m.Constant(TensorType.INT32, [], new[] { 666 });
        m.Output(TensorType.INT32, [5]);
        using var interpreter = m.Build(BuiltinOperator.DIV, [a, b]);
        // 2425165 / 666 = 3641.39; -4614835 / 666 = -6929.18 -> -6929 (not -6930).
        Assert.Equal(new[] { 3641, -6929, 0, 0, 1 }, Run<int>(interpreter, new[] { 2425165, -4614835, 665, -665, 666 }));
    }

    [Fact]
    public void Int32_division_broadcasts_and_clamps_with_relu6()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT32, [2, 1]);
        int b = m.Input(TensorType.INT32, [1, 3]);
        m.Output(TensorType.INT32, [2, 3]);
        using var interpreter = m.Build(BuiltinOperator.DIV, [a, b], Options(ActivationFunctionType.RELU6));
        // rows: 7 / [2, -2, 1] = [3, -3, 7] -> [3, 0, 6]; -7 / [2, -2, 1] = [-3, 3, -7] -> [0, 3, 0]
        Assert.Equal(new[] { 3, 0, 6, 0, 3, 0 }, Run<int>(interpreter, new[] { 7, -7 }, new[] { 2, -2, 1 }));
    }

    [Fact]
    public void Int32_division_by_zero_fails_as_a_kernel_error()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT32, [2]);
        int b = m.Input(TensorType.INT32, [2]);
        m.Output(TensorType.INT32, [2]);
        using var interpreter = m.Build(BuiltinOperator.DIV, [a, b]);
        var e = Assert.Throws<KernelInvokeException>(() => Run<int>(interpreter, new[] { 1, 2 }, new[] { 1, 0 }));
        Assert.Contains("operator 0 (DIV)", e.Message);
    }

    [Fact]
    public void Int8_division_uses_the_fixed_point_reciprocal_and_rounds_to_nearest()
    {
        // s1 = 0.5, s2 = 0.25, so = 0.5, zero points 0: q = (x1 * 0.5) / (x2 * 0.25) / 0.5 = 4 * x1 / x2.
        // The divisor's sign moves to the numerator; 9.33 -> 9, 0.57 -> 1, 133.3 -> 127 (clamped),
        // -512 -> -128.
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [8], 0.5f, 0);
        int b = m.Input(TensorType.INT8, [8], 0.25f, 0);
        m.Output(TensorType.INT8, [8], 0.5f, 0);
        using var interpreter = m.Build(BuiltinOperator.DIV, [a, b]);
        var result = Run<sbyte>(interpreter,
            new sbyte[] { 6, -6, 6, 7, 100, 1, -128, 0 },
            new sbyte[] { 8, 8, -8, 3, 3, 7, 1, 5 });
        Assert.Equal(new sbyte[] { 3, -3, -3, 9, 127, 1, -128, 0 }, result);
    }

    [Fact]
    public void Int8_division_stays_within_one_step_of_the_real_quotient()
    {
        // The reciprocal is a three-step Newton-Raphson approximation, so the result is the nearest
        // integer except within a hair of a .5 boundary, where either neighbour is acceptable.
        // Excluded: quotients so small that TFLM's final rounding shift reaches 32 bits or more. C++
        // leaves such shifts undefined; x86 (and C#) take the count modulo 32, so TFLM's build and
        // this kernel both give a value unrelated to the quotient there.
        const float s1 = 0.071f, s2 = 0.0345f, so = 0.25f;
        const int z1 = 3, z2 = -9, zo = 10;
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [256, 1], s1, z1);
        int b = m.Input(TensorType.INT8, [1, 256], s2, z2);
        m.Output(TensorType.INT8, [256, 256], so, zo);
        using var interpreter = m.Build(BuiltinOperator.DIV, [a, b], arenaBytes: 128 * 1024);
        var x = new sbyte[256];
        for (int i = 0; i < 256; i++) x[i] = (sbyte)(i - 128);
        var result = Run<sbyte>(interpreter, x, x);
        int outputShift = ElementwiseReference.Quantize(s1 / (s2 * so)).Shift;
        int exact = 0, undefined = 0;
        for (int i = 0; i < 256; i++)
            for (int j = 0; j < 256; j++)
            {
                int n = i - 128 - z1, d = j - 128 - z2;
                if (d == 0) continue; // division by a real zero: undefined in TFLM too
                if (d < 0) { n = -n; d = -d; }
                int headroom = 31 - BitLength(n >= 0 ? n : ~n);
                int reciprocalShift = BitLength(d) - 1;
                if (outputShift - reciprocalShift - headroom <= -32)
                {
                    undefined++;
                    continue;
                }
                double real = n * (double)s1 / (d * (double)s2) / so + zo;
                double clamped = Math.Clamp(real, -128, 127);
                int got = result[i * 256 + j];
                double distanceToTie = Math.Abs(Math.Abs(clamped - Math.Floor(clamped)) - 0.5);
                if (distanceToTie > 1e-3)
                {
                    Assert.True(got == Math.Round(clamped), $"{i - 128} / {j - 128}: real {real}, kernel {got}");
                    exact++;
                }
                else
                    Assert.True(Math.Abs(got - clamped) <= 0.5 + 1e-3, $"{i - 128} / {j - 128}: real {real}, kernel {got}");
            }
        Assert.True(exact > 60000, $"{exact} exact");
        Assert.InRange(undefined, 1, 2000);
    }

    private static int BitLength(int v)
    {
        int bits = 0;
        for (; v > 0; v >>= 1) bits++;
        return bits;
    }

    [Theory]
    [InlineData(-1f, 1f, new[] { -0.8f, -0.2f, 0.3f, 0.7f }, new[] { -0.8f, 0.4f, 0.8f, 1.0f }, new[] { 1.0f, -0.5f, 0.375f, 0.7f })]
    [InlineData(-3f, 3f, new[] { -2.0f, 0.2f, 1.7f, 0.9f, 0.4f, 2.0f }, new[] { 1.3f, 0.3f, 1.1f, 0.4f, -1.1f, 1.9f },
        new[] { -1.538f, 0.667f, 1.545f, 2.25f, -0.364f, 1.053f })]
    public void Int8_division_passes_TFLMs_own_quantized_div_cases(float min, float max, float[] x1, float[] x2, float[] expected)
    {
        // TFLM's div_test: scale (max - min) / 255, zero point -128 + round(-min / scale), and a
        // tolerance of 2 steps + step^2 on the dequantized result.
        float scale = (max - min) / 255f;
        int zeroPoint = -128 + (int)MathF.Round(-min / scale, MidpointRounding.AwayFromZero);
        sbyte Quantize(float v) => (sbyte)Math.Clamp(zeroPoint + (int)MathF.Round(v / scale, MidpointRounding.AwayFromZero), -128, 127);
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [x1.Length], scale, zeroPoint);
        int b = m.Input(TensorType.INT8, [x1.Length], scale, zeroPoint);
        m.Output(TensorType.INT8, [x1.Length], scale, zeroPoint);
        using var interpreter = m.Build(BuiltinOperator.DIV, [a, b]);
        var result = Run<sbyte>(interpreter, x1.Select(Quantize).ToArray(), x2.Select(Quantize).ToArray());
        float tolerance = 2 * scale + scale * scale;
        for (int i = 0; i < expected.Length; i++)
            Assert.InRange((result[i] - zeroPoint) * scale, expected[i] - tolerance, expected[i] + tolerance);
    }

    [Fact]
    public void Reciprocal_primitives_follow_gemmlowp()
    {
        Assert.Equal(31, FixedPoint.CountLeadingSignBits(0));
        Assert.Equal(31, FixedPoint.CountLeadingSignBits(-1));
        Assert.Equal(0, FixedPoint.CountLeadingSignBits(int.MinValue));
        Assert.Equal(28, FixedPoint.CountLeadingSignBits(5));   // 0...0101: 29 zeros, one is the sign
        Assert.Equal(28, FixedPoint.CountLeadingSignBits(-5));  // 1...1011
        Assert.Equal(2, FixedPoint.RoundingHalfSum(1, 2));      // 1.5 -> 2
        Assert.Equal(-2, FixedPoint.RoundingHalfSum(-1, -2));   // -1.5 -> -2
        Assert.Equal(int.MaxValue, FixedPoint.SaturatingRoundingMultiplyByPOT(1 << 30, 1));
        Assert.Equal(int.MinValue, FixedPoint.SaturatingRoundingMultiplyByPOT(-(1 << 30) - 1, 1));
        Assert.Equal((1 << 29) - 1 << 2, FixedPoint.SaturatingRoundingMultiplyByPOT((1 << 29) - 1, 2)); // at the threshold: exact
        Assert.Equal(int.MinValue, FixedPoint.SaturatingRoundingMultiplyByPOT(-(1 << 29), 2));         // one past it: saturates
        Assert.Equal(3, FixedPoint.SaturatingRoundingMultiplyByPOT(5, -1)); // 2.5 -> 3

        // 1/8 = 1.0 * 2^-3: the mantissa 1.0 saturates Q0.31.
        Assert.Equal(int.MaxValue, FixedPoint.GetReciprocal(8, 31, out int shift8));
        Assert.Equal(3, shift8);
        // 1/3 = (2/3) * 2^-1; 2/3 in Q0.31 is 1431655765.33, Newton-Raphson lands within a few units.
        int third = FixedPoint.GetReciprocal(3, 31, out int shift3);
        Assert.Equal(1, shift3);
        Assert.InRange(third, 1431655765 - 8, 1431655765 + 8);
    }

    [Fact]
    public void Unsupported_types_are_rejected_naming_the_type()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT16, [2], 0.5f, 0);
        int b = m.Input(TensorType.INT16, [2], 0.5f, 0);
        m.Output(TensorType.INT16, [2], 0.5f, 0);
        var e = m.Rejects(BuiltinOperator.DIV, [a, b]);
        Assert.Contains("operator 0 (DIV)", e.Message);
        Assert.Contains("int16", e.Message);
    }

    [Fact]
    public void Quantized_int32_division_is_rejected_as_TFLM_does()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT32, [2], 0.5f, 0);
        int b = m.Input(TensorType.INT32, [2]);
        m.Output(TensorType.INT32, [2]);
        Assert.Contains("only unquantized int32", m.Rejects(BuiltinOperator.DIV, [a, b]).Message);
    }
}
