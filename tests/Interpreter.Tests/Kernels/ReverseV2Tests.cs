using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class ReverseV2Tests
{
    private static MicroInterpreter Build(TensorType type, int[] shape, int[]? axes, int axisCount = 0)
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(type, shape);
        int a = axes is null ? m.Input(TensorType.INT32, [axisCount]) : m.Constant(TensorType.INT32, [axes.Length], axes);
        m.Output(type, shape);
        return m.Build(BuiltinOperator.REVERSE_V2, [x, a]);
    }

    [Fact]
    public void Reverses_the_listed_contiguous_axes()
    {
        // [2,3]: rows and columns both flipped is the whole sequence backwards.
        using var both = Build(TensorType.FLOAT32, [2, 3], [1, 0]);
        Assert.Equal(new float[] { 6, 5, 4, 3, 2, 1 }, ElementwiseOpModel.Run<float>(both, new float[] { 1, 2, 3, 4, 5, 6 }));
        Assert.Equal(0, InvokeAllocations.Measure(both));
        using var columns = Build(TensorType.BOOL, [2, 3], [-1]);
        Assert.Equal(new[] { false, false, true, true, true, false }, ElementwiseOpModel.Run<bool>(columns, new[] { true, false, false, false, true, true }));
    }

    [Fact]
    public void Non_contiguous_axes_are_refused_as_TFLM_does_and_fail_when_given_at_runtime()
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() => Build(TensorType.INT16, [2, 2, 2], [0, 2]));
        Assert.Equal("operator 0 (REVERSE_V2) axes [0,2] are not contiguous; TFLM reverses one contiguous run of axes", e.Message);

        using var interpreter = Build(TensorType.INT32, [2, 2], null, axisCount: 1);
        Assert.Equal(new[] { 3, 4, 1, 2 }, ElementwiseOpModel.Run<int>(interpreter, new[] { 1, 2, 3, 4 }, new[] { 0 }));
        var runtime = Assert.Throws<KernelInvokeException>(() => ElementwiseOpModel.Run<int>(interpreter, new[] { 1, 2, 3, 4 }, new[] { 2 }));
        Assert.IsType<TensorDataException>(runtime.InnerException);
        Assert.Equal("operator 0 (REVERSE_V2) failed: axis tensor 1 ('in1') axis 2 is outside [-2, 2)", runtime.Message);
    }
}
