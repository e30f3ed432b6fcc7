using System.CommandLine;
using TinyMl.Workbench.Notebooks;

namespace TinyMl.Cli.Commands;

/// <summary>
/// `workbench notebook run NOTEBOOK [--html OUT] [--ipynb OUT]`: runs every code cell of a C# notebook
/// in a kernel hosted in this process (the notebook's own #r lines load the workbench extension, as in
/// Jupyter), then writes the executed notebook and/or a self-contained HTML page.
/// </summary>
public static class NotebookCommand
{
    public static Command Create()
    {
        var notebook = new Argument<string>("NOTEBOOK") { Description = "Path of a .ipynb file (C# cells)" };
        var html = new Option<string?>("--html") { Description = "Write the executed notebook as one self-contained HTML page" };
        var ipynb = new Option<string?>("--ipynb") { Description = "Write the executed notebook (nbformat 4.5, with outputs)" };
        var run = new Command("run", "Run every code cell of a notebook in process and write the results") { notebook, html, ipynb };
        run.SetAction(r => Run(r.GetValue(notebook)!, r.GetValue(html), r.GetValue(ipynb)));
        return new Command("notebook", "Work with .NET Interactive (C#) notebooks") { run };
    }

    public static int Run(string path, string? htmlPath, string? ipynbPath)
    {
        if (Directory.Exists(path)) throw new CliException($"'{path}' is a directory; give the path of a .ipynb file");
        if (!File.Exists(path)) throw new CliException($"notebook '{path}' not found");
        JupyterNotebook notebook;
        try
        {
            notebook = JupyterNotebook.Read(path);
        }
        catch (NotebookFormatException e)
        {
            throw new CliException(e.Message);
        }
        // Outputs are named relative to where the command was started, not to the notebook's folder.
        string? html = htmlPath is null ? null : Path.GetFullPath(htmlPath);
        string? ipynb = ipynbPath is null ? null : Path.GetFullPath(ipynbPath);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;

        Console.WriteLine($"running {path} ({notebook.Cells.Count(c => c.IsCode)} code cells of {notebook.Cells.Count})");
        var result = NotebookRunner.RunAsync(notebook, folder, Report).GetAwaiter().GetResult();

        if (ipynb is not null) Write(ipynb, notebook.ToJson());
        if (html is not null) Write(html, NotebookPage.Of(notebook, Path.GetFileNameWithoutExtension(path)));
        if (result.Failed is { } failed)
        {
            var lines = (failed.Error ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Console.Error.WriteLine($"error: cell {failed.Number} ({failed.Cell.FirstLine}) failed: {lines.FirstOrDefault() ?? "no message"}");
            foreach (var line in lines.Skip(1)) Console.Error.WriteLine("  " + line);
            return CliExit.InternalError;
        }
        Console.WriteLine($"ran {result.Cells.Count} code cells in {result.Elapsed.TotalSeconds:0.0} s");
        return CliExit.Ok;
    }

    private static void Report(CellRun run) =>
        Console.WriteLine($"[{run.Number}/{run.CellCount}] {(run.Succeeded ? "ok    " : "FAILED")} {run.Elapsed.TotalSeconds,5:0.0} s  {Shorten(run.Cell.FirstLine)}");

    private static string Shorten(string line) => line.Length <= 70 ? line : line[..69] + "…";

    private static void Write(string path, string content)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
            Console.WriteLine($"wrote {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CliException($"cannot write '{path}': {e.Message}");
        }
    }
}
