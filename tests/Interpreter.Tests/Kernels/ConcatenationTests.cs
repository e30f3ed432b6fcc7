using TinyMl.Interpreter.Schema;
using static TinyMl.Interpreter.Tests.Kernels.ElementwiseOpModel;

namespace TinyMl.Interpreter.Tests.Kernels;

public class ConcatenationTests
{
    private static BuiltinOptionsUnion Axis(int axis, ActivationFunctionType activation = ActivationFunctionType.NONE) =>
        BuiltinOptionsUnion.FromConcatenationOptions(new ConcatenationOptionsT { Axis = axis, FusedActivationFunction = activation });

    [Fact]
    public void Float_concatenation_on_axis_minus_1_interleaves_rows()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [2, 2]);
        int b = m.Input(TensorType.FLOAT32, [2, 1]);
        m.Output(TensorType.FLOAT32, [2, 3]);
        using var concat = m.Build(BuiltinOperator.CONCATENATION, [a, b], Axis(-1));
        Assert.Equal(new[] { 1f, 2f, 9f, 3f, 4f, 8f }, Run<float>(concat, new[] { 1f, 2f, 3f, 4f }, new[] { 9f, 8f }));
    }

    [Fact]
    public void Int32_concatenation_on_axis_0_with_constants_as_the_audio_front_end_pads_its_spectrum()
    {
        var m = new ElementwiseOpModel();
        int zeros = m.Constant(TensorType.INT32, [2], new[] { 0, 0 });
        int x = m.Input(TensorType.INT32, [3]);
        int tail = m.Constant(TensorType.INT32, [1], new[] { -1 });
        m.Output(TensorType.INT32, [6]);
        using var concat = m.Build(BuiltinOperator.CONCATENATION, [zeros, x, tail], Axis(0));
        Assert.Equal(new[] { 0, 0, 7, 8, 9, -1 }, Run<int>(concat, new[] { 7, 8, 9 }));
    }

    [Fact]
    public void Int8_concatenation_on_axis_0_with_matching_quantization()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [1, 2], 0.25f, -3);
        int b = m.Input(TensorType.INT8, [2, 2], 0.25f, -3);
        m.Output(TensorType.INT8, [3, 2], 0.25f, -3);
        using var concat = m.Build(BuiltinOperator.CONCATENATION, [a, b], Axis(0));
        Assert.Equal(new sbyte[] { -128, 127, 1, 2, 3, 4 }, Run<sbyte>(concat, new sbyte[] { -128, 127 }, new sbyte[] { 1, 2, 3, 4 }));
    }

    [Fact]
    public void Middle_axis_of_a_3d_tensor()
    {
        // [2,1,2] and [2,2,2] on axis 1: for each outer index, a's row then b's two rows.
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT16, [2, 1, 2]);
        int b = m.Input(TensorType.INT16, [2, 2, 2]);
        m.Output(TensorType.INT16, [2, 3, 2]);
        using var concat = m.Build(BuiltinOperator.CONCATENATION, [a, b], Axis(1));
        var result = Run<short>(concat, new short[] { 1, 2, 3, 4 }, new short[] { 10, 11, 12, 13, 20, 21, 22, 23 });
        Assert.Equal(new short[] { 1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23 }, result);
    }

    [Fact]
    public void Int64_and_bool_are_copied_unchanged()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT64, [1]);
        int b = m.Input(TensorType.INT64, [2]);
        m.Output(TensorType.INT64, [3]);
        using var longs = m.Build(BuiltinOperator.CONCATENATION, [a, b], Axis(0));
        Assert.Equal(new[] { long.MinValue, 1L, long.MaxValue }, Run<long>(longs, new[] { long.MinValue }, new[] { 1L, long.MaxValue }));

        var q = new ElementwiseOpModel();
        int c = q.Input(TensorType.BOOL, [2, 1]);
        int d = q.Input(TensorType.BOOL, [2, 1]);
        q.Output(TensorType.BOOL, [2, 2]);
        using var bools = q.Build(BuiltinOperator.CONCATENATION, [c, d], Axis(-1));
        Assert.Equal(new byte[] { 1, 0, 0, 1 }, Run<byte>(bools, new[] { true, false }, new[] { false, true }));
    }

    [Fact]
    public void Int8_inputs_with_a_different_scale_or_zero_point_are_rejected()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT8, [2], 0.25f, 0);
        int b = m.Input(TensorType.INT8, [3], 0.5f, 0);
        m.Output(TensorType.INT8, [5], 0.25f, 0);
        var e = m.Rejects(BuiltinOperator.CONCATENATION, [a, b], Axis(0));
        Assert.Contains("operator 0 (CONCATENATION)", e.Message);
        Assert.Contains("input tensor 1 [3] has scale 0.5 and zero point 0", e.Message);
        Assert.Contains("output tensor 2 [5] has scale 0.25", e.Message);

        var z = new ElementwiseOpModel();
        int c = z.Input(TensorType.INT8, [2], 0.25f, 0);
        int d = z.Input(TensorType.INT8, [3], 0.25f, 0);
        z.Output(TensorType.INT8, [5], 0.25f, 1);
        Assert.Contains("zero point 0", z.Rejects(BuiltinOperator.CONCATENATION, [c, d], Axis(0)).Message);
    }

    [Fact]
    public void Mismatched_shapes_bad_axes_activations_and_types_are_rejected()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [2, 2]);
        int b = m.Input(TensorType.FLOAT32, [3, 1]);
        m.Output(TensorType.FLOAT32, [2, 3]);
        var shape = m.Rejects(BuiltinOperator.CONCATENATION, [a, b], Axis(1));
        Assert.Contains("input tensor 1 has shape [3,1], which differs from output tensor 2 [2,3] in dimension 0", shape.Message);

        var s = new ElementwiseOpModel();
        int c = s.Input(TensorType.FLOAT32, [2, 2]);
        int d = s.Input(TensorType.FLOAT32, [2, 2]);
        s.Output(TensorType.FLOAT32, [2, 5]);
        Assert.Contains("add up to 4 along axis 1", s.Rejects(BuiltinOperator.CONCATENATION, [c, d], Axis(1)).Message);

        var x = new ElementwiseOpModel();
        int e = x.Input(TensorType.FLOAT32, [2]);
        x.Output(TensorType.FLOAT32, [2]);
        Assert.Contains("axis 1 is outside output tensor 1 of shape [2]", x.Rejects(BuiltinOperator.CONCATENATION, [e], Axis(1)).Message);

        var r = new ElementwiseOpModel();
        int f = r.Input(TensorType.FLOAT32, [2]);
        r.Output(TensorType.FLOAT32, [2]);
        Assert.Contains("fused activation RELU", r.Rejects(BuiltinOperator.CONCATENATION, [f], Axis(0, ActivationFunctionType.RELU)).Message);

        var t = new ElementwiseOpModel();
        int g = t.Input(TensorType.UINT8, [2]);
        t.Output(TensorType.UINT8, [2]);
        Assert.Contains("uint8", t.Rejects(BuiltinOperator.CONCATENATION, [g], Axis(0)).Message);
    }
}
