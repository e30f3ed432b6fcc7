namespace TinyMl.Interpreter.Tests;

/// <summary>
/// Locates ../shared/data beside the repository. The shared models are the oracle for most tests,
/// so their absence is a failure (with a message saying what is missing), never a silent skip.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Directory => Root.Value;
    public static string Models => Path.Combine(Directory, "models");
    public static string Golden => Path.Combine(Directory, "golden");
    public static string TestData => Path.Combine(Directory, "testdata");
    public static string Seanet => Path.Combine(Directory, "seanet");

    /// <summary>The repository's own root (the folder holding workbench.sln).</summary>
    public static string Repository => RepositoryRoot.Value;

    private static readonly Lazy<string> RepositoryRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "workbench.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (workbench.sln) above " + AppContext.BaseDirectory);
    });

    public static string ModelPath(string name) => Path.Combine(Models, name + ".tflite");
    public static string GoldenPath(string model, string file) => Path.Combine(Golden, model, file);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "workbench.sln")))
            {
                var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
                if (System.IO.Directory.Exists(shared)) return shared;
                throw new InvalidOperationException(
                    $"shared test data not found at {shared}: these tests need ../shared/data beside the repository (CI always provides it)");
            }
        }
        throw new InvalidOperationException("cannot find the repository root (workbench.sln) above " + AppContext.BaseDirectory);
    }
}
