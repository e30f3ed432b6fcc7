using System.Runtime.InteropServices;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// TRANSPOSE_CONV (inputs: output shape, filter [out_channels, height, width, in_channels], NHWC
/// input, optional bias): every input pixel scatters input * filter into the output window it
/// maps to, then bias, requantization and clamp per output element. float32; int8 with int32 bias
/// and int32 accumulators; 16x8 with int64 (or int16) bias and int64 accumulators. The padding is
/// TFLM's: that of a convolution from the output's size back to the input, and the output tensor's
/// declared shape is the one used, as in TFLM (the shape input is only checked when constant).
/// </summary>
internal sealed class TransposeConvKernel : OperatorKernel
{
    private sealed class OpData : ConvolutionParams
    {
        public int Batches, InputHeight, InputWidth, InputDepth;
        public int FilterHeight, FilterWidth, OutputHeight, OutputWidth, OutputDepth;
        public int StrideHeight, StrideWidth, PadHeight, PadWidth;
        public int ScratchIndex = -1;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.InputCount is 3 or 4, $"has {node.InputCount} inputs; 3 or 4 expected");
        node.Require(node.OutputCount == 1, $"has {node.OutputCount} outputs; 1 expected");
        var outputShape = node.Input(0);
        var filter = node.Input(1);
        var input = node.Input(2);
        var bias = node.OptionalInput(3);
        var output = node.Output(0);
        var options = node.Operator.Options<TransposeConvOptions>() ?? throw node.Unsupported("has no TransposeConvOptions");
        ConvQuantization.RequireSupportedActivation(node, options.FusedActivationFunction);

        node.RequireRank(input, "input", 4);
        node.RequireRank(filter, "filter", 4);
        node.RequireRank(output, "output", 4);
        node.RequireType(outputShape, "output-shape", TensorType.INT32);
        node.Require(outputShape.ElementCount == 4, $"output-shape tensor {outputShape.Index} has {outputShape.ElementCount} elements; 4 expected");
        if (outputShape.IsConstant)
            node.Require(outputShape.AsReadOnlySpan<int>().SequenceEqual(output.Shape),
                $"output-shape tensor {outputShape.Index} says [{string.Join(",", outputShape.ToArray<int>())}] but output tensor {output.Index} is {KernelChecks.ShapeText(output)}");

