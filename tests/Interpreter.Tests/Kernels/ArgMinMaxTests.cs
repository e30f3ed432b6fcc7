using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class ArgMinMaxTests
{
    private static MicroInterpreter Build(BuiltinOperator op, TensorType type, int[] shape, int axis, int[] outShape, TensorType output = TensorType.INT32)
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(type, shape, type == TensorType.INT8 ? 0.1f : null);
        int a = m.Constant(TensorType.INT32, [1], new[] { axis });
        m.Output(output, outShape);
        return m.Build(op, [x, a]);
    }

    [Fact]
    public void Arg_max_and_min_take_the_first_extreme_along_the_axis()
    {
        // Columns of [[1, 9, 3], [9, 2, 3]]: ties keep the first index.
        using var max = Build(BuiltinOperator.ARG_MAX, TensorType.FLOAT32, [2, 3], 0, [3]);
        Assert.Equal(new[] { 1, 0, 0 }, ElementwiseOpModel.Run<int>(max, new float[] { 1, 9, 3, 9, 2, 3 }));
        Assert.Equal(0, InvokeAllocations.Measure(max));
        using var min = Build(BuiltinOperator.ARG_MIN, TensorType.INT8, [2, 3], -1, [2]);
        Assert.Equal(new[] { 0, 1 }, ElementwiseOpModel.Run<int>(min, new sbyte[] { -5, 9, -5, 9, -128, 3 }));
        Assert.Equal(0, InvokeAllocations.Measure(min));
    }

    [Fact]
    public void An_int64_output_is_refused_as_TFLM_does()
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() => Build(BuiltinOperator.ARG_MAX, TensorType.FLOAT32, [2, 3], 1, [2], TensorType.INT64));
        Assert.Equal("operator 0 (ARG_MAX) output tensor 2 is int64; supported: int32", e.Message);
    }

    [Fact]
    public void An_axis_outside_the_input_is_refused()
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() => Build(BuiltinOperator.ARG_MIN, TensorType.FLOAT32, [2, 3], 2, [2]));
        Assert.Equal("operator 0 (ARG_MIN) axis 2 is outside input tensor 0 of shape [2,3]", e.Message);
    }
}
