using System.Text.Json;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests;

/// <summary>
/// The oracle is TFLM itself: ../shared/data/golden/&lt;model&gt;/ holds its outputs for the shared input
/// rule, a second Invoke, and its arena_used_bytes. Integer outputs must match byte for byte.
/// </summary>
public class GoldenModelTests
{
    // micro_speech_pipeline is not a model but a folder of end-to-end clips (MicroSpeechTests).
    private static readonly string[] NotHere = ["micro_speech_pipeline"];

    public static TheoryData<string> GoldenModels()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(SharedData.Golden).Select(Path.GetFileName).Order())
            if (!NotHere.Contains(dir)) data.Add(dir!);
        return data;
    }

    private static MicroInterpreter NewInterpreter(string model, int arena = 1 << 20)
    {
        var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath(model)), OpResolver.WithAllBuiltins(), arena);
        interpreter.AllocateTensors();
        return interpreter;
    }

    private static void LoadInputs(MicroInterpreter interpreter, string model, string prefix = "")
    {
        for (int i = 0; i < interpreter.Inputs.Count; i++)
            interpreter.Input(i).CopyFrom(File.ReadAllBytes(SharedData.GoldenPath(model, $"{prefix}input{i}.bin")));
    }

    internal static void AssertOutputMatches(Tensor output, byte[] expected, string what)
    {
        Assert.Equal(expected.Length, output.ByteCount);
        if (output.Type == TensorType.FLOAT32)
        {
            var actual = output.ToArray<float>();
            var wanted = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(expected).ToArray();
            for (int i = 0; i < wanted.Length; i++)
            {
                float tolerance = 1e-5f * Math.Max(Math.Abs(wanted[i]), 1e-3f);
                Assert.True(Math.Abs(actual[i] - wanted[i]) <= tolerance,
                    $"{what}: element {i} is {actual[i]:R}, TFLM gives {wanted[i]:R}");
            }
        }
        else
        {
            var actual = output.Bytes.ToArray();
            int mismatch = Enumerable.Range(0, expected.Length).FirstOrDefault(i => actual[i] != expected[i], -1);
            Assert.True(mismatch < 0, mismatch < 0 ? "" :
                $"{what}: byte {mismatch} is {actual[mismatch]}, TFLM gives {expected[mismatch]} ({expected.Where((b, i) => b != actual[i]).Count()} of {expected.Length} bytes differ)");
        }
    }

    [Theory]
    [MemberData(nameof(GoldenModels))]
    public void Reference_inputs_follow_the_shared_rule(string model)
    {
        using var interpreter = NewInterpreter(model);
        ReferenceInputs.Fill(interpreter);
        for (int i = 0; i < interpreter.Inputs.Count; i++)
            Assert.Equal(File.ReadAllBytes(SharedData.GoldenPath(model, $"input{i}.bin")), interpreter.Input(i).Bytes.ToArray());
    }

    [Theory]
    [MemberData(nameof(GoldenModels))]
    public void First_and_second_invoke_match_TFLM(string model)
    {
        using var interpreter = NewInterpreter(model);
        LoadInputs(interpreter, model);
        interpreter.Invoke();
        for (int i = 0; i < interpreter.Outputs.Count; i++)
            AssertOutputMatches(interpreter.Output(i), File.ReadAllBytes(SharedData.GoldenPath(model, $"output{i}.bin")), $"{model} output {i}");

        LoadInputs(interpreter, model);
        interpreter.Invoke();
        for (int i = 0; i < interpreter.Outputs.Count; i++)
            AssertOutputMatches(interpreter.Output(i), File.ReadAllBytes(SharedData.GoldenPath(model, $"output{i}.invoke2.bin")), $"{model} second invoke output {i}");
    }

    [Theory]
    [MemberData(nameof(GoldenModels))]
    public void Reset_brings_back_the_first_invoke(string model)
    {
        using var interpreter = NewInterpreter(model);
        LoadInputs(interpreter, model);
        interpreter.Invoke();
        LoadInputs(interpreter, model);
        interpreter.Invoke();
        interpreter.Reset();
        LoadInputs(interpreter, model);
        interpreter.Invoke();
        for (int i = 0; i < interpreter.Outputs.Count; i++)
            AssertOutputMatches(interpreter.Output(i), File.ReadAllBytes(SharedData.GoldenPath(model, $"output{i}.bin")), $"{model} after Reset, output {i}");
    }

    [Theory]
    [MemberData(nameof(GoldenModels))]
    public void Arena_is_no_larger_than_TFLMs(string model)
    {
        using var interpreter = NewInterpreter(model);
        using var meta = JsonDocument.Parse(File.ReadAllText(SharedData.GoldenPath(model, "meta.json")));
        int tflm = meta.RootElement.GetProperty("arena_used_bytes").GetInt32();
        Assert.True(interpreter.ArenaUsedBytes <= tflm, $"{model}: arena {interpreter.ArenaUsedBytes} bytes, TFLM uses {tflm}");
        // And that figure really is enough: an arena of exactly that size works.
        using var exact = NewInterpreter(model, interpreter.ArenaUsedBytes);
        Assert.Equal(interpreter.ArenaUsedBytes, exact.ArenaUsedBytes);
    }

    [Theory]
    [MemberData(nameof(GoldenModels))]
    public void Invoke_allocates_no_managed_memory(string model)
    {
        using var interpreter = NewInterpreter(model);
        LoadInputs(interpreter, model);
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }
}
