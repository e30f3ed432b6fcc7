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
        node.Require(q is not null && q.Count > 0, $"filter tensor {filter.Index} has no quantization parameters");
        node.Require(q!.Scales.Length == 1 || q.Count == channels,
            $"filter tensor {filter.Index} has {q.Count} scales for {channels} output channels");
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
            float filterScale = q.Count == 1 ? q.Scales[0] : q.Scales[c];
            var m = QuantizedMultiplier.ForConvolution(input.Scale, filterScale, output.Scale);
            multipliers[c] = m.Multiplier;
            shifts[c] = m.Shift;
        }
        return (multipliersMemory, shiftsMemory);
    }

    /// <summary>The activation types a fused convolution/pooling may carry; anything else fails Prepare.</summary>
    public static void RequireSupportedActivation(Node node, ActivationFunctionType activation)
    {
        node.Require(activation is ActivationFunctionType.NONE or ActivationFunctionType.RELU
                or ActivationFunctionType.RELU6 or ActivationFunctionType.RELU_N1_TO_1,
            $"fused activation {activation} is not supported");
    }
}

/// <summary>
/// What CONV_2D and DEPTHWISE_CONV_2D both derive in Prepare from their tensor types: the float
/// clamp, or the offsets, per-channel requantization and quantized clamp of the int8 and 16x8 paths.
/// </summary>
internal abstract class ConvolutionParams
{
    public float FloatMin, FloatMax;
    public int InputOffset, OutputOffset, ActivationMin, ActivationMax;
    public bool Simd;
    public Memory<byte> Multipliers, Shifts;

    public void PrepareTypes(KernelContext context, Node node, Tensor input, Tensor filter, Tensor? bias, Tensor output,
        ActivationFunctionType activation, int channels, int quantizedDimension, params TensorType[] int16BiasTypes)
    {
        switch (input.Type)
        {
            case TensorType.FLOAT32:
                node.RequireType(filter, "filter", TensorType.FLOAT32);
                node.RequireType(output, "output", TensorType.FLOAT32);
                if (bias is not null) node.RequireType(bias, "bias", TensorType.FLOAT32);
                (FloatMin, FloatMax) = ActivationRange.Float(activation);
                break;
            case TensorType.INT8:
                // int4 weights arrive unpacked to one value a byte (the interpreter does it once, at allocation).
                node.RequireType(filter, "filter", TensorType.INT8, TensorType.INT4);
                node.RequireType(output, "output", TensorType.INT8);
                if (bias is not null) node.RequireType(bias, "bias", TensorType.INT32);
                PrepareQuantized(context, node, input, filter, output, activation, channels, quantizedDimension);
                break;
            case TensorType.INT16:
                node.RequireType(filter, "filter", TensorType.INT8);
                node.RequireType(output, "output", TensorType.INT16);
                if (bias is not null) node.RequireType(bias, "bias", int16BiasTypes);
                PrepareQuantized(context, node, input, filter, output, activation, channels, quantizedDimension);
                // The 16x8 reference kernels apply neither offset: the int16 quantization is symmetric.
                node.Require(input.ZeroPoint == 0 && output.ZeroPoint == 0,
                    $"int16 input/output zero points are {input.ZeroPoint}/{output.ZeroPoint}; 0 expected");
                break;
            default:
                throw node.Unsupported($"input type {TensorTypes.Name(input.Type)} is not supported");
        }
    }

    private void PrepareQuantized(KernelContext context, Node node, Tensor input, Tensor filter, Tensor output,
        ActivationFunctionType activation, int channels, int quantizedDimension)
    {
        (Multipliers, Shifts) = ConvQuantization.PerChannel(context, node, input, filter, output, channels, quantizedDimension);
        InputOffset = -input.ZeroPoint;
        Simd = Int8Mac.FitsSimd(InputOffset);
        OutputOffset = output.ZeroPoint;
        var (typeMin, typeMax) = ActivationRange.ForType(output.Type);
        (ActivationMin, ActivationMax) = ActivationRange.Quantized(activation, output.Scale, output.ZeroPoint, typeMin, typeMax);
    }
}
