using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class CumSumTests
{
    private static MicroInterpreter Build(TensorType type, int[] shape, int axis, bool exclusive, bool reverse, float scale = 0.5f, long inZero = 0, long outZero = 0)
    {
        var m = new ElementwiseOpModel();
        bool q = type == TensorType.INT8;
        int x = m.Input(type, shape, q ? scale : null, inZero);
        int a = m.Constant(TensorType.INT32, [1], new[] { axis });
        m.Output(type, shape, q ? scale : null, outZero);
        return m.Build(BuiltinOperator.CUMSUM, [x, a], BuiltinOptionsUnion.FromCumsumOptions(new CumsumOptionsT { Exclusive = exclusive, Reverse = reverse }));
    }

    [Theory]
    [InlineData(false, false, new float[] { 1, 3, 6, 10, 5, 11, 18, 26 })]
    [InlineData(true, false, new float[] { 0, 1, 3, 6, 0, 5, 11, 18 })]
    [InlineData(false, true, new float[] { 10, 9, 7, 4, 26, 21, 15, 8 })]
    [InlineData(true, true, new float[] { 9, 7, 4, 0, 21, 15, 8, 0 })]
    public void Float_sums_along_the_axis(bool exclusive, bool reverse, float[] expected)
    {
        // TFLM cumsum_test's [2,4] input 1..8 along axis 1.
        using var interpreter = Build(TensorType.FLOAT32, [2, 4], 1, exclusive, reverse);
        Assert.Equal(expected, ElementwiseOpModel.Run<float>(interpreter, new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Int8_with_equal_scales_sums_the_stored_values_and_saturates()
    {
        // Input multiplier 0.5 (2^30, shift 0) and output multiplier 2^-19 (2^30, shift -18): each y becomes
        // y·2^19 exactly and the sum comes back as Σy, clamped to int8. Axis 0 of a [4,2] tensor.
        using var interpreter = Build(TensorType.INT8, [4, 2], 0, exclusive: false, reverse: false);
        Assert.Equal(new sbyte[] { 1, 100, 3, 127, 6, 127, 10, 127 },
            ElementwiseOpModel.Run<sbyte>(interpreter, new sbyte[] { 1, 100, 2, 50, 3, -20, 4, 10 }));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Int8_sum_starts_from_the_input_offset_as_TFLMs_code_does()
    {
        // Input zero point 2: TFLM seeds the sum with the scaled offset −2 (its comment says 0), so
        // stored [3, 4, 5] (y = 1, 2, 3) gives −2 + [1, 3, 6] = [−1, 1, 4]; exclusive gives −2 + [0, 1, 3].
        using var inclusive = Build(TensorType.INT8, [3], 0, exclusive: false, reverse: false, inZero: 2);
        Assert.Equal(new sbyte[] { -1, 1, 4 }, ElementwiseOpModel.Run<sbyte>(inclusive, new sbyte[] { 3, 4, 5 }));
        using var exclusive = Build(TensorType.INT8, [3], 0, exclusive: true, reverse: true, inZero: 2, outZero: 10);
        Assert.Equal(new sbyte[] { 13, 11, 8 }, ElementwiseOpModel.Run<sbyte>(exclusive, new sbyte[] { 3, 4, 5 }));
    }

    [Fact]
    public void An_axis_outside_the_input_is_refused()
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() => Build(TensorType.FLOAT32, [2, 4], -3, false, false));
        Assert.Equal("operator 0 (CUMSUM) axis -3 is outside input tensor 0 of shape [2,4]", e.Message);
    }
}
