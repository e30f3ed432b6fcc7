using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>
/// int4 weights (two a byte, low nibble first) give exactly what the same weights stored as int8 give — the
/// arithmetic is the int8 kernels' — for CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, in both kernel sets.
/// </summary>
public class Int4WeightsTests
{
    private static Model Build(BuiltinOperator op, sbyte[] weights, int[] weightShape, bool int4, Random r, out int inputBytes)
    {
        var b = new ModelBuilder();
        int channels = op == BuiltinOperator.DEPTHWISE_CONV_2D ? weightShape[3] : weightShape[0];
        var scales = Enumerable.Range(0, channels).Select(_ => 0.01f + (float)r.NextDouble() * 0.05f).ToArray();
        int dimension = op == BuiltinOperator.DEPTHWISE_CONV_2D ? 3 : 0;
        int[] inputShape = op == BuiltinOperator.FULLY_CONNECTED ? [2, weightShape[1]] : [1, 6, 6, op == BuiltinOperator.CONV_2D ? weightShape[3] : channels];
        int[] outputShape = op == BuiltinOperator.FULLY_CONNECTED ? [2, channels] : [1, 6, 6, channels];
        int x = b.AddTensor("x", TensorType.INT8, inputShape, scales: [0.05f], zeroPoints: [3]);
        int w = int4
            ? b.AddInt4Constant("w", weightShape, weights, scales, new long[channels], dimension)
            : b.AddConstant("w", TensorType.INT8, weightShape, weights, scales, new long[channels], dimension);
        int bias = b.AddConstant("b", TensorType.INT32, [channels], Enumerable.Range(0, channels).Select(_ => r.Next(-300, 300)).ToArray(),
            scales.Select(s => s * 0.05f).ToArray(), new long[channels]);
        int y = b.AddTensor("y", TensorType.INT8, outputShape, scales: [0.08f], zeroPoints: [-5]);
        var options = op switch
        {
            BuiltinOperator.CONV_2D => BuiltinOptionsUnion.FromConv2DOptions(new Conv2DOptionsT { Padding = Padding.SAME, StrideH = 1, StrideW = 1, DilationHFactor = 1, DilationWFactor = 1 }),
            BuiltinOperator.DEPTHWISE_CONV_2D => BuiltinOptionsUnion.FromDepthwiseConv2DOptions(new DepthwiseConv2DOptionsT { Padding = Padding.SAME, StrideH = 1, StrideW = 1, DilationHFactor = 1, DilationWFactor = 1, DepthMultiplier = 1 }),
            _ => BuiltinOptionsUnion.FromFullyConnectedOptions(new FullyConnectedOptionsT()),
        };
        b.AddOperator(op, [x, w, bias], [y], options);
        b.SetInputs(x).SetOutputs(y);
        inputBytes = inputShape.Aggregate(1, (n, d) => n * d);
        return b.ToModel($"{op} int4={int4}");
    }

    private static byte[] Run(Model model, byte[] input, KernelSet kernels)
    {
        using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(kernels), 64 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(input);
        interpreter.Invoke();
        return interpreter.Output(0).Bytes.ToArray();
    }

    [Theory]
    [InlineData(BuiltinOperator.CONV_2D, new[] { 16, 3, 3, 8 })]
    [InlineData(BuiltinOperator.DEPTHWISE_CONV_2D, new[] { 1, 3, 3, 16 })]
    [InlineData(BuiltinOperator.FULLY_CONNECTED, new[] { 12, 33 })]
    public void Int4_weights_give_the_int8_results(BuiltinOperator op, int[] weightShape)
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var weights = new sbyte[weightShape.Aggregate(1, (n, d) => n * d)];
            var r = new Random(seed);
            for (int i = 0; i < weights.Length; i++) weights[i] = (sbyte)r.Next(-8, 8);
            var int8 = Build(op, weights, weightShape, int4: false, new Random(seed), out int inputBytes);
            var int4 = Build(op, weights, weightShape, int4: true, new Random(seed), out _);
            Assert.Equal((weights.Length + 1) / 2, int4.MainSubgraph.Tensors[1].Data.Length);
            var input = new byte[inputBytes];
            r.NextBytes(input);
            foreach (var kernels in new[] { KernelSet.Reference, KernelSet.Optimized })
                Assert.Equal(Run(int8, input, kernels), Run(int4, input, kernels));
        }
    }
}
