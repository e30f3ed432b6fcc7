using System.Globalization;
using System.Text.RegularExpressions;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests;

/// <summary>
/// TFLite's layer-by-layer goldens from TFLM's seanet integration test (../shared/data/seanet): each
/// single-layer model (16x8 activations; quantize also int32) run on its CSV inputs must land within
/// ±1 of TFLite's output everywhere, the tolerance TFLM's own test allows, and Invoke allocate nothing.
/// </summary>
public partial class SeanetLayerTests
{
    [GeneratedRegex(@"_input(\d+)_\w+\.csv$")]
    private static partial Regex InputFile();

    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(SharedData.Seanet, "*.tflite", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(SharedData.Seanet, f)).Order(StringComparer.Ordinal))
            data.Add(file);
        return data;
    }

    [Fact]
    public void All_127_layer_models_are_there()
    {
        Assert.Equal(127, Models().Count);
    }

    private static long[] ReadCsv(string path) =>
        File.ReadAllText(path).Split([',', '\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    [Theory]
    [MemberData(nameof(Models))]
    public void Layer_matches_TFLite_within_one(string relativePath)
    {
        string modelPath = Path.Combine(SharedData.Seanet, relativePath);
        string stem = modelPath[..^".tflite".Length];
        var inputs = Directory.GetFiles(Path.GetDirectoryName(modelPath)!, Path.GetFileName(stem) + "_input*_*.csv")
            .OrderBy(f => int.Parse(InputFile().Match(f).Groups[1].Value)).ToArray();
        string golden = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(modelPath)!, Path.GetFileName(stem) + "_golden_*.csv"));

        using var interpreter = new MicroInterpreter(Model.Load(modelPath), OpResolver.WithAllBuiltins(), 1 << 20);
        interpreter.AllocateTensors();
        Assert.Equal(inputs.Length, interpreter.Inputs.Count);
        for (int i = 0; i < inputs.Length; i++)
            Load(interpreter.Input(i), ReadCsv(inputs[i]));
        interpreter.Invoke();

        var expected = ReadCsv(golden);
        var actual = Values(interpreter.Output(0));
        Assert.Equal(expected.Length, actual.Length);
        int worst = Enumerable.Range(0, expected.Length).MaxBy(i => Math.Abs(actual[i] - expected[i]));
        Assert.True(Math.Abs(actual[worst] - expected[worst]) <= 1,
            $"{relativePath}: element {worst} is {actual[worst]}, TFLite gives {expected[worst]}");
        Assert.Equal(0, InvokeAllocations.Measure(interpreter, 1));
    }

    private static void Load(Tensor tensor, long[] values)
    {
        Assert.Equal(tensor.ElementCount, values.Length);
        switch (tensor.Type)
        {
            case TensorType.INT8: tensor.CopyFrom(values.Select(v => checked((sbyte)v)).ToArray()); break;
            case TensorType.INT16: tensor.CopyFrom(values.Select(v => checked((short)v)).ToArray()); break;
            case TensorType.INT32: tensor.CopyFrom(values.Select(v => checked((int)v)).ToArray()); break;
            default: throw new InvalidOperationException($"tensor {tensor} has a type the seanet goldens do not use");
        }
    }

    private static long[] Values(Tensor tensor) => tensor.Type switch
    {
        TensorType.INT8 => tensor.ToArray<sbyte>().Select(v => (long)v).ToArray(),
        TensorType.INT16 => tensor.ToArray<short>().Select(v => (long)v).ToArray(),
        TensorType.INT32 => tensor.ToArray<int>().Select(v => (long)v).ToArray(),
        _ => throw new InvalidOperationException($"tensor {tensor} has a type the seanet goldens do not use"),
    };
}
