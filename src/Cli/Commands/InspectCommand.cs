using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TinyMl.Interpreter;

namespace TinyMl.Cli.Commands;

/// <summary>`workbench inspect MODEL [--json]`: what is in a model, without running it.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "Path of a .tflite file" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables" };
        var command = new Command("inspect", "Show a model's subgraphs, operators, tensors and metadata") { model, json };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(json)));
        return command;
    }

    public static int Run(string path, bool json)
    {
        var model = CliModels.Load(path);
        if (json) WriteJson(path, model);
        else WriteTables(path, model);
        return CliExit.Ok;
    }

    private static void WriteJson(string path, Model model) => JsonOutput.Write(w =>
    {
        w.WriteString("model", CliModels.ModelName(path));
        w.WriteString("path", path);
        w.WriteNumber("file_bytes", model.Bytes.Length);
        w.WriteNumber("version", model.Version);
        w.WriteString("description", model.Description);
        w.WriteStartArray("subgraphs");
        foreach (var sg in model.Subgraphs)
        {
            w.WriteStartObject();
            w.WriteNumber("index", sg.Index);
            w.WriteString("name", sg.Name);
            w.WriteIntArray("inputs", sg.Inputs);
            w.WriteIntArray("outputs", sg.Outputs);
            w.WriteStartArray("operators");
            foreach (var op in sg.Operators)
            {
                w.WriteStartObject();
                w.WriteNumber("index", op.Index);
                w.WriteString("op", op.Name);
                w.WriteNumber("version", op.Code.Version);
                w.WriteIntArray("inputs", op.Inputs);
                w.WriteIntArray("outputs", op.Outputs);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("tensors");
            foreach (var t in sg.Tensors)
            {
                w.WriteStartObject();
                w.WriteNumber("index", t.Index);
                w.WriteString("name", t.Name);
                w.WriteString("type", TensorTypes.Name(t.Type));
                w.WriteIntArray("shape", t.Shape);
                if (t.Quantization is { } q)
                {
                    w.WriteStartObject("quantization");
                    w.WriteStartArray("scale");
                    foreach (var s in q.Scales) w.WriteNumberValue(s);
                    w.WriteEndArray();
                    w.WriteIntArray("zero_point", q.ZeroPoints);
                    w.WriteNumber("quantized_dimension", q.QuantizedDimension);
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteNull("quantization");
                }
                w.WriteNumber("bytes", t.ByteCount);
                w.WriteBoolean("constant", t.IsConstant);
                w.WriteBoolean("variable", t.IsVariable);
                w.WriteNumber("buffer", t.BufferIndex);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("metadata");
        foreach (var (name, _) in model.Metadata) w.WriteStringValue(name);
        w.WriteEndArray();
    });

    private static void WriteTables(string path, Model model)
    {
        var console = ConsoleOutput.Create();
        console.MarkupLine($"[bold]{Markup.Escape(path)}[/]: {model.Bytes.Length:N0} bytes, schema version {model.Version}, {model.Subgraphs.Count} subgraph(s)");
        if (model.Description.Length > 0) console.MarkupLine($"description: {Markup.Escape(model.Description)}");
        foreach (var sg in model.Subgraphs)
        {
            console.WriteLine();
            console.MarkupLine($"[bold]subgraph {sg.Index}[/] " + Markup.Escape($"'{sg.Name}': inputs [{string.Join(", ", sg.Inputs)}], outputs [{string.Join(", ", sg.Outputs)}]"));
            var ops = new Table().Title("operators").AddColumns("#", "op", "inputs", "outputs");
            foreach (var op in sg.Operators)
                ops.AddRow(op.Index.ToString(), Markup.Escape(op.Name), string.Join(", ", op.Inputs), string.Join(", ", op.Outputs));
            console.Write(ops);
            var tensors = new Table().Title("tensors").AddColumns("#", "name", "type", "shape", "quantization", "bytes", "kind");
            foreach (var t in sg.Tensors)
            {
                string kind = t.IsVariable ? "variable" : t.IsConstant ? "constant" : "activation";
                tensors.AddRow(t.Index.ToString(), Markup.Escape(t.Name), TensorTypes.Name(t.Type), $"[[{string.Join(",", t.Shape)}]]",
                    Markup.Escape(t.Quantization?.ToString() ?? "-"), t.ByteCount.ToString("N0"), kind);
            }
            console.Write(tensors);
        }
        console.WriteLine();
        console.MarkupLine("metadata: " + (model.Metadata.Count == 0 ? "none" : Markup.Escape(string.Join(", ", model.Metadata.Select(m => m.Key)))));
    }
}

/// <summary>Spectre console that stays readable when piped (fixed width, no colour codes in files).</summary>
internal static class ConsoleOutput
{
    public static IAnsiConsole Create() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Out),
        Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
        ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        Interactive = InteractionSupport.No,
    }).WithWidth(Console.IsOutputRedirected ? 160 : null);

    private static IAnsiConsole WithWidth(this IAnsiConsole console, int? width)
    {
        if (width is { } w) console.Profile.Width = w;
        return console;
    }
}
