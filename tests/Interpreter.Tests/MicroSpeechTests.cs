using System.Runtime.InteropServices;
using System.Text.Json;
using TinyMl.Interpreter.Audio;

namespace TinyMl.Interpreter.Tests;

/// <summary>
/// micro_speech's classifier on the features TFLM's own audio front end computed for each clip
/// (golden/micro_speech_pipeline/&lt;clip&gt;/features.bin): raw output bytes and the predicted word
/// must be TFLM's; and the whole flow from the WAV: the front end's features byte for byte, and
/// the word TFLM's micro_speech_test expects.
/// </summary>
public class MicroSpeechTests
{
    public static TheoryData<string> Clips() => new() { "yes_1000ms", "no_1000ms", "silence_1000ms", "noise_1000ms" };

    [Theory]
    [MemberData(nameof(Clips))]
    public void Classifier_gives_TFLMs_scores_and_word_for_each_clip(string clip)
    {
        string dir = Path.Combine(SharedData.Golden, "micro_speech_pipeline", clip);
        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "meta.json")));
        var labels = meta.RootElement.GetProperty("category_labels").EnumerateArray().Select(e => e.GetString()!).ToArray();

        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("micro_speech_quantized")), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(File.ReadAllBytes(Path.Combine(dir, "features.bin")));
        interpreter.Invoke();

        var output = interpreter.Output(0);
        GoldenModelTests.AssertOutputMatches(output, File.ReadAllBytes(Path.Combine(dir, "output0.bin")), clip);
        var scores = output.ToArray<sbyte>();
        int best = Array.IndexOf(scores, scores.Max());
        Assert.Equal(meta.RootElement.GetProperty("predicted_category").GetString(), labels[best]);
        Assert.True(interpreter.ArenaUsedBytes <= meta.RootElement.GetProperty("micro_speech_arena_used_bytes").GetInt32());
    }

    private static string ClipDir(string clip) => Path.Combine(SharedData.Golden, "micro_speech_pipeline", clip);
    private static string Wav(string clip) => Path.Combine(SharedData.TestData, clip + ".wav");

    private static MicroSpeech NewMicroSpeech() =>
        MicroSpeech.Load(SharedData.ModelPath("audio_preprocessor_int8"), SharedData.ModelPath("micro_speech_quantized"));

    [Theory]
    [MemberData(nameof(Clips))]
    public void Wav_reader_gives_the_clips_samples(string clip)
    {
        var wav = WavFile.Read(Wav(clip));
        Assert.Equal(16000, wav.SampleRate);
        Assert.Equal(1, wav.Channels);
        Assert.Equal(File.ReadAllBytes(Path.Combine(ClipDir(clip), "audio_int16.bin")), MemoryMarshal.AsBytes(wav.Samples.AsSpan()).ToArray());
    }

    [Theory]
    [MemberData(nameof(Clips))]
    public void Front_end_gives_TFLMs_features_for_every_window(string clip)
    {
        var samples = WavFile.Read(Wav(clip)).Samples;
        // The windows are the ones TFLM fed its preprocessor: 480 samples every 320.
        var windows = MemoryMarshal.Cast<byte, short>(File.ReadAllBytes(Path.Combine(ClipDir(clip), "preproc_inputs_all_windows.bin")));
        for (int w = 0; w < MicroSpeech.WindowCount; w++)
            Assert.True(windows.Slice(w * 480, 480).SequenceEqual(samples.AsSpan(w * MicroSpeech.StrideSamples, MicroSpeech.WindowSamples)), $"window {w}");

        using var speech = NewMicroSpeech();
        var features = speech.ComputeFeatures(samples);
        var expected = File.ReadAllBytes(Path.Combine(ClipDir(clip), "features.bin"));
        var actual = MemoryMarshal.AsBytes(features.AsSpan()).ToArray();
        int mismatch = Enumerable.Range(0, expected.Length).FirstOrDefault(i => actual[i] != expected[i], -1);
        Assert.True(mismatch < 0, mismatch < 0 ? "" : $"{clip}: window {mismatch / 40} feature {mismatch % 40} is {(sbyte)actual[mismatch]}, TFLM gives {(sbyte)expected[mismatch]}");
    }

    [Theory]
    [InlineData("yes_30ms")]
    [InlineData("no_30ms")]
    public void Front_end_gives_TFLMs_features_for_a_single_30ms_window(string clip)
    {
        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("audio_preprocessor_int8")), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        var samples = WavFile.Read(Wav(clip)).Samples;
        Assert.Equal(File.ReadAllBytes(Path.Combine(ClipDir(clip), "preproc_input.bin")), MemoryMarshal.AsBytes(samples.AsSpan()).ToArray());
        interpreter.Input(0).CopyFrom(samples);
        interpreter.Invoke();
        GoldenModelTests.AssertOutputMatches(interpreter.Output(0), File.ReadAllBytes(Path.Combine(ClipDir(clip), "preproc_output.bin")), clip);
    }

    [Theory]
    [MemberData(nameof(Clips))]
    public void Recognize_takes_a_wav_to_the_word_TFLMs_test_expects(string clip)
    {
        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(ClipDir(clip), "meta.json")));
        using var speech = NewMicroSpeech();
        using var stream = File.OpenRead(Wav(clip));
        var result = speech.Recognize(stream);
        Assert.Equal(meta.RootElement.GetProperty("test_expected_category").GetString(), result.Category);
        Assert.Equal(File.ReadAllBytes(Path.Combine(ClipDir(clip), "output0.bin")), MemoryMarshal.AsBytes(result.Output.AsSpan()).ToArray());
        var scores = meta.RootElement.GetProperty("scores").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(scores, result.Scores);
    }

    [Fact]
    public void Recognize_gives_yes_no_silence_silence_for_the_four_clips_in_one_instance()
    {
        // One MicroSpeech for all clips: each clip starts from a fresh noise estimate, as in TFLM's test.
        using var speech = NewMicroSpeech();
        var words = new[] { "yes_1000ms", "no_1000ms", "silence_1000ms", "noise_1000ms" }.Select(c => speech.Recognize(Wav(c)).Category);
        Assert.Equal(["yes", "no", "silence", "silence"], words);
    }

    [Fact]
    public void Recognize_refuses_audio_shorter_than_49_windows()
    {
        using var speech = NewMicroSpeech();
        var e = Assert.Throws<ArgumentException>(() => speech.Recognize(Wav("yes_30ms")));
        Assert.Contains("at least 15840 samples", e.Message);
    }
}
