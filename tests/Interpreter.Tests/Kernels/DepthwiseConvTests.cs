using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class DepthwiseConvTests
{
    private static MicroInterpreter Run(Model model)
    {
        var interpreter = new MicroInterpreter(model, new OpResolver().Add(BuiltinOperator.DEPTHWISE_CONV_2D), 16384);
        interpreter.AllocateTensors();
        return interpreter;
    }

    private static BuiltinOptionsUnion Options(Padding padding, int depthMultiplier, int stride = 1, int dilation = 1,
        ActivationFunctionType activation = ActivationFunctionType.NONE) =>
        BuiltinOptionsUnion.FromDepthwiseConv2DOptions(new DepthwiseConv2DOptionsT
        {
            Padding = padding, StrideH = stride, StrideW = stride, DepthMultiplier = depthMultiplier,
            DilationHFactor = dilation, DilationWFactor = dilation, FusedActivationFunction = activation,
        });

    [Fact]
    public void Depth_multiplier_2_gives_each_input_channel_two_consecutive_output_channels()
    {
        // 2x2 input with channels a, b; a 2x2 VALID window gives one pixel with 4 channels
        // ordered (a, m0), (a, m1), (b, m0), (b, m1).
        //   a: 1 2 / 3 4      b: 10 20 / 30 40
        // Filter taps (row-major) per output channel:
        //   (a,m0) 1 1 1 1   -> 1+2+3+4 = 10
        //   (a,m1) 1 -1 0 2  -> 1-2+8 = 7
        //   (b,m0) .5 0 0 0  -> 5
        //   (b,m1) 0 0 1 -1  -> 30-40 = -10, plus bias 1 -> -9
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 2, 2, 2]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, [1, 2, 2, 4], new[]
        {
            1f, 1f, 0.5f, 0f, // tap (0,0)
            1f, -1f, 0f, 0f,  // tap (0,1)
            1f, 0f, 0f, 1f,   // tap (1,0)
            1f, 2f, 0f, -1f,  // tap (1,1)
        });
        int bias = b.AddConstant("b", TensorType.FLOAT32, [4], new[] { 0f, 0f, 0f, 1f });
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 1, 1, 4]);
        b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, weights, bias], [output], Options(Padding.VALID, depthMultiplier: 2));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new[] { 1f, 10f, 2f, 20f, 3f, 30f, 4f, 40f });
        interpreter.Invoke();
        Assert.Equal(new[] { 10f, 7f, 5f, -9f }, interpreter.Output(0).ToArray<float>());
    }

    [Fact]
    public void Dilation_2_reads_the_corners_of_a_3x3_input()
    {
        // Input 1..9; 2x2 filter [1 10; 100 1000] dilated by 2 touches in(0,0), in(0,2), in(2,0), in(2,2).
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 3, 3, 1]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, [1, 2, 2, 1], new[] { 1f, 10f, 100f, 1000f });
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 1, 1, 1]);
        b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, weights, -1], [output], Options(Padding.VALID, 1, dilation: 2));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(Enumerable.Range(1, 9).Select(v => (float)v).ToArray());
        interpreter.Invoke();
        Assert.Equal(new[] { 1f + 30 + 700 + 9000 }, interpreter.Output(0).ToArray<float>());
    }

    [Fact]
    public void Same_padding_with_stride_2_on_an_even_input_puts_the_odd_pad_after()
    {
        // Two channels of a 4x4 image (values v and -v, v = 1..16), 3x3 box filter, stride 2:
        // total padding 1 -> none before, so the first window covers rows/cols 0..2.
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 4, 4, 2]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, [1, 3, 3, 2], Enumerable.Repeat(1f, 18).ToArray());
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 2, 2, 2]);
        b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, weights, -1], [output], Options(Padding.SAME, 1, stride: 2));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(Enumerable.Range(1, 16).SelectMany(v => new[] { (float)v, -v }).ToArray());
        interpreter.Invoke();
        Assert.Equal(new[] { 54f, -54f, 45f, -45f, 72f, -72f, 54f, -54f }, interpreter.Output(0).ToArray<float>());
    }

    /// <summary>
    /// Two pixels q = [10, 20] (scale 0.5, zero point 2, so x - 2 = [8, 18]) under a 1x2 filter with
    /// depth multiplier 2, weights per-channel along dimension 3 with scales [0.25, 1]; bias [12, 0];
    /// output scale 0.125, zero point 0. Multipliers 0.5 * 0.25 / 0.125 = 1 and 0.5 * 1 / 0.125 = 4.
    /// </summary>
    private static sbyte[] Int8PerChannel(ActivationFunctionType activation)
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT8, [1, 1, 2, 1], scales: [0.5f], zeroPoints: [2]);
        int weights = b.AddConstant("w", TensorType.INT8, [1, 1, 2, 2], new sbyte[] { 1, 1, 2, -1 },
            scales: [0.25f, 1f], zeroPoints: [0, 0], quantizedDimension: 3);
        int bias = b.AddConstant("b", TensorType.INT32, [2], new[] { 12, 0 }, scales: [0.125f, 0.5f], zeroPoints: [0, 0]);
        int output = b.AddTensor("y", TensorType.INT8, [1, 1, 1, 2], scales: [0.125f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, weights, bias], [output], Options(Padding.VALID, 2, activation: activation));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new sbyte[] { 10, 20 });
        interpreter.Invoke();
        return interpreter.Output(0).ToArray<sbyte>();
    }

    [Fact]
    public void Int8_per_channel_along_the_last_filter_dimension()
    {
        // ch0: 1*8 + 2*18 + 12 = 56, x1 -> 56 (real 7).  ch1: 1*8 - 18 = -10, x4 -> -40 (real -5).
        Assert.Equal(new sbyte[] { 56, -40 }, Int8PerChannel(ActivationFunctionType.NONE));
    }

    [Fact]
    public void Int8_relu6_clamps_to_the_quantized_zero_and_six()
    {
        // RELU6 with scale 0.125, zero point 0 is [0, 48].
        Assert.Equal(new sbyte[] { 48, 0 }, Int8PerChannel(ActivationFunctionType.RELU6));
    }

    [Fact]
    public void Per_channel_bias_carrying_the_weights_quantized_dimension_loads()
    {
        // Converters copy quantized_dimension 3 from the depthwise weights into the rank-1 bias
        // (person_detect's biases look like this); TFLM accepts it, so must the reader.
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT8, [1, 1, 1, 2], scales: [1f], zeroPoints: [0]);
        int weights = b.AddConstant("w", TensorType.INT8, [1, 1, 1, 2], new sbyte[] { 2, 3 }, scales: [1f, 1f], zeroPoints: [0, 0], quantizedDimension: 3);
        int bias = b.AddConstant("b", TensorType.INT32, [2], new[] { 1, -1 }, scales: [1f, 1f], zeroPoints: [0, 0], quantizedDimension: 3);
        int output = b.AddTensor("y", TensorType.INT8, [1, 1, 1, 2], scales: [1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, weights, bias], [output], Options(Padding.VALID, 1));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new sbyte[] { 5, 7 });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 11, 20 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Int16_activations_with_int64_bias()
    {
        // acc = 2*300 + (-1)*(-100) + 1000 = 1700; multiplier 1 * 0.5 / 1 = 0.5 -> 850.
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT16, [1, 1, 2, 1], scales: [1f], zeroPoints: [0]);
        int weights = b.AddConstant("w", TensorType.INT8, [1, 1, 2, 1], new sbyte[] { 2, -1 }, scales: [0.5f], zeroPoints: [0], quantizedDimension: 3);
        int bias = b.AddConstant("b", TensorType.INT64, [1], new[] { 1000L });
        int output = b.AddTensor("y", TensorType.INT16, [1, 1, 1, 1], scales: [1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, weights, bias], [output], Options(Padding.VALID, 1));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new short[] { 300, -100 });
        interpreter.Invoke();
        Assert.Equal(new short[] { 850 }, interpreter.Output(0).ToArray<short>());
    }

    [Fact]
    public void Micro_speech_shapes_prepare_with_stride_2_and_same_padding()
    {
        // The layer of micro_speech_quantized: [1,49,40,1] -> [1,25,20,8], 10x8 filter, stride 2, SAME.
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT8, [1, 49, 40, 1], scales: [0.1f], zeroPoints: [-128]);
        int weights = b.AddConstant("w", TensorType.INT8, [1, 10, 8, 8], new sbyte[640], scales: [0.01f], zeroPoints: [0]);
        int bias = b.AddConstant("b", TensorType.INT32, [8], new int[8]);
        int output = b.AddTensor("y", TensorType.INT8, [1, 25, 20, 8], scales: [0.1f], zeroPoints: [-128]);
        b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, weights, bias], [output], Options(Padding.SAME, 8, stride: 2, activation: ActivationFunctionType.RELU));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(Enumerable.Repeat((sbyte)50, 49 * 40).ToArray());
        interpreter.Invoke();
        // Zero weights and bias: every output is the real 0, i.e. the zero point.
        Assert.All(interpreter.Output(0).ToArray<sbyte>(), v => Assert.Equal(-128, v));
    }

    [Theory]
    [InlineData(64)]   // per-pixel accumulators on the stack, SIMD lanes
    [InlineData(2100)] // deeper than the stack accumulators: one channel at a time
    public void Deep_layers_give_the_same_arithmetic(int depth)
    {
        // 1x2 input, 1x2 filter (VALID): out[c] = 2 * x0[c] - x1[c] in float; in int8 (scale 1,
        // zero point -3, weight scale 0.5, so multiplier 0.5) out[c] = ((x0+3)*4 - (x1+3)*2) / 2.
        var x = Enumerable.Range(0, 2 * depth).Select(i => (sbyte)(i % 50 - 20)).ToArray();
        var weights = Enumerable.Repeat((sbyte)4, depth).Concat(Enumerable.Repeat((sbyte)-2, depth)).ToArray();

        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT8, [1, 1, 2, depth], scales: [1f], zeroPoints: [-3]);
        int filter = b.AddConstant("w", TensorType.INT8, [1, 1, 2, depth], weights, scales: [0.5f], zeroPoints: [0]);
        int output = b.AddTensor("y", TensorType.INT8, [1, 1, 1, depth], scales: [1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, filter, -1], [output], Options(Padding.VALID, 1));
        b.SetInputs(input).SetOutputs(output);
        using var quantized = new MicroInterpreter(b.ToModel(), new OpResolver().Add(BuiltinOperator.DEPTHWISE_CONV_2D), 65536);
        quantized.AllocateTensors();
        quantized.Input(0).CopyFrom(x);
        quantized.Invoke();
        var expected = Enumerable.Range(0, depth).Select(c => (sbyte)(((x[c] + 3) * 4 - (x[depth + c] + 3) * 2) / 2)).ToArray();
        Assert.Equal(expected, quantized.Output(0).ToArray<sbyte>());

        var fb = new ModelBuilder();
        input = fb.AddTensor("x", TensorType.FLOAT32, [1, 1, 2, depth]);
        filter = fb.AddConstant("w", TensorType.FLOAT32, [1, 1, 2, depth],
            Enumerable.Repeat(2f, depth).Concat(Enumerable.Repeat(-1f, depth)).ToArray());
        output = fb.AddTensor("y", TensorType.FLOAT32, [1, 1, 1, depth]);
        fb.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, filter, -1], [output], Options(Padding.VALID, 1));
        fb.SetInputs(input).SetOutputs(output);
        using var real = new MicroInterpreter(fb.ToModel(), new OpResolver().Add(BuiltinOperator.DEPTHWISE_CONV_2D), 65536);
        real.AllocateTensors();
        real.Input(0).CopyFrom(x.Select(v => (float)v).ToArray());
        real.Invoke();
        Assert.Equal(Enumerable.Range(0, depth).Select(c => 2f * x[c] - x[depth + c]).ToArray(), real.Output(0).ToArray<float>());
    }

    [Fact]
    public void Output_depth_that_is_not_input_depth_times_multiplier_fails_in_prepare()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 4, 4, 2]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, [1, 3, 3, 6], new float[54]);
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 4, 4, 6]);
        b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, weights, -1], [output], Options(Padding.SAME, depthMultiplier: 2));
        b.SetInputs(input).SetOutputs(output);

        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(b.ToModel()));
        Assert.Contains("operator 0 (DEPTHWISE_CONV_2D)", e.Message);
        Assert.Contains("depth_multiplier 2", e.Message);
    }

    [Fact]
    public void Output_shape_that_disagrees_with_the_stride_fails_in_prepare()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 5, 5, 1]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, [1, 3, 3, 1], new float[9]);
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 2, 2, 1]); // SAME, stride 2 gives 3x3
        b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, weights, -1], [output], Options(Padding.SAME, 1, stride: 2));
        b.SetInputs(input).SetOutputs(output);

        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(b.ToModel()));
        Assert.Contains("operator 0 (DEPTHWISE_CONV_2D)", e.Message);
        Assert.Contains("[1,3,3,1]", e.Message);
    }
}
