using System.Text.Json.Nodes;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Runs;
using TinyMl.Workbench.Tensors;
using TinyMl.Workbench.Tests.Views;
using Model = TinyMl.Interpreter.Model;

using TinyMl.Workbench.Tests.Security;

namespace TinyMl.Workbench.Tests.Tensors;

public class TensorSetTests
{
    private static byte[] PersonImage => File.ReadAllBytes(SharedData.GoldenPath("person_detect", "person.input0.bin"));

    private static TensorSet CapturePerson() =>
        TensorSet.Capture(Model.Load(SharedData.ModelPath("person_detect")), i => i.Input(0).CopyFrom(PersonImage), "person_detect");

    [Fact]
    public void Capture_holds_each_operators_output_as_it_was_written_although_the_arena_reuses_it()
    {
        var set = CapturePerson();
        // Oracle: an interpreter that gives every tensor bytes of its own keeps every intermediate to read afterwards.
        using var preserved = ArenaSizing.Allocate(Model.Load(SharedData.ModelPath("person_detect")), options: new InterpreterOptions { PreserveAllTensors = true });
        preserved.Input(0).CopyFrom(PersonImage);
        preserved.Invoke();

        var ops = preserved.Model.MainSubgraph.Operators;
        Assert.Equal(1 + ops.Sum(o => o.Outputs.Length), set.Count);
        Assert.Equal(PersonImage, set.Tensors[0].Bytes);
        Assert.Equal(TensorOrigin.ModelInput(0), set.Origins[0]);
        int position = 1;
        foreach (var op in ops)
            for (int slot = 0; slot < op.Outputs.Length; slot++, position++)
            {
                var tensor = preserved.Tensors[op.Outputs[slot]];
                Assert.Equal(tensor.Name, set.Tensors[position].Name);
                Assert.Equal(tensor.Index, set.Tensors[position].Index);
                Assert.Equal(tensor.Bytes.ToArray(), set.Tensors[position].Bytes);
                Assert.Equal(new TensorOrigin(op.Index, op.Name, slot), set.Origins[position]);
            }
        Assert.Equal(new sbyte[] { -113, 113 }, set.Tensors[^1].Bytes.Select(b => (sbyte)b));

        // With shared bytes, an early activation is overwritten by the end of the run: capturing as it runs is needed.
        using var shared = ArenaSizing.Allocate(Model.Load(SharedData.ModelPath("person_detect")));
        shared.Input(0).CopyFrom(PersonImage);
        shared.Invoke();
        Assert.Contains(Enumerable.Range(1, set.Count - 1), p => !shared.Tensors[set.Tensors[p].Index].Bytes.SequenceEqual(set.Tensors[p].Bytes));
    }

    [Fact]
    public void Capture_detaches_its_observer_and_keeps_calling_one_already_attached()
    {
        using var interpreter = ArenaSizing.Allocate(Model.Load(SharedData.ModelPath("hello_world_int8")));
        var mine = new CountingObserver();
        interpreter.Observer = mine;
        TensorSet.Capture(interpreter, "run");
        Assert.Same(mine, interpreter.Observer);
        Assert.Equal(3, mine.Calls);
    }

    private sealed class CountingObserver : IInvokeObserver
    {
        public int Calls;
        public void OperatorInvoked(Node node) => Calls++;
    }

    [Fact]
    public void Lookup_by_name_finds_the_tensor_and_an_unknown_name_says_what_the_set_has()
    {
        var set = CapturePerson();
        Assert.Equal(set.Tensors[^1], set["MobilenetV1/Predictions/Reshape_1"]);
        Assert.Null(set.Find("no such tensor"));
        var error = Assert.Throws<KeyNotFoundException>(() => set["no such tensor"]);
        Assert.Contains("'input'", error.Message);
        Assert.Equal(set.Tensors[^1], set.FindIndex(set.Tensors[^1].Index));
    }

