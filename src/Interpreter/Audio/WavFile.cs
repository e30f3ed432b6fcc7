using System.Buffers.Binary;
using System.Text;

namespace TinyMl.Interpreter.Audio;

/// <summary>A WAV file is not one the reader can use: not RIFF/WAVE, truncated, or not 16-bit PCM.</summary>
public sealed class WavFormatException : TinyMlException
{
    public WavFormatException(string source, string problem) : base($"{source}: {problem}") { }
}

/// <summary>
/// 16-bit PCM audio read from a RIFF/WAVE file: the 'fmt ' chunk (PCM or WAVE_FORMAT_EXTENSIBLE
/// with a PCM sub-format) and the 'data' chunk; other chunks are skipped. Samples of several
/// channels stay interleaved.
/// </summary>
public sealed class WavFile
{
    private const ushort FormatPcm = 1, FormatExtensible = 0xFFFE;

    public required int SampleRate { get; init; }
    public required int Channels { get; init; }
    public required short[] Samples { get; init; }

    /// <summary>Duration in seconds.</summary>
    public double Duration => Channels == 0 || SampleRate == 0 ? 0 : (double)Samples.Length / Channels / SampleRate;

    public static WavFile Read(string path) => Parse(File.ReadAllBytes(path), path);

    public static WavFile Read(Stream stream, string source = "WAV stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Parse(copy.ToArray(), source);
    }

    public static WavFile Parse(ReadOnlySpan<byte> bytes, string source = "WAV data")
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes.Slice(8, 4).SequenceEqual("WAVE"u8))
            throw new WavFormatException(source, "not a RIFF/WAVE file (the first 12 bytes are not 'RIFF', size, 'WAVE')");
        // The RIFF size may overstate a truncated file; chunks are read within what is really there.
        long riffEnd = Math.Min(8L + BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]), bytes.Length);

        int? format = null, channels = null, rate = null, bits = null;
        short[]? samples = null;
        long pos = 12;
        while (pos + 8 <= riffEnd)
        {
            string id = Encoding.ASCII.GetString(bytes.Slice((int)pos, 4));
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(int)(pos + 4)..]);
            long body = pos + 8;
            if (body + size > riffEnd)
                throw new WavFormatException(source, $"chunk '{id}' at byte {pos} declares {size} bytes but only {riffEnd - body} remain");
            var chunk = bytes.Slice((int)body, (int)size);
            if (id == "fmt ")
            {
                if (size < 16) throw new WavFormatException(source, $"'fmt ' chunk has {size} bytes, at least 16 expected");
                format = BinaryPrimitives.ReadUInt16LittleEndian(chunk);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(chunk[2..]);
                rate = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]), int.MaxValue);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(chunk[14..]);
                if (format == FormatExtensible && size >= 26)
                    format = BinaryPrimitives.ReadUInt16LittleEndian(chunk[24..]); // first two bytes of the sub-format GUID
            }
            else if (id == "data")
            {
                if (format is null) throw new WavFormatException(source, "'data' chunk comes before the 'fmt ' chunk");
                if (format != FormatPcm) throw new WavFormatException(source, $"audio format {format} is not PCM (1)");
                if (bits != 16) throw new WavFormatException(source, $"{bits}-bit samples; 16-bit PCM is needed");
                if (channels is not > 0) throw new WavFormatException(source, "the 'fmt ' chunk gives 0 channels");
                if (size % (2 * channels.Value) != 0)
                    throw new WavFormatException(source, $"'data' chunk of {size} bytes is not a whole number of {channels}-channel 16-bit frames");
                samples = new short[size / 2];
                for (int i = 0; i < samples.Length; i++)
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(chunk[(2 * i)..]);
                break;
            }
            pos = body + size + (size & 1); // chunks are padded to an even length
        }
        if (format is null) throw new WavFormatException(source, "no 'fmt ' chunk");
        if (samples is null) throw new WavFormatException(source, "no 'data' chunk");
        return new WavFile { SampleRate = rate!.Value, Channels = channels!.Value, Samples = samples };
    }
}
