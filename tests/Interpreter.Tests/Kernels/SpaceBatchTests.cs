using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class SpaceBatchTests
{
    private static MicroInterpreter Build(BuiltinOperator op, TensorType type, int[] inShape, int[] block, int[] pads, int[] outShape, bool runtime = false, long zeroPoint = 0)
    {
        var m = new ElementwiseOpModel();
        float? scale = type == TensorType.INT8 ? 0.5f : null;
        int x = m.Input(type, inShape, scale, zeroPoint);
        int b = runtime ? m.Input(TensorType.INT32, [block.Length]) : m.Constant(TensorType.INT32, [block.Length], block);
        int p = runtime ? m.Input(TensorType.INT32, [block.Length, 2]) : m.Constant(TensorType.INT32, [block.Length, 2], pads);
        m.Output(type, outShape, scale, zeroPoint);
        return m.Build(op, [x, b, p]);
    }

    // TFLM space_to_batch_nd_test SimpleConstTest: a 4x4 image into four 2x2 batches.
    private static readonly float[] Image = Enumerable.Range(1, 16).Select(v => (float)v).ToArray();
    private static readonly float[] Batches = [1, 3, 9, 11, 2, 4, 10, 12, 5, 7, 13, 15, 6, 8, 14, 16];

    [Fact]
    public void Space_to_batch_and_back()
    {
        using var toBatch = Build(BuiltinOperator.SPACE_TO_BATCH_ND, TensorType.FLOAT32, [1, 4, 4, 1], [2, 2], [0, 0, 0, 0], [4, 2, 2, 1]);
        Assert.Equal(Batches, ElementwiseOpModel.Run<float>(toBatch, Image));
        Assert.Equal(0, InvokeAllocations.Measure(toBatch));
        using var toSpace = Build(BuiltinOperator.BATCH_TO_SPACE_ND, TensorType.FLOAT32, [4, 2, 2, 1], [2, 2], [0, 0, 0, 0], [1, 4, 4, 1]);
        Assert.Equal(Image, ElementwiseOpModel.Run<float>(toSpace, Batches));
        Assert.Equal(0, InvokeAllocations.Measure(toSpace));
    }

    [Fact]
    public void Space_to_batch_pads_with_stored_zero_even_with_a_zero_point_as_TFLM()
    {
        // A 2x2 image padded by 1 on every side is the 4x4 [0 0 0 0; 0 1 2 0; 0 3 4 0; 0 0 0 0];
        // batch (h, w) takes rows h, h+2 and columns w, w+2. TFLM leaves its pad value unset (0), not the zero point 5.
        using var interpreter = Build(BuiltinOperator.SPACE_TO_BATCH_ND, TensorType.INT8, [1, 2, 2, 1], [2, 2], [1, 1, 1, 1], [4, 2, 2, 1], zeroPoint: 5);
        Assert.Equal(new sbyte[] { 0, 0, 0, 4, 0, 0, 3, 0, 0, 2, 0, 0, 1, 0, 0, 0 }, ElementwiseOpModel.Run<sbyte>(interpreter, new sbyte[] { 1, 2, 3, 4 }));
    }

    [Fact]
    public void Batch_to_space_crops_a_rank_3_input()
    {
        // [b, h, c]: batches 0 and 1 interleave along h, then one row is cropped from the top.
        using var interpreter = Build(BuiltinOperator.BATCH_TO_SPACE_ND, TensorType.INT8, [2, 2, 1], [2], [1, 0], [1, 3, 1]);
        Assert.Equal(new sbyte[] { 3, 2, 4 }, ElementwiseOpModel.Run<sbyte>(interpreter, new sbyte[] { 1, 2, 3, 4 }));
    }

    [Fact]
    public void Runtime_blocks_that_do_not_give_the_output_fail_before_writing()
    {
        using var interpreter = Build(BuiltinOperator.SPACE_TO_BATCH_ND, TensorType.FLOAT32, [1, 4, 4, 1], [2, 2], [0, 0, 0, 0], [4, 2, 2, 1], runtime: true);
        Assert.Equal(Batches, ElementwiseOpModel.Run<float>(interpreter, Image, new[] { 2, 2 }, new[] { 0, 0, 0, 0 }));
        var e = Assert.Throws<KernelInvokeException>(() => ElementwiseOpModel.Run<float>(interpreter, Image, new[] { 4, 1 }, new[] { 0, 0, 0, 0 }));
        Assert.IsType<TensorDataException>(e.InnerException);
        Assert.Equal("operator 0 (SPACE_TO_BATCH_ND) failed: block_shape tensor 1 ('in1') has block_shape [4,1] and paddings [0,0,0,0], which give output [4,1,4,1] (as 4-D) but the output is [4,2,2,1]", e.Message);
    }

    [Fact]
    public void Constant_crops_larger_than_the_image_are_refused()
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() =>
            Build(BuiltinOperator.BATCH_TO_SPACE_ND, TensorType.FLOAT32, [4, 1, 1, 1], [2, 2], [0, 0, -1, 0], [1, 2, 2, 1]));
        Assert.Equal("operator 0 (BATCH_TO_SPACE_ND) has block_shape [2,2] and crops [0,0,-1,0]; blocks must be positive and crops non-negative", e.Message);
    }
}