    [Fact]
    public void Save_then_load_gives_identical_bytes_and_metadata()
    {
        var set = CapturePerson();
        // A per-channel quantized tensor too, so that every quantization field is written and read back.
        var weights = Model.Load(SharedData.ModelPath("person_detect")).MainSubgraph.Tensors.First(t => t.IsConstant && t.Quantization is { IsPerChannel: true });
        set = new TensorSet { Label = set.Label, ModelSource = set.ModelSource, Tensors = [.. set.Tensors, TensorData.From(weights)], Origins = [.. set.Origins, new TensorOrigin(99, "CONSTANT", 0)] };
        string directory = Directory.CreateTempSubdirectory("tmw-set").FullName;
        set.Save(directory);
        var loaded = TensorSet.Load(directory);

        Assert.Equal(set.Label, loaded.Label);
        Assert.Equal(set.ModelSource, loaded.ModelSource);
        Assert.Equal(set.Origins, loaded.Origins);
        Assert.Equal(set.Count, loaded.Count);
        for (int i = 0; i < set.Count; i++)
        {
            TensorData a = set.Tensors[i], b = loaded.Tensors[i];
            Assert.Equal(a.Bytes, b.Bytes);
            Assert.Equal(a.Name, b.Name);
            Assert.Equal(a.Index, b.Index);
            Assert.Equal(a.Type, b.Type);
            Assert.Equal(a.Shape, b.Shape);
            Assert.Equal(a.IsConstant, b.IsConstant);
            Assert.Equal(a.Quantization?.Scales, b.Quantization?.Scales);
            Assert.Equal(a.Quantization?.ZeroPoints, b.Quantization?.ZeroPoints);
            Assert.Equal(a.Quantization?.QuantizedDimension, b.Quantization?.QuantizedDimension);
        }
        Assert.True(loaded.Tensors[^1].Quantization!.IsPerChannel);
    }

    private static string SavedHelloWorld()
    {
        var set = TensorSet.Capture(Model.Load(SharedData.ModelPath("hello_world_int8")), i => RealInput.Set(i, 0, 1.0), "hello");
        string directory = Directory.CreateTempSubdirectory("tmw-set").FullName;
        set.Save(directory);
        return directory;
    }

    [Fact]
    public void A_missing_tensor_file_is_a_typed_error_naming_the_file()
    {
        string directory = SavedHelloWorld();
        File.Delete(Path.Combine(directory, "tensor0002.bin"));
        var error = Assert.Throws<TensorSetFileException>(() => TensorSet.Load(directory));
        Assert.EndsWith("tensor0002.bin", error.Path);
        Assert.Contains("missing", error.Problem);
    }

