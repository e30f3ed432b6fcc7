using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class GatherTests
{
    [Fact]
    public void Gather_picks_rows_by_index_as_TFLMs_test()
    {
        // TFLM gather_test GatherOp_Shuffle: rows of a [2,2] tensor picked [1, 0].
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.FLOAT32, [2, 2]);
        int indices = m.Constant(TensorType.INT32, [2], new[] { 1, 0 });
        m.Output(TensorType.FLOAT32, [2, 2]);
        using var interpreter = m.Build(BuiltinOperator.GATHER, [x, indices]);
        Assert.Equal(new[] { 0.5f, -0.5f, -2f, 0f }, ElementwiseOpModel.Run<float>(interpreter, new[] { -2f, 0f, 0.5f, -0.5f }));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Gather_with_batch_dims_uses_each_batchs_own_indices()
    {
        // Batch b of a [2,3] input takes elements indices[b] along axis 1.
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT8, [2, 3]);
        int indices = m.Input(TensorType.INT32, [2, 2]);
        m.Output(TensorType.INT8, [2, 2]);
        using var interpreter = m.Build(BuiltinOperator.GATHER, [x, indices], BuiltinOptionsUnion.FromGatherOptions(new GatherOptionsT { Axis = 1, BatchDims = 1 }));
        Assert.Equal(new sbyte[] { 3, 1, 4, 4 }, ElementwiseOpModel.Run<sbyte>(interpreter, new sbyte[] { 1, 2, 3, 4, 5, 6 }, new[] { 2, 0, 0, 0 }));
    }

    [Fact]
    public void A_runtime_index_outside_the_axis_fails_before_writing_and_a_constant_one_in_prepare()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.FLOAT32, [3]);
        int indices = m.Input(TensorType.INT32, [2]);
        m.Output(TensorType.FLOAT32, [2]);
        using var interpreter = m.Build(BuiltinOperator.GATHER, [x, indices]);
        var e = Assert.Throws<KernelInvokeException>(() => ElementwiseOpModel.Run<float>(interpreter, new[] { 1f, 2f, 3f }, new[] { 0, 3 }));
        Assert.IsType<TensorDataException>(e.InnerException);
        Assert.Equal("operator 0 (GATHER) failed: indices tensor 1 ('in1') holds 3 at element 1, outside [0, 3)", e.Message);
        Assert.Throws<KernelInvokeException>(() => ElementwiseOpModel.Run<float>(interpreter, new[] { 1f, 2f, 3f }, new[] { -1, 0 }));

        var c = new ElementwiseOpModel();
        int y = c.Input(TensorType.INT8, [3, 2]);
        int constant = c.Constant(TensorType.INT32, [1], new[] { -1 });
        c.Output(TensorType.INT8, [1, 2]);
        Assert.Equal("operator 0 (GATHER) indices tensor 1 holds -1 at element 0, outside [0, 3) of axis 0 of input tensor 0 [3,2]",
            c.Rejects(BuiltinOperator.GATHER, [y, constant]).Message);
    }

    [Fact]
    public void Gather_nd_picks_slices_and_elements()
    {
        // TFLM gather_nd_test GatherNd_ElementIndexingIntoMatrix / SliceIndexingIntoMatrix.
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.FLOAT32, [2, 2]);
        int indices = m.Constant(TensorType.INT32, [2, 2], new[] { 0, 0, 1, 1 });
        m.Output(TensorType.FLOAT32, [2]);
        using var elements = m.Build(BuiltinOperator.GATHER_ND, [x, indices]);
        Assert.Equal(new[] { 1.1f, 2.2f }, ElementwiseOpModel.Run<float>(elements, new[] { 1.1f, 1.2f, 2.1f, 2.2f }));
        Assert.Equal(0, InvokeAllocations.Measure(elements));

        var s = new ElementwiseOpModel();
        int y = s.Input(TensorType.INT8, [2, 2]);
        int rows = s.Input(TensorType.INT32, [2, 1]);
        s.Output(TensorType.INT8, [2, 2]);
        using var slices = s.Build(BuiltinOperator.GATHER_ND, [y, rows]);
        Assert.Equal(new sbyte[] { 21, 22, 11, 12 }, ElementwiseOpModel.Run<sbyte>(slices, new sbyte[] { 11, 12, 21, 22 }, new[] { 1, 0 }));
        var e = Assert.Throws<KernelInvokeException>(() => ElementwiseOpModel.Run<sbyte>(slices, new sbyte[] { 11, 12, 21, 22 }, new[] { 1, 2 }));
        Assert.Equal("operator 0 (GATHER_ND) failed: indices tensor 1 ('in1') index vector 1 points outside params tensor 0", e.Message);
    }

    [Fact]
    public void Gather_nd_refuses_index_vectors_longer_than_the_params_rank()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.FLOAT32, [2]);
        int indices = m.Constant(TensorType.INT32, [1, 2], new[] { 0, 0 });
        m.Output(TensorType.FLOAT32, [1]);
        Assert.Equal("operator 0 (GATHER_ND) indices tensor 1 [1,2] has index vectors of length 2; at most the rank of params [2] and at most 5",
            m.Rejects(BuiltinOperator.GATHER_ND, [x, indices]).Message);
    }
}
