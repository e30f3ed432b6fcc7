using System.CommandLine;
using Spectre.Console;
using TinyMl.Interpreter;
using TinyMl.Workbench;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Cli.Commands;

/// <summary>
/// `workbench` / `workbench demo`: the project's own sine models (trained and quantized by
/// tools/SineModel, embedded from data/) run through the interpreter, with their arena use.
/// </summary>
public static class DemoCommand
{
    private const int Points = 9;
    /// <summary>Where the demo writes its page: the current directory, like `report`.</summary>
    public const string DemoPage = "workbench-demo.html";

    public static Command Create()
    {
        var command = new Command("demo", "Run the built-in sine models (float32 and int8) and show predictions and arena use");
        command.SetAction(_ => Run());
        return command;
    }

    public static int Run()
    {
        var floatModel = Model.FromBytes(ReadResource("sine_float.tflite"), "sine_float.tflite (built in)");
        var int8Model = Model.FromBytes(ReadResource("sine_int8.tflite"), "sine_int8.tflite (built in)");
        using var floatRun = new MicroInterpreter(floatModel, OpResolver.WithAllBuiltins(), 4096);
        using var int8Run = new MicroInterpreter(int8Model, OpResolver.WithAllBuiltins(), 4096);
        floatRun.AllocateTensors();
        int8Run.AllocateTensors();

        var console = ConsoleOutput.Create();
        console.MarkupLine("[bold]TinyML Workbench[/]: a 1-16-16-1 network trained to approximate sin(x), run by the C# TFLM runtime");
        var table = new Table().AddColumns("x", "sin(x)", "float32 model", "int8 model");
        double worstFloat = 0, worstInt8 = 0;
        for (int i = 0; i < Points; i++)
        {
            float x = (float)(2 * Math.PI * i / (Points - 1));
            float expected = MathF.Sin(x);
            float fromFloat = PredictFloat(floatRun, x);
            float fromInt8 = PredictInt8(int8Run, x);
            worstFloat = Math.Max(worstFloat, Math.Abs(fromFloat - expected));
            worstInt8 = Math.Max(worstInt8, Math.Abs(fromInt8 - expected));
            table.AddRow($"{x:F3}", $"{expected:F3}", $"{fromFloat:F3}", $"{fromInt8:F3}");
        }
        console.Write(table);
        console.MarkupLine($"largest error at these points: float32 {worstFloat:F3}, int8 {worstInt8:F3}");
        console.MarkupLine($"arena used: float32 {floatRun.ArenaUsedBytes:N0} bytes (model {floatModel.Bytes.Length:N0} bytes), " +
                           $"int8 {int8Run.ArenaUsedBytes:N0} bytes (model {int8Model.Bytes.Length:N0} bytes)");
        // The workbench itself: every view of both models, and where the int8 model departs from the float one.
        const double parityX = 1.0;
        var parity = ParityReport.Compare(
            TensorSet.Capture(floatModel, run => RealInput.Set(run.Input(0), [parityX]), $"float32 model, x = {parityX}"),
            TensorSet.Capture(int8Model, run => RealInput.Set(run.Input(0), [parityX]), $"int8 model, x = {parityX}"));
        ReportCommand.WritePage(DemoPage, "TinyML Workbench: the sine models",
            ModelReport.Of(int8Model, profileRuns: 50), parity, ModelReport.Of(floatModel, profileRuns: 50));
        console.MarkupLine($"the workbench's views of both models (summary, graph, arena plans, memory, profile) and int8 against float layer by layer: [bold]{Markup.Escape(Path.GetFullPath(DemoPage))}[/] (open it in a browser)");
        console.MarkupLine("next: [grey]workbench inspect|invoke|bench|plan|report MODEL[/] on any .tflite file (see workbench --help)");
        return CliExit.Ok;
    }

    private static float PredictFloat(MicroInterpreter interpreter, float x)
    {
        interpreter.Input(0).AsSpan<float>()[0] = x;
        interpreter.Invoke();
        return interpreter.Output(0).AsReadOnlySpan<float>()[0];
    }

    private static float PredictInt8(MicroInterpreter interpreter, float x)
    {
        var input = interpreter.Input(0);
        var output = interpreter.Output(0);
        int q = (int)MathF.Round(x / input.Scale, MidpointRounding.AwayFromZero) + input.ZeroPoint;
        input.AsSpan<sbyte>()[0] = (sbyte)Math.Clamp(q, sbyte.MinValue, sbyte.MaxValue);
        interpreter.Invoke();
        return (output.AsReadOnlySpan<sbyte>()[0] - output.ZeroPoint) * output.Scale;
    }

    private static byte[] ReadResource(string name)
    {
        using var stream = typeof(DemoCommand).Assembly.GetManifestResourceStream(name)
            ?? throw new CliException($"the built-in model {name} is missing from this build; run 'dotnet run --project tools/SineModel -- --out data' and rebuild");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
