using System.Diagnostics;

namespace TinyMl.Interpreter.Tests;

/// <summary>Runs the built `workbench` in a child process and captures what a user would see.</summary>
public static class WorkbenchProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "workbench.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"workbench {string.Join(" ", args)} did not finish in 120 s");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
