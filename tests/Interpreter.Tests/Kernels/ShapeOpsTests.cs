using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class ShapeOpsTests
{
    [Fact]
    public void Shape_writes_the_input_dimensions_as_int32()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT8, [2, 3, 1, 5]);
        m.Output(TensorType.INT32, [4]);
        using var interpreter = m.Build(BuiltinOperator.SHAPE, [x]);
        Assert.Equal(new[] { 2, 3, 1, 5 }, ElementwiseOpModel.Run<int>(interpreter, new sbyte[30]));
    }

    [Fact]
    public void Shape_refuses_an_int64_output_as_TFLM_does()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.FLOAT32, [2, 3]);
        m.Output(TensorType.INT64, [2]);
        var e = m.Rejects(BuiltinOperator.SHAPE, [x]);
        Assert.Equal("operator 0 (SHAPE) output tensor 1 is int64; supported: int32", e.Message);
    }

    [Fact]
    public void Squeeze_drops_every_size_1_dimension_when_none_is_listed_and_keeps_the_bytes()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.BOOL, [1, 3, 1, 2]);
        m.Output(TensorType.BOOL, [3, 2]);
        using var interpreter = m.Build(BuiltinOperator.SQUEEZE, [x]);
        var values = new[] { true, false, false, true, true, false };
        Assert.Equal(values, ElementwiseOpModel.Run<bool>(interpreter, values));
    }

    [Fact]
    public void Squeeze_of_a_listed_dimension_that_is_not_1_names_it()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.FLOAT32, [1, 3, 1]);
        m.Output(TensorType.FLOAT32, [1, 1]);
        var e = m.Rejects(BuiltinOperator.SQUEEZE, [x], BuiltinOptionsUnion.FromSqueezeOptions(new SqueezeOptionsT { SqueezeDims = [-2] }));
        Assert.Equal("operator 0 (SQUEEZE) squeeze dimension -2 is not a size-1 dimension of input tensor 0 [1,3,1]", e.Message);
    }

    [Fact]
    public void Squeeze_checks_the_output_shape()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT8, [1, 3, 1]);
        m.Output(TensorType.INT8, [3, 1]);
        var e = m.Rejects(BuiltinOperator.SQUEEZE, [x], BuiltinOptionsUnion.FromSqueezeOptions(new SqueezeOptionsT { SqueezeDims = [0, 2] }));
        Assert.Equal("operator 0 (SQUEEZE) output tensor 1 has shape [3,1]; squeezing input [1,3,1] gives [3]", e.Message);
    }

    [Fact]
    public void Expand_dims_inserts_a_1_at_a_negative_axis()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT16, [2, 2]);
        int axis = m.Constant(TensorType.INT32, [1], new[] { -1 });
        m.Output(TensorType.INT16, [2, 2, 1]);
        using var interpreter = m.Build(BuiltinOperator.EXPAND_DIMS, [x, axis]);
        Assert.Equal(new short[] { -3, 7, 0, 32767 }, ElementwiseOpModel.Run<short>(interpreter, new short[] { -3, 7, 0, 32767 }));
    }

    [Fact]
    public void Expand_dims_refuses_an_output_that_does_not_match_the_axis()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.FLOAT32, [2, 3]);
        int axis = m.Constant(TensorType.INT32, [1], new[] { 0 });
        m.Output(TensorType.FLOAT32, [2, 1, 3]);
        var e = m.Rejects(BuiltinOperator.EXPAND_DIMS, [x, axis]);
        Assert.Equal("operator 0 (EXPAND_DIMS) output tensor 2 has shape [2,1,3]; expanding input [2,3] at axis 0 gives [1,2,3]", e.Message);
    }

    [Fact]
    public void Expand_dims_refuses_int32_data_and_a_runtime_axis()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT32, [2]);
        int axis = m.Constant(TensorType.INT32, [1], new[] { 0 });
        m.Output(TensorType.INT32, [1, 2]);
        Assert.Equal("operator 0 (EXPAND_DIMS) input tensor 0 is int32; supported: float32, int8, int16", m.Rejects(BuiltinOperator.EXPAND_DIMS, [x, axis]).Message);

        var r = new ElementwiseOpModel();
        int y = r.Input(TensorType.FLOAT32, [2]);
        int runtimeAxis = r.Input(TensorType.INT32, [1]);
        r.Output(TensorType.FLOAT32, [1, 2]);
        Assert.Equal("operator 0 (EXPAND_DIMS) axis tensor 1 must be a constant of the model", r.Rejects(BuiltinOperator.EXPAND_DIMS, [y, runtimeAxis]).Message);
    }
}
