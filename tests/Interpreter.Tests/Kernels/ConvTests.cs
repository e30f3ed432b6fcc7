using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class ConvTests
{
    private static MicroInterpreter Run(Model model)
    {
        var interpreter = new MicroInterpreter(model, new OpResolver().Add(BuiltinOperator.CONV_2D), 16384);
        interpreter.AllocateTensors();
        return interpreter;
    }

    private static BuiltinOptionsUnion Options(Padding padding, int stride = 1, int dilation = 1,
        ActivationFunctionType activation = ActivationFunctionType.NONE) =>
        BuiltinOptionsUnion.FromConv2DOptions(new Conv2DOptionsT
        {
            Padding = padding, StrideH = stride, StrideW = stride, DilationHFactor = dilation, DilationWFactor = dilation,
            FusedActivationFunction = activation,
        });

    /// <summary>A float conv of a single-channel [1,size,size,1] input holding 1, 2, 3, ... row by row.</summary>
    private static float[] FloatConvOfCountingImage(int size, int[] filterShape, float[] filter, BuiltinOptionsUnion options, int[] outputShape)
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, size, size, 1]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, filterShape, filter);
        int output = b.AddTensor("y", TensorType.FLOAT32, outputShape);
        b.AddOperator(BuiltinOperator.CONV_2D, [input, weights, -1], [output], options);
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(Enumerable.Range(1, size * size).Select(v => (float)v).ToArray());
        interpreter.Invoke();
        return interpreter.Output(0).ToArray<float>();
    }

    [Fact]
    public void Same_padding_with_stride_2_on_an_even_input_puts_the_odd_pad_after()
    {
        // 4x4 input 1..16, 3x3 box filter, stride 2: output 2x2, total padding 1 -> 0 before, 1 after.
        //  1  2  3  4
        //  5  6  7  8
        //  9 10 11 12
        // 13 14 15 16
        var y = FloatConvOfCountingImage(4, [1, 3, 3, 1], Enumerable.Repeat(1f, 9).ToArray(), Options(Padding.SAME, stride: 2), [1, 2, 2, 1]);
        Assert.Equal(new[]
        {
            1f + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11, 3f + 4 + 7 + 8 + 11 + 12,
            9f + 10 + 11 + 13 + 14 + 15, 11f + 12 + 15 + 16,
        }, y);
    }

    [Fact]
    public void Same_padding_with_stride_2_on_an_odd_input_pads_both_sides()
    {
        // 5x5 input 1..25, 3x3 box filter, stride 2: output 3x3, total padding 2 -> 1 before, 1 after.
        var y = FloatConvOfCountingImage(5, [1, 3, 3, 1], Enumerable.Repeat(1f, 9).ToArray(), Options(Padding.SAME, stride: 2), [1, 3, 3, 1]);
        Assert.Equal(new[]
        {
            1f + 2 + 6 + 7,             2f + 3 + 4 + 7 + 8 + 9,                    4f + 5 + 9 + 10,
            6f + 7 + 11 + 12 + 16 + 17, 7f + 8 + 9 + 12 + 13 + 14 + 17 + 18 + 19,  9f + 10 + 14 + 15 + 19 + 20,
            16f + 17 + 21 + 22,         17f + 18 + 19 + 22 + 23 + 24,              19f + 20 + 24 + 25,
        }, y);
    }

    [Fact]
    public void Valid_padding_with_stride_2_drops_the_incomplete_window()
    {
        // 5x5 input, 2x2 box filter, stride 2, VALID: output 2x2 (the last column/row is never covered).
        var y = FloatConvOfCountingImage(5, [1, 2, 2, 1], [1f, 1f, 1f, 1f], Options(Padding.VALID, stride: 2), [1, 2, 2, 1]);
        Assert.Equal(new[] { 1f + 2 + 6 + 7, 3f + 4 + 8 + 9, 11f + 12 + 16 + 17, 13f + 14 + 18 + 19 }, y);
    }

    [Fact]
    public void Dilation_2_spreads_the_filter_taps_two_pixels_apart()
    {
        // 2x2 filter [1 10; 100 1000] with dilation 2 reads in(y,x), in(y,x+2), in(y+2,x), in(y+2,x+2);
        // VALID on 5x5 gives 3x3. With in(r,c) = 5r + c + 1 each output is 1111 * (5y + x) + 14131.
        var y = FloatConvOfCountingImage(5, [1, 2, 2, 1], [1f, 10f, 100f, 1000f], Options(Padding.VALID, dilation: 2), [1, 3, 3, 1]);
        Assert.Equal(new[] { 14131f, 15242f, 16353f, 19686f, 20797f, 21908f, 25241f, 26352f, 27463f }, y);
    }

    [Fact]
    public void Dilation_with_same_padding_pads_by_the_dilated_filter_size()
    {
        // 3x3 filter with dilation 2 spans 5 pixels: SAME on 5x5, stride 1 -> total padding 4, 2 before.
        // Only the centre tap (weight 1) and the bottom-right tap (weight 10) are non-zero, so
        // out(y,x) = in(y,x) + 10 * in(y+2,x+2), the second term only where y+2 and x+2 are inside.
        var filter = new float[9];
        filter[4] = 1f;
        filter[8] = 10f;
        var y = FloatConvOfCountingImage(5, [1, 3, 3, 1], filter, Options(Padding.SAME, dilation: 2), [1, 5, 5, 1]);
        Assert.Equal(1f + 10 * 13, y[0]);        // out(0,0) = in(0,0) + 10 * in(2,2)
        Assert.Equal(3f + 10 * 15, y[2]);        // out(0,2) = in(0,2) + 10 * in(2,4)
        Assert.Equal(4f, y[3]);                  // out(0,3): in(2,5) is outside
        Assert.Equal(13f + 10 * 25, y[12]);      // out(2,2) = in(2,2) + 10 * in(4,4)
        Assert.Equal(25f, y[24]);                // out(4,4): only the centre tap is inside
    }

    [Fact]
    public void Float_channels_bias_and_relu6()
    {
        // One pixel with 2 channels [1, 2]; three output channels.
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 1, 1, 2]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, [3, 1, 1, 2], new[] { 1f, 1f, 2f, -3f, 2.5f, 2.5f });
        int bias = b.AddConstant("b", TensorType.FLOAT32, [3], new[] { 0.5f, 0f, 0f });
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 1, 1, 3]);
        b.AddOperator(BuiltinOperator.CONV_2D, [input, weights, bias], [output], Options(Padding.VALID, activation: ActivationFunctionType.RELU6));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new[] { 1f, 2f });
        interpreter.Invoke();
        // 1+2+0.5 = 3.5; 2-6 = -4 -> 0; 2.5+5 = 7.5 -> 6.
        Assert.Equal(new[] { 3.5f, 0f, 6f }, interpreter.Output(0).ToArray<float>());
    }

    [Fact]
    public void Grouped_filter_reads_its_own_slice_of_input_channels()
    {
        // Input depth 4, filter depth 2 -> 2 groups; output channels 0,1 see channels 0-1, 2,3 see 2-3.
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 1, 1, 4]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, [4, 1, 1, 2], new[] { 1f, 0f, 0f, 1f, 1f, 0f, 0f, 1f });
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 1, 1, 4]);
        b.AddOperator(BuiltinOperator.CONV_2D, [input, weights, -1], [output], Options(Padding.VALID));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new[] { 10f, 20f, 30f, 40f });
        interpreter.Invoke();
        Assert.Equal(new[] { 10f, 20f, 30f, 40f }, interpreter.Output(0).ToArray<float>());
    }

    /// <summary>
    /// Input one pixel q = [9, 0] (scale 0.5, zero point -1, so x + 1 = [10, 1]); three output
    /// channels with their own filter scales. Output scale 0.05, zero point 0. The scales are floats
    /// whose ratios are exact (0.1f = 2 * 0.05f, 0.2f = 4 * 0.05f), so the per-channel multipliers
    /// 0.5 * scale_c / 0.05 are exactly 1, 2 and 0.5.
    /// </summary>
    private static sbyte[] Int8PerChannel(ActivationFunctionType activation)
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT8, [1, 1, 1, 2], scales: [0.5f], zeroPoints: [-1]);
        int weights = b.AddConstant("w", TensorType.INT8, [3, 1, 1, 2], new sbyte[] { 10, 25, -5, 5, 4, 1 },
            scales: [0.1f, 0.2f, 0.05f], zeroPoints: [0, 0, 0], quantizedDimension: 0);
        int output = b.AddTensor("y", TensorType.INT8, [1, 1, 1, 3], scales: [0.05f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.CONV_2D, [input, weights, -1], [output], Options(Padding.VALID, activation: activation));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new sbyte[] { 9, 0 });
        interpreter.Invoke();
        return interpreter.Output(0).ToArray<sbyte>();
    }

    [Fact]
    public void Int8_per_channel_multipliers_scale_each_output_channel()
    {
        // acc0 = 10*10 + 25*1 = 125, x1 -> 125
        // acc1 = -5*10 + 5*1 = -45, x2 -> -90
        // acc2 = 4*10 + 1*1 = 41, x0.5 -> 20.5, rounded to 21
        Assert.Equal(new sbyte[] { 125, -90, 21 }, Int8PerChannel(ActivationFunctionType.NONE));
    }

    [Fact]
    public void Int8_relu6_clamps_to_the_quantized_zero_and_six()
    {
        // With scale 0.05 and zero point 0, RELU6 is the range [0, 120]: 125 -> 120, -90 -> 0.
        Assert.Equal(new sbyte[] { 120, 0, 21 }, Int8PerChannel(ActivationFunctionType.RELU6));
    }

    [Fact]
    public void Int8_deep_dot_products_over_simd_width_and_tail()
    {
        // 70 input channels (vector blocks plus a remainder). x[i] = i % 4 - 3 with zero point -3, so
        // x + 3 = i % 4. Weights are +-64 with scale 1/64, so the multiplier 1/64 undoes them exactly.
        // ch0 (all +64): 17 * (0+1+2+3) + 0 + 1 = 103.  ch1 (+64 on even i, -64 on odd): 17 * -2 - 1 = -35.
        const int depth = 70;
        var weights = Enumerable.Repeat((sbyte)64, depth)
            .Concat(Enumerable.Range(0, depth).Select(i => (sbyte)(i % 2 == 0 ? 64 : -64))).ToArray();
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT8, [1, 1, 1, depth], scales: [1f], zeroPoints: [-3]);
        int filter = b.AddConstant("w", TensorType.INT8, [2, 1, 1, depth], weights, scales: [1f / 64], zeroPoints: [0]);
        int output = b.AddTensor("y", TensorType.INT8, [1, 1, 1, 2], scales: [1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.CONV_2D, [input, filter, -1], [output], Options(Padding.VALID));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(Enumerable.Range(0, depth).Select(i => (sbyte)(i % 4 - 3)).ToArray());
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 103, -35 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Int8_padding_counts_as_real_zero_not_as_quantized_zero()
    {
        // 1x1 input q=4 with zero point -1 (real 5) under a 3x3 all-ones filter with SAME padding: only
        // the centre tap is inside, so the sum is 5. Reading the 8 padded taps as q=0 would add 8.
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT8, [1, 1, 1, 1], scales: [1f], zeroPoints: [-1]);
        int weights = b.AddConstant("w", TensorType.INT8, [1, 3, 3, 1], Enumerable.Repeat((sbyte)1, 9).ToArray(), scales: [1f], zeroPoints: [0]);
        int bias = b.AddConstant("b", TensorType.INT32, [1], new[] { 0 });
        int output = b.AddTensor("y", TensorType.INT8, [1, 1, 1, 1], scales: [1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.CONV_2D, [input, weights, bias], [output], Options(Padding.SAME));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new sbyte[] { 4 });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 5 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Int16_activations_with_int64_bias()
    {
        // 16x8: input scale 1 (zero point 0), weight scale 0.5, output scale 1 -> multiplier 0.5.
        // acc = 3*1000 + 2*(-2000) + 10000 = 9000 -> 4500.
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT16, [1, 1, 1, 2], scales: [1f], zeroPoints: [0]);
        int weights = b.AddConstant("w", TensorType.INT8, [1, 1, 1, 2], new sbyte[] { 3, 2 }, scales: [0.5f], zeroPoints: [0]);
        int bias = b.AddConstant("b", TensorType.INT64, [1], new[] { 10000L }, scales: [0.5f], zeroPoints: [0]);
        int output = b.AddTensor("y", TensorType.INT16, [1, 1, 1, 1], scales: [1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.CONV_2D, [input, weights, bias], [output], Options(Padding.VALID));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new short[] { 1000, -2000 });
        interpreter.Invoke();
        Assert.Equal(new short[] { 4500 }, interpreter.Output(0).ToArray<short>());
    }

    [Fact]
    public void Int16_activations_with_int32_bias()
    {
        // TFLM's newer 16x8 path also takes an int32 bias. Pixel 0: 3*1000 + 2*(-2000) + 10000 = 9000 -> 4500;
        // pixel 1: 3*(-3000) + 2*(-5000) + 10000 = -9000 -> -4500 (multiplier 0.5, no rounding).
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT16, [1, 1, 2, 2], scales: [1f], zeroPoints: [0]);
        int weights = b.AddConstant("w", TensorType.INT8, [1, 1, 1, 2], new sbyte[] { 3, 2 }, scales: [0.5f], zeroPoints: [0]);
        int bias = b.AddConstant("b", TensorType.INT32, [1], new[] { 10000 }, scales: [0.5f], zeroPoints: [0]);
        int output = b.AddTensor("y", TensorType.INT16, [1, 1, 2, 1], scales: [1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.CONV_2D, [input, weights, bias], [output], Options(Padding.VALID));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new short[] { 1000, -2000, -3000, -5000 });
        interpreter.Invoke();
        Assert.Equal(new short[] { 4500, -4500 }, interpreter.Output(0).ToArray<short>());
    }

    [Fact]
    public void Output_shape_that_disagrees_with_the_padding_fails_in_prepare()
    {
        // SAME with stride 1 keeps 4x4; the model claims 3x3.
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 4, 4, 1]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, [1, 3, 3, 1], new float[9]);
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 3, 3, 1]);
        b.AddOperator(BuiltinOperator.CONV_2D, [input, weights, -1], [output], Options(Padding.SAME));
        b.SetInputs(input).SetOutputs(output);

        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(b.ToModel()));
        Assert.Equal(0, e.OperatorIndex);
        Assert.Contains("operator 0 (CONV_2D)", e.Message);
        Assert.Contains("[1,4,4,1]", e.Message);
    }

    [Fact]
    public void Filter_depth_that_does_not_divide_the_input_depth_fails_in_prepare()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 4, 4, 3]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, [2, 3, 3, 2], new float[36]);
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 4, 4, 2]);
        b.AddOperator(BuiltinOperator.CONV_2D, [input, weights, -1], [output], Options(Padding.SAME));
        b.SetInputs(input).SetOutputs(output);

        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(b.ToModel()));
        Assert.Contains("operator 0 (CONV_2D)", e.Message);
        Assert.Contains("input depth 3", e.Message);
    }

    [Fact]
    public void Bias_with_the_wrong_length_fails_in_prepare()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT8, [1, 1, 1, 1], scales: [1f], zeroPoints: [0]);
        int weights = b.AddConstant("w", TensorType.INT8, [3, 1, 1, 1], new sbyte[3], scales: [1f, 1f, 1f], zeroPoints: [0, 0, 0]);
        int bias = b.AddConstant("b", TensorType.INT32, [2], new int[2]);
        int output = b.AddTensor("y", TensorType.INT8, [1, 1, 1, 3], scales: [1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.CONV_2D, [input, weights, bias], [output], Options(Padding.VALID));
        b.SetInputs(input).SetOutputs(output);

        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(b.ToModel()));
        Assert.Contains("operator 0 (CONV_2D)", e.Message);
        Assert.Contains("bias tensor 2 has 2 elements; 3 expected", e.Message);
    }

    [Fact]
    public void Zero_stride_fails_in_prepare()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 4, 4, 1]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, [1, 3, 3, 1], new float[9]);
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 4, 4, 1]);
        b.AddOperator(BuiltinOperator.CONV_2D, [input, weights, -1], [output], Options(Padding.SAME, stride: 0));
        b.SetInputs(input).SetOutputs(output);

        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(b.ToModel()));
        Assert.Contains("operator 0 (CONV_2D)", e.Message);
        Assert.Contains("stride", e.Message);
    }
}
