using System.CommandLine;
using TinyMl.Cli;
using TinyMl.Cli.Commands;
using TinyMl.Interpreter;

// `workbench`: inspect, run, benchmark and plan .tflite models with the TinyML Workbench runtime.
// User errors end with exit code 2 and one `error: ` line on stderr; no stack traces.
var root = new RootCommand("TinyML Workbench: run, inspect and measure .tflite models with a C# TensorFlow Lite Micro runtime.\n" +
                           "With no command, runs the built-in sine model (made by tools/SineModel) as a demo.");
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(InvokeCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(PlanCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(NotebookCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.SetAction(_ => DemoCommand.Run());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // The full command path ("workbench notebook run"), so the hint names the help that applies.
    var path = new List<string>();
    for (var result = parsed.CommandResult; result.Command != root && result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        path.Insert(0, result.Command.Name);
    string where = string.Join(" ", path.Prepend("workbench"));
        string message = string.Join(" ", parsed.Errors[0].Message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()));
    Console.Error.WriteLine($"error: {message} (see '{where} --help')");
    return CliExit.UserError;
}

try
{
    return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (CliException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return CliExit.UserError;
}
catch (ArenaTooSmallException e)
{
    Console.Error.WriteLine($"error: {e.Message} (pass --arena {e.RequiredBytes} or more)");
    return CliExit.UserError;
}
catch (TinyMlException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return CliExit.UserError;
}
catch (Exception e)
{
    // Not a user error: a bug in the workbench. Still one line, so scripts can rely on the format.
    Console.Error.WriteLine($"error: internal error ({e.GetType().Name}: {e.Message}); please report it with the model that caused it");
    return CliExit.InternalError;
}
