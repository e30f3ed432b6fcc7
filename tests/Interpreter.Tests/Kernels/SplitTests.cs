using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class SplitTests
{
    [Fact]
    public void Split_fills_every_output_along_the_axis()
    {
        var m = new ElementwiseOpModel();
        int axis = m.Constant(TensorType.INT32, [1], new[] { 1 });
        int x = m.Input(TensorType.FLOAT32, [2, 4]);
        m.Output(TensorType.FLOAT32, [2, 2]);
        m.Output(TensorType.FLOAT32, [2, 2]);
        using var interpreter = m.Build(BuiltinOperator.SPLIT, [axis, x], BuiltinOptionsUnion.FromSplitOptions(new SplitOptionsT { NumSplits = 2 }));
        ElementwiseOpModel.Run<float>(interpreter, new float[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        Assert.Equal(new float[] { 1, 2, 5, 6 }, interpreter.Output(0).ToArray<float>());
        Assert.Equal(new float[] { 3, 4, 7, 8 }, interpreter.Output(1).ToArray<float>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Split_v_takes_the_outputs_sizes_with_a_minus_one_rest()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT16, [5]);
        int sizes = m.Constant(TensorType.INT32, [3], new[] { 1, -1, 2 });
        int axis = m.Constant(TensorType.INT32, [1], new[] { -1 });
        m.Output(TensorType.INT16, [1]);
        m.Output(TensorType.INT16, [2]);
        m.Output(TensorType.INT16, [2]);
        using var interpreter = m.Build(BuiltinOperator.SPLIT_V, [x, sizes, axis], BuiltinOptionsUnion.FromSplitVOptions(new SplitVOptionsT { NumSplits = 3 }));
        ElementwiseOpModel.Run<short>(interpreter, new short[] { 1, 2, 3, 4, 5 });
        Assert.Equal(new short[] { 1 }, interpreter.Output(0).ToArray<short>());
        Assert.Equal(new short[] { 2, 3 }, interpreter.Output(1).ToArray<short>());
        Assert.Equal(new short[] { 4, 5 }, interpreter.Output(2).ToArray<short>());
    }

    [Fact]
    public void Split_refuses_unequal_parts()
    {
        var m = new ElementwiseOpModel();
        int axis = m.Constant(TensorType.INT32, [1], new[] { 0 });
        int x = m.Input(TensorType.INT8, [3]);
        m.Output(TensorType.INT8, [1]);
        m.Output(TensorType.INT8, [2]);
        var e = m.Rejects(BuiltinOperator.SPLIT, [axis, x], BuiltinOptionsUnion.FromSplitOptions(new SplitOptionsT { NumSplits = 2 }));
        Assert.Equal("operator 0 (SPLIT) input tensor 1 [3] does not split into 2 equal parts along axis 0", e.Message);
    }

    [Fact]
    public void Split_v_refuses_sizes_that_disagree_with_the_outputs()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT32, [4]);
        int sizes = m.Constant(TensorType.INT32, [2], new[] { 3, 1 });
        int axis = m.Constant(TensorType.INT32, [1], new[] { 0 });
        m.Output(TensorType.INT32, [2]);
        m.Output(TensorType.INT32, [2]);
        var e = m.Rejects(BuiltinOperator.SPLIT_V, [x, sizes, axis]);
        Assert.Equal("operator 0 (SPLIT_V) size_splits [3,1] disagrees with output tensor 3 [2] along axis 0", e.Message);
    }
}
