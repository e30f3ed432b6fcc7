using System.Diagnostics;

namespace TinyMl.Extension.Tests;

/// <summary>
/// The extension packed once per test run by the same `dotnet pack` a user runs, into a folder of its
/// own: the folder a notebook names with #i or a nuget.config.
/// </summary>
public static class PackedExtension
{
    public const string PackageId = "TinyMl.Workbench.Interactive";
    /// <summary>The version notebooks name (Directory.Build.props).</summary>
    public const string Version = "0.1.0";

    private static readonly Lazy<string> Packed = new(Pack, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder holding the three .nupkg files.</summary>
    public static string Folder => Packed.Value;

    public static string Repository { get; } = FindRepository();

    public static string PackagePath(string id) => Path.Combine(Folder, $"{id}.{Version}.nupkg");

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static string Pack()
    {
        var folder = Directory.CreateTempSubdirectory("tinyml-packages-").FullName;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "pack", Path.Combine(Repository, "extensions", PackageId), "-c", Configuration, "-o", folder, "--nologo", "-nodeReuse:false" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet pack did not finish in 5 minutes");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet pack failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        return folder;
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "workbench.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (workbench.sln) above " + AppContext.BaseDirectory);
    }
}
