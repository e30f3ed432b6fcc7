using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// RESIZE_BILINEAR (float32; int8 in TFLM's 10-bit fixed point) and RESIZE_NEAREST_NEIGHBOR (float32, int8, int16)
/// of [N, H, W, C] images to the constant size in input 1, with align_corners and half_pixel_centers as TFLM's
/// reference computes them. Quantized outputs keep the input's scale: values are interpolated as stored.
/// </summary>
internal sealed class ResizeKernel(bool bilinear) : OperatorKernel
{
    private sealed class OpData
    {
        public required TensorType Type;
        public required int Batches, InputHeight, InputWidth, Depth, OutputHeight, OutputWidth;
        public required bool AlignCorners, HalfPixelCenters;
        public required int[] NearestY, NearestX;          // nearest neighbour: source row and column per output one
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var input = node.Input(0);
        var size = node.Input(1);
        var output = node.Output(0);
        node.RequireRank(input, "input", 4);
        node.RequireType(input, "input", bilinear ? [TensorType.FLOAT32, TensorType.INT8] : [TensorType.FLOAT32, TensorType.INT8, TensorType.INT16]);
        node.RequireSameType(input, output);
        node.RequireType(size, "size", TensorType.INT32);
        node.RequireData(size, "size");
        node.Require(size.ElementCount == 2, $"size tensor {size.Index} has shape {KernelChecks.ShapeText(size)}; [2] expected");
        var hw = size.AsReadOnlySpan<int>();
        node.Require(hw[0] > 0 && hw[1] > 0, $"size tensor {size.Index} asks for {hw[0]}x{hw[1]}");
        node.Require(output.Rank == 4 && output.Dim(0) == input.Dim(0) && output.Dim(1) == hw[0] && output.Dim(2) == hw[1] && output.Dim(3) == input.Dim(3),
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; resizing {KernelChecks.ShapeText(input)} to {hw[0]}x{hw[1]} gives [{input.Dim(0)},{hw[0]},{hw[1]},{input.Dim(3)}]");
        bool align, half;
        if (bilinear)
        {
            var o = node.Operator.Options<ResizeBilinearOptions>();
            (align, half) = (o?.AlignCorners ?? false, o?.HalfPixelCenters ?? false);
            node.Require(!(align && half), "sets both align_corners and half_pixel_centers; TFLM allows one at most");
        }
        else
        {
            var o = node.Operator.Options<ResizeNearestNeighborOptions>();
            (align, half) = (o?.AlignCorners ?? false, o?.HalfPixelCenters ?? false);
        }
        if (input.Type != TensorType.FLOAT32)
        {
            node.RequirePerTensorQuantization(input, "input");
            node.RequirePerTensorQuantization(output, "output");
        }
        int inH = input.Dim(1), inW = input.Dim(2), outH = hw[0], outW = hw[1];
        node.Data = new OpData
        {
            Type = input.Type, Batches = input.Dim(0), InputHeight = inH, InputWidth = inW, Depth = input.Dim(3),
            OutputHeight = outH, OutputWidth = outW, AlignCorners = align, HalfPixelCenters = half,
            NearestY = bilinear ? [] : Enumerable.Range(0, outH).Select(y => Nearest(y, inH, outH, align, half)).ToArray(),
            NearestX = bilinear ? [] : Enumerable.Range(0, outW).Select(x => Nearest(x, inW, outW, align, half)).ToArray(),
        };
    }

    /// <summary>TFLM's GetNearestNeighbor: the scale in float; with align_corners rounded half away from zero, else floored.</summary>
    private static int Nearest(int value, int inputSize, int outputSize, bool align, bool half)
    {
        float scale = align && outputSize > 1 ? (inputSize - 1) / (float)(outputSize - 1) : inputSize / (float)outputSize;
        float offset = half ? 0.5f : 0.0f;
        float source = (value + offset) * scale;
        int result = Math.Min(align ? (int)MathF.Round(source, MidpointRounding.AwayFromZero) : (int)MathF.Floor(source), inputSize - 1);
        return half ? Math.Max(0, result) : result;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        if (!bilinear)
        {
            switch (d.Type)
            {
                case TensorType.FLOAT32: NearestCopy(d, input.AsReadOnlySpan<float>(), output.AsSpan<float>()); break;
                case TensorType.INT8: NearestCopy(d, input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>()); break;
                case TensorType.INT16: NearestCopy(d, input.AsReadOnlySpan<short>(), output.AsSpan<short>()); break;
            }
            return;
        }
        if (d.Type == TensorType.FLOAT32) BilinearFloat(d, input.AsReadOnlySpan<float>(), output.AsSpan<float>());
        else BilinearInt8(d, input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>());
    }

    private static void NearestCopy<T>(OpData d, ReadOnlySpan<T> input, Span<T> output) where T : unmanaged
    {
        int o = 0;
        for (int b = 0; b < d.Batches; b++)
        for (int y = 0; y < d.OutputHeight; y++)
        for (int x = 0; x < d.OutputWidth; x++, o += d.Depth)
            input.Slice(((b * d.InputHeight + d.NearestY[y]) * d.InputWidth + d.NearestX[x]) * d.Depth, d.Depth).CopyTo(output.Slice(o, d.Depth));
    }

