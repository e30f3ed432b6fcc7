using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class PoolingTests
{
    private static MicroInterpreter Run(Model model)
    {
        var resolver = new OpResolver().Add(BuiltinOperator.AVERAGE_POOL_2D).Add(BuiltinOperator.MAX_POOL_2D);
        var interpreter = new MicroInterpreter(model, resolver, 16384);
        interpreter.AllocateTensors();
        return interpreter;
    }

    private static BuiltinOptionsUnion Options(Padding padding, int filterHeight, int filterWidth, int stride,
        ActivationFunctionType activation = ActivationFunctionType.NONE) =>
        BuiltinOptionsUnion.FromPool2DOptions(new Pool2DOptionsT
        {
            Padding = padding, FilterHeight = filterHeight, FilterWidth = filterWidth, StrideH = stride, StrideW = stride,
            FusedActivationFunction = activation,
        });

    private static Model Pool(BuiltinOperator op, TensorType type, int[] inputShape, int[] outputShape, BuiltinOptionsUnion options,
        float scale = 1f, int zeroPoint = 0, float? outputScale = null, int? outputZeroPoint = null)
    {
        var b = new ModelBuilder();
        bool quantized = type != TensorType.FLOAT32;
        int input = quantized ? b.AddTensor("x", type, inputShape, scales: [scale], zeroPoints: [zeroPoint]) : b.AddTensor("x", type, inputShape);
        int output = quantized
            ? b.AddTensor("y", type, outputShape, scales: [outputScale ?? scale], zeroPoints: [outputZeroPoint ?? zeroPoint])
            : b.AddTensor("y", type, outputShape);
        b.AddOperator(op, [input], [output], options);
        b.SetInputs(input).SetOutputs(output);
        return b.ToModel();
    }

    [Fact]
    public void Int8_average_pool_rounds_half_away_from_zero()
    {
        // Pairs averaged by a 1x2 window with stride 2: -5/2, 5/2, -1/2, 1/2, -13/3 style cases.
        using var interpreter = Run(Pool(BuiltinOperator.AVERAGE_POOL_2D, TensorType.INT8, [1, 1, 10, 1], [1, 1, 5, 1], Options(Padding.VALID, 1, 2, 2)));
        interpreter.Input(0).CopyFrom(new sbyte[] { -3, -2, 3, 2, -1, 0, 1, 0, -128, -127 });
        interpreter.Invoke();
        // -2.5 -> -3, 2.5 -> 3, -0.5 -> -1, 0.5 -> 1, -127.5 -> -128
        Assert.Equal(new sbyte[] { -3, 3, -1, 1, -128 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Int8_average_pool_edge_windows_divide_by_the_in_bounds_count()
    {
        // 3x3 input 1..9, 2x2 window, stride 2, SAME: output 2x2, padding only after.
        // (1+2+4+5)/4 = 3; (3+6)/2 = 4.5 -> 5; (7+8)/2 = 7.5 -> 8; 9/1 = 9.
        using var interpreter = Run(Pool(BuiltinOperator.AVERAGE_POOL_2D, TensorType.INT8, [1, 3, 3, 1], [1, 2, 2, 1], Options(Padding.SAME, 2, 2, 2)));
        interpreter.Input(0).CopyFrom(new sbyte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 3, 5, 8, 9 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Float_average_pool_edge_windows_divide_by_the_in_bounds_count()
    {
        using var interpreter = Run(Pool(BuiltinOperator.AVERAGE_POOL_2D, TensorType.FLOAT32, [1, 3, 3, 1], [1, 2, 2, 1], Options(Padding.SAME, 2, 2, 2)));
        interpreter.Input(0).CopyFrom(new[] { 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f });
        interpreter.Invoke();
        Assert.Equal(new[] { 3f, 4.5f, 7.5f, 9f }, interpreter.Output(0).ToArray<float>());
    }

    [Fact]
    public void Average_pool_keeps_channels_apart()
    {
        // Two channels, one 2x2 VALID window: channel 0 averages 1,3,5,7 = 4; channel 1 averages 10,30,50,70 = 40.
        using var interpreter = Run(Pool(BuiltinOperator.AVERAGE_POOL_2D, TensorType.FLOAT32, [1, 2, 2, 2], [1, 1, 1, 2], Options(Padding.VALID, 2, 2, 1)));
        interpreter.Input(0).CopyFrom(new[] { 1f, 10f, 3f, 30f, 5f, 50f, 7f, 70f });
        interpreter.Invoke();
        Assert.Equal(new[] { 4f, 40f }, interpreter.Output(0).ToArray<float>());
    }

    [Fact]
    public void Int8_max_pool_with_same_padding_ignores_the_padded_border()
    {
        // All-negative 3x3 input, 3x3 window, stride 1, SAME (1 pixel of padding on each side). If the
        // border counted as zeros every output would be 0.
        //   -1 -2 -3
        //   -4 -5 -6
        //   -7 -8 -9
        using var interpreter = Run(Pool(BuiltinOperator.MAX_POOL_2D, TensorType.INT8, [1, 3, 3, 1], [1, 3, 3, 1], Options(Padding.SAME, 3, 3, 1)));
        interpreter.Input(0).CopyFrom(new sbyte[] { -1, -2, -3, -4, -5, -6, -7, -8, -9 });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { -1, -1, -2, -1, -1, -2, -4, -4, -5 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Float_max_pool_with_same_padding_ignores_the_padded_border()
    {
        using var interpreter = Run(Pool(BuiltinOperator.MAX_POOL_2D, TensorType.FLOAT32, [1, 3, 3, 1], [1, 3, 3, 1], Options(Padding.SAME, 3, 3, 1)));
        interpreter.Input(0).CopyFrom(new[] { -1f, -2f, -3f, -4f, -5f, -6f, -7f, -8f, -9f });
        interpreter.Invoke();
        Assert.Equal(new[] { -1f, -1f, -2f, -1f, -1f, -2f, -4f, -4f, -5f }, interpreter.Output(0).ToArray<float>());
    }

    [Fact]
    public void Int8_max_pool_applies_the_fused_relu6()
    {
        // Scale 0.5, zero point 0: RELU6 is [0, 12]. 1x1 windows pass values through the clamp.
        using var interpreter = Run(Pool(BuiltinOperator.MAX_POOL_2D, TensorType.INT8, [1, 1, 4, 1], [1, 1, 4, 1],
            Options(Padding.VALID, 1, 1, 1, ActivationFunctionType.RELU6), scale: 0.5f));
        interpreter.Input(0).CopyFrom(new sbyte[] { 20, 4, -6, 13 });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 12, 4, 0, 12 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Float_max_pool_with_stride_2_and_relu()
    {
        // 4x4 input, 2x2 window, stride 2, VALID; RELU turns the all-negative quadrant into 0.
        using var interpreter = Run(Pool(BuiltinOperator.MAX_POOL_2D, TensorType.FLOAT32, [1, 4, 4, 1], [1, 2, 2, 1],
            Options(Padding.VALID, 2, 2, 2, ActivationFunctionType.RELU)));
        interpreter.Input(0).CopyFrom(new[]
        {
            1f, 5f, -1f, -2f,
            3f, 2f, -3f, -4f,
            0f, 0.5f, 9f, 8f,
            -7f, 0.25f, 7f, 6f,
        });
        interpreter.Invoke();
        Assert.Equal(new[] { 5f, 0f, 0.5f, 9f }, interpreter.Output(0).ToArray<float>());
    }

    [Fact]
    public void Int16_average_pool_rounds_half_away_from_zero()
    {
        using var interpreter = Run(Pool(BuiltinOperator.AVERAGE_POOL_2D, TensorType.INT16, [1, 1, 4, 1], [1, 1, 2, 1], Options(Padding.VALID, 1, 2, 2)));
        interpreter.Input(0).CopyFrom(new short[] { -1001, -1000, 1001, 1000 });
        interpreter.Invoke();
        Assert.Equal(new short[] { -1001, 1001 }, interpreter.Output(0).ToArray<short>());
    }

    [Fact]
    public void Output_shape_that_disagrees_with_the_window_fails_in_prepare()
    {
        // 4x4 with a 2x2 window and stride 2 gives 2x2; the model claims 3x3.
        var model = Pool(BuiltinOperator.MAX_POOL_2D, TensorType.FLOAT32, [1, 4, 4, 1], [1, 3, 3, 1], Options(Padding.VALID, 2, 2, 2));
        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(model));
        Assert.Contains("operator 0 (MAX_POOL_2D)", e.Message);
        Assert.Contains("[1,2,2,1]", e.Message);
    }

    [Fact]
    public void Different_input_and_output_quantization_fails_in_prepare()
    {
        var model = Pool(BuiltinOperator.AVERAGE_POOL_2D, TensorType.INT8, [1, 2, 2, 1], [1, 1, 1, 1], Options(Padding.VALID, 2, 2, 2),
            scale: 0.5f, zeroPoint: 0, outputScale: 0.25f);
        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(model));
        Assert.Contains("operator 0 (AVERAGE_POOL_2D)", e.Message);
        Assert.Contains("quantization differ", e.Message);
    }

    [Fact]
    public void Window_larger_than_a_valid_input_fails_in_prepare()
    {
        var model = Pool(BuiltinOperator.AVERAGE_POOL_2D, TensorType.FLOAT32, [1, 2, 2, 1], [1, 1, 1, 1], Options(Padding.VALID, 3, 3, 1));
        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(model));
        Assert.Contains("operator 0 (AVERAGE_POOL_2D)", e.Message);
        Assert.Contains("does not fit", e.Message);
    }
}
