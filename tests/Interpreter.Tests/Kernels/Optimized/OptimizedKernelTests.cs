using TinyMl.Interpreter.Schema;
using Xunit.Abstractions;

namespace TinyMl.Interpreter.Tests.Kernels.Optimized;

/// <summary>
/// The optimized kernels against the reference kernels on random models: outputs must be byte-identical.
/// Shapes cover tiny and odd channel counts, every stride/dilation/padding mix, per-channel weights, and
/// offsets across the int8 range.
/// </summary>
public class OptimizedKernelTests(ITestOutputHelper output)
{
    private static byte[] Run(Model model, byte[] input, KernelSet kernels, int threads = 1)
    {
        using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(kernels), 4 << 20, new InterpreterOptions { Threads = threads });
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(input);
        interpreter.Invoke();
        return interpreter.Output(0).Bytes.ToArray();
    }

    private static int OutputSize(Padding padding, int input, int kernel, int stride, int dilation)
    {
        int effective = (kernel - 1) * dilation + 1;
        return padding == Padding.SAME ? (input + stride - 1) / stride : (input - effective + stride) / stride;
    }

    /// <summary>A random int8 CONV_2D with per-channel weights; pointwise (1×1, stride 1, VALID) one time in three.</summary>
    private static (Model Model, byte[] Input, string Shape) RandomConv(Random r) => RandomConv(r, large: false);

    /// <summary><paramref name="large"/>: a layer of a few million multiply-accumulates, which the kernel splits over worker threads.</summary>
    private static (Model Model, byte[] Input, string Shape) RandomConv(Random r, bool large)
    {
        bool pointwise = r.Next(3) == 0;
        int h = large ? r.Next(24, 49) : r.Next(1, 12), w = large ? r.Next(24, 49) : r.Next(1, 12);
        int cin = large ? r.Next(16, 49) : r.Next(1, 40), cout = large ? r.Next(16, 49) : r.Next(1, 40);
        int kh = pointwise ? 1 : r.Next(1, 5), kw = pointwise ? 1 : r.Next(1, 5);
        int stride = pointwise ? 1 : r.Next(1, 4), dilation = pointwise ? 1 : r.Next(1, 3);
        var padding = pointwise || r.Next(2) == 0 ? Padding.VALID : Padding.SAME;
        if (OutputSize(padding, h, kh, stride, dilation) < 1 || OutputSize(padding, w, kw, stride, dilation) < 1) padding = Padding.SAME;
        int oh = OutputSize(padding, h, kh, stride, dilation), ow = OutputSize(padding, w, kw, stride, dilation);

        var b = new ModelBuilder();
        float inScale = 0.01f + (float)r.NextDouble() * 0.05f;
        int input = b.AddTensor("x", TensorType.INT8, [1, h, w, cin], scales: [inScale], zeroPoints: [r.Next(-128, 128)]);
        var weights = new sbyte[cout * kh * kw * cin];
        for (int i = 0; i < weights.Length; i++) weights[i] = (sbyte)r.Next(-127, 128);
        var weightScales = Enumerable.Range(0, cout).Select(_ => 0.002f + (float)r.NextDouble() * 0.02f).ToArray();
        int filter = b.AddConstant("w", TensorType.INT8, [cout, kh, kw, cin], weights, weightScales, new long[cout]);
        var biasValues = Enumerable.Range(0, cout).Select(_ => r.Next(-5000, 5000)).ToArray();
        int bias = r.Next(4) == 0 ? -1 : b.AddConstant("b", TensorType.INT32, [cout], biasValues, weightScales.Select(s => s * inScale).ToArray(), new long[cout]);
        float outScale = inScale * weightScales.Average() * 64 * 64 * MathF.Sqrt(kh * kw * cin) / 60 * (0.5f + (float)r.NextDouble());
        int y = b.AddTensor("y", TensorType.INT8, [1, oh, ow, cout], scales: [outScale], zeroPoints: [r.Next(-128, 128)]);
        var activation = new[] { ActivationFunctionType.NONE, ActivationFunctionType.RELU, ActivationFunctionType.RELU6, ActivationFunctionType.RELU_N1_TO_1 }[r.Next(4)];
        b.AddOperator(BuiltinOperator.CONV_2D, [input, filter, bias], [y], BuiltinOptionsUnion.FromConv2DOptions(new Conv2DOptionsT
        {
            Padding = padding, StrideH = stride, StrideW = stride, DilationHFactor = dilation, DilationWFactor = dilation, FusedActivationFunction = activation,
        }));
        b.SetInputs(input).SetOutputs(y);
        var x = new byte[h * w * cin];
        r.NextBytes(x);
        return (b.ToModel(), x, $"[1,{h},{w},{cin}] * [{cout},{kh},{kw},{cin}] stride {stride} dilation {dilation} {padding} {activation}");
    }

    /// <summary>
    /// A random int8 DEPTHWISE_CONV_2D (multiplier 1 mostly, sometimes 2 or 8), channel counts around multiples of 16;
    /// one time in three a 3×3 filter over whole blocks of eight channels (multiplier 1, 8 or 16) on a larger image,
    /// the shape of MobileNet's layers, whose interior pixels take their own path.
    /// </summary>
    private static (Model Model, byte[] Input, string Shape) RandomDepthwise(Random r)
    {
        bool mobilenet = r.Next(3) == 0;
        int h = r.Next(1, mobilenet ? 20 : 12), w = r.Next(1, mobilenet ? 20 : 12);
        int cin = mobilenet ? (r.Next(3) == 0 ? r.Next(1, 4) : 8 * r.Next(1, 9)) : r.Next(3) == 0 ? r.Next(1, 16) : 16 * r.Next(1, 4) + r.Next(-1, 2);
        int multiplier = mobilenet ? (cin < 8 ? 8 * r.Next(1, 3) : 1) : r.Next(5) == 0 ? 2 : r.Next(6) == 0 ? 8 : 1, cout = cin * multiplier;
        int kh = mobilenet ? 3 : r.Next(1, 5), kw = mobilenet ? 3 : r.Next(1, 5), stride = r.Next(1, mobilenet ? 3 : 4), dilation = r.Next(1, 3);
        var padding = r.Next(2) == 0 ? Padding.VALID : Padding.SAME;
        if (OutputSize(padding, h, kh, stride, dilation) < 1 || OutputSize(padding, w, kw, stride, dilation) < 1) padding = Padding.SAME;
        int oh = OutputSize(padding, h, kh, stride, dilation), ow = OutputSize(padding, w, kw, stride, dilation);

        var b = new ModelBuilder();
        float inScale = 0.01f + (float)r.NextDouble() * 0.05f;
        int input = b.AddTensor("x", TensorType.INT8, [1, h, w, cin], scales: [inScale], zeroPoints: [r.Next(-128, 128)]);
        var weights = new sbyte[kh * kw * cout];
        for (int i = 0; i < weights.Length; i++) weights[i] = (sbyte)r.Next(-128, 128);
        var weightScales = Enumerable.Range(0, cout).Select(_ => 0.002f + (float)r.NextDouble() * 0.02f).ToArray();
        int filter = b.AddConstant("w", TensorType.INT8, [1, kh, kw, cout], weights, weightScales, new long[cout], quantizedDimension: 3);
        var biasValues = Enumerable.Range(0, cout).Select(_ => r.Next(-5000, 5000)).ToArray();
        int bias = r.Next(4) == 0 ? -1 : b.AddConstant("b", TensorType.INT32, [cout], biasValues, weightScales.Select(s => s * inScale).ToArray(), new long[cout]);
        float outScale = inScale * weightScales.Average() * 64 * 64 * MathF.Sqrt(kh * kw) / 60 * (0.5f + (float)r.NextDouble());
        int y = b.AddTensor("y", TensorType.INT8, [1, oh, ow, cout], scales: [outScale], zeroPoints: [r.Next(-128, 128)]);
        var activation = new[] { ActivationFunctionType.NONE, ActivationFunctionType.RELU, ActivationFunctionType.RELU6, ActivationFunctionType.RELU_N1_TO_1 }[r.Next(4)];
        b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, filter, bias], [y], BuiltinOptionsUnion.FromDepthwiseConv2DOptions(new DepthwiseConv2DOptionsT
        {
            Padding = padding, StrideH = stride, StrideW = stride, DilationHFactor = dilation, DilationWFactor = dilation,
            DepthMultiplier = multiplier, FusedActivationFunction = activation,
        }));
        b.SetInputs(input).SetOutputs(y);
        var x = new byte[h * w * cin];
        r.NextBytes(x);
        return (b.ToModel(), x, $"depthwise [1,{h},{w},{cin}] * [1,{kh},{kw},{cout}] stride {stride} dilation {dilation} {padding} {activation}");
    }

    /// <summary>A random int8 FULLY_CONNECTED: batches, depths around multiples of 16, weights symmetric or with a zero point.</summary>
    private static (Model Model, byte[] Input, string Shape) RandomFullyConnected(Random r)
    {
        int batches = r.Next(1, 4), depth = r.Next(2) == 0 ? r.Next(1, 20) : 16 * r.Next(1, 8) + r.Next(-2, 3), units = r.Next(1, 24);
        var b = new ModelBuilder();
        float inScale = 0.01f + (float)r.NextDouble() * 0.05f, weightScale = 0.002f + (float)r.NextDouble() * 0.02f;
        int input = b.AddTensor("x", TensorType.INT8, [batches, depth], scales: [inScale], zeroPoints: [r.Next(-128, 128)]);
        var weights = new sbyte[units * depth];
        for (int i = 0; i < weights.Length; i++) weights[i] = (sbyte)r.Next(-128, 128);
        long weightZero = r.Next(3) == 0 ? r.Next(-128, 128) : 0;
        int filter = b.AddConstant("w", TensorType.INT8, [units, depth], weights, [weightScale], [weightZero]);
        int bias = r.Next(4) == 0 ? -1 : b.AddConstant("b", TensorType.INT32, [units],
            Enumerable.Range(0, units).Select(_ => r.Next(-5000, 5000)).ToArray(), [weightScale * inScale], [0]);
        float outScale = inScale * weightScale * 64 * 64 * MathF.Sqrt(depth) / 60 * (0.5f + (float)r.NextDouble());
        int y = b.AddTensor("y", TensorType.INT8, [batches, units], scales: [outScale], zeroPoints: [r.Next(-128, 128)]);
        var activation = new[] { ActivationFunctionType.NONE, ActivationFunctionType.RELU, ActivationFunctionType.RELU6 }[r.Next(3)];
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [input, filter, bias], [y],
            BuiltinOptionsUnion.FromFullyConnectedOptions(new FullyConnectedOptionsT { FusedActivationFunction = activation }));
        b.SetInputs(input).SetOutputs(y);
        var x = new byte[batches * depth];
        r.NextBytes(x);
        return (b.ToModel(), x, $"fully connected [{batches},{depth}] * [{units},{depth}] weight zero point {weightZero} {activation}");
    }

    /// <summary>A random float32 CONV_2D: the same geometry as the int8 cases, values of both signs, bias or none.</summary>
    private static (Model Model, byte[] Input, string Shape) RandomFloatConv(Random r) => RandomFloatConv(r, large: false);

    private static (Model Model, byte[] Input, string Shape) RandomFloatConv(Random r, bool large)
    {
        int h = large ? r.Next(24, 49) : r.Next(1, 10), w = large ? r.Next(24, 49) : r.Next(1, 10);
        int cin = large ? r.Next(16, 33) : r.Next(1, 24), cout = large ? r.Next(16, 49) : r.Next(1, 40);
        int kh = r.Next(1, 4), kw = r.Next(1, 4), stride = r.Next(1, 3), dilation = r.Next(1, 3);
        var padding = r.Next(2) == 0 ? Padding.VALID : Padding.SAME;
        if (OutputSize(padding, h, kh, stride, dilation) < 1 || OutputSize(padding, w, kw, stride, dilation) < 1) padding = Padding.SAME;
        int oh = OutputSize(padding, h, kh, stride, dilation), ow = OutputSize(padding, w, kw, stride, dilation);
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, h, w, cin]);
        int filter = b.AddConstant("w", TensorType.FLOAT32, [cout, kh, kw, cin], Enumerable.Range(0, cout * kh * kw * cin).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray());
        int bias = r.Next(4) == 0 ? -1 : b.AddConstant("b", TensorType.FLOAT32, [cout], Enumerable.Range(0, cout).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray());
        int y = b.AddTensor("y", TensorType.FLOAT32, [1, oh, ow, cout]);
        var activation = new[] { ActivationFunctionType.NONE, ActivationFunctionType.RELU, ActivationFunctionType.RELU6, ActivationFunctionType.RELU_N1_TO_1 }[r.Next(4)];
        b.AddOperator(BuiltinOperator.CONV_2D, [input, filter, bias], [y], BuiltinOptionsUnion.FromConv2DOptions(new Conv2DOptionsT
        {
            Padding = padding, StrideH = stride, StrideW = stride, DilationHFactor = dilation, DilationWFactor = dilation, FusedActivationFunction = activation,
        }));
        b.SetInputs(input).SetOutputs(y);
        var x = Enumerable.Range(0, h * w * cin).Select(_ => (float)(r.NextDouble() * 4 - 2)).ToArray();
        return (b.ToModel(), System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()).ToArray(),
            $"float conv [1,{h},{w},{cin}] * [{cout},{kh},{kw},{cin}] stride {stride} dilation {dilation} {padding} {activation}");
    }

    /// <summary>A random float32 DEPTHWISE_CONV_2D (multiplier 1 mostly: the vectorized case).</summary>
    private static (Model Model, byte[] Input, string Shape) RandomFloatDepthwise(Random r)
    {
        int h = r.Next(1, 10), w = r.Next(1, 10), cin = r.Next(1, 40), multiplier = r.Next(6) == 0 ? 2 : 1, cout = cin * multiplier;
        int kh = r.Next(1, 4), kw = r.Next(1, 4), stride = r.Next(1, 3), dilation = r.Next(1, 3);
        var padding = r.Next(2) == 0 ? Padding.VALID : Padding.SAME;
        if (OutputSize(padding, h, kh, stride, dilation) < 1 || OutputSize(padding, w, kw, stride, dilation) < 1) padding = Padding.SAME;
        int oh = OutputSize(padding, h, kh, stride, dilation), ow = OutputSize(padding, w, kw, stride, dilation);
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, h, w, cin]);
        int filter = b.AddConstant("w", TensorType.FLOAT32, [1, kh, kw, cout], Enumerable.Range(0, kh * kw * cout).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray());
        int bias = r.Next(4) == 0 ? -1 : b.AddConstant("b", TensorType.FLOAT32, [cout], Enumerable.Range(0, cout).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray());
        int y = b.AddTensor("y", TensorType.FLOAT32, [1, oh, ow, cout]);
        var activation = new[] { ActivationFunctionType.NONE, ActivationFunctionType.RELU, ActivationFunctionType.RELU6, ActivationFunctionType.RELU_N1_TO_1 }[r.Next(4)];
        b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, filter, bias], [y], BuiltinOptionsUnion.FromDepthwiseConv2DOptions(new DepthwiseConv2DOptionsT
        {
            Padding = padding, StrideH = stride, StrideW = stride, DilationHFactor = dilation, DilationWFactor = dilation,
            DepthMultiplier = multiplier, FusedActivationFunction = activation,
        }));
        b.SetInputs(input).SetOutputs(y);
        var x = Enumerable.Range(0, h * w * cin).Select(_ => (float)(r.NextDouble() * 4 - 2)).ToArray();
        return (b.ToModel(), System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()).ToArray(),
            $"float depthwise [1,{h},{w},{cin}] * [1,{kh},{kw},{cout}] stride {stride} dilation {dilation} {padding} {activation}");
    }

    /// <summary>
    /// A random int8 ADD or SUB: the second operand a constant of the same shape (the vector path), or one time in
    /// five a broadcast one (the reference path behind the optimized kernel); scales and zero points anywhere.
    /// </summary>
    private static (Model Model, byte[] Input, string Shape) RandomAddSub(Random r, BuiltinOperator op)
    {
        int[] shape = [1, r.Next(1, 9), r.Next(1, 9), r.Next(1, 40)];
        int[] other = r.Next(5) == 0 ? [1, 1, 1, shape[3]] : shape;
        float Scale() => 0.002f + (float)r.NextDouble() * 0.1f;
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, shape, scales: [Scale()], zeroPoints: [r.Next(-128, 128)]);
        var constant = new byte[other.Aggregate(1, (n, d) => n * d)];
        r.NextBytes(constant);
        int c = b.AddTensor("c", TensorType.INT8, other, constant, [Scale()], [r.Next(-128, 128)]);
        int y = b.AddTensor("y", TensorType.INT8, shape, scales: [Scale() * 2], zeroPoints: [r.Next(-128, 128)]);
        var activation = new[] { ActivationFunctionType.NONE, ActivationFunctionType.RELU, ActivationFunctionType.RELU6 }[r.Next(3)];
        var options = op == BuiltinOperator.ADD
            ? BuiltinOptionsUnion.FromAddOptions(new AddOptionsT { FusedActivationFunction = activation })
            : BuiltinOptionsUnion.FromSubOptions(new SubOptionsT { FusedActivationFunction = activation });
        bool swap = r.Next(2) == 0;
        b.AddOperator(op, swap ? [c, x] : [x, c], [y], options);
        b.SetInputs(x).SetOutputs(y);
        var input = new byte[shape.Aggregate(1, (n, d) => n * d)];
        r.NextBytes(input);
        return (b.ToModel(), input, $"{op} [{string.Join(",", shape)}] and [{string.Join(",", other)}] {activation}");
    }

    public static TheoryData<string> Operators => new("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "CONV_2D float32", "DEPTHWISE_CONV_2D float32", "ADD", "SUB");

    [Theory]
    [MemberData(nameof(Operators))]
    public void Optimized_kernel_is_byte_identical_to_the_reference_on_400_random_models(string op)
    {
        var r = new Random(2026);
        int differing = 0;
        long elements = 0;
        for (int i = 0; i < 400; i++)
        {
            var (model, input, shape) = op switch
            {
                "CONV_2D" => RandomConv(r),
                "DEPTHWISE_CONV_2D" => RandomDepthwise(r),
                "CONV_2D float32" => RandomFloatConv(r),
                "DEPTHWISE_CONV_2D float32" => RandomFloatDepthwise(r),
                "ADD" => RandomAddSub(r, BuiltinOperator.ADD),
                "SUB" => RandomAddSub(r, BuiltinOperator.SUB),
                _ => RandomFullyConnected(r),
            };
            var reference = Run(model, input, KernelSet.Reference);
            var optimized = Run(model, input, KernelSet.Optimized);
            elements += reference.Length;
            if (!reference.AsSpan().SequenceEqual(optimized))
            {
                differing++;
                output.WriteLine($"case {i} {shape}: {reference.Zip(optimized).Count(p => p.First != p.Second)} of {reference.Length} bytes differ");
            }
        }
        output.WriteLine($"400 models, {elements} output bytes compared");
        Assert.Equal(0, differing);
    }

    [Theory]
    [InlineData("CONV_2D")]
    [InlineData("CONV_2D float32")]
    public void Convolutions_split_over_worker_threads_give_the_single_thread_bytes(string op)
    {
        var r = new Random(7);
        for (int i = 0; i < 12; i++)
        {
            var (model, input, shape) = op == "CONV_2D" ? RandomConv(r, large: true) : RandomFloatConv(r, large: true);
            var reference = Run(model, input, KernelSet.Reference);
            foreach (int threads in new[] { 2, 3, 4 })
                Assert.True(reference.AsSpan().SequenceEqual(Run(model, input, KernelSet.Optimized, threads)), $"case {i} {shape}, {threads} threads");
        }
    }

    [Fact]
    public void Invoke_with_worker_threads_allocates_nothing_and_matches_the_golden_model()
    {
        var model = Model.Load(SharedData.ModelPath("mobilenet_v2_quantized_1x3x224x224"));
        using var single = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 8 << 20);
        using var threaded = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 8 << 20, new InterpreterOptions { Threads = 4 });
        foreach (var interpreter in new[] { single, threaded })
        {
            interpreter.AllocateTensors();
            ReferenceInputs.Fill(interpreter);
            interpreter.Invoke();
        }
        Assert.True(single.Output(0).Bytes.SequenceEqual(threaded.Output(0).Bytes));
        Assert.Equal(0, InvokeAllocations.Measure(threaded, invokes: 2));
    }

    [Fact]
    public void The_optimized_set_reports_its_packed_weights_and_the_reference_set_none()
    {
        var model = Model.Load(SharedData.ModelPath("person_detect"));
        using var optimized = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 100_000);
        using var reference = new MicroInterpreter(model, OpResolver.WithAllBuiltins(KernelSet.Reference), 100_000);
        optimized.AllocateTensors();
        reference.AllocateTensors();
        Assert.Equal(0, reference.PackedWeightBytes);
        if (KernelFeatures.Isa == "portable") return;
        // Every CONV_2D of person_detect packs int16 weights (2 bytes each) plus an int32 bias per 16-channel block.
        long convWeights = model.MainSubgraph.Operators.Where(o => o.Code.Builtin == BuiltinOperator.CONV_2D)
            .Sum(o => model.MainSubgraph.Tensors[o.Inputs[1]].ElementCount);
        Assert.True(optimized.PackedWeightBytes >= 2 * convWeights, $"{optimized.PackedWeightBytes} packed bytes for {convWeights} conv weights");
    }
}
