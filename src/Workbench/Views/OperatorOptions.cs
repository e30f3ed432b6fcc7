using System.Globalization;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Workbench;

/// <summary>
/// An operator's key options in a few words ("3×3 /2 same relu6"), for the ops whose options change what
/// a layer does to shapes and values. Other ops, and options a model stores under the wrong table, give "".
/// </summary>
public static class OperatorOptions
{
    public static string Describe(SubGraphInfo subgraph, OperatorInfo op)
    {
        try
        {
            return op.Code.Builtin switch
            {
                BuiltinOperator.CONV_2D => op.Options<Conv2DOptions>() is { } o
                    ? Join(Kernel(subgraph, op), Stride(o.StrideH, o.StrideW), Dilation(o.DilationHFactor, o.DilationWFactor), Pad(o.Padding), Activation(o.FusedActivationFunction))
                    : "",
                BuiltinOperator.DEPTHWISE_CONV_2D => op.Options<DepthwiseConv2DOptions>() is { } o
                    ? Join(Kernel(subgraph, op), Stride(o.StrideH, o.StrideW), Dilation(o.DilationHFactor, o.DilationWFactor), Pad(o.Padding),
                        o.DepthMultiplier > 1 ? $"×{o.DepthMultiplier} depth" : "", Activation(o.FusedActivationFunction))
                    : "",
                BuiltinOperator.TRANSPOSE_CONV => op.Options<TransposeConvOptions>() is { } o
                    ? Join(Kernel(subgraph, op), Stride(o.StrideH, o.StrideW), Pad(o.Padding), Activation(o.FusedActivationFunction))
                    : "",
                BuiltinOperator.AVERAGE_POOL_2D or BuiltinOperator.MAX_POOL_2D or BuiltinOperator.L2_POOL_2D => op.Options<Pool2DOptions>() is { } o
                    ? Join($"{o.FilterHeight}×{o.FilterWidth}", Stride(o.StrideH, o.StrideW), Pad(o.Padding), Activation(o.FusedActivationFunction))
                    : "",
                BuiltinOperator.FULLY_CONNECTED => op.Options<FullyConnectedOptions>() is { } o
                    ? Join(Activation(o.FusedActivationFunction), o.KeepNumDims ? "keep dims" : "")
                    : "",
                BuiltinOperator.SVDF => op.Options<SVDFOptions>() is { } o ? Join($"rank {o.Rank}", Activation(o.FusedActivationFunction)) : "",
                BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM => op.Options<UnidirectionalSequenceLSTMOptions>() is { } o
                    ? Join(Activation(o.FusedActivationFunction), o.CellClip > 0 ? "cell clip " + Html.Html.Float(o.CellClip) : "", o.TimeMajor ? "time major" : "")
                    : "",
                BuiltinOperator.SOFTMAX => op.Options<SoftmaxOptions>() is { } o && o.Beta != 1f ? "β " + Html.Html.Float(o.Beta) : "",
                BuiltinOperator.CONCATENATION => op.Options<ConcatenationOptions>() is { } o ? Join($"axis {o.Axis}", Activation(o.FusedActivationFunction)) : "",
                BuiltinOperator.ADD => op.Options<AddOptions>() is { } o ? Activation(o.FusedActivationFunction) : "",
                BuiltinOperator.SUB => op.Options<SubOptions>() is { } o ? Activation(o.FusedActivationFunction) : "",
                BuiltinOperator.MUL => op.Options<MulOptions>() is { } o ? Activation(o.FusedActivationFunction) : "",
                BuiltinOperator.CUSTOM => "custom op",
                _ => "",
            };
        }
        catch (ModelFormatException)
        {
            return ""; // the runtime reports the mismatch when it prepares the operator
        }
    }

    /// <summary>The kernel's height×width, from the filter [out, kh, kw, in] (input 1).</summary>
    private static string Kernel(SubGraphInfo subgraph, OperatorInfo op) =>
        op.Inputs.Length > 1 && op.Inputs[1] >= 0 && op.Inputs[1] < subgraph.Tensors.Count && subgraph.Tensors[op.Inputs[1]].Shape is { Length: 4 } f
            ? $"{f[1]}×{f[2]}"
            : "";

    private static string Stride(int h, int w) => h == w ? $"/{h}" : $"/{h}×{w}";

    private static string Dilation(int h, int w) => h == 1 && w == 1 ? "" : h == w ? $"dilation {h}" : $"dilation {h}×{w}";

    private static string Pad(Padding padding) => padding switch
    {
        Padding.SAME => "same",
        Padding.VALID => "valid",
        _ => ((int)padding).ToString(CultureInfo.InvariantCulture),
    };

    private static string Activation(ActivationFunctionType activation) => activation switch
    {
        ActivationFunctionType.NONE => "",
        ActivationFunctionType.RELU_N1_TO_1 => "relu[-1,1]",
        _ when Enum.IsDefined(activation) => activation.ToString().ToLowerInvariant(),
        _ => $"activation {(int)activation}",
    };

    private static string Join(params string[] parts) => string.Join(' ', parts.Where(p => p.Length > 0));
}
