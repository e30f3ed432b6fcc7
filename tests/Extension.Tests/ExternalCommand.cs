using System.Diagnostics;
using TinyMl.Interpreter.Tests;

namespace TinyMl.Extension.Tests;

/// <summary>Runs another program (dotnet pack, Python's nbformat) and captures what it printed.</summary>
public static class ExternalCommand
{
    public static WorkbenchProcess.Result Run(string program, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(" ", args)} did not finish in {timeout.TotalSeconds:0} s");
        }
        return new WorkbenchProcess.Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
