using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class FillBroadcastTests
{
    [Fact]
    public void Fill_repeats_the_scalar_over_the_constant_shape()
    {
        var m = new ElementwiseOpModel();
        int dims = m.Constant(TensorType.INT64, [2], new long[] { 2, 3 });
        int value = m.Input(TensorType.INT8, []);
        m.Output(TensorType.INT8, [2, 3]);
        using var interpreter = m.Build(BuiltinOperator.FILL, [dims, value]);
        Assert.Equal(Enumerable.Repeat((sbyte)-7, 6), ElementwiseOpModel.Run<sbyte>(interpreter, new sbyte[] { -7 }));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Fill_refuses_dims_that_differ_from_the_output()
    {
        var m = new ElementwiseOpModel();
        int dims = m.Constant(TensorType.INT32, [2], new[] { 2, 4 });
        int value = m.Input(TensorType.FLOAT32, []);
        m.Output(TensorType.FLOAT32, [2, 3]);
        Assert.Equal("operator 0 (FILL) dims tensor 0 holds [2,4] but output tensor 2 has shape [2,3]", m.Rejects(BuiltinOperator.FILL, [dims, value]).Message);
    }

    [Fact]
    public void Broadcast_to_repeats_size_1_and_missing_dimensions()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT64, [2, 1]);
        int shape = m.Constant(TensorType.INT32, [3], new[] { 2, 2, 3 });
        m.Output(TensorType.INT64, [2, 2, 3]);
        using var interpreter = m.Build(BuiltinOperator.BROADCAST_TO, [x, shape]);
        Assert.Equal(new long[] { 5, 5, 5, 6, 6, 6, 5, 5, 5, 6, 6, 6 }, ElementwiseOpModel.Run<long>(interpreter, new long[] { 5, 6 }));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Broadcast_to_refuses_a_dimension_that_does_not_broadcast()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.FLOAT32, [2]);
        int shape = m.Constant(TensorType.INT32, [2], new[] { 3, 3 });
        m.Output(TensorType.FLOAT32, [3, 3]);
        Assert.Equal("operator 0 (BROADCAST_TO) input tensor 0 [2] does not broadcast to [3,3]", m.Rejects(BuiltinOperator.BROADCAST_TO, [x, shape]).Message);
    }

    [Fact]
    public void Broadcast_args_combines_runtime_shapes_and_fails_on_ones_that_do_not_broadcast()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT32, [3]);
        int b = m.Input(TensorType.INT32, [2]);
        m.Output(TensorType.INT32, [3]);
        using var interpreter = m.Build(BuiltinOperator.BROADCAST_ARGS, [a, b]);
        Assert.Equal(new[] { 2, 4, 5 }, ElementwiseOpModel.Run<int>(interpreter, new[] { 2, 1, 5 }, new[] { 4, 1 }));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
        var e = Assert.Throws<KernelInvokeException>(() => ElementwiseOpModel.Run<int>(interpreter, new[] { 2, 3, 5 }, new[] { 4, 1 }));
        Assert.IsType<TensorDataException>(e.InnerException);
        Assert.Equal("operator 0 (BROADCAST_ARGS) failed: shape tensor 1 ('in1') holds [4,1], which does not broadcast with [2,3,5] (dimension 1)", e.Message);
    }
}