    private static float Scale(int input, int output, bool align) =>
        align && output > 1 ? (float)(input - 1) / (output - 1) : (float)input / output;

    /// <summary>TFLM's ComputeInterpolationValues: the source coordinate and its two neighbours, clamped to the image.</summary>
    private static (float Source, int Low, int High) Interpolation(int value, float scale, bool half, int inputSize)
    {
        float source = half ? (value + 0.5f) * scale - 0.5f : value * scale;
        return (source, Math.Max((int)MathF.Floor(source), 0), Math.Min((int)MathF.Ceiling(source), inputSize - 1));
    }

    private static void BilinearFloat(OpData d, ReadOnlySpan<float> input, Span<float> output)
    {
        float hs = Scale(d.InputHeight, d.OutputHeight, d.AlignCorners), ws = Scale(d.InputWidth, d.OutputWidth, d.AlignCorners);
        int o = 0;
        for (int b = 0; b < d.Batches; b++)
        for (int y = 0; y < d.OutputHeight; y++)
        {
            var (iy, y0, y1) = Interpolation(y, hs, d.HalfPixelCenters, d.InputHeight);
            for (int x = 0; x < d.OutputWidth; x++)
            {
                var (ix, x0, x1) = Interpolation(x, ws, d.HalfPixelCenters, d.InputWidth);
                int p00 = ((b * d.InputHeight + y0) * d.InputWidth + x0) * d.Depth, p10 = ((b * d.InputHeight + y1) * d.InputWidth + x0) * d.Depth;
                int p01 = ((b * d.InputHeight + y0) * d.InputWidth + x1) * d.Depth, p11 = ((b * d.InputHeight + y1) * d.InputWidth + x1) * d.Depth;
                for (int c = 0; c < d.Depth; c++, o++)
                {
                    // The reference's expression, term by term in float.
                    output[o] = input[p00 + c] * (1 - (iy - y0)) * (1 - (ix - x0)) +
                                input[p10 + c] * (iy - y0) * (1 - (ix - x0)) +
                                input[p01 + c] * (1 - (iy - y0)) * (ix - x0) +
                                input[p11 + c] * (iy - y0) * (ix - x0);
                }
            }
        }
    }

    /// <summary>The source coordinate in 1/1024ths and its neighbours (TFLM's ComputeInterpolationValuesInteger; C's truncating division).</summary>
    private static (int Source, int Low, int High) InterpolationInteger(int value, int scale10, bool half, int inputSize)
    {
        int source = half ? value * scale10 + scale10 / 2 - (1 << 9) : value * scale10;
        return (source, Math.Max(source / (1 << 10), 0), Math.Min((source + (1 << 10) - 1) / (1 << 10), inputSize - 1));
    }

    private static int Scale10(int input, int output, bool align) =>
        align && output > 1 ? ((1 << 10) * (input - 1) + (output - 1) / 2) / (output - 1) : ((1 << 10) * input + output / 2) / output;

    private static void BilinearInt8(OpData d, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        int hs = Scale10(d.InputHeight, d.OutputHeight, d.AlignCorners), ws = Scale10(d.InputWidth, d.OutputWidth, d.AlignCorners);
        int o = 0;
        for (int b = 0; b < d.Batches; b++)
        for (int y = 0; y < d.OutputHeight; y++)
        {
            var (iy, y0, y1) = InterpolationInteger(y, hs, d.HalfPixelCenters, d.InputHeight);
            long dy = iy - (1 << 10) * y0;
            for (int x = 0; x < d.OutputWidth; x++)
            {
                var (ix, x0, x1) = InterpolationInteger(x, ws, d.HalfPixelCenters, d.InputWidth);
                long dx = ix - (1 << 10) * x0;
                int p00 = ((b * d.InputHeight + y0) * d.InputWidth + x0) * d.Depth, p10 = ((b * d.InputHeight + y1) * d.InputWidth + x0) * d.Depth;
                int p01 = ((b * d.InputHeight + y0) * d.InputWidth + x1) * d.Depth, p11 = ((b * d.InputHeight + y1) * d.InputWidth + x1) * d.Depth;
                for (int c = 0; c < d.Depth; c++, o++)
                {
                    long sum = input[p00 + c] * ((1 << 10) - dy) * ((1 << 10) - dx) + input[p10 + c] * dy * ((1 << 10) - dx)
                             + input[p01 + c] * ((1 << 10) - dy) * dx + input[p11 + c] * dy * dx;
                    // TFLM's default (double-rounding build): half away from zero, then C's truncating division.
                    long round = sum > 0 ? 1 << 19 : -(1 << 19);
                    output[o] = (sbyte)((sum + round) / (1 << 20));
                }
            }
        }
    }
}
