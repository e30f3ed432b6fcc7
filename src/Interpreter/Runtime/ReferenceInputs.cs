using System.Buffers.Binary;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>
/// The shared deterministic input rule used by the goldens and by `bench`: one 32-bit LCG stream
/// (s = s * 1664525 + 1013904223, seed 12345) over all input tensors in order. int8/uint8 and other
/// types take one step per byte (s >> 24); int16 one step per element ((short)(s >> 16)); float32
/// one step per element (((s >> 8) / 2^24) * 2 - 1).
/// </summary>
public static class ReferenceInputs
{
    public const uint Seed = 12345;

    /// <summary>Fills every input of <paramref name="interpreter"/> by the rule.</summary>
    public static void Fill(MicroInterpreter interpreter)
    {
        uint s = Seed;
        foreach (var input in interpreter.Inputs)
            Fill(input.Type, input.AsSpan<byte>(), ref s);
    }

    /// <summary>The bytes the rule gives for tensors of these types and sizes, in order.</summary>
    public static byte[][] Generate(IEnumerable<(TensorType Type, int Bytes)> tensors)
    {
        uint s = Seed;
        var result = new List<byte[]>();
        foreach (var (type, bytes) in tensors)
        {
            var buffer = new byte[bytes];
            Fill(type, buffer, ref s);
            result.Add(buffer);
        }
        return result.ToArray();
    }

    private static uint Next(ref uint s) => s = unchecked(s * 1664525u + 1013904223u);

    private static void Fill(TensorType type, Span<byte> bytes, ref uint s)
    {
        switch (type)
        {
            case TensorType.INT16:
                for (int i = 0; i + 1 < bytes.Length; i += 2)
                    BinaryPrimitives.WriteInt16LittleEndian(bytes.Slice(i), (short)(Next(ref s) >> 16));
                break;
            case TensorType.FLOAT32:
                for (int i = 0; i + 3 < bytes.Length; i += 4)
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.Slice(i), ((Next(ref s) >> 8) / 16777216.0f) * 2 - 1);
                break;
            default:
                for (int i = 0; i < bytes.Length; i++)
                    bytes[i] = (byte)(Next(ref s) >> 24);
                break;
        }
    }
}
