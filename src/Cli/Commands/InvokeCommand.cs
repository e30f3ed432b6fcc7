using System.CommandLine;
using TinyMl.Interpreter;

namespace TinyMl.Cli.Commands;

/// <summary>`workbench invoke MODEL --input FILE [--input FILE ...] --out DIR [--arena BYTES]`: one inference on raw input files.</summary>
public static class InvokeCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "Path of a .tflite file" };
        var inputs = new Option<string[]>("--input")
        {
            Description = "Raw little-endian bytes of one input tensor; repeat once per input, in order",
            AllowMultipleArgumentsPerToken = false,
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "Directory to write output<i>.bin into", Required = true };
        var arena = new Option<int?>("--arena") { Description = "Arena size in bytes (default 64 MiB)" };
        var reference = CliModels.ReferenceOption();
        var command = new Command("invoke", "Run a model once on raw input files and write its outputs") { model, inputs, output, arena, reference };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(inputs)!, r.GetValue(output)!, r.GetValue(arena),
            r.GetValue(reference) ? KernelSet.Reference : KernelSet.Optimized));
        return command;
    }

    public static int Run(string path, string[] inputFiles, string outDir, int? arenaBytes, KernelSet kernels = KernelSet.Optimized)
    {
        var model = CliModels.Load(path);
        int expected = model.MainSubgraph.Inputs.Length;
        if (inputFiles.Length != expected)
            throw new CliException($"the model has {expected} input tensor(s), {inputFiles.Length} --input file(s) given");
        var data = new byte[inputFiles.Length][];
        for (int i = 0; i < inputFiles.Length; i++)
        {
            if (!File.Exists(inputFiles[i]))
                throw new CliException($"input file '{inputFiles[i]}' not found");
            data[i] = File.ReadAllBytes(inputFiles[i]);
        }

        using var interpreter = CliModels.CreateInterpreter(model, arenaBytes, kernels: kernels);
        for (int i = 0; i < data.Length; i++)
        {
            var tensor = interpreter.Input(i);
            if (data[i].Length != tensor.ByteCount)
                throw new CliException($"input {i} ('{tensor.Name}') is {CliModels.TypeName(tensor)}[{string.Join(",", tensor.ShapeArray())}] = {tensor.ByteCount:N0} bytes, but '{inputFiles[i]}' has {data[i].Length:N0} bytes");
            tensor.CopyFrom<byte>(data[i]);
        }
        interpreter.Invoke();

        try
        {
            Directory.CreateDirectory(outDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot create output directory '{outDir}' ({e.Message})");
        }
        var files = new string[interpreter.Outputs.Count];
        for (int i = 0; i < files.Length; i++)
        {
            files[i] = Path.Combine(outDir, $"output{i}.bin");
            File.WriteAllBytes(files[i], interpreter.Output(i).Bytes.ToArray());
        }

        JsonOutput.Write(w =>
        {
            w.WriteString("model", CliModels.ModelName(path));
            w.WriteNumber("arena_used_bytes", interpreter.ArenaUsedBytes);
            w.WriteStartArray("outputs");
            for (int i = 0; i < files.Length; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("index", i);
                w.WriteTensorSummary(interpreter.Output(i));
                w.WriteString("file", files[i]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
        return CliExit.Ok;
    }
}
