using System.Text.Json;

namespace TinyMl.Interpreter.Tests;

/// <summary>
/// micro_speech's classifier on the features TFLM's own audio front end computed for each clip
/// (golden/micro_speech_pipeline/&lt;clip&gt;/features.bin): raw output bytes and the predicted word
/// must be TFLM's. (The front end itself needs the signal custom ops of a later issue.)
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
}
