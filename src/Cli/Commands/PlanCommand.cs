using System.CommandLine;
using Spectre.Console;
using TinyMl.Interpreter;

namespace TinyMl.Cli.Commands;

/// <summary>`workbench plan MODEL [--planner greedy|linear] [--json]`: the arena layout AllocateTensors settles on.</summary>
public static class PlanCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "Path of a .tflite file" };
        var planner = new Option<string>("--planner") { Description = "greedy (TFLM's default) or linear", DefaultValueFactory = _ => "greedy" };
        planner.AcceptOnlyFromAmong("greedy", "linear");
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table" };
        var arena = new Option<int?>("--arena") { Description = "Arena size in bytes (default 64 MiB)" };
        var command = new Command("plan", "Show the arena plan: where each tensor and scratch buffer lives, and when") { model, planner, json, arena };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(planner)!, r.GetValue(json), r.GetValue(arena)));
        return command;
    }

    public static int Run(string path, string plannerName, bool json, int? arenaBytes)
    {
        var kind = plannerName == "linear" ? MemoryPlannerKind.Linear : MemoryPlannerKind.Greedy;
        var model = CliModels.Load(path);
        using var interpreter = CliModels.CreateInterpreter(model, arenaBytes, new InterpreterOptions { Planner = kind });
        var plan = interpreter.Plan;
        if (json)
        {
            JsonOutput.Write(w =>
            {
                w.WriteString("model", CliModels.ModelName(path));
                w.WriteString("planner", plan.Planner);
                w.WriteNumber("operators", plan.OperatorCount);
                w.WriteNumber("head_bytes", plan.HeadBytes);
                w.WriteNumber("tail_bytes", plan.TailBytes);
                w.WriteNumber("arena_used_bytes", interpreter.ArenaUsedBytes);
                w.WriteNumber("unshared_bytes", plan.UnsharedBytes);
                w.WriteStartArray("buffers");
                foreach (var b in plan.Buffers)
                {
                    w.WriteStartObject();
                    w.WriteString("kind", KindName(b.Kind));
                    w.WriteNumber("id", b.Id);
                    w.WriteString("name", b.Name);
                    w.WriteNumber("bytes", b.Bytes);
                    w.WriteNumber("first_op", b.FirstOperator);
                    w.WriteNumber("last_op", b.LastOperator);
                    w.WriteNumber("offset", b.Offset);
                    w.WriteBoolean("offline", b.OfflinePlanned);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("persistent");
                foreach (var p in plan.PersistentBuffers)
                {
                    w.WriteStartObject();
                    w.WriteString("owner", p.Owner);
                    w.WriteNumber("bytes", p.Bytes);
                    w.WriteNumber("tail_offset", p.Offset);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return CliExit.Ok;
        }

        var console = ConsoleOutput.Create();
        var table = new Table().AddColumns("kind", "id", "name", "bytes", "ops", "offset", "end");
        foreach (var b in plan.Buffers.OrderBy(b => b.Offset).ThenBy(b => b.FirstOperator))
            table.AddRow(KindName(b.Kind), b.Id.ToString(), Markup.Escape(b.Name),
                b.Bytes.ToString("N0"), $"{b.FirstOperator}..{b.LastOperator}", b.Offset.ToString("N0"), (b.Offset + b.Bytes).ToString("N0"));
        console.Write(table);
        if (plan.PersistentBuffers.Count > 0)
        {
            var tail = new Table().Title("persistent tail").AddColumns("owner", "bytes", "offset in tail");
            foreach (var p in plan.PersistentBuffers)
                tail.AddRow(Markup.Escape(p.Owner), p.Bytes.ToString("N0"), p.Offset.ToString("N0"));
            console.Write(tail);
        }
        console.MarkupLine($"{plan.Planner} plan of {Markup.Escape(CliModels.ModelName(path))}: head {plan.HeadBytes:N0} bytes " +
                           $"(unshared {plan.UnsharedBytes:N0}), tail {plan.TailBytes:N0} bytes, arena used {interpreter.ArenaUsedBytes:N0} bytes");
        return CliExit.Ok;
    }

    /// <summary>"tensor" or "scratch"; a called subgraph's tensor is a tensor too (its name says which subgraph).</summary>
    private static string KindName(PlannedBufferKind kind) => kind == PlannedBufferKind.Scratch ? "scratch" : "tensor";
}
