using TinyMl.Interpreter;
using TensorType = TinyMl.Interpreter.Schema.TensorType;

namespace TinyMl.Workbench.Tensors;

/// <summary>
/// Writes real values into an input tensor, quantizing them with the tensor's own scale and zero point
/// when it is quantized — so one set of inputs feeds a float model and its int8 twin alike.
/// </summary>
public static class RealInput
{
    /// <summary>
    /// Sets <paramref name="tensor"/> to <paramref name="values"/>: float tensors take them as they are;
    /// quantized integer tensors get round(value / scale) + zero_point (rounding half away from zero, as
    /// TFLite's quantizer does), clamped to the type's range.
    /// </summary>
    public static void Set(Tensor tensor, ReadOnlySpan<double> values)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (values.Length != tensor.ElementCount)
            throw new TensorDataException($"tensor {tensor.Index} ('{tensor.Name}') holds {tensor.ElementCount} values, {values.Length} given");
        if (tensor.Quantization is { IsPerChannel: true })
            throw new TensorDataException($"tensor {tensor.Index} ('{tensor.Name}') is quantized per channel; set its raw values instead");
        double scale = tensor.Scale;
        int zero = tensor.ZeroPoint;
        bool quantized = scale != 0;
        long Quantize(double v, long min, long max) =>
            (long)Math.Clamp(quantized ? Math.Round(v / scale, MidpointRounding.AwayFromZero) + zero : Math.Round(v, MidpointRounding.AwayFromZero), min, max);
        switch (tensor.Type)
        {
            case TensorType.FLOAT32:
                var floats = tensor.AsSpan<float>();
                for (int i = 0; i < values.Length; i++) floats[i] = (float)values[i];
                break;
            case TensorType.INT8:
                var int8 = tensor.AsSpan<sbyte>();
                for (int i = 0; i < values.Length; i++) int8[i] = (sbyte)Quantize(values[i], sbyte.MinValue, sbyte.MaxValue);
                break;
            case TensorType.UINT8:
                var uint8 = tensor.AsSpan<byte>();
                for (int i = 0; i < values.Length; i++) uint8[i] = (byte)Quantize(values[i], byte.MinValue, byte.MaxValue);
                break;
            case TensorType.INT16:
                var int16 = tensor.AsSpan<short>();
                for (int i = 0; i < values.Length; i++) int16[i] = (short)Quantize(values[i], short.MinValue, short.MaxValue);
                break;
            case TensorType.INT32:
                var int32 = tensor.AsSpan<int>();
                for (int i = 0; i < values.Length; i++) int32[i] = (int)Quantize(values[i], int.MinValue, int.MaxValue);
                break;
            default:
                throw new TensorDataException($"tensor {tensor.Index} ('{tensor.Name}') is {TensorTypes.Name(tensor.Type)}; real values can be written into float32, int8, uint8, int16 and int32 tensors");
        }
    }

    /// <summary>Sets input <paramref name="input"/> of <paramref name="interpreter"/> to <paramref name="values"/> (see <see cref="Set(Tensor, ReadOnlySpan{double})"/>).</summary>
    public static void Set(MicroInterpreter interpreter, int input, params double[] values) => Set(interpreter.Input(input), values);
}
