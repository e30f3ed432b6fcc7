using TinyMl.Interpreter.Schema;
using static TinyMl.Interpreter.Tests.Kernels.ElementwiseOpModel;

namespace TinyMl.Interpreter.Tests.Kernels;

public class LeakyReluTests
{
    private static MicroInterpreter Single(TensorType type, int n, float alpha, float? inScale = null, long inZero = 0, float? outScale = null, long outZero = 0)
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(type, [n], inScale, inZero);
        m.Output(type, [n], outScale, outZero);
        return m.Build(BuiltinOperator.LEAKY_RELU, [x],
            BuiltinOptionsUnion.FromLeakyReluOptions(new LeakyReluOptionsT { Alpha = alpha }));
    }

    [Fact]
    public void Float_multiplies_negatives_by_alpha_even_above_one_or_below_zero()
    {
        using var a = Single(TensorType.FLOAT32, 4, 0.25f);
        Assert.Equal(new[] { -0.5f, 0f, 3f, -0.25f }, Run<float>(a, new[] { -2f, 0f, 3f, -1f }));
        using var b = Single(TensorType.FLOAT32, 3, -2f);
        Assert.Equal(new[] { 4f, 1.5f, 0f }, Run<float>(b, new[] { -2f, 1.5f, 0f }));
    }

    [Fact]
    public void Int8_by_hand_with_power_of_two_ratios()
    {
        // in scale 0.5 zp 10, out scale 0.25 zp -5, alpha 0.5: identity ratio 2, alpha ratio 1.
        // x = 12 -> (2)*2 - 5 = -1; x = 4 -> (-6)*1 - 5 = -11; x = 127 -> 117*2 - 5 = 229 -> 127.
        using var i = Single(TensorType.INT8, 3, 0.5f, 0.5f, 10, 0.25f, -5);
        Assert.Equal(new sbyte[] { -1, -11, 127 }, Run<sbyte>(i, new sbyte[] { 12, 4, 127 }));
    }

    [Theory]
    [InlineData(TensorType.INT16, 0.2f, 0.00174882344f, 0.00174882344f, 0, 0)]
    [InlineData(TensorType.INT16, 0.3f, 0.0012f, 0.0031f, 0, 0)]
    [InlineData(TensorType.INT8, 0.1f, 0.05f, 0.03f, -3, 7)]
    [InlineData(TensorType.INT8, -0.7f, 0.02f, 0.05f, 4, -2)]
    public void Quantized_matches_TFLMs_integer_formula_on_random_values(TensorType type, float alpha, float inScale, float outScale, int inZero, int outZero)
    {
        var rng = new Random(7);
        const int n = 500;
        using var interpreter = Single(type, n, alpha, inScale, inZero, outScale, outZero);
        int min = type == TensorType.INT8 ? sbyte.MinValue : short.MinValue, max = type == TensorType.INT8 ? sbyte.MaxValue : short.MaxValue;
        var x = Enumerable.Range(0, n).Select(_ => rng.Next(min, max + 1)).ToArray();
        var expected = x.Select(v => ElementwiseReference.LeakyRelu(v, alpha, inScale, inZero, outScale, outZero, min, max)).ToArray();
        int[] actual = type == TensorType.INT8
            ? Run<sbyte>(interpreter, x.Select(v => (sbyte)v).ToArray()).Select(v => (int)v).ToArray()
            : Run<short>(interpreter, x.Select(v => (short)v).ToArray()).Select(v => (int)v).ToArray();
        Assert.Equal(expected, actual);
        // And the result is the real-valued leaky ReLU requantized, within one step.
        for (int i = 0; i < n; i++)
        {
            double real = (x[i] - inZero) * (double)inScale;
            double y = (real > 0 ? real : real * alpha) / outScale + outZero;
            Assert.True(Math.Abs(Math.Clamp(Math.Round(y), min, max) - actual[i]) <= 1, $"x = {x[i]}: {actual[i]} vs {y}");
        }
    }

    [Fact]
    public void Mismatched_types_are_rejected_naming_the_tensors()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT16, [3], 0.1f);
        m.Output(TensorType.INT8, [3], 0.1f);
        var e = m.Rejects(BuiltinOperator.LEAKY_RELU, [x]);
        Assert.Contains("operator 0 (LEAKY_RELU)", e.Message);
        Assert.Contains("int16", e.Message);
    }
}