    [Fact]
    public void A_truncated_tensor_file_is_a_typed_error_giving_both_sizes()
    {
        string directory = SavedHelloWorld();
        string file = Path.Combine(directory, "tensor0001.bin");
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..10]);
        var error = Assert.Throws<TensorSetFileException>(() => TensorSet.Load(directory));
        Assert.Equal(file, error.Path);
        Assert.Contains("has 10 bytes", error.Problem);
        Assert.Contains("says 16", error.Problem);
    }

    [Fact]
    public void A_corrupted_tensor_file_of_the_right_size_is_caught_by_its_checksum()
    {
        string directory = SavedHelloWorld();
        string file = Path.Combine(directory, "tensor0001.bin");
        var bytes = File.ReadAllBytes(file);
        bytes[3] ^= 0x40;
        File.WriteAllBytes(file, bytes);
        var error = Assert.Throws<TensorSetFileException>(() => TensorSet.Load(directory));
        Assert.Equal(file, error.Path);
        Assert.Contains("SHA-256", error.Problem);
    }

    [Theory]
    [InlineData("missing manifest", "is missing")]
    [InlineData("not json", "is not valid JSON")]
    [InlineData("unknown type", "is not a TFLite tensor type")]
    [InlineData("shape and bytes disagree", "says 16 bytes, but int8[1,17] holds 17")]
    [InlineData("file outside the directory", "not a plain file name")]
    [InlineData("no shape", "field 'shape' is missing")]
    [InlineData("newer version", "this workbench reads version 1")]
    public void A_broken_manifest_is_a_typed_error_saying_what_is_wrong(string damage, string expected)
    {
        string directory = SavedHelloWorld();
        string manifest = Path.Combine(directory, TensorSetFiles.ManifestName);
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        var tensor = json["tensors"]![1]!;
        switch (damage)
        {
            case "missing manifest": File.Delete(manifest); break;
            case "not json": File.WriteAllText(manifest, "{\"tensors\": ["); break;
            case "unknown type": tensor["type"] = "INT9"; break;
            case "shape and bytes disagree": tensor["shape"] = new JsonArray(1, 17); break;
            case "file outside the directory": tensor["file"] = "../tensor0001.bin"; break;
            case "no shape": tensor.AsObject().Remove("shape"); break;
            case "newer version": json["version"] = 2; break;
        }
        if (damage is not ("missing manifest" or "not json")) File.WriteAllText(manifest, json.ToJsonString());
        var error = Assert.Throws<TensorSetFileException>(() => TensorSet.Load(directory));
        Assert.Contains(expected, error.Message);
        if (damage is "unknown type" or "shape and bytes disagree" or "no shape")
            Assert.Contains("tensor 1", error.Message);
    }

    [Fact]
    public void A_missing_directory_is_a_typed_error()
    {
        var error = Assert.Throws<TensorSetFileException>(() => TensorSet.Load(Path.Combine(Path.GetTempPath(), "tmw-no-such-set-" + Guid.NewGuid())));
        Assert.Contains("no such directory", error.Problem);
    }

    [Fact]
    public void File_names_come_from_positions_never_from_hostile_tensor_names()
    {
        var builder = new ModelBuilder();
        int input = builder.AddTensor("../../escape", TensorType.FLOAT32, [1, 2]);
        int output = builder.AddTensor("/etc/passwd", TensorType.FLOAT32, [1, 2]);
        builder.AddOperator(BuiltinOperator.RELU, [input], [output]);
        builder.SetInputs(input).SetOutputs(output);
        var set = TensorSet.Capture(builder.ToModel(), i => RealInput.Set(i, 0, -1, 2), HostileModels.Payloads[0]);
        string root = Directory.CreateTempSubdirectory("tmw-set").FullName;
        string directory = Path.Combine(root, "set");
        set.Save(directory);
        Assert.Equal(["manifest.json", "tensor0000.bin", "tensor0001.bin"], Directory.GetFiles(directory).Select(Path.GetFileName).Order());
        Assert.Equal(["set"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
        var loaded = TensorSet.Load(directory);
        Assert.Equal("/etc/passwd", loaded.Tensors[1].Name);
        Assert.Equal(new[] { 0.0, 2.0 }, loaded.Tensors[1].RealValues());
    }

    [Fact]
    public void Real_inputs_are_quantized_with_the_tensors_scale_and_zero_point_rounding_half_away_from_zero()
    {
        var builder = new ModelBuilder();
        int input = builder.AddTensor("in", TensorType.INT8, [1, 5], scales: [0.5f], zeroPoints: [3]);
        int output = builder.AddTensor("out", TensorType.INT8, [1, 5], scales: [0.5f], zeroPoints: [3]);
        builder.AddOperator(BuiltinOperator.RELU, [input], [output]);
        builder.SetInputs(input).SetOutputs(output);
        using var interpreter = ArenaSizing.Allocate(builder.ToModel());
        RealInput.Set(interpreter, 0, 1.25, -1.25, 0, 100, -100);
        // 1.25 / 0.5 = 2.5 → 3 (+3 = 6); −2.5 → −3 (+3 = 0); 0 → 3; out of range clamps to 127 / −128.
        Assert.Equal(new sbyte[] { 6, 0, 3, 127, -128 }, interpreter.Input(0).ToArray<sbyte>());
        Assert.Throws<TensorDataException>(() => RealInput.Set(interpreter, 0, 1.0));
    }
}
