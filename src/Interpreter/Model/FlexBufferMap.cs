using System.Buffers.Binary;
using System.Text;

namespace TinyMl.Interpreter;

/// <summary>
/// The root map of a FlexBuffer, the format TFLite custom operators keep their options in
/// (Google.FlatBuffers for C# has no FlexBuffers reader). Only what custom options use is read:
/// a root map of scalars (int, uint, bool, float, inline or indirect) and typed int vectors.
/// Every offset is bounds-checked; anything malformed is a <see cref="FormatException"/> that the
/// caller turns into an error naming the operator.
/// </summary>
public sealed class FlexBufferMap
{
    // FlexBuffers type codes (flexbuffers.h).
    private const int TypeNull = 0, TypeInt = 1, TypeUInt = 2, TypeFloat = 3, TypeKey = 4, TypeIndirectInt = 6,
        TypeIndirectUInt = 7, TypeIndirectFloat = 8, TypeMap = 9, TypeVectorInt = 11, TypeVectorUInt = 12, TypeBool = 26;

    private readonly Dictionary<string, (int Type, long Integer, double Real, long[]? Vector)> _values = new(StringComparer.Ordinal);

    public IEnumerable<string> Keys => _values.Keys;

    private FlexBufferMap() { }

    /// <summary>Reads the root map of <paramref name="buffer"/>.</summary>
    public static FlexBufferMap Parse(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < 3) throw new FormatException($"{buffer.Length} bytes are too few for a FlexBuffer");
        int rootWidth = buffer[^1];
        int rootPacked = buffer[^2];
        RequireWidth(rootWidth, "root");
        int rootPos = buffer.Length - 2 - rootWidth;
        if (rootPos < 0) throw new FormatException("root value lies before the buffer start");
        if (rootPacked >> 2 != TypeMap) throw new FormatException($"root is of FlexBuffer type {rootPacked >> 2}, a map was expected");

        int values = Indirect(buffer, rootPos, rootWidth);
        int width = 1 << (rootPacked & 3);
        int count = Count(ReadUInt(buffer, values - width, width, "map size"), "map size");
        int keysPos = Indirect(buffer, values - 3 * width, width);
        int keysWidth = Count(ReadUInt(buffer, values - 2 * width, width, "key width"), "key width");
        RequireWidth(keysWidth, "key vector");
        if ((long)values + (long)count * width + count > buffer.Length)
            throw new FormatException($"map of {count} entries runs past the end of the {buffer.Length}-byte buffer");
        if ((long)keysPos + (long)count * keysWidth > buffer.Length)
            throw new FormatException("map keys run past the end of the buffer");

