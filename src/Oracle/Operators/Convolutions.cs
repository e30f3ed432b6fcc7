using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using Padding = TinyMl.Interpreter.Schema.Padding;
using F = TorchSharp.torch.nn.functional;

namespace TinyMl.Oracle.Operators;

/// <summary>
/// CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV and FULLY_CONNECTED as torch's float64 convolutions and
/// matrix products. On integer-valued inputs float64 sums are exact, so for quantized models these are
/// the exact integer accumulators times the scales.
/// </summary>
internal static class Convolutions
{
    public static void Register(OperatorTable table)
    {
        table.Add(BuiltinOperator.CONV_2D, Conv);
        table.Add(BuiltinOperator.DEPTHWISE_CONV_2D, Depthwise);
        table.Add(BuiltinOperator.FULLY_CONNECTED, FullyConnected);
        table.Add(BuiltinOperator.TRANSPOSE_CONV, TransposeConv);
    }

    private static Tensor[] Conv(OperatorCall call)
    {
        var o = call.Options<Conv2DOptions>();
        var input = call.Real(0);
        var filter = call.Real(1).permute(0, 3, 1, 2);                       // [O,KH,KW,I] -> [O,I,KH,KW]
        long groups = input.shape[3] / filter.shape[1];                       // TFLite allows grouped conv this way
        return [Convolve(call, input, filter, groups, o.Padding, o.StrideH, o.StrideW, o.DilationHFactor, o.DilationWFactor, o.FusedActivationFunction)];
    }

    private static Tensor[] Depthwise(OperatorCall call)
    {
        var o = call.Options<DepthwiseConv2DOptions>();
        var input = call.Real(0);
        var filter = call.Real(1).permute(3, 0, 1, 2);                       // [1,KH,KW,C·M] -> [C·M,1,KH,KW]
        // Output channel c·M + m reads input channel c: torch's groups = C does exactly that.
        return [Convolve(call, input, filter, input.shape[3], o.Padding, o.StrideH, o.StrideW, o.DilationHFactor, o.DilationWFactor, o.FusedActivationFunction)];
    }

    private static Tensor Convolve(OperatorCall call, Tensor input, Tensor filter, long groups, Padding padding,
        int strideH, int strideW, int dilationH, int dilationW, ActivationFunctionType activation)
    {
        var x = input.permute(0, 3, 1, 2);                                    // NHWC -> NCHW
        dilationH = Math.Max(dilationH, 1);
        dilationW = Math.Max(dilationW, 1);
        var (top, bottom) = Pad(padding, x.shape[2], filter.shape[2], strideH, dilationH);
        var (left, right) = Pad(padding, x.shape[3], filter.shape[3], strideW, dilationW);
        // Padding is real zero: in quantized terms the input's zero point, as TFLite pads.
        x = F.pad(x, [left, right, top, bottom]);
        var bias = call.Has(2) ? call.Real(2).reshape(-1) : null;
        var y = F.conv2d(x, filter, bias, strides: [strideH, strideW], dilation: [dilationH, dilationW], groups: groups);
        return Activations.Fused(y.permute(0, 2, 3, 1), activation);
    }

    /// <summary>TFLite's padding: SAME pads so the output is ceil(in / stride), the odd pixel after; VALID pads nothing.</summary>
    public static (long Before, long After) Pad(Padding padding, long input, long kernel, int stride, int dilation = 1)
    {
        if (padding != Padding.SAME) return (0, 0);
        long effective = (kernel - 1) * dilation + 1;
        long output = (input + stride - 1) / stride;
        long total = Math.Max((output - 1) * stride + effective - input, 0);
        return (total / 2, total - total / 2);
    }

    private static Tensor[] FullyConnected(OperatorCall call)
    {
        var o = call.OptionalOptions<FullyConnectedOptions>();
        if (o is { WeightsFormat: not FullyConnectedOptionsWeightsFormat.DEFAULT })
            throw call.Unsupported($"weights format {o.Value.WeightsFormat}");
        var weights = call.Real(1);                                           // [O, K]
        var x = call.Real(0).reshape(-1, weights.shape[1]);
        var y = F.linear(x, weights, call.Has(2) ? call.Real(2).reshape(-1) : null);
        var shape = call.Output(0).Shape.Select(d => (long)d).ToArray();
        return [Activations.Fused(y, o?.FusedActivationFunction ?? ActivationFunctionType.NONE).reshape(shape)];
    }

    private static Tensor[] TransposeConv(OperatorCall call)
    {
        // Inputs: output shape, filter [O,KH,KW,I], input, optional bias.
        var o = call.Options<TransposeConvOptions>();
        var filter = call.Real(1).permute(3, 0, 1, 2);                       // [O,KH,KW,I] -> [I,O,KH,KW] as torch wants
        var x = call.Real(2).permute(0, 3, 1, 2);
        var outShape = call.Ints(0);                                          // [N, H, W, O]
        long kh = filter.shape[2], kw = filter.shape[3];
        // The full transposed convolution, then the window TFLite keeps: TFLite's padding applies to the output.
        var full = F.conv_transpose2d(x, filter, null, strides: [o.StrideH, o.StrideW]);
        var (top, _) = Pad(o.Padding, outShape[1], kh, o.StrideH);
        var (left, _) = Pad(o.Padding, outShape[2], kw, o.StrideW);
        // With a kernel smaller than the stride the scatter never reaches the last rows and columns: they stay 0.
        long shortH = Math.Max(0, top + outShape[1] - full.shape[2]), shortW = Math.Max(0, left + outShape[2] - full.shape[3]);
        if (shortH > 0 || shortW > 0) full = F.pad(full, [0, shortW, 0, shortH]);
        var y = full[.., .., TensorIndex.Slice(top, top + outShape[1]), TensorIndex.Slice(left, left + outShape[2])];
        if (call.Has(3)) y = y + call.Real(3).reshape(1, -1, 1, 1);
        return [Activations.Fused(y.permute(0, 2, 3, 1), o.FusedActivationFunction)];
    }
}
