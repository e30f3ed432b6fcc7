using System.Runtime.CompilerServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Quantization;

/// <summary>The clamp a fused activation turns into, in the float or the quantized domain (TFLM's CalculateActivationRange*).</summary>
public static class ActivationRange
{
    /// <summary>
    /// TFLM's ActivationFunctionWithMinMax, std::min(std::max(x, lo), hi), exactly: NaN passes
    /// through and -0 stays -0, where Math.Max/Min would order them differently.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Clamp(float x, float lo, float hi)
    {
        float y = x < lo ? lo : x;
        return hi < y ? hi : y;
    }

    public static (float Min, float Max) Float(ActivationFunctionType activation) => activation switch
    {
        ActivationFunctionType.NONE => (float.MinValue, float.MaxValue),
        ActivationFunctionType.RELU => (0f, float.MaxValue),
        ActivationFunctionType.RELU_N1_TO_1 => (-1f, 1f),
        ActivationFunctionType.RELU6 => (0f, 6f),
        _ => throw new NotSupportedException($"fused activation {activation} is not supported"),
    };

    /// <summary>Quantized clamp for an output with <paramref name="scale"/> and <paramref name="zeroPoint"/>, within the type's range.</summary>
    public static (int Min, int Max) Quantized(ActivationFunctionType activation, float scale, int zeroPoint, int typeMin, int typeMax)
    {
        // Saturating, in 64 bits, then clamped into the type: a tiny scale (6 / 1e-45 is infinite) or
        // a zero point outside the type must not give a minimum above the maximum. Valid models
        // never reach the saturation, so TFLM's values are unchanged.
        long Quantize(float f) => zeroPoint + (long)Math.Clamp(MathF.Round(f / scale, MidpointRounding.AwayFromZero), int.MinValue, int.MaxValue);
        int InType(long q) => (int)Math.Clamp(q, typeMin, typeMax);
        return activation switch
        {
            ActivationFunctionType.NONE => (typeMin, typeMax),
            ActivationFunctionType.RELU => (InType(Quantize(0f)), typeMax),
            ActivationFunctionType.RELU6 => (InType(Quantize(0f)), InType(Quantize(6f))),
            ActivationFunctionType.RELU_N1_TO_1 => (InType(Quantize(-1f)), InType(Quantize(1f))),
            _ => throw new NotSupportedException($"fused activation {activation} is not supported"),
        };
    }

    public static (int Min, int Max) ForType(TensorType type) => type switch
    {
        TensorType.INT8 => (sbyte.MinValue, sbyte.MaxValue),
        TensorType.UINT8 => (byte.MinValue, byte.MaxValue),
        TensorType.INT16 => (short.MinValue, short.MaxValue),
        TensorType.INT32 => (int.MinValue, int.MaxValue),
        _ => throw new NotSupportedException($"{type} has no quantized range"),
    };
}
