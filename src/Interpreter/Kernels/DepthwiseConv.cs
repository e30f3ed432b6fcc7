using System.Numerics;
using System.Runtime.InteropServices;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// DEPTHWISE_CONV_2D: each input channel c is convolved with its own depth_multiplier filters,
/// giving output channels c * depth_multiplier + m; the filter is [1, height, width, out_channels].
/// float32; int8 with int8 weights (per-tensor or per-channel along dimension 3) and int32 bias;
/// int16 with int8 weights and int64 bias. Same window, padding and requantization rules as CONV_2D.
/// </summary>
internal sealed class DepthwiseConvKernel : OperatorKernel
{
    internal sealed class OpData : ConvolutionParams
    {
        public int Batches, InputHeight, InputWidth, InputDepth;
        public int FilterHeight, FilterWidth, OutputDepth, DepthMultiplier;
        public WindowGeometry Window;
    }

    // Per-pixel accumulators live on the stack (no arena, no managed allocation) up to this depth;
    // deeper layers fall back to accumulating one channel at a time.
    private const int MaxStackChannels = 2048;

    public override void Prepare(KernelContext context, Node node)
    {
        var input = node.Input(0);
        var filter = node.Input(1);
        var bias = node.OptionalInput(2);
        var output = node.Output(0);
        node.Require(node.OutputCount == 1, $"has {node.OutputCount} outputs; 1 expected");
        var options = node.Operator.Options<DepthwiseConv2DOptions>()
            ?? throw node.Unsupported("has no DepthwiseConv2DOptions");
        var activation = options.FusedActivationFunction;
        ConvQuantization.RequireSupportedActivation(node, activation);

        node.RequireRank(input, "input", 4);
        node.RequireRank(filter, "filter", 4);
        var d = new OpData
        {
            Batches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), InputDepth = input.Dim(3),
            FilterHeight = filter.Dim(1), FilterWidth = filter.Dim(2), OutputDepth = filter.Dim(3),
            DepthMultiplier = options.DepthMultiplier,
        };
        node.Require(d.Batches > 0 && d.InputDepth > 0, $"input tensor {input.Index} has shape {KernelChecks.ShapeText(input)}");
        node.Require(filter.Dim(0) == 1, $"filter tensor {filter.Index} has shape {KernelChecks.ShapeText(filter)}; its first dimension must be 1");
        // In 64 bits: a huge multiplier times the input depth must not wrap around to the filter's depth.
        node.Require(d.DepthMultiplier > 0 && d.OutputDepth == (long)d.InputDepth * d.DepthMultiplier,
            $"filter tensor {filter.Index} {KernelChecks.ShapeText(filter)} has {d.OutputDepth} channels; input depth {d.InputDepth} x depth_multiplier {d.DepthMultiplier} expected");
        d.Window = WindowPadding.Compute(node, options.Padding, options.StrideH, options.StrideW,
            options.DilationHFactor, options.DilationWFactor, d.InputHeight, d.InputWidth, d.FilterHeight, d.FilterWidth);
        WindowPadding.RequireOutputShape(node, output, d.Batches, d.Window, d.OutputDepth);
        if (bias is not null)
            node.Require(bias.ElementCount == d.OutputDepth, $"bias tensor {bias.Index} has {bias.ElementCount} elements; {d.OutputDepth} expected");