        var d = new OpData
        {
            Batches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), InputDepth = input.Dim(3),
            OutputDepth = filter.Dim(0), FilterHeight = filter.Dim(1), FilterWidth = filter.Dim(2),
            OutputHeight = output.Dim(1), OutputWidth = output.Dim(2),
            StrideHeight = options.StrideH, StrideWidth = options.StrideW,
        };
        node.Require(filter.Dim(3) == d.InputDepth,
            $"filter tensor {filter.Index} {KernelChecks.ShapeText(filter)} does not match input tensor {input.Index} {KernelChecks.ShapeText(input)} in channels");
        node.Require(output.Dim(0) == d.Batches && output.Dim(3) == d.OutputDepth,
            $"output tensor {output.Index} {KernelChecks.ShapeText(output)} needs batch {d.Batches} and {d.OutputDepth} channels (filter {KernelChecks.ShapeText(filter)})");
        if (bias is not null)
            node.Require(bias.ElementCount == d.OutputDepth, $"bias tensor {bias.Index} has {bias.ElementCount} elements; {d.OutputDepth} expected");

        // TFLM's ComputePaddingHeightWidth run from the output's size, as if convolving output -> input.
        var window = WindowPadding.Compute(node, options.Padding, d.StrideHeight, d.StrideWidth, 1, 1,
            d.OutputHeight, d.OutputWidth, d.FilterHeight, d.FilterWidth);
        d.PadHeight = window.PadHeight;
        d.PadWidth = window.PadWidth;

        d.PrepareTypes(context, node, input, filter, bias, output, options.FusedActivationFunction, d.OutputDepth,
            quantizedDimension: 0, TensorType.INT64, TensorType.INT16);
        if (input.Type != TensorType.FLOAT32)
        {
            long bytes = (long)output.ElementCount * (input.Type == TensorType.INT16 ? sizeof(long) : sizeof(int));
            node.Require(bytes <= int.MaxValue, $"output tensor {output.Index} {KernelChecks.ShapeText(output)} needs {bytes} bytes of accumulators");
            d.ScratchIndex = context.RequestScratchBuffer((int)bytes);
        }
        node.Data = d;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var filter = node.Inputs[1]!;
        var input = node.Inputs[2]!;
        var bias = node.OptionalInput(3);
        var output = node.Outputs[0];
        switch (input.Type)
        {
            case TensorType.FLOAT32:
                EvalFloat(d, input.AsReadOnlySpan<float>(), filter.AsReadOnlySpan<float>(),
                    bias is null ? default : bias.AsReadOnlySpan<float>(), output.AsSpan<float>());
                break;
            case TensorType.INT8:
            {
                var acc = MemoryMarshal.Cast<byte, int>(context.GetScratchBuffer(d.ScratchIndex));
                Accumulate(d, input.AsReadOnlySpan<sbyte>(), filter.AsReadOnlySpan<sbyte>(), acc);
                var multipliers = MemoryMarshal.Cast<byte, int>(d.Multipliers.Span);
                var shifts = MemoryMarshal.Cast<byte, int>(d.Shifts.Span);
                var biasValues = bias is null ? default : bias.AsReadOnlySpan<int>();
                var y = output.AsSpan<sbyte>();
                for (int i = 0; i < y.Length; i++)
                {
                    int oc = i % d.OutputDepth;
                    int a = biasValues.IsEmpty ? acc[i] : unchecked(acc[i] + biasValues[oc]);
                    a = FixedPoint.MultiplyByQuantizedMultiplier(a, multipliers[oc], shifts[oc]) + d.OutputOffset;
                    y[i] = (sbyte)Math.Clamp(a, d.ActivationMin, d.ActivationMax);
                }
                break;
            }
            case TensorType.INT16:
            {
                var acc = MemoryMarshal.Cast<byte, long>(context.GetScratchBuffer(d.ScratchIndex));
                Accumulate(d, input.AsReadOnlySpan<short>(), filter.AsReadOnlySpan<sbyte>(), acc);
                var multipliers = MemoryMarshal.Cast<byte, int>(d.Multipliers.Span);
                var shifts = MemoryMarshal.Cast<byte, int>(d.Shifts.Span);
                var y = output.AsSpan<short>();
                for (int i = 0; i < y.Length; i++)
                {
                    int oc = i % d.OutputDepth;
                    // An int16 bias is widened to int64, as TFLM copies it into an int64 buffer.
                    long a = acc[i] + (bias is null ? 0 : bias.Type == TensorType.INT16 ? bias.AsReadOnlySpan<short>()[oc] : bias.AsReadOnlySpan<long>()[oc]);
                    int scaled = FixedPoint.MultiplyByQuantizedMultiplier(a, multipliers[oc], shifts[oc]);
                    y[i] = (short)Math.Clamp(scaled, d.ActivationMin, d.ActivationMax);
                }
                break;
            }
        }
    }

    // Output rows/columns [start, end) of filter taps that land inside the output for an input at origin.
    private static (int Start, int End) Taps(int origin, int filterSize, int outputSize) =>
        (Math.Max(0, -origin), Math.Min(filterSize, outputSize - origin));

    // Integer paths: exact sums, so the taps can be visited in any order; int8 adds the input offset.
    private static void Accumulate<TIn, TAcc>(OpData d, ReadOnlySpan<TIn> input, ReadOnlySpan<sbyte> filter, Span<TAcc> acc)
        where TIn : unmanaged, System.Numerics.IBinaryInteger<TIn>
        where TAcc : unmanaged, System.Numerics.IBinaryInteger<TAcc>
    {
        acc.Clear();
        int inputOffset = d.InputOffset;
        for (int b = 0; b < d.Batches; b++)
        for (int iy = 0; iy < d.InputHeight; iy++)
        {
            int oy0 = iy * d.StrideHeight - d.PadHeight;
            var (fy0, fy1) = Taps(oy0, d.FilterHeight, d.OutputHeight);
            for (int ix = 0; ix < d.InputWidth; ix++)
            {
                int ox0 = ix * d.StrideWidth - d.PadWidth;
                var (fx0, fx1) = Taps(ox0, d.FilterWidth, d.OutputWidth);
                var x = input.Slice(((b * d.InputHeight + iy) * d.InputWidth + ix) * d.InputDepth, d.InputDepth);
                for (int fy = fy0; fy < fy1; fy++)
                for (int fx = fx0; fx < fx1; fx++)
                {
                    var outPixel = acc.Slice(((b * d.OutputHeight + oy0 + fy) * d.OutputWidth + ox0 + fx) * d.OutputDepth, d.OutputDepth);
                    for (int oc = 0; oc < d.OutputDepth; oc++)
                    {
                        var f = filter.Slice(((oc * d.FilterHeight + fy) * d.FilterWidth + fx) * d.InputDepth, d.InputDepth);
                        TAcc sum = TAcc.Zero;
                        for (int ic = 0; ic < x.Length; ic++)
                            sum += TAcc.CreateTruncating((int.CreateTruncating(x[ic]) + inputOffset) * f[ic]);
                        outPixel[oc] += sum;
                    }
                }
            }
        }
    }

    // float: TFLM's scatter order exactly (input channel outermost, then taps, then output channel),
    // since float sums depend on it.
    private static void EvalFloat(OpData d, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output)
    {
        output.Clear();
        for (int b = 0; b < d.Batches; b++)
        for (int iy = 0; iy < d.InputHeight; iy++)
        {
            int oy0 = iy * d.StrideHeight - d.PadHeight;
            var (fy0, fy1) = Taps(oy0, d.FilterHeight, d.OutputHeight);
            for (int ix = 0; ix < d.InputWidth; ix++)
            {
                int ox0 = ix * d.StrideWidth - d.PadWidth;
                var (fx0, fx1) = Taps(ox0, d.FilterWidth, d.OutputWidth);
                int inBase = ((b * d.InputHeight + iy) * d.InputWidth + ix) * d.InputDepth;
                for (int ic = 0; ic < d.InputDepth; ic++)
                {
                    float x = input[inBase + ic];
                    for (int fy = fy0; fy < fy1; fy++)
                    for (int fx = fx0; fx < fx1; fx++)
                    {
                        int outBase = ((b * d.OutputHeight + oy0 + fy) * d.OutputWidth + ox0 + fx) * d.OutputDepth;
                        for (int oc = 0; oc < d.OutputDepth; oc++)
                            output[outBase + oc] += x * filter[((oc * d.FilterHeight + fy) * d.FilterWidth + fx) * d.InputDepth + ic];
                    }
                }
            }
        }
        for (int i = 0; i < output.Length; i++)
        {
            float value = output[i] + (bias.IsEmpty ? 0f : bias[i % d.OutputDepth]);
            output[i] = ActivationRange.Clamp(value, d.FloatMin, d.FloatMax);
        }
    }
}
