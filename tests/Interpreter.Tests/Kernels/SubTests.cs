using TinyMl.Interpreter.Schema;
using static TinyMl.Interpreter.Tests.Kernels.ElementwiseOpModel;

namespace TinyMl.Interpreter.Tests.Kernels;

public class SubTests
{
    private static BuiltinOptionsUnion Options(ActivationFunctionType activation = ActivationFunctionType.NONE) =>
        BuiltinOptionsUnion.FromSubOptions(new SubOptionsT { FusedActivationFunction = activation });

    [Fact]
    public void Float_broadcasts_and_applies_relu()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [2, 2]);
        int b = m.Input(TensorType.FLOAT32, [1, 2]);
        m.Output(TensorType.FLOAT32, [2, 2]);
        using var interpreter = m.Build(BuiltinOperator.SUB, [a, b], Options(ActivationFunctionType.RELU));
        Assert.Equal(new[] { 0f, 1.5f, 2f, 0f }, Run<float>(interpreter, new[] { 1f, 2f, 4f, -1f }, new[] { 2f, 0.5f }));
    }

    [Fact]
    public void Int32_honours_the_fused_activation_unlike_add()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT32, [3]);
        int b = m.Input(TensorType.INT32, [3]);
        m.Output(TensorType.INT32, [3]);
        using var interpreter = m.Build(BuiltinOperator.SUB, [a, b], Options(ActivationFunctionType.RELU6));
        Assert.Equal(new[] { 0, 3, 6 }, Run<int>(interpreter, new[] { 1, 5, 100 }, new[] { 4, 2, 1 }));
    }

    [Theory]
    [InlineData(TensorType.INT8, 0.05f, -3, 0.031f, 5, 0.07f, 2)]
    [InlineData(TensorType.INT16, 0.0012f, 0, 0.00081f, 0, 0.0021f, 0)]
    [InlineData(TensorType.INT16, 0.0151760373f, 0, 0.0106169796f, 0, 0.0136183938f, 0)]
    public void Quantized_matches_TFLMs_integer_formula_on_random_pairs(TensorType type, float s1, int z1, float s2, int z2, float so, int zo)
    {
        var rng = new Random(11);
        const int n = 600;
        var m = new ElementwiseOpModel();
        int a = m.Input(type, [n], s1, z1);
        int b = m.Input(type, [n], s2, z2);
        m.Output(type, [n], so, zo);
        using var interpreter = m.Build(BuiltinOperator.SUB, [a, b], Options(), arenaBytes: 64 * 1024);
        int min = type == TensorType.INT8 ? sbyte.MinValue : short.MinValue, max = type == TensorType.INT8 ? sbyte.MaxValue : short.MaxValue;
        int shift = type == TensorType.INT8 ? 20 : 15;
        var x = Enumerable.Range(0, n).Select(_ => rng.Next(min, max + 1)).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => rng.Next(min, max + 1)).ToArray();
        var expected = x.Select((v, i) => ElementwiseReference.Sub(v, y[i], s1, z1, s2, z2, so, zo, shift, min, max)).ToArray();
        int[] actual = type == TensorType.INT8
            ? Run<sbyte>(interpreter, x.Select(v => (sbyte)v).ToArray(), y.Select(v => (sbyte)v).ToArray()).Select(v => (int)v).ToArray()
            : Run<short>(interpreter, x.Select(v => (short)v).ToArray(), y.Select(v => (short)v).ToArray()).Select(v => (int)v).ToArray();
        Assert.Equal(expected, actual);
        for (int i = 0; i < n; i++)
        {
            double real = ((x[i] - z1) * (double)s1 - (y[i] - z2) * (double)s2) / so + zo;
            Assert.True(Math.Abs(Math.Clamp(Math.Round(real), min, max) - actual[i]) <= 1, $"{x[i]} - {y[i]}: {actual[i]} vs {real}");
        }
    }

    [Fact]
    public void Shapes_that_do_not_broadcast_are_rejected()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [2, 3]);
        int b = m.Input(TensorType.FLOAT32, [4]);
        m.Output(TensorType.FLOAT32, [2, 3]);
        var e = m.Rejects(BuiltinOperator.SUB, [a, b], Options());
        Assert.Contains("operator 0 (SUB)", e.Message);
        Assert.Contains("[2,3]", e.Message);
    }
}
