using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>SUM, REDUCE_MAX, REDUCE_MIN and REDUCE_ALL: values worked out by hand, the quantization rule MAX/MIN need, no allocation.</summary>
public class ReduceTests
{
    private static MicroInterpreter Reduce(BuiltinOperator op, TensorType type, int[] axes, int[] outputShape, bool keep,
        float[]? inScale = null, long[]? inZero = null, float[]? outScale = null, long[]? outZero = null)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", type, [2, 3], scales: inScale, zeroPoints: inZero);
        int axis = b.AddConstant("axis", TensorType.INT32, [axes.Length], axes);
        int y = b.AddTensor("y", type, outputShape, scales: outScale, zeroPoints: outZero);
        b.AddOperator(op, [x, axis], [y], BuiltinOptionsUnion.FromReducerOptions(new ReducerOptionsT { KeepDims = keep }));
        var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Fact]
    public void Int8_sum_removes_the_zero_points_and_rescales()
    {
        // Rows [1 2 3] and [4 5 6] stored with zero point −1 at scale 0.5: stored sums 6 and 15, plus 3 for the zero
        // points, are 9 and 18 steps, real 4.5 and 9.0; at output scale 1.0 that is 5 (half away from zero) and 9,
        // plus the output zero point 2: 7 and 11.
        using var interpreter = Reduce(BuiltinOperator.SUM, TensorType.INT8, [1], [2], keep: false, [0.5f], [-1], [1f], [2]);
        interpreter.Input(0).CopyFrom(new sbyte[] { 1, 2, 3, 4, 5, 6 });
        interpreter.Invoke();
        Assert.Equal([(sbyte)7, (sbyte)11], interpreter.Output(0).ToArray<sbyte>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Max_min_and_all_reduce_over_their_axes()
    {
        using var max = Reduce(BuiltinOperator.REDUCE_MAX, TensorType.FLOAT32, [0], [1, 3], keep: true);
        max.Input(0).CopyFrom(new[] { 1f, -5f, 3f, 0f, -2f, 7f });
        max.Invoke();
        Assert.Equal([1f, -2f, 7f], max.Output(0).ToArray<float>());
        using var min = Reduce(BuiltinOperator.REDUCE_MIN, TensorType.INT8, [0, 1], [], keep: false, [0.1f], [3], [0.1f], [3]);
        min.Input(0).CopyFrom(new sbyte[] { 1, -5, 3, 0, -2, 7 });
        min.Invoke();
        Assert.Equal([(sbyte)-5], min.Output(0).ToArray<sbyte>());
        using var all = Reduce(BuiltinOperator.REDUCE_ALL, TensorType.BOOL, [1], [2], keep: false);
        all.Input(0).CopyFrom(new[] { true, true, true, true, false, true });
        all.Invoke();
        Assert.Equal([true, false], all.Output(0).ToArray<bool>());
        Assert.Equal(0, InvokeAllocations.Measure(max));
        Assert.Equal(0, InvokeAllocations.Measure(all));
    }

    [Fact]
    public void Int8_max_with_an_output_quantized_differently_is_refused()
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() => Reduce(BuiltinOperator.REDUCE_MAX, TensorType.INT8, [1], [2], keep: false, [0.1f], [0], [0.2f], [0]));
        Assert.Equal("operator 0 (REDUCE_MAX) input tensor 0 (scale 0.100000001, zero point 0) and output tensor 2 (scale 0.200000003, zero point 0) must share their quantization", e.Message);
    }
}
