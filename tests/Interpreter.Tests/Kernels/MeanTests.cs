using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class MeanTests
{
    private static MicroInterpreter Build(TensorType type, int[] shape, int[] axes, bool keepDims, int[] outShape,
        float? inScale = null, long inZero = 0, float? outScale = null, long outZero = 0)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", type, shape, scales: inScale is null ? null : [inScale.Value], zeroPoints: inScale is null ? null : [inZero]);
        int a = b.AddConstant("axes", TensorType.INT32, [axes.Length], axes);
        int y = b.AddTensor("y", type, outShape, scales: outScale is null ? null : [outScale.Value], zeroPoints: outScale is null ? null : [outZero]);
        b.AddOperator(BuiltinOperator.MEAN, [x, a], [y], BuiltinOptionsUnion.FromReducerOptions(new ReducerOptionsT { KeepDims = keepDims }));
        b.SetInputs(x).SetOutputs(y);
        var interpreter = new MicroInterpreter(b.ToModel(), new OpResolver().Add(BuiltinOperator.MEAN), 256 * 1024);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Fact]
    public void Float_mean_over_the_last_axis_and_over_a_negative_axis_by_hand()
    {
        using var i = Build(TensorType.FLOAT32, [2, 3], [1], false, [2]);
        i.Input(0).CopyFrom(new[] { 1f, 2f, 6f, -3f, 0f, 0f });
        i.Invoke();
        Assert.Equal(new[] { 3f, -1f }, i.Output(0).ToArray<float>());

        using var j = Build(TensorType.FLOAT32, [2, 3], [-2], true, [1, 3]);
        j.Input(0).CopyFrom(new[] { 1f, 2f, 6f, -3f, 0f, 0f });
        j.Invoke();
        Assert.Equal(new[] { -1f, 1f, 3f }, j.Output(0).ToArray<float>());
    }

    // TFLM's integer mean written out independently: the input/output ratio as a Q31 multiplier,
    // folded with 1/count (shifted up by floor(log2 count), capped), applied with the double-rounding
    // multiply of ElementwiseReference.
    private static int ReferenceMean(IEnumerable<int> values, float inScale, int inZero, float outScale, int outZero, int min, int max)
    {
        var v = values.ToArray();
        var (m, shift) = ElementwiseReference.Quantize((double)inScale / outScale);
        int k = Math.Min(Math.Min((int)Math.Floor(Math.Log2(v.Length)), 32), 31 + shift);
        m = (int)(((long)m << k) / v.Length);
        int sum = v.Sum() - inZero * v.Length;
        return Math.Clamp(ElementwiseReference.Scale(sum, m, shift - k) + outZero, min, max);
    }

    [Theory]
    [InlineData(TensorType.INT8, 0.070547886f, -9, 0.070547886f, -9)]  // mobilenet_v2's global average pool
    [InlineData(TensorType.INT8, 0.05f, 3, 0.02f, -4)]
    [InlineData(TensorType.INT16, 0.001f, 0, 0.0007f, 0)]
    public void Quantized_spatial_mean_matches_TFLMs_formula_and_the_real_mean(TensorType type, float inScale, int inZero, float outScale, int outZero)
    {
        var rng = new Random(17);
        const int h = 7, w = 7, c = 20;
        using var i = Build(type, [1, h, w, c], [1, 2], true, [1, 1, 1, c], inScale, inZero, outScale, outZero);
        int min = type == TensorType.INT8 ? sbyte.MinValue : short.MinValue, max = type == TensorType.INT8 ? sbyte.MaxValue : short.MaxValue;
        var x = Enumerable.Range(0, h * w * c).Select(_ => rng.Next(min, max + 1)).ToArray();
        int[] actual;
        if (type == TensorType.INT8)
        {
            i.Input(0).CopyFrom(x.Select(v => (sbyte)v).ToArray());
            i.Invoke();
            actual = i.Output(0).ToArray<sbyte>().Select(v => (int)v).ToArray();
        }
        else
        {
            i.Input(0).CopyFrom(x.Select(v => (short)v).ToArray());
            i.Invoke();
            actual = i.Output(0).ToArray<short>().Select(v => (int)v).ToArray();
        }
        for (int ch = 0; ch < c; ch++)
        {
            var channel = Enumerable.Range(0, h * w).Select(p => x[p * c + ch]).ToArray();
            Assert.Equal(ReferenceMean(channel, inScale, inZero, outScale, outZero, min, max), actual[ch]);
            double real = channel.Average(v => (v - inZero) * (double)inScale) / outScale + outZero;
            Assert.True(Math.Abs(Math.Clamp(Math.Round(real), min, max) - actual[ch]) <= 1, $"channel {ch}: {actual[ch]} vs {real}");
        }
        Assert.Equal(0, InvokeAllocations.Measure(i));
    }

    [Fact]
    public void An_output_of_the_wrong_shape_is_rejected_with_the_expected_one()
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() => Build(TensorType.FLOAT32, [2, 3, 4], [1], true, [2, 4]).Dispose());
        Assert.Contains("operator 0 (MEAN)", e.Message);
        Assert.Contains("[2,1,4]", e.Message);
    }
}
