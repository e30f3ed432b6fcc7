using System.Text;

namespace TinyMl.Interpreter.Tests.Kernels.Signal;

/// <summary>
/// Writes a FlexBuffer root map of scalars, laid out by hand from the format's description (keys,
/// keys vector, map prefix, values, type bytes, root), so the reader is checked against an encoder
/// it does not share code with.
/// </summary>
public static class FlexBufferEncoder
{
    public static byte[] Map(int width, params (string Key, object Value)[] entries)
    {
        var sorted = entries.OrderBy(e => e.Key, StringComparer.Ordinal).ToArray();
        var bytes = new List<byte>();
        var keyPositions = new List<int>();
        foreach (var (key, _) in sorted)
        {
            keyPositions.Add(bytes.Count);
            bytes.AddRange(Encoding.UTF8.GetBytes(key));
            bytes.Add(0);
        }
        void Put(long value) { for (int i = 0; i < width; i++) bytes.Add((byte)(value >> (8 * i))); }

        Put(sorted.Length); // keys vector size
        int keys = bytes.Count;
        for (int i = 0; i < sorted.Length; i++) Put(bytes.Count - keyPositions[i]);

        Put(bytes.Count - keys); // offset back to the keys vector
        Put(width);             // keys' byte width
        Put(sorted.Length);     // map size
        int values = bytes.Count;
        foreach (var (_, value) in sorted)
            Put(value switch
            {
                bool b => b ? 1 : 0, int i => i, long l => l,
                // Floats take the map's width: 4 bytes hold a float32, 8 a float64 (FlexBuffers has no narrower floats).
                double d when width == 4 => BitConverter.SingleToInt32Bits((float)d),
                double d when width == 8 => BitConverter.DoubleToInt64Bits(d),
                _ => throw new ArgumentException("int, long or bool; double in a map of width 4 or 8"),
            });
        int widthCode = width switch { 1 => 0, 2 => 1, 4 => 2, _ => 3 };
        foreach (var (_, value) in sorted)
            bytes.Add((byte)(((value switch { bool => 26, double => 3, _ => 1 }) << 2) | widthCode));

        Put(bytes.Count - values);              // root: offset to the map's values
        bytes.Add((byte)((9 << 2) | widthCode)); // root type: map
        bytes.Add((byte)width);
        return bytes.ToArray();
    }
}
