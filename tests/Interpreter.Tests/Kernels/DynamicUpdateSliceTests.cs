using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class DynamicUpdateSliceTests
{
    private static MicroInterpreter Build(TensorType type, TensorType indexType)
    {
        var m = new ElementwiseOpModel();
        int operand = m.Input(type, [3, 3]);
        int update = m.Input(type, [2, 1]);
        int indices = m.Input(indexType, [2]);
        m.Output(type, [3, 3]);
        return m.Build(BuiltinOperator.DYNAMIC_UPDATE_SLICE, [operand, update, indices]);
    }

    [Fact]
    public void Writes_the_update_at_the_start_indices()
    {
        // TFLM dynamic_update_slice_test SimpleTestF32: update [[-1],[-2]] at [1, 1].
        using var interpreter = Build(TensorType.FLOAT32, TensorType.INT32);
        Assert.Equal(new float[] { 1, 2, 3, 4, -1, 6, 7, -2, 9 },
            ElementwiseOpModel.Run<float>(interpreter, new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, new float[] { -1, -2 }, new[] { 1, 1 }));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Start_indices_outside_are_clamped_as_TFLM_does()
    {
        // [5, -3] clamps to [1, 0]: the last two rows of the first column.
        using var interpreter = Build(TensorType.INT16, TensorType.INT64);
        Assert.Equal(new short[] { 1, 2, 3, -1, 5, 6, -2, 8, 9 },
            ElementwiseOpModel.Run<short>(interpreter, new short[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, new short[] { -1, -2 }, new long[] { 5, -3 }));
    }

    [Fact]
    public void An_update_larger_than_the_operand_is_refused()
    {
        var m = new ElementwiseOpModel();
        int operand = m.Input(TensorType.INT8, [2]);
        int update = m.Input(TensorType.INT8, [3]);
        int indices = m.Input(TensorType.INT32, [1]);
        m.Output(TensorType.INT8, [2]);
        Assert.Equal("operator 0 (DYNAMIC_UPDATE_SLICE) update tensor 1 [3] does not fit in operand tensor 0 [2]",
            m.Rejects(BuiltinOperator.DYNAMIC_UPDATE_SLICE, [operand, update, indices]).Message);
    }
}
