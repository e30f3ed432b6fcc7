using System.Numerics;
using System.Runtime.InteropServices;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// CONV_2D over NHWC input with an [out_channels, height, width, in_channels / groups] filter.
/// float32; int8 activations with int8 weights (per-tensor or per-channel along dimension 0) and
/// int32 bias; int16 activations with int8 weights and int64 (or int32) bias. Arithmetic follows
/// TFLM's reference kernels: out-of-image taps are skipped, integer paths accumulate exactly and
/// requantize per channel, float sums in filter-row, filter-column, channel order.
/// </summary>
internal sealed class ConvKernel : OperatorKernel
{
    internal sealed class OpData : ConvolutionParams
    {
        public int Batches, InputHeight, InputWidth, InputDepth;
        public int FilterHeight, FilterWidth, FilterDepth, OutputDepth, FiltersPerGroup;
        public WindowGeometry Window;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var input = node.Input(0);
        var filter = node.Input(1);
        var bias = node.OptionalInput(2);
        var output = node.Output(0);
        node.Require(node.OutputCount == 1, $"has {node.OutputCount} outputs; 1 expected");
        var options = node.Operator.Options<Conv2DOptions>()
            ?? throw node.Unsupported("has no Conv2DOptions");
        var activation = options.FusedActivationFunction;
        ConvQuantization.RequireSupportedActivation(node, activation);

        node.RequireRank(input, "input", 4);
        node.RequireRank(filter, "filter", 4);
        var d = new OpData
        {
            Batches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), InputDepth = input.Dim(3),
            OutputDepth = filter.Dim(0), FilterHeight = filter.Dim(1), FilterWidth = filter.Dim(2), FilterDepth = filter.Dim(3),
        };
        node.Require(d.Batches > 0 && d.InputDepth > 0, $"input tensor {input.Index} has shape {KernelChecks.ShapeText(input)}");
        node.Require(d.OutputDepth > 0 && d.FilterDepth > 0 && d.InputDepth % d.FilterDepth == 0,
            $"filter tensor {filter.Index} {KernelChecks.ShapeText(filter)} does not fit input depth {d.InputDepth}");
        int groups = d.InputDepth / d.FilterDepth;
        node.Require(d.OutputDepth % groups == 0,
            $"{d.OutputDepth} output channels do not divide into {groups} groups");
        d.FiltersPerGroup = d.OutputDepth / groups;
        d.Window = WindowPadding.Compute(node, options.Padding, options.StrideH, options.StrideW,
            options.DilationHFactor, options.DilationWFactor, d.InputHeight, d.InputWidth, d.FilterHeight, d.FilterWidth);
        WindowPadding.RequireOutputShape(node, output, d.Batches, d.Window, d.OutputDepth);
        if (bias is not null)
            node.Require(bias.ElementCount == d.OutputDepth, $"bias tensor {bias.Index} has {bias.ElementCount} elements; {d.OutputDepth} expected");

