using System.CommandLine;
using System.Text.Json;
using TinyMl.Interpreter;

namespace TinyMl.Cli;

public static class CliExit
{
    public const int Ok = 0;
    public const int InternalError = 1;
    public const int UserError = 2;
}

/// <summary>A mistake in how the command was called (missing file, wrong input count): reported as `error: …`, exit 2.</summary>
public sealed class CliException(string message) : Exception(message);

/// <summary>Loading and running models the way every command does it.</summary>
public static class CliModels
{
    /// <summary>Arena given to models when the user names none: large enough for the shared models, cheap to allocate.</summary>
    public const int DefaultArenaBytes = 64 << 20;

    public static Model Load(string path)
    {
        if (Directory.Exists(path))
            throw new CliException($"'{path}' is a directory; give the path of a .tflite file");
        if (!File.Exists(path))
            throw new CliException($"model file '{path}' not found");
        return Model.Load(path);
    }

    public static MicroInterpreter CreateInterpreter(Model model, int? arenaBytes, InterpreterOptions? options = null, KernelSet kernels = KernelSet.Optimized)
    {
        int arena = arenaBytes ?? DefaultArenaBytes;
        if (arena < 0)
            throw new CliException($"--arena must be a positive number of bytes, {arena} given");
        var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(kernels), arena, options);
        interpreter.AllocateTensors();
        return interpreter;
    }

    /// <summary>`--reference` on invoke and bench: TFLM's reference kernels instead of the optimized set.</summary>
    public static Option<bool> ReferenceOption() => new("--reference")
    {
        Description = "Run TFLM's reference kernels instead of the optimized ones (outputs are identical; only speed differs)",
    };

    public static string ModelName(string path) => Path.GetFileNameWithoutExtension(path);

    public static string TypeName(Tensor tensor) => TensorTypes.Name(tensor.Type);
}

/// <summary>JSON output: one object per command, indented, UTF-8 on stdout.</summary>
public static class JsonOutput
{
    public static void Write(Action<Utf8JsonWriter> body)
    {
        using var stream = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
    }

    public static void WriteIntArray(this Utf8JsonWriter writer, string name, IEnumerable<int> values)
    {
        writer.WriteStartArray(name);
        foreach (var v in values) writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }

    public static void WriteTensorSummary(this Utf8JsonWriter writer, Tensor tensor)
    {
        writer.WriteNumber("tensor_index", tensor.Index);
        writer.WriteString("name", tensor.Name);
        writer.WriteString("type", CliModels.TypeName(tensor));
        writer.WriteIntArray("shape", tensor.ShapeArray());
        writer.WriteNumber("bytes", tensor.ByteCount);
    }
}
