using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class SliceTests
{
    private static MicroInterpreter Build(TensorType type, int[] shape, int[] begin, int[] size, int[] outShape, bool runtime = false, bool int64 = false)
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(type, shape);
        int b, s;
        if (runtime)
        {
            b = m.Input(int64 ? TensorType.INT64 : TensorType.INT32, [begin.Length]);
            s = m.Input(int64 ? TensorType.INT64 : TensorType.INT32, [size.Length]);
        }
        else if (int64)
        {
            b = m.Constant(TensorType.INT64, [begin.Length], begin.Select(v => (long)v).ToArray());
            s = m.Constant(TensorType.INT64, [size.Length], size.Select(v => (long)v).ToArray());
        }
        else
        {
            b = m.Constant(TensorType.INT32, [begin.Length], begin);
            s = m.Constant(TensorType.INT32, [size.Length], size);
        }
        m.Output(type, outShape);
        return m.Build(BuiltinOperator.SLICE, [x, b, s]);
    }

    [Fact]
    public void Slices_a_3d_block_as_TFLMs_test()
    {
        // TFLM slice_test In3D-style: a [2,3,2] tensor, begin [1,0,0], size [1,-1,1].
        using var interpreter = Build(TensorType.FLOAT32, [2, 3, 2], [1, 0, 0], [1, -1, 1], [1, 3, 1], int64: true);
        var input = Enumerable.Range(1, 12).Select(v => (float)v).ToArray();
        Assert.Equal(new[] { 7f, 9f, 11f }, ElementwiseOpModel.Run<float>(interpreter, input));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Runtime_begin_and_size_slice_and_an_out_of_range_begin_fails_before_writing()
    {
        using var interpreter = Build(TensorType.INT32, [4], [0], [0], [2], runtime: true);
        Assert.Equal(new[] { 30, 40 }, ElementwiseOpModel.Run<int>(interpreter, new[] { 10, 20, 30, 40 }, new[] { 2 }, new[] { 2 }));

        var e = Assert.Throws<KernelInvokeException>(() => ElementwiseOpModel.Run<int>(interpreter, new[] { 10, 20, 30, 40 }, new[] { 3 }, new[] { 2 }));
        Assert.IsType<TensorDataException>(e.InnerException);
        Assert.Equal("operator 0 (SLICE) failed: begin tensor 1 ('in1') holds [3] with size [2]: dimension 0 does not select output shape [2] from input [4]", e.Message);
        Assert.Equal(new[] { 30, 40 }, interpreter.Output(0).ToArray<int>());
    }

    [Fact]
    public void A_constant_begin_past_the_end_is_refused_in_prepare()
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() => Build(TensorType.INT8, [3, 2], [3, 0], [1, 2], [1, 2]));
        Assert.Equal("operator 0 (SLICE) slices input tensor 0 [3,2] with begin [3,0] and size [1,2]: dimension 0 is out of range", e.Message);
    }

    [Fact]
    public void Slice_refuses_int64_data_as_TFLM_does()
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() => Build(TensorType.INT64, [3], [0], [1], [1]));
        Assert.Equal("operator 0 (SLICE) input tensor 0 is int64; supported: float32, int8, int16, int32, bool", e.Message);
    }
}
