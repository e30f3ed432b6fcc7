using System.Diagnostics;
using Microsoft.DotNet.Interactive.Commands;

namespace TinyMl.Workbench.Notebooks;

/// <summary>How one cell went: its position (1-based among all cells), outcome and time.</summary>
public sealed record CellRun(int Number, int CellCount, NotebookCell Cell, bool Succeeded, string? Error, TimeSpan Elapsed);

/// <summary>The outcome of running a notebook: the first failing cell, if any (the cells after it did not run).</summary>
public sealed record NotebookRunResult(IReadOnlyList<CellRun> Cells, TimeSpan Elapsed)
{
    public CellRun? Failed => Cells.FirstOrDefault(c => !c.Succeeded);
}

/// <summary>
/// Runs a notebook's code cells in order in a fresh <see cref="NotebookKernel"/>, as Jupyter's "run all"
/// does: outputs replace the cells' old outputs, and the first failing cell stops the run (the cells after
/// it are left without outputs). Runs with the notebook's folder as working directory, as the real
/// kernel does, so relative paths and the folder's nuget.config mean the same.
/// </summary>
public static class NotebookRunner
{
    public static async Task<NotebookRunResult> RunAsync(JupyterNotebook notebook, string notebookFolder, Action<CellRun>? progress = null)
    {
        var total = Stopwatch.StartNew();
        var runs = new List<CellRun>();
        string previousDirectory = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(notebookFolder);
        try
        {
            using var kernel = NotebookKernel.Create();
            int executionCount = 0;
            bool stopped = false;
            for (int i = 0; i < notebook.Cells.Count; i++)
            {
                var cell = notebook.Cells[i];
                if (!cell.IsCode) continue;
                if (stopped)
                {
                    cell.SetOutputs([], null);
                    continue;
                }
                var run = await RunCellAsync(kernel, notebook, cell, i + 1, ++executionCount);
                runs.Add(run);
                progress?.Invoke(run);
                stopped = !run.Succeeded;
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previousDirectory);
        }
        return new NotebookRunResult(runs, total.Elapsed);
    }

    private static async Task<CellRun> RunCellAsync(Microsoft.DotNet.Interactive.Kernel kernel, JupyterNotebook notebook, NotebookCell cell, int number, int executionCount)
    {
        var time = Stopwatch.StartNew();
        string kernelName = cell.KernelName ?? notebook.DefaultKernelName;
        if (!string.Equals(kernelName, NotebookKernel.CSharp, StringComparison.OrdinalIgnoreCase) && kernelName != "C#")
        {
            string message = $"cell {number} is in kernel '{kernelName}'; only C# cells can be run here";
            cell.SetOutputs([new() { ["output_type"] = "error", ["ename"] = "UnsupportedKernel", ["evalue"] = message, ["traceback"] = new System.Text.Json.Nodes.JsonArray(message) }], executionCount);
            return new CellRun(number, notebook.Cells.Count, cell, false, message, time.Elapsed);
        }
        var result = await kernel.SendAsync(new SubmitCode(cell.Source, NotebookKernel.CSharp));
        var outputs = CellOutputs.From(result.Events, executionCount);
        cell.SetOutputs(outputs, executionCount);
        var error = outputs.FirstOrDefault(CellOutputs.IsError);
        return new CellRun(number, notebook.Cells.Count, cell, error is null, error?["evalue"]?.GetValue<string>(), time.Elapsed);
    }
}
