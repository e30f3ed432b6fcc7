using System.Buffers.Binary;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Oracle.Running;

/// <summary>
/// Turns the oracle's float64 results into a tensor's stored bytes, the way TFLite defines the conversion:
/// a quantized tensor stores round(real / scale) + zero_point, rounding half away from zero (TfLiteRound),
/// clamped to the type; float tensors store the nearest float; integer tensors store exact integers.
/// </summary>
internal static class TypedValues
{
    public static bool IsQuantized(QuantizationParams? q, TensorType type) =>
        q is { Scales.Length: > 0 } && q.Scales.Any(s => s != 0f) && type is TensorType.INT8 or TensorType.UINT8
            or TensorType.INT16 or TensorType.INT32 or TensorType.INT64 or TensorType.INT4;

    /// <param name="shape">The tensor's shape: with per-channel parameters, each element takes its own channel's (weights a decoder writes).</param>
    public static byte[] ToBytes(ReadOnlySpan<double> values, TensorType type, QuantizationParams? q, int[]? shape = null)
    {
        int size = Math.Max(TensorTypes.ElementSize(type), 1);
        var bytes = new byte[values.Length * size];
        bool quantized = IsQuantized(q, type);
        bool perChannel = quantized && q!.Count > 1 && shape is not null && q.QuantizedDimension < shape.Length;
        long inner = perChannel ? shape![(q!.QuantizedDimension + 1)..].Aggregate(1L, (n, d) => n * d) : 1;
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            if (quantized)
            {
                int c = perChannel ? (int)(i / inner % shape![q!.QuantizedDimension]) : 0;
                v = Math.Round(v / q!.Scales[c], MidpointRounding.AwayFromZero) + q.ZeroPoints[c];
            }
            Write(bytes.AsSpan(i * size, size), type, v);
        }
        return bytes;
    }

    private static void Write(Span<byte> to, TensorType type, double v)
    {
        switch (type)
        {
            case TensorType.FLOAT32: BinaryPrimitives.WriteSingleLittleEndian(to, (float)v); break;
            case TensorType.FLOAT64: BinaryPrimitives.WriteDoubleLittleEndian(to, v); break;
            case TensorType.FLOAT16: BinaryPrimitives.WriteHalfLittleEndian(to, (Half)v); break;
            case TensorType.INT8: to[0] = (byte)(sbyte)Clamp(v, sbyte.MinValue, sbyte.MaxValue); break;
            case TensorType.INT4: to[0] = (byte)(sbyte)Clamp(v, -8, 7); break;
            case TensorType.UINT8: to[0] = (byte)Clamp(v, byte.MinValue, byte.MaxValue); break;
            case TensorType.BOOL: to[0] = v != 0 ? (byte)1 : (byte)0; break;
            case TensorType.INT16: BinaryPrimitives.WriteInt16LittleEndian(to, (short)Clamp(v, short.MinValue, short.MaxValue)); break;
            case TensorType.INT32: BinaryPrimitives.WriteInt32LittleEndian(to, (int)Clamp(v, int.MinValue, int.MaxValue)); break;
            case TensorType.INT64: BinaryPrimitives.WriteInt64LittleEndian(to, (long)Clamp(v, long.MinValue, long.MaxValue)); break;
            case TensorType.UINT16: BinaryPrimitives.WriteUInt16LittleEndian(to, (ushort)Clamp(v, ushort.MinValue, ushort.MaxValue)); break;
            case TensorType.UINT32: BinaryPrimitives.WriteUInt32LittleEndian(to, (uint)Clamp(v, uint.MinValue, uint.MaxValue)); break;
            case TensorType.UINT64: BinaryPrimitives.WriteUInt64LittleEndian(to, (ulong)Clamp(v, ulong.MinValue, ulong.MaxValue)); break;
            default: throw new OracleException($"the oracle cannot store values of type {TensorTypes.Name(type)}");
        }
    }

    // Integer results of integer ops are exact already; rounding here only guards float noise.
    private static double Clamp(double v, double min, double max) =>
        double.IsNaN(v) ? 0 : Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), min, max);
}
