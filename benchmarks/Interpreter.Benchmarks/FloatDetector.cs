using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Benchmarks;

/// <summary>
/// A float32 convolution network in the shape of MediaPipe's face detector front (192×192×3 input; strided
/// 3×3 convolution, then depthwise-separable blocks with residual ADDs and RELU), random weights from a fixed
/// seed. Written with ModelBuilder, so both this runtime and TFLite run the same bytes.
/// </summary>
internal static class FloatDetector
{
    public const string Name = "float_detector_192";

    public static byte[] Build()
    {
        var r = new Random(192);
        var b = new ModelBuilder();
        float[] Values(int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)((r.NextDouble() * 2 - 1) * scale)).ToArray();
        int Tensor(string name, int h, int w, int c) => b.AddTensor(name, TensorType.FLOAT32, [1, h, w, c]);

        int Conv(int x, int cin, int cout, int k, int stride, int size, string name)
        {
            int outSize = (size + stride - 1) / stride;
            int y = Tensor(name, outSize, outSize, cout);
            int f = b.AddConstant(name + "/w", TensorType.FLOAT32, [cout, k, k, cin], Values(cout * k * k * cin, Math.Sqrt(2.0 / (k * k * cin))));
            int bias = b.AddConstant(name + "/b", TensorType.FLOAT32, [cout], Values(cout, 0.1));
            b.AddOperator(BuiltinOperator.CONV_2D, [x, f, bias], [y], BuiltinOptionsUnion.FromConv2DOptions(new Conv2DOptionsT
            {
                Padding = Padding.SAME, StrideH = stride, StrideW = stride, DilationHFactor = 1, DilationWFactor = 1,
                FusedActivationFunction = ActivationFunctionType.RELU,
            }));
            return y;
        }

        int Depthwise(int x, int c, int stride, int size, string name)
        {
            int outSize = (size + stride - 1) / stride;
            int y = Tensor(name, outSize, outSize, c);
            int f = b.AddConstant(name + "/w", TensorType.FLOAT32, [1, 3, 3, c], Values(9 * c, Math.Sqrt(2.0 / 9)));
            int bias = b.AddConstant(name + "/b", TensorType.FLOAT32, [c], Values(c, 0.1));
            b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [x, f, bias], [y], BuiltinOptionsUnion.FromDepthwiseConv2DOptions(new DepthwiseConv2DOptionsT
            {
                Padding = Padding.SAME, StrideH = stride, StrideW = stride, DilationHFactor = 1, DilationWFactor = 1, DepthMultiplier = 1,
            }));
            return y;
        }

        int input = Tensor("image", 192, 192, 3);
        int x = Conv(input, 3, 24, 3, 2, 192, "stem");                  // 96×96×24
        int size = 96, channels = 24;
        foreach (var (outChannels, stride) in new[] { (24, 1), (28, 1), (32, 2), (36, 1), (42, 1), (48, 2), (56, 1), (64, 1), (72, 1), (80, 1), (88, 1), (96, 2), (96, 1), (96, 1), (96, 1), (96, 1) })
        {
            string name = $"block{b.GetHashCode() % 1}_{size}_{channels}_{outChannels}_{stride}";
            int dw = Depthwise(x, channels, stride, size, name + "/dw");
            int newSize = (size + stride - 1) / stride;
            int pw = Conv(dw, channels, outChannels, 1, 1, newSize, name + "/pw");
            if (stride == 1 && outChannels == channels)
            {
                int sum = Tensor(name + "/add", newSize, newSize, outChannels);
                b.AddOperator(BuiltinOperator.ADD, [pw, x], [sum], BuiltinOptionsUnion.FromAddOptions(new AddOptionsT { FusedActivationFunction = ActivationFunctionType.RELU }));
                pw = sum;
            }
            x = pw;
            size = newSize;
            channels = outChannels;
        }
        b.SetInputs(input).SetOutputs(x);
        return b.Build();
    }
}
