using System.CommandLine;
using TinyMl.Workbench;
using TinyMl.Workbench.Html;

namespace TinyMl.Cli.Commands;

/// <summary>
/// `workbench report MODEL [--html OUT] [--runs N]`: every workbench view of a model (summary, graph,
/// arena plans, memory, profile, inputs and outputs) as one self-contained HTML page to open in a browser.
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "Path of a .tflite file" };
        var html = new Option<string?>("--html") { Description = "Where to write the page (default: MODEL's name + .html in the current directory)" };
        var runs = new Option<int>("--runs") { Description = "Timed invocations for the profile", DefaultValueFactory = _ => 20 };
        var command = new Command("report", "Write every workbench view of a model (summary, graph, arena plans, memory, profile) as one HTML page") { model, html, runs };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(html), r.GetValue(runs)));
        return command;
    }

    public static int Run(string path, string? htmlPath, int runs)
    {
        if (runs < 1) throw new CliException($"--runs must be at least 1, {runs} given");
        var model = CliModels.Load(path);
        string output = htmlPath ?? CliModels.ModelName(path) + ".html";
        WritePage(output, "TinyML Workbench: " + Path.GetFileName(path), ModelReport.Of(model, profileRuns: runs));
        Console.WriteLine($"wrote {Path.GetFullPath(output)}");
        return CliExit.Ok;
    }

    /// <summary>Writes the views as one page, refusing paths that cannot be written with a user error.</summary>
    public static void WritePage(string output, string title, params WorkbenchView[] views)
    {
        try
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(output));
            if (directory is not null) Directory.CreateDirectory(directory);
            File.WriteAllText(output, HtmlPage.Of(title, views));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"cannot write '{output}': {e.Message}");
        }
    }
}