        var map = new FlexBufferMap();
        for (int i = 0; i < count; i++)
        {
            string key = ReadKey(buffer, Indirect(buffer, keysPos + i * keysWidth, keysWidth));
            int packed = buffer[values + count * width + i];
            map._values[key] = ReadValue(buffer, values + i * width, width, packed, key);
        }
        return map;
    }

    public bool Contains(string key) => _values.ContainsKey(key);

    /// <summary>An integer (or bool) option that must fit in int32.</summary>
    public int Int32(string key)
    {
        var v = Get(key);
        if (v.Type is not (TypeInt or TypeUInt or TypeBool))
            throw new FormatException($"option '{key}' is not an integer (FlexBuffer type {v.Type})");
        if (v.Integer is < int.MinValue or > int.MaxValue)
            throw new FormatException($"option '{key}' = {v.Integer} does not fit in 32 bits");
        return (int)v.Integer;
    }

    public int Int32(string key, int fallback) => Contains(key) ? Int32(key) : fallback;

    public bool Bool(string key) => Int32(key) != 0;

    public double Double(string key)
    {
        var v = Get(key);
        return v.Type switch
        {
            TypeFloat => v.Real,
            TypeInt or TypeUInt => v.Integer,
            _ => throw new FormatException($"option '{key}' is not a number (FlexBuffer type {v.Type})"),
        };
    }

    public long[] Int64Vector(string key) =>
        Get(key).Vector ?? throw new FormatException($"option '{key}' is not a vector of integers");

    private (int Type, long Integer, double Real, long[]? Vector) Get(string key) =>
        _values.TryGetValue(key, out var v) ? v : throw new FormatException($"option '{key}' is missing");

    private static (int, long, double, long[]?) ReadValue(ReadOnlySpan<byte> buffer, int pos, int parentWidth, int packed, string key)
    {
        int type = packed >> 2;
        int width = 1 << (packed & 3);
        switch (type)
        {
            case TypeNull: return (type, 0, 0, null);
            case TypeInt: return (type, ReadInt(buffer, pos, parentWidth, key), 0, null);
            case TypeUInt or TypeBool: return (type == TypeBool ? TypeBool : TypeUInt, CheckedLong(ReadUInt(buffer, pos, parentWidth, key), key), 0, null);
            case TypeFloat: return (type, 0, ReadFloat(buffer, pos, parentWidth, key), null);
            case TypeIndirectInt: return (TypeInt, ReadInt(buffer, Indirect(buffer, pos, parentWidth), width, key), 0, null);
            case TypeIndirectUInt: return (TypeUInt, CheckedLong(ReadUInt(buffer, Indirect(buffer, pos, parentWidth), width, key), key), 0, null);
            case TypeIndirectFloat: return (TypeFloat, 0, ReadFloat(buffer, Indirect(buffer, pos, parentWidth), width, key), null);
            case TypeVectorInt or TypeVectorUInt:
            {
                int start = Indirect(buffer, pos, parentWidth);
                long n = CheckedLong(ReadUInt(buffer, start - width, width, key), key);
                if (n > buffer.Length || start + n * width > buffer.Length) throw new FormatException($"option '{key}': vector runs past the end of the buffer");
                var items = new long[n];
                for (int i = 0; i < n; i++)
                    items[i] = type == TypeVectorInt ? ReadInt(buffer, start + i * width, width, key) : CheckedLong(ReadUInt(buffer, start + i * width, width, key), key);
                return (type, 0, 0, items);
            }
            default: return (type, 0, 0, null); // strings, maps, blobs: present but not read as numbers
        }
    }

    private static string ReadKey(ReadOnlySpan<byte> buffer, int pos)
    {
        int end = buffer[pos..].IndexOf((byte)0);
        if (end < 0) throw new FormatException("a map key has no terminating zero byte");
        return Encoding.UTF8.GetString(buffer.Slice(pos, end));
    }

    // An offset field holds the unsigned distance back from its own position.
    private static int Indirect(ReadOnlySpan<byte> buffer, int pos, int width)
    {
        ulong distance = ReadUInt(buffer, pos, width, "offset");
        if (distance > (ulong)pos) throw new FormatException($"offset {distance} at byte {pos} points before the buffer start");
        return pos - (int)distance;
    }

    private static ulong ReadUInt(ReadOnlySpan<byte> buffer, int pos, int width, string what)
    {
        var bytes = Slice(buffer, pos, width, what);
        return width switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        };
    }

    private static long ReadInt(ReadOnlySpan<byte> buffer, int pos, int width, string what)
    {
        var bytes = Slice(buffer, pos, width, what);
        return width switch
        {
            1 => (sbyte)bytes[0],
            2 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
            4 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
            _ => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        };
    }

    private static double ReadFloat(ReadOnlySpan<byte> buffer, int pos, int width, string what) => width switch
    {
        4 => BinaryPrimitives.ReadSingleLittleEndian(Slice(buffer, pos, 4, what)),
        8 => BinaryPrimitives.ReadDoubleLittleEndian(Slice(buffer, pos, 8, what)),
        _ => throw new FormatException($"option '{what}' is a {width * 8}-bit float, which FlexBuffers does not define"),
    };

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> buffer, int pos, int width, string what)
    {
        RequireWidth(width, what);
        if (pos < 0 || (long)pos + width > buffer.Length)
            throw new FormatException($"{what}: {width} bytes at {pos} lie outside the {buffer.Length}-byte buffer");
        return buffer.Slice(pos, width);
    }

    private static void RequireWidth(int width, string what)
    {
        if (width is not (1 or 2 or 4 or 8)) throw new FormatException($"{what} has byte width {width}; FlexBuffers uses 1, 2, 4 or 8");
    }

    /// <summary>A size field, which no valid buffer makes larger than itself (a hostile one may hold up to 2⁶⁴ − 1).</summary>
    private static int Count(ulong value, string what) =>
        value <= int.MaxValue ? (int)value : throw new FormatException($"{what} is {value}, more than any buffer holds");

    private static long CheckedLong(ulong value, string key) =>
        value <= long.MaxValue ? (long)value : throw new FormatException($"option '{key}' = {value} is too large");
}
