using System.Text.Json;

namespace TinyMl.Interpreter.Tests;

/// <summary>
/// MAC and parameter estimates against meta.json, whose macs_by_op and param_bytes were computed by an
/// independent tool from the same TFLM models.
/// </summary>
public class OperatorCostTests
{
    public static TheoryData<string> GoldenModels => new()
    {
        "hello_world_float", "hello_world_int8", "keyword_scrambled", "keyword_scrambled_8bit", "micro_speech_quantized",
        "person_detect", "trained_lstm", "trained_lstm_int8", "audio_preprocessor_int8",
    };

    [Theory]
    [MemberData(nameof(GoldenModels))]
    public void Macs_per_operator_type_equal_the_independent_count(string name)
    {
        var model = Model.Load(SharedData.ModelPath(name));
        using var meta = JsonDocument.Parse(File.ReadAllText(SharedData.GoldenPath(name, "meta.json")));
        var expected = meta.RootElement.GetProperty("macs_by_op").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());

        var actual = new Dictionary<string, long>();
        foreach (var op in model.MainSubgraph.Operators)
        {
            long macs = OperatorCost.Of(model.MainSubgraph, op).Macs;
            if (macs != 0) actual[op.Name] = actual.GetValueOrDefault(op.Name) + macs;
        }
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
        Assert.Equal(meta.RootElement.GetProperty("macs_estimate").GetInt64(), actual.Values.Sum());
    }
}
