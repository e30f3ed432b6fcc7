using System.Diagnostics;
using System.Text.Json.Nodes;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Tests;
using TinyMl.Workbench.Runs;

namespace TinyMl.Extension.Tests;

/// <summary>
/// `workbench notebook run` on a small notebook that loads the packed extension the way the course
/// notebooks do (a nuget.config beside it naming the package folder, then only #r).
/// </summary>
public class NotebookRunTests
{
    private static readonly string SineModel = Path.Combine(PackedExtension.Repository, "data", "sine_int8.tflite");

    [Fact]
    public void Running_a_notebook_writes_a_strictly_valid_executed_notebook_and_a_self_contained_page()
    {
        var folder = NotebookFolder(out var notebook);
        var ipynb = Path.Combine(folder, "out", "smoke.ipynb");
        var html = Path.Combine(folder, "out", "smoke.html");

        var run = WorkbenchProcess.Run("notebook", "run", notebook, "--html", html, "--ipynb", ipynb);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal("", run.Stderr);
        foreach (var cell in new[] { 2, 3, 4 })
            Assert.Contains($"[{cell}/4] ok", run.Stdout);
        AssertValidNotebook(ipynb);

        var executed = JsonNode.Parse(File.ReadAllText(ipynb))!;
        Assert.Equal(".net-csharp", (string?)executed["metadata"]!["kernelspec"]!["name"]);
        Assert.Equal("csharp", (string?)executed["metadata"]!["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]);
        var code = executed["cells"]!.AsArray().Where(c => (string?)c!["cell_type"] == "code").ToList();
        Assert.Equal([1, 2, 3], code.Select(c => (int)c!["execution_count"]!));
        Assert.All(code, c => Assert.NotEmpty(c!["outputs"]!.AsArray()));
        // The printed prediction is the one the runtime gives for the same input in this process.
        Assert.Contains($"output: {SinePrediction(17)}\n", Stream(code[2]!));

        string page = File.ReadAllText(html);
        Assert.Contains("<h1 id=\"smoke-test-of-the-workbench-extension\">Smoke test of <em>the workbench extension</em></h1>", page);
        Assert.Contains("FULLY_CONNECTED", page);
        Assert.Contains("class=\"tmw-chart\"", page);
        Assert.Equal(1, Occurrences(page, "plotly.js (cartesian - minified) v3.7.0"));
        Assert.DoesNotContain("<script src=", page);
        Assert.DoesNotContain("<link ", page);
    }

    [Fact]
    public void A_failing_cell_ends_the_run_with_exit_1_naming_the_cell_and_its_error()
    {
        var folder = NotebookFolder(out var notebook);
        var json = JsonNode.Parse(File.ReadAllText(notebook))!;
        json["cells"]!.AsArray().Add(CodeCell("throw new InvalidOperationException(\"deliberate failure\");"));
        json["cells"]!.AsArray().Add(CodeCell("Console.WriteLine(\"never runs\");"));
        File.WriteAllText(notebook, json.ToJsonString());
        var ipynb = Path.Combine(folder, "failed.ipynb");

        var run = WorkbenchProcess.Run("notebook", "run", notebook, "--ipynb", ipynb);

        Assert.Equal(1, run.ExitCode);
        string firstLine = run.Stderr.Split('\n')[0];
        Assert.StartsWith("error: cell 5 (throw new InvalidOperationException(\"deliberate failure\");) failed:", firstLine);
        Assert.Contains("deliberate failure", firstLine);
        Assert.Contains("[5/6] FAILED", run.Stdout);
        Assert.DoesNotContain("[6/6]", run.Stdout);
        AssertValidNotebook(ipynb);
        var cells = JsonNode.Parse(File.ReadAllText(ipynb))!["cells"]!.AsArray();
        Assert.Equal("error", (string?)cells[4]!["outputs"]![0]!["output_type"]);
        Assert.Contains("deliberate failure", (string?)cells[4]!["outputs"]![0]!["evalue"]);
        Assert.Empty(cells[5]!["outputs"]!.AsArray());
        Assert.Null(cells[5]!["execution_count"]);
    }

    [Fact]
    public void A_missing_notebook_is_a_user_error()
    {
        var run = WorkbenchProcess.Run("notebook", "run", "/nonexistent/x.ipynb");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: notebook '/nonexistent/x.ipynb' not found", run.Stderr.TrimEnd());
    }

    [Fact]
    public void The_strict_validation_rejects_an_nbformat_4_5_notebook_without_cell_ids()
    {
        // Guards the check above: nbformat 4.5 requires ids, and the test notebook has none until run.
        var folder = NotebookFolder(out var notebook);
        var json = JsonNode.Parse(File.ReadAllText(notebook))!;
        json["nbformat_minor"] = 5;
        var withoutIds = Path.Combine(folder, "no-ids.ipynb");
        File.WriteAllText(withoutIds, json.ToJsonString());

        Assert.NotEqual(0, Validate(withoutIds).ExitCode);
    }

    /// <summary>A fresh folder with the test notebook, the model it loads and a nuget.config naming the packages.</summary>
    private static string NotebookFolder(out string notebook)
    {
        var folder = Directory.CreateTempSubdirectory("tinyml-notebook-").FullName;
        notebook = Path.Combine(folder, "smoke.ipynb");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Notebooks", "smoke.ipynb"), notebook);
        File.Copy(SineModel, Path.Combine(folder, "sine_int8.tflite"));
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="workbench-local" value="{PackedExtension.Folder}" />
              </packageSources>
            </configuration>
            """);
        return folder;
    }

    private static JsonObject CodeCell(string source) => new()
    {
        ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray(), ["source"] = source,
    };

    private static sbyte SinePrediction(sbyte input)
    {
        using var interpreter = ArenaSizing.Allocate(Model.Load(SineModel));
        interpreter.Input(0).CopyFrom(new[] { input });
        interpreter.Invoke();
        return interpreter.Output(0).ToArray<sbyte>()[0];
    }

    private static string Stream(JsonNode cell) => string.Concat(cell["outputs"]!.AsArray()
        .Where(o => (string?)o!["output_type"] == "stream").Select(o => (string?)o!["text"]));

    private static int Occurrences(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;

    private static void AssertValidNotebook(string path)
    {
        var result = Validate(path);
        Assert.True(result.ExitCode == 0, $"nbformat rejects {path}:\n{result.Stderr}");
    }

    /// <summary>nbformat's own validation, warnings as errors (tools/validate-notebooks.py; Debian's python3-nbformat, which .ci/run installs).</summary>
    private static WorkbenchProcess.Result Validate(string path)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(PackedExtension.Repository, "tools", "validate-notebooks.py"), path })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start /usr/bin/python3 (install python3-nbformat)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (stderr.Result.Contains("No module named 'nbformat'"))
            throw new InvalidOperationException("python3-nbformat is not installed (apt-get install python3-nbformat; .ci/run does)");
        return new WorkbenchProcess.Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
