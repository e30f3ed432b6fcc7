using System.Buffers.Binary;
using System.Text;
using TinyMl.Interpreter.Audio;

namespace TinyMl.Interpreter.Tests;

/// <summary>RIFF/WAVE parsing: the chunk walk, and a typed error that says what is wrong.</summary>
public class WavFileTests
{
    private static byte[] Wav(ushort format = 1, ushort channels = 1, int rate = 16000, ushort bits = 16, short[]? samples = null,
        byte[]? extraChunk = null, int? dataSizeOverride = null)
    {
        samples ??= [1, -2, 300, short.MinValue];
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8); w.Write(0); w.Write("WAVE"u8);
        if (extraChunk is not null) w.Write(extraChunk);
        w.Write("fmt "u8); w.Write(16); w.Write(format); w.Write(channels); w.Write(rate); w.Write(rate * channels * bits / 8);
        w.Write((ushort)(channels * bits / 8)); w.Write(bits);
        w.Write("data"u8); w.Write(dataSizeOverride ?? samples.Length * 2);
        foreach (var s in samples) w.Write(s);
        w.Flush();
        var bytes = ms.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), bytes.Length - 8);
        return bytes;
    }

    [Fact]
    public void Reads_pcm16_samples_and_skips_unknown_chunks_with_odd_padding()
    {
        // A 3-byte LIST chunk is followed by one pad byte, which the reader must skip.
        byte[] list = [.. "LIST"u8, 3, 0, 0, 0, 1, 2, 3, 0];
        var wav = WavFile.Parse(Wav(extraChunk: list));
        Assert.Equal(16000, wav.SampleRate);
        Assert.Equal(1, wav.Channels);
        Assert.Equal(new short[] { 1, -2, 300, short.MinValue }, wav.Samples);
        Assert.Equal(4.0 / 16000, wav.Duration);
    }

    [Theory]
    [InlineData("not RIFF")]
    [InlineData("8-bit")]
    [InlineData("float format")]
    [InlineData("truncated data")]
    [InlineData("no data")]
    public void Malformed_or_unsupported_files_are_typed_errors_saying_why(string problem)
    {
        byte[] bytes = problem switch
        {
            "not RIFF" => Encoding.ASCII.GetBytes("RIFX....WAVEfmt "),
            "8-bit" => Wav(bits: 8),
            "float format" => Wav(format: 3),
            "truncated data" => Wav(dataSizeOverride: 1000),
            _ => Wav()[..36],
        };
        var e = Assert.Throws<WavFormatException>(() => WavFile.Parse(bytes, "clip.wav"));
        string expected = problem switch
        {
            "not RIFF" => "not a RIFF/WAVE file",
            "8-bit" => "8-bit samples; 16-bit PCM is needed",
            "float format" => "audio format 3 is not PCM",
            "truncated data" => "chunk 'data' at byte 36 declares 1000 bytes",
            _ => "no 'data' chunk",
        };
        Assert.StartsWith("clip.wav: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void MicroSpeech_refuses_stereo_or_other_rates_by_name()
    {
        using var speech = MicroSpeech.Load(SharedData.ModelPath("audio_preprocessor_int8"), SharedData.ModelPath("micro_speech_quantized"));
        var stereo = WavFile.Parse(Wav(channels: 2));
        Assert.Contains("16 kHz mono", Assert.Throws<ArgumentException>(() => speech.Recognize(stereo)).Message);
        var rate8k = WavFile.Parse(Wav(rate: 8000));
        Assert.Contains("8000 Hz", Assert.Throws<ArgumentException>(() => speech.Recognize(rate8k)).Message);
    }
}