        d.PrepareTypes(context, node, input, filter, bias, output, activation, d.OutputDepth, quantizedDimension: 3, TensorType.INT64);
        node.Data = d;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var filter = node.Inputs[1]!;
        var bias = node.OptionalInput(2);
        var output = node.Outputs[0];
        switch (input.Type)
        {
            case TensorType.FLOAT32:
                EvalFloat(d, input.AsReadOnlySpan<float>(), filter.AsReadOnlySpan<float>(),
                    bias is null ? default : bias.AsReadOnlySpan<float>(), output.AsSpan<float>());
                break;
            case TensorType.INT8:
                EvalInt8(d, input.AsReadOnlySpan<sbyte>(), filter.AsReadOnlySpan<sbyte>(),
                    bias is null ? default : bias.AsReadOnlySpan<int>(), output.AsSpan<sbyte>());
                break;
            case TensorType.INT16:
                EvalByChannel(d, input.AsReadOnlySpan<short>(), filter.AsReadOnlySpan<sbyte>(),
                    bias is null ? default : bias.AsReadOnlySpan<long>(), output.AsSpan<short>());
                break;
        }
    }

    private static void EvalFloat(OpData d, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output)
    {
        if (d.OutputDepth > MaxStackChannels)
        {
            EvalFloatByChannel(d, input, filter, bias, output);
            return;
        }
        // Each channel still sums its taps in filter-row, filter-column order, as TFLM's loop does.
        Span<float> total = stackalloc float[d.OutputDepth];
        var w = d.Window;
        for (int b = 0; b < d.Batches; b++)
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            int inY0 = oy * w.StrideHeight - w.PadHeight;
            var (fy0, fy1) = WindowGeometry.InBoundsTaps(inY0, w.DilationHeight, d.FilterHeight, d.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                int inX0 = ox * w.StrideWidth - w.PadWidth;
                var (fx0, fx1) = WindowGeometry.InBoundsTaps(inX0, w.DilationWidth, d.FilterWidth, d.InputWidth);
                total.Clear();
                for (int fy = fy0; fy < fy1; fy++)
                {
                    int inRow = (b * d.InputHeight + inY0 + w.DilationHeight * fy) * d.InputWidth;
                    for (int fx = fx0; fx < fx1; fx++)
                    {
                        var x = input.Slice((inRow + inX0 + w.DilationWidth * fx) * d.InputDepth, d.InputDepth);
                        var f = filter.Slice((fy * d.FilterWidth + fx) * d.OutputDepth, d.OutputDepth);
                        for (int ic = 0, oc = 0; ic < x.Length; ic++)
                        for (int m = 0; m < d.DepthMultiplier; m++, oc++)
                            total[oc] += x[ic] * f[oc];
                    }
                }
                var outPixel = output.Slice(((b * w.OutputHeight + oy) * w.OutputWidth + ox) * d.OutputDepth, d.OutputDepth);
                for (int oc = 0; oc < outPixel.Length; oc++)
                    outPixel[oc] = ActivationRange.Clamp(total[oc] + (bias.IsEmpty ? 0f : bias[oc]), d.FloatMin, d.FloatMax);
            }
        }
    }

    private static void EvalFloatByChannel(OpData d, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output)
    {
        var w = d.Window;
        for (int b = 0; b < d.Batches; b++)
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            int inY0 = oy * w.StrideHeight - w.PadHeight;
            var (fy0, fy1) = WindowGeometry.InBoundsTaps(inY0, w.DilationHeight, d.FilterHeight, d.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                int inX0 = ox * w.StrideWidth - w.PadWidth;
                var (fx0, fx1) = WindowGeometry.InBoundsTaps(inX0, w.DilationWidth, d.FilterWidth, d.InputWidth);
                var outPixel = output.Slice(((b * w.OutputHeight + oy) * w.OutputWidth + ox) * d.OutputDepth, d.OutputDepth);
                for (int ic = 0; ic < d.InputDepth; ic++)
                for (int m = 0; m < d.DepthMultiplier; m++)
                {
                    int oc = ic * d.DepthMultiplier + m;
                    float total = 0f;
                    for (int fy = fy0; fy < fy1; fy++)
                    {
                        int inRow = (b * d.InputHeight + inY0 + w.DilationHeight * fy) * d.InputWidth;
                        for (int fx = fx0; fx < fx1; fx++)
                        {
                            float x = input[(inRow + inX0 + w.DilationWidth * fx) * d.InputDepth + ic];
                            float f = filter[(fy * d.FilterWidth + fx) * d.OutputDepth + oc];
                            total += x * f;
                        }
                    }
                    float value = total + (bias.IsEmpty ? 0f : bias[oc]);
                    outPixel[oc] = ActivationRange.Clamp(value, d.FloatMin, d.FloatMax);
                }
            }
        }
    }

    private static void EvalInt8(OpData d, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output)
    {
        if (d.OutputDepth > MaxStackChannels)
        {
            EvalByChannel(d, input, filter, bias, output);
            return;
        }
        var multipliers = MemoryMarshal.Cast<byte, int>(d.Multipliers.Span);
        var shifts = MemoryMarshal.Cast<byte, int>(d.Shifts.Span);
        Span<int> acc = stackalloc int[d.OutputDepth];
        var w = d.Window;
        for (int b = 0; b < d.Batches; b++)
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            int inY0 = oy * w.StrideHeight - w.PadHeight;
            var (fy0, fy1) = WindowGeometry.InBoundsTaps(inY0, w.DilationHeight, d.FilterHeight, d.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                int inX0 = ox * w.StrideWidth - w.PadWidth;
                var (fx0, fx1) = WindowGeometry.InBoundsTaps(inX0, w.DilationWidth, d.FilterWidth, d.InputWidth);
                acc.Clear();
                for (int fy = fy0; fy < fy1; fy++)
                {
                    int inRow = (b * d.InputHeight + inY0 + w.DilationHeight * fy) * d.InputWidth;
                    for (int fx = fx0; fx < fx1; fx++)
                    {
                        var x = input.Slice((inRow + inX0 + w.DilationWidth * fx) * d.InputDepth, d.InputDepth);
                        var f = filter.Slice((fy * d.FilterWidth + fx) * d.OutputDepth, d.OutputDepth);
                        if (d.DepthMultiplier == 1)
                        {
                            Int8Mac.AccumulateLanes(acc, x, f, d.InputOffset, d.Simd);
                        }
                        else
                        {
                            for (int ic = 0, oc = 0; ic < x.Length; ic++)
                            {
                                int shifted = x[ic] + d.InputOffset;
                                for (int m = 0; m < d.DepthMultiplier; m++, oc++)
                                    acc[oc] += f[oc] * shifted;
                            }
                        }
                    }
                }
                var outPixel = output.Slice(((b * w.OutputHeight + oy) * w.OutputWidth + ox) * d.OutputDepth, d.OutputDepth);
                for (int oc = 0; oc < outPixel.Length; oc++)
                {
                    int value = acc[oc] + (bias.IsEmpty ? 0 : bias[oc]);
                    value = FixedPoint.MultiplyByQuantizedMultiplier(value, multipliers[oc], shifts[oc]) + d.OutputOffset;
                    outPixel[oc] = (sbyte)Math.Clamp(value, d.ActivationMin, d.ActivationMax);
                }
            }
        }
    }

    // One output channel at a time: the int8 fallback when the per-pixel accumulators do not fit,
    // and the 16x8 path (int64 accumulator and bias; its zero points are 0, checked in Prepare).
    private static void EvalByChannel<T, TAcc>(OpData d, ReadOnlySpan<T> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<TAcc> bias, Span<T> output)
        where T : unmanaged, IBinaryInteger<T>
        where TAcc : unmanaged, IBinaryInteger<TAcc>
    {
        var multipliers = MemoryMarshal.Cast<byte, int>(d.Multipliers.Span);
        var shifts = MemoryMarshal.Cast<byte, int>(d.Shifts.Span);
        var w = d.Window;
        for (int b = 0; b < d.Batches; b++)
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            int inY0 = oy * w.StrideHeight - w.PadHeight;
            var (fy0, fy1) = WindowGeometry.InBoundsTaps(inY0, w.DilationHeight, d.FilterHeight, d.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                int inX0 = ox * w.StrideWidth - w.PadWidth;
                var (fx0, fx1) = WindowGeometry.InBoundsTaps(inX0, w.DilationWidth, d.FilterWidth, d.InputWidth);
                var outPixel = output.Slice(((b * w.OutputHeight + oy) * w.OutputWidth + ox) * d.OutputDepth, d.OutputDepth);
                for (int ic = 0; ic < d.InputDepth; ic++)
                for (int m = 0; m < d.DepthMultiplier; m++)
                {
                    int oc = ic * d.DepthMultiplier + m;
                    TAcc acc = TAcc.Zero;
                    for (int fy = fy0; fy < fy1; fy++)
                    {
                        int inRow = (b * d.InputHeight + inY0 + w.DilationHeight * fy) * d.InputWidth;
                        for (int fx = fx0; fx < fx1; fx++)
                        {
                            int x = int.CreateTruncating(input[(inRow + inX0 + w.DilationWidth * fx) * d.InputDepth + ic]);
                            int f = filter[(fy * d.FilterWidth + fx) * d.OutputDepth + oc];
                            acc += TAcc.CreateTruncating(f * (x + d.InputOffset));
                        }
                    }
                    if (!bias.IsEmpty) acc += bias[oc];
                    int value = (typeof(TAcc) == typeof(long)
                        ? FixedPoint.MultiplyByQuantizedMultiplier(long.CreateTruncating(acc), multipliers[oc], shifts[oc])
                        : FixedPoint.MultiplyByQuantizedMultiplier(int.CreateTruncating(acc), multipliers[oc], shifts[oc])) + d.OutputOffset;
                    outPixel[oc] = T.CreateTruncating(Math.Clamp(value, d.ActivationMin, d.ActivationMax));
                }
            }
        }
    }
}
