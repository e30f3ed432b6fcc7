namespace TinyMl.Interpreter.Tests.Kernels.Custom;

/// <summary>
/// Writes TFLM_DECODE's inputs from the format's description (16-byte header, bits most significant first), so the
/// kernel is checked against an encoder it does not share code with. Shared by the kernel, oracle and fuzz tests.
/// </summary>
public static class DecodeEncoder
{
    public const byte Lut = 0, Huffman = 1, Prune = 2;

    /// <summary>The ancillary tensor's header: method, versions 1, the method's parameter byte and LUT stride.</summary>
    public static byte[] Header(byte method, byte parameters = 0, byte stride = 0)
    {
        var dcm = new byte[16];
        dcm[0] = method; dcm[1] = 1; dcm[4] = 1; dcm[5] = parameters; dcm[6] = stride;
        return dcm;
    }

    /// <summary>Values packed <paramref name="width"/> bits each, most significant bit first, as TFLM's encoder writes them.</summary>
    public static byte[] Pack(IReadOnlyList<int> values, int width)
    {
        var bytes = new byte[(values.Count * width + 7) / 8];
        for (int i = 0; i < values.Count; i++)
            for (int k = 0; k < width; k++)
                if ((values[i] >> (width - 1 - k) & 1) != 0)
                {
                    int bit = i * width + k;
                    bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
                }
        return bytes;
    }
}
