using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// Quantization set-up shared by CONV_2D and DEPTHWISE_CONV_2D (TFLM's
/// PopulateConvolutionQuantizationParams): one multiplier and shift per output channel, in the arena tail.
/// </summary>
internal static class ConvQuantization
{
    /// <summary>
    /// Checks the quantization of a convolution's tensors and fills per-channel multipliers/shifts
    /// (a per-tensor filter scale is broadcast over all <paramref name="channels"/>).
    /// </summary>
    public static (Memory<byte> Multipliers, Memory<byte> Shifts) PerChannel(KernelContext context, Node node,
        Tensor input, Tensor filter, Tensor output, int channels, int quantizedDimension)
    {
        node.RequirePerTensorQuantization(input, "input");
        node.RequirePerTensorQuantization(output, "output");
        var q = filter.Quantization;
        node.Require(q is not null && q.Scales.Length > 0, $"filter tensor {filter.Index} has no quantization parameters");
        node.Require(q!.Scales.Length == 1 || q.Scales.Length == channels,
            $"filter tensor {filter.Index} has {q.Scales.Length} scales for {channels} output channels");
        node.Require(!q.IsPerChannel || q.QuantizedDimension == quantizedDimension,
            $"filter tensor {filter.Index} is quantized along dimension {q.QuantizedDimension}; dimension {quantizedDimension} expected");
        // TFLM's per-channel kernels have no filter offset: weights must be symmetric.
        foreach (int zeroPoint in q.ZeroPoints)
            node.Require(zeroPoint == 0, $"filter tensor {filter.Index} has zero point {zeroPoint}; symmetric (0) weights expected");
        foreach (float scale in q.Scales)
            node.Require(scale > 0, $"filter tensor {filter.Index} has scale {scale}; positive scales expected");

        // A non-constant filter can declare half a billion channels; their byte count must not wrap.
        long bytes = (long)channels * sizeof(int);
        node.Require(bytes <= int.MaxValue,
            $"filter tensor {filter.Index} {KernelChecks.ShapeText(filter)} has {channels} output channels; their multipliers would take {bytes} bytes");
        var multipliersMemory = context.AllocatePersistentBuffer((int)bytes);
        var shiftsMemory = context.AllocatePersistentBuffer((int)bytes);
        var multipliers = MemoryMarshal.Cast<byte, int>(multipliersMemory.Span);
        var shifts = MemoryMarshal.Cast<byte, int>(shiftsMemory.Span);
        for (int c = 0; c < channels; c++)
        {
            float filterScale = q.Scales.Length == 1 ? q.Scales[0] : q.Scales[c];
            var m = QuantizedMultiplier.ForConvolution(input.Scale, filterScale, output.Scale);
            multipliers[c] = m.Multiplier;
            shifts[c] = m.Shift;
        }
        return (multipliersMemory, shiftsMemory);
    }

    /// <summary>
    /// TFLM's ActivationFunctionWithMinMax: std::min(std::max(x, lo), hi). Spelled out with
    /// comparisons because Math.Max/Min order -0 and +0 (and NaN) differently from std::max/min.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ClampFloat(float x, float lo, float hi)
    {
        float r = x < lo ? lo : x;
        return hi < r ? hi : r;
    }

    /// <summary>The activation types a fused convolution/pooling may carry; anything else fails Prepare.</summary>
    public static void RequireSupportedActivation(Node node, ActivationFunctionType activation)
    {
        node.Require(activation is ActivationFunctionType.NONE or ActivationFunctionType.RELU
                or ActivationFunctionType.RELU6 or ActivationFunctionType.RELU_N1_TO_1,
            $"fused activation {activation} is not supported");
    }
}
