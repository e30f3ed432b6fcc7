using System.Buffers.Binary;
using System.Text;

namespace TinyMl.Interpreter.Tests.Fuzzing;

/// <summary>
/// Makes one malformed variant of a model from a seed: the same (model, seed) always gives the same
/// bytes, so any failing mutant can be replayed from the seed printed in the failure message.
/// </summary>
public static class ModelMutator
{
    public sealed record Mutant(byte[] Bytes, string Description);

    private delegate void Mutation(byte[] bytes, Random random, StringBuilder log);

    public static Mutant Create(byte[] original, FlatBufferLayout layout, int seed)
    {
        var random = new Random(seed);
        var log = new StringBuilder();
        int roll = random.Next(100);
        byte[] bytes;
        if (roll < 10)
        {
            bytes = Truncate(original, random, log);
        }
        else
        {
            bytes = (byte[])original.Clone();
            if (roll < 20) FlipBits(bytes, random, log, 1);
            else if (roll < 28) FlipBits(bytes, random, log, random.Next(2, 9));
            else if (roll < 36) OverwriteBytes(bytes, random, log);
            else if (roll < 56) RandomAlignedWord(bytes, random, log);
            else if (roll < 88) StructuralWord(bytes, layout, random, log);
            else
            {
                // Several structural and random hits at once: combinations single faults cannot reach.
                int count = random.Next(2, 5);
                for (int i = 0; i < count; i++)
                {
                    if (i > 0) log.Append("; ");
                    if (random.Next(3) == 0) RandomAlignedWord(bytes, random, log);
                    else StructuralWord(bytes, layout, random, log);
                }
            }
        }
        return new Mutant(bytes, log.ToString());
    }

    private static byte[] Truncate(byte[] original, Random random, StringBuilder log)
    {
        // A quarter of the cuts land inside the header and the first tables, where the structure starts.
        int length = random.Next(4) == 0 ? random.Next(Math.Min(64, original.Length)) : random.Next(original.Length);
        log.Append($"truncate to {length} of {original.Length} bytes");
        return original.AsSpan(0, length).ToArray();
    }

    private static void FlipBits(byte[] bytes, Random random, StringBuilder log, int count)
    {
        log.Append("flip bits at");
        for (int i = 0; i < count; i++)
        {
            int position = random.Next(bytes.Length);
            int bit = random.Next(8);
            bytes[position] ^= (byte)(1 << bit);
            log.Append($" {position}.{bit}");
        }
    }

    private static void OverwriteBytes(byte[] bytes, Random random, StringBuilder log)
    {
        int count = random.Next(1, 5);
        log.Append("overwrite bytes");
        for (int i = 0; i < count; i++)
        {
            int position = random.Next(bytes.Length);
            byte value = (byte)random.Next(256);
            log.Append($" [{position}]={value}");
            bytes[position] = value;
        }
    }

    private static void RandomAlignedWord(byte[] bytes, Random random, StringBuilder log)
    {
        int position = random.Next(bytes.Length / 4) * 4;
        int value = InterestingInt(bytes, random, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position)));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(position), value);
        log.Append($"word [{position}]={value}");
    }

    private static void StructuralWord(byte[] bytes, FlatBufferLayout layout, Random random, StringBuilder log)
    {
        // Kind first, then a site of that kind: per-channel scales must not crowd out the few vtables.
        var sites = layout.ByKind[random.Next(layout.ByKind.Count)];
        var site = sites[random.Next(sites.Count)];
        var span = bytes.AsSpan(site.Position);
        switch (site.Width)
        {
            case 1:
                span[0] = (byte)random.Next(256);
                log.Append($"{site.Label} [{site.Position}]={span[0]}");
                break;
            case 2:
                ushort old = BinaryPrimitives.ReadUInt16LittleEndian(span);
                ushort value = random.Next(8) switch
                {
                    0 => 0,
                    1 => 0xFFFF,
                    2 => 0x8000,
                    3 => (ushort)random.Next(8),
                    4 => (ushort)(old + random.Next(-8, 9)),
                    _ => (ushort)random.Next(0x10000),
                };
                BinaryPrimitives.WriteUInt16LittleEndian(span, value);
                log.Append($"{site.Label} [{site.Position}]={value}");
                break;
            case 8:
                long wide = random.Next(4) switch
                {
                    0 => long.MaxValue,
                    1 => -1,
                    2 => random.NextInt64(),
                    _ => random.Next(bytes.Length + 16),
                };
                BinaryPrimitives.WriteInt64LittleEndian(span, wide);
                log.Append($"{site.Label} [{site.Position}]={wide}");
                break;
            default:
                int word = InterestingInt(bytes, random, BinaryPrimitives.ReadInt32LittleEndian(span));
                BinaryPrimitives.WriteInt32LittleEndian(span, word);
                log.Append($"{site.Label} [{site.Position}]={word}");
                break;
        }
    }

    /// <summary>Values that break offsets and lengths: extremes, the file's size, small and nearby numbers.</summary>
    private static int InterestingInt(byte[] bytes, Random random, int old) => random.Next(12) switch
    {
        0 => 0,
        1 => -1,
        2 => int.MaxValue,
        3 => int.MinValue,
        4 => bytes.Length,
        5 => bytes.Length / 4 + random.Next(-2, 3),
        6 => random.Next(-4, 17),
        7 => old + random.Next(-16, 17),
        8 => old * 2,
        9 => 1 << random.Next(31),
        _ => random.Next(int.MinValue, int.MaxValue),
    };
}
