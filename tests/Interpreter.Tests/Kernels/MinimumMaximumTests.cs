using TinyMl.Interpreter.Schema;
using static TinyMl.Interpreter.Tests.Kernels.ElementwiseOpModel;

namespace TinyMl.Interpreter.Tests.Kernels;

public class MinimumMaximumTests
{
    [Theory]
    [InlineData(BuiltinOperator.MAXIMUM)]
    [InlineData(BuiltinOperator.MINIMUM)]
    public void Int8_inputs_2x1x3_and_1x4x1_broadcast_comparing_stored_values(BuiltinOperator op)
    {
        // Different scales on purpose: TFLM compares the raw int8 values without requantizing.
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [2, 1, 3], 0.5f, 0);
        int b = m.Input(TensorType.INT8, [1, 4, 1], 0.1f, 3);
        m.Output(TensorType.INT8, [2, 4, 3], 0.5f, 0);
        using var interpreter = m.Build(op, [a, b]);
        sbyte[] x = [-5, 0, 5, 100, -100, 7];
        sbyte[] y = [-128, 1, 6, 127];
        var result = Run<sbyte>(interpreter, x, y);

        var expected = new sbyte[24];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 3; k++)
                {
                    sbyte u = x[i * 3 + k], v = y[j];
                    expected[i * 12 + j * 3 + k] = op == BuiltinOperator.MAXIMUM ? Math.Max(u, v) : Math.Min(u, v);
                }
        Assert.Equal(expected, result);
        if (op == BuiltinOperator.MAXIMUM)
            Assert.Equal(new sbyte[] { 1, 1, 5 }, result[3..6]);
        else
            Assert.Equal(new sbyte[] { 6, -100, 6 }, result[18..21]);
    }

    [Fact]
    public void Float_maximum_picks_like_the_strict_comparison_TFLM_uses()
    {
        // el1 > el2 ? el1 : el2 -- a NaN first operand loses, a NaN second operand wins.
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [4]);
        int b = m.Input(TensorType.FLOAT32, [4]);
        m.Output(TensorType.FLOAT32, [4]);
        using var interpreter = m.Build(BuiltinOperator.MAXIMUM, [a, b]);
        var result = Run<float>(interpreter, new[] { float.NaN, 1f, -2.5f, 3f }, new[] { 1f, float.NaN, -2f, 3f });
        Assert.Equal(1f, result[0]);
        Assert.True(float.IsNaN(result[1]));
        Assert.Equal(new[] { -2f, 3f }, result[2..]);
    }

    [Fact]
    public void Int32_clip_by_value_as_the_audio_front_end_does_it()
    {
        // MINIMUM(x, 127) then MAXIMUM(x, -128), each against a scalar constant.
        var min = new ElementwiseOpModel();
        int a = min.Input(TensorType.INT32, [5]);
        int b = min.Constant(TensorType.INT32, [], new[] { 127 });
        min.Output(TensorType.INT32, [5]);
        using var minimum = min.Build(BuiltinOperator.MINIMUM, [a, b]);
        Assert.Equal(new[] { 127, 127, 0, -7057, int.MinValue }, Run<int>(minimum, new[] { 3513, 127, 0, -7057, int.MinValue }));

        var max = new ElementwiseOpModel();
        int c = max.Input(TensorType.INT32, [5]);
        int d = max.Constant(TensorType.INT32, [], new[] { -128 });
        max.Output(TensorType.INT32, [5]);
        using var maximum = max.Build(BuiltinOperator.MAXIMUM, [c, d]);
        Assert.Equal(new[] { 127, -128, 0, -128, -128 }, Run<int>(maximum, new[] { 127, -128, 0, -7057, int.MinValue }));
    }

    [Fact]
    public void Int16_and_int64_minimum_broadcast_a_row()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT16, [2, 2]);
        int b = m.Input(TensorType.INT16, [2]);
        m.Output(TensorType.INT16, [2, 2]);
        using var interpreter = m.Build(BuiltinOperator.MINIMUM, [a, b]);
        Assert.Equal(new short[] { -300, 5, 200, -32768 }, Run<short>(interpreter, new short[] { -300, 7, 300, -32768 }, new short[] { 200, 5 }));

        var l = new ElementwiseOpModel();
        int c = l.Input(TensorType.INT64, [2]);
        int d = l.Input(TensorType.INT64, [1]);
        l.Output(TensorType.INT64, [2]);
        using var longs = l.Build(BuiltinOperator.MINIMUM, [c, d]);
        Assert.Equal(new[] { long.MinValue, 1L << 40 }, Run<long>(longs, new[] { long.MinValue, long.MaxValue }, new[] { 1L << 40 }));
    }

    [Fact]
    public void Shapes_that_do_not_broadcast_and_unsupported_types_are_rejected()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT32, [2, 3]);
        int b = m.Input(TensorType.INT32, [2]);
        m.Output(TensorType.INT32, [2, 3]);
        var e = m.Rejects(BuiltinOperator.MAXIMUM, [a, b]);
        Assert.Contains("operator 0 (MAXIMUM)", e.Message);
        Assert.Contains("[2,3] and 1 [2] do not broadcast", e.Message);

        var u = new ElementwiseOpModel();
        int c = u.Input(TensorType.UINT8, [2]);
        int d = u.Input(TensorType.UINT8, [2]);
        u.Output(TensorType.UINT8, [2]);
        Assert.Contains("uint8", u.Rejects(BuiltinOperator.MINIMUM, [c, d]).Message);
    }
}
