using System.CommandLine;
using System.Globalization;
using System.Text;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using Tensor = TinyMl.Interpreter.Tensor;

namespace TinyMl.Cli.Commands;

/// <summary>
/// `workbench invoke MODEL (--input FILE ... | --input-csv FILE ...) --out DIR [--output-csv] [--arena BYTES]`:
/// one inference on raw (or comma-separated) input files.
/// </summary>
public static class InvokeCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "Path of a .tflite file" };
        var inputs = new Option<string[]>("--input")
        {
            Description = "Raw little-endian bytes of one input tensor; repeat once per input, in order",
            AllowMultipleArgumentsPerToken = false,
        };
        var csvInputs = new Option<string[]>("--input-csv")
        {
            Description = "One input tensor's values as comma-separated numbers (stored values, flattened); repeat once per input, in order",
            AllowMultipleArgumentsPerToken = false,
        };
        var output = new Option<string>("--out") { Description = "Directory to write output<i>.bin into", Required = true };
        var csvOutput = new Option<bool>("--output-csv") { Description = "Also write each output's values as DIR/output<i>.csv" };
        var arena = new Option<int?>("--arena") { Description = "Arena size in bytes (default 64 MiB)" };
        var reference = CliModels.ReferenceOption();
        var command = new Command("invoke", "Run a model once on raw or CSV input files and write its outputs")
            { model, inputs, csvInputs, output, csvOutput, arena, reference };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(inputs) ?? [], r.GetValue(output)!, r.GetValue(arena),
            r.GetValue(csvInputs) ?? [], r.GetValue(csvOutput), r.GetValue(reference) ? KernelSet.Reference : KernelSet.Optimized));
        return command;
    }

    public static int Run(string path, string[] inputFiles, string outDir, int? arenaBytes, string[] csvFiles, bool writeCsv,
        KernelSet kernels = KernelSet.Optimized)
    {
        if (inputFiles.Length > 0 && csvFiles.Length > 0)
            throw new CliException("give the inputs either as --input (raw bytes) or as --input-csv, not both");
        bool csv = csvFiles.Length > 0;
        var files = csv ? csvFiles : inputFiles;
        var model = CliModels.Load(path);
        int expected = model.MainSubgraph.Inputs.Length;
        if (files.Length != expected)
            throw new CliException($"the model has {expected} input tensor(s), {files.Length} {(csv ? "--input-csv" : "--input")} file(s) given");
        foreach (var file in files)
            if (!File.Exists(file))
                throw new CliException($"input file '{file}' not found");

        using var interpreter = CliModels.CreateInterpreter(model, arenaBytes, kernels: kernels);
        for (int i = 0; i < files.Length; i++)
        {
            var tensor = interpreter.Input(i);
            byte[] data = csv ? TensorCsv.Parse(File.ReadAllText(files[i]), tensor, files[i], i) : File.ReadAllBytes(files[i]);
            if (data.Length != tensor.ByteCount)
                throw new CliException($"input {i} ('{tensor.Name}') is {CliModels.TypeName(tensor)}[{string.Join(",", tensor.ShapeArray())}] = {tensor.ByteCount:N0} bytes, but '{files[i]}' has {data.Length:N0} bytes");
            tensor.CopyFrom<byte>(data);
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
        var outputs = new string[interpreter.Outputs.Count];
        var csvOutputs = new string?[outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            outputs[i] = Path.Combine(outDir, $"output{i}.bin");
            File.WriteAllBytes(outputs[i], interpreter.Output(i).Bytes.ToArray());
            if (writeCsv)
            {
                csvOutputs[i] = Path.Combine(outDir, $"output{i}.csv");
                File.WriteAllText(csvOutputs[i]!, TensorCsv.Format(interpreter.Output(i)));
            }
        }

        JsonOutput.Write(w =>
        {
            w.WriteString("model", CliModels.ModelName(path));
            w.WriteNumber("arena_used_bytes", interpreter.ArenaUsedBytes);
            if (!interpreter.LastInvokeCompleted)
            {
                // A streaming model's CIRCULAR_BUFFER ended the run early (TFLM's kTfLiteAbort): the outputs are not new.
                w.WriteBoolean("completed", false);
                w.WriteNumber("ended_at_operator", interpreter.LastInvokeEndedAt);
            }
            w.WriteStartArray("outputs");
            for (int i = 0; i < outputs.Length; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("index", i);
                w.WriteTensorSummary(interpreter.Output(i));
                w.WriteString("file", outputs[i]);
                if (csvOutputs[i] is { } c) w.WriteString("csv", c);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
        return CliExit.Ok;
    }
}

/// <summary>
/// Tensor values as text, the form of TFLite's layer goldens: numbers separated by commas (or any
/// whitespace), flattened in row-major order, stored values (not dequantized).
/// </summary>
public static class TensorCsv
{
    /// <summary>The tensor's bytes for the numbers in <paramref name="text"/>; a number that does not fit the type is an error naming it.</summary>
    public static byte[] Parse(string text, Tensor tensor, string file, int inputIndex)
    {
        var fields = text.Split([',', ' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != tensor.ElementCount)
            throw new CliException($"input {inputIndex} ('{tensor.Name}') is {CliModels.TypeName(tensor)}[{string.Join(",", tensor.ShapeArray())}] = {tensor.ElementCount:N0} values, but '{file}' has {fields.Length:N0}");
        int size = TensorTypes.ElementSize(tensor.Type);
        var bytes = new byte[fields.Length * size];
        for (int i = 0; i < fields.Length; i++)
        {
            var target = bytes.AsSpan(i * size, size);
            bool ok = tensor.Type switch
            {
                TensorType.FLOAT32 => Write(target, fields[i], float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var f), f),
                TensorType.FLOAT64 => Write(target, fields[i], double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var d), d),
                TensorType.INT8 => Write(target, fields[i], sbyte.TryParse(fields[i], CultureInfo.InvariantCulture, out var s8), s8),
                TensorType.UINT8 => Write(target, fields[i], byte.TryParse(fields[i], CultureInfo.InvariantCulture, out var u8), u8),
                TensorType.INT16 => Write(target, fields[i], short.TryParse(fields[i], CultureInfo.InvariantCulture, out var s16), s16),
                TensorType.UINT16 => Write(target, fields[i], ushort.TryParse(fields[i], CultureInfo.InvariantCulture, out var u16), u16),
                TensorType.INT32 => Write(target, fields[i], int.TryParse(fields[i], CultureInfo.InvariantCulture, out var s32), s32),
                TensorType.UINT32 => Write(target, fields[i], uint.TryParse(fields[i], CultureInfo.InvariantCulture, out var u32), u32),
                TensorType.INT64 => Write(target, fields[i], long.TryParse(fields[i], CultureInfo.InvariantCulture, out var s64), s64),
                TensorType.BOOL => Write(target, fields[i], fields[i] is "0" or "1" or "true" or "false", fields[i] is "1" or "true"),
                _ => throw new CliException($"input {inputIndex} ('{tensor.Name}') is {CliModels.TypeName(tensor)}; CSV input supports float32/64, int8/16/32/64, uint8/16/32 and bool"),
            };
            if (!ok)
                throw new CliException($"'{file}' value {i + 1} ('{fields[i]}') is not a {CliModels.TypeName(tensor)} number (input {inputIndex}, '{tensor.Name}')");
        }
        return bytes;
    }

    private static bool Write<T>(Span<byte> target, string field, bool parsed, T value) where T : unmanaged
    {
        if (parsed) System.Runtime.InteropServices.MemoryMarshal.Write(target, in value);
        return parsed;
    }

    /// <summary>The tensor's stored values, comma-separated, one line; floats round-trip exactly.</summary>
    public static string Format(Tensor tensor)
    {
        var text = new StringBuilder();
        int n = tensor.ElementCount;
        for (int i = 0; i < n; i++)
        {
            if (i > 0) text.Append(',');
            text.Append(tensor.Type switch
            {
                TensorType.FLOAT32 => tensor.AsReadOnlySpan<float>()[i].ToString("R", CultureInfo.InvariantCulture),
                TensorType.FLOAT64 => tensor.AsReadOnlySpan<double>()[i].ToString("R", CultureInfo.InvariantCulture),
                TensorType.INT8 => tensor.AsReadOnlySpan<sbyte>()[i].ToString(CultureInfo.InvariantCulture),
                TensorType.UINT8 or TensorType.BOOL => tensor.Bytes[i].ToString(CultureInfo.InvariantCulture),
                TensorType.INT16 => tensor.AsReadOnlySpan<short>()[i].ToString(CultureInfo.InvariantCulture),
                TensorType.UINT16 => tensor.AsReadOnlySpan<ushort>()[i].ToString(CultureInfo.InvariantCulture),
                TensorType.INT32 => tensor.AsReadOnlySpan<int>()[i].ToString(CultureInfo.InvariantCulture),
                TensorType.UINT32 => tensor.AsReadOnlySpan<uint>()[i].ToString(CultureInfo.InvariantCulture),
                TensorType.INT64 => tensor.AsReadOnlySpan<long>()[i].ToString(CultureInfo.InvariantCulture),
                _ => throw new CliException($"output '{tensor.Name}' is {CliModels.TypeName(tensor)}; CSV output supports float32/64, int8/16/32/64, uint8/16/32 and bool"),
            });
        }
        text.Append('\n');
        return text.ToString();
    }
}