        d.PrepareTypes(context, node, input, filter, bias, output, activation, d.OutputDepth, quantizedDimension: 0, TensorType.INT64, TensorType.INT32);
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
            case TensorType.INT16 when bias is not null && bias.Type == TensorType.INT64:
                EvalInt16(d, input.AsReadOnlySpan<short>(), filter.AsReadOnlySpan<sbyte>(),
                    bias.AsReadOnlySpan<long>(), output.AsSpan<short>());
                break;
            case TensorType.INT16:
                EvalInt16(d, input.AsReadOnlySpan<short>(), filter.AsReadOnlySpan<sbyte>(),
                    bias is null ? default : bias.AsReadOnlySpan<int>(), output.AsSpan<short>());
                break;
        }
    }

    private static void EvalFloat(OpData d, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output)
    {
        var w = d.Window;
        int outIndex = 0;
        for (int b = 0; b < d.Batches; b++)
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            int inY0 = oy * w.StrideHeight - w.PadHeight;
            var (fy0, fy1) = WindowGeometry.InBoundsTaps(inY0, w.DilationHeight, d.FilterHeight, d.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                int inX0 = ox * w.StrideWidth - w.PadWidth;
                var (fx0, fx1) = WindowGeometry.InBoundsTaps(inX0, w.DilationWidth, d.FilterWidth, d.InputWidth);
                for (int oc = 0; oc < d.OutputDepth; oc++, outIndex++)
                {
                    int channelBase = oc / d.FiltersPerGroup * d.FilterDepth;
                    float total = 0f;
                    for (int fy = fy0; fy < fy1; fy++)
                    {
                        int inRow = (b * d.InputHeight + inY0 + w.DilationHeight * fy) * d.InputWidth;
                        int filterRow = (oc * d.FilterHeight + fy) * d.FilterWidth;
                        for (int fx = fx0; fx < fx1; fx++)
                        {
                            var x = input.Slice((inRow + inX0 + w.DilationWidth * fx) * d.InputDepth + channelBase, d.FilterDepth);
                            var f = filter.Slice((filterRow + fx) * d.FilterDepth, d.FilterDepth);
                            for (int i = 0; i < x.Length; i++)
                                total += x[i] * f[i];
                        }
                    }
                    float value = total + (bias.IsEmpty ? 0f : bias[oc]);
                    output[outIndex] = ActivationRange.Clamp(value, d.FloatMin, d.FloatMax);
                }
            }
        }
    }

    private static void EvalInt8(OpData d, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<int> bias, Span<sbyte> output)
    {
        var multipliers = MemoryMarshal.Cast<byte, int>(d.Multipliers.Span);
        var shifts = MemoryMarshal.Cast<byte, int>(d.Shifts.Span);
        var w = d.Window;
        int outIndex = 0;
        for (int b = 0; b < d.Batches; b++)
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            int inY0 = oy * w.StrideHeight - w.PadHeight;
            var (fy0, fy1) = WindowGeometry.InBoundsTaps(inY0, w.DilationHeight, d.FilterHeight, d.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                int inX0 = ox * w.StrideWidth - w.PadWidth;
                var (fx0, fx1) = WindowGeometry.InBoundsTaps(inX0, w.DilationWidth, d.FilterWidth, d.InputWidth);
                for (int oc = 0; oc < d.OutputDepth; oc++, outIndex++)
                {
                    int channelBase = oc / d.FiltersPerGroup * d.FilterDepth;
                    int acc = 0;
                    for (int fy = fy0; fy < fy1; fy++)
                    {
                        int inRow = (b * d.InputHeight + inY0 + w.DilationHeight * fy) * d.InputWidth;
                        int filterRow = (oc * d.FilterHeight + fy) * d.FilterWidth;
                        for (int fx = fx0; fx < fx1; fx++)
                        {
                            var x = input.Slice((inRow + inX0 + w.DilationWidth * fx) * d.InputDepth + channelBase, d.FilterDepth);
                            var f = filter.Slice((filterRow + fx) * d.FilterDepth, d.FilterDepth);
                            acc += Int8Mac.Dot(x, f, d.InputOffset, d.Simd);
                        }
                    }
                    if (!bias.IsEmpty) acc += bias[oc];
                    acc = FixedPoint.MultiplyByQuantizedMultiplier(acc, multipliers[oc], shifts[oc]) + d.OutputOffset;
                    output[outIndex] = (sbyte)Math.Clamp(acc, d.ActivationMin, d.ActivationMax);
                }
            }
        }
    }

    // 16x8. TFLM instantiates one loop with the bias type as accumulator: int64 bias gives an int64
    // sum and its 64-bit requantization; int32 (or no) bias an int32 sum that wraps in 32 bits.
    private static void EvalInt16<TAcc>(OpData d, ReadOnlySpan<short> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<TAcc> bias, Span<short> output)
        where TAcc : unmanaged, IBinaryInteger<TAcc>
    {
        var multipliers = MemoryMarshal.Cast<byte, int>(d.Multipliers.Span);
        var shifts = MemoryMarshal.Cast<byte, int>(d.Shifts.Span);
        var w = d.Window;
        int outIndex = 0;
        for (int b = 0; b < d.Batches; b++)
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            int inY0 = oy * w.StrideHeight - w.PadHeight;
            var (fy0, fy1) = WindowGeometry.InBoundsTaps(inY0, w.DilationHeight, d.FilterHeight, d.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                int inX0 = ox * w.StrideWidth - w.PadWidth;
                var (fx0, fx1) = WindowGeometry.InBoundsTaps(inX0, w.DilationWidth, d.FilterWidth, d.InputWidth);
                for (int oc = 0; oc < d.OutputDepth; oc++, outIndex++)
                {
                    int channelBase = oc / d.FiltersPerGroup * d.FilterDepth;
                    TAcc acc = TAcc.Zero;
                    for (int fy = fy0; fy < fy1; fy++)
                    {
                        int inRow = (b * d.InputHeight + inY0 + w.DilationHeight * fy) * d.InputWidth;
                        int filterRow = (oc * d.FilterHeight + fy) * d.FilterWidth;
                        for (int fx = fx0; fx < fx1; fx++)
                        {
                            var x = input.Slice((inRow + inX0 + w.DilationWidth * fx) * d.InputDepth + channelBase, d.FilterDepth);
                            var f = filter.Slice((filterRow + fx) * d.FilterDepth, d.FilterDepth);
                            for (int i = 0; i < x.Length; i++)
                                acc += TAcc.CreateTruncating(f[i] * x[i]);
                        }
                    }
                    if (!bias.IsEmpty) acc += bias[oc];
                    int value = typeof(TAcc) == typeof(long)
                        ? FixedPoint.MultiplyByQuantizedMultiplier(long.CreateTruncating(acc), multipliers[oc], shifts[oc])
                        : FixedPoint.MultiplyByQuantizedMultiplier(int.CreateTruncating(acc), multipliers[oc], shifts[oc]);
                    output[outIndex] = (short)Math.Clamp(value, d.ActivationMin, d.ActivationMax);
                }
            }
        }
    }
}
