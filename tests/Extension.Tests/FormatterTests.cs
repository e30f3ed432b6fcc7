using TinyMl.Interpreter;
using TinyMl.Workbench.Runs;

namespace TinyMl.Extension.Tests;

/// <summary>
/// The packed extension loaded into a real C# kernel: displaying runtime objects shows their views with no
/// further call. Expected content comes from the runtime run directly in the test (its own interpreter).
/// </summary>
public class FormatterTests(ExtensionKernel kernel) : IClassFixture<ExtensionKernel>
{
    private static readonly string PersonDetect = SharedData.ModelPath("person_detect");

    [Fact]
    public void Loading_the_package_runs_the_kernel_extension()
    {
        Assert.Contains(kernel.Loading.Outputs, o => o.GetValueOrDefault("text/plain", "").Contains("Loaded kernel extension TinyMl.Workbench.Interactive.WorkbenchKernelExtension"));
    }

    [Fact]
    public async Task A_displayed_model_shows_its_summary_naming_every_operator()
    {
        var model = Model.Load(PersonDetect);
        var opNames = model.MainSubgraph.Operators.Select(o => o.Name).Distinct().ToList();
        Assert.True(opNames.Count >= 4);

        var shown = await kernel.SubmitAsync($"TinyMl.Interpreter.Model.Load(@\"{PersonDetect}\")");

        Assert.Null(shown.Failure);
        Assert.NotNull(shown.ReturnHtml);
        foreach (var op in opNames)
        {
            Assert.Contains(op, shown.ReturnHtml);
            Assert.Contains(op, shown.ReturnText);
        }
        Assert.Contains("<details class=\"tmw\"><summary>Operator graph</summary>", shown.ReturnHtml);
        Assert.DoesNotContain("cannot be shown", shown.ReturnHtml);
    }

    [Fact]
    public async Task A_displayed_arena_plan_states_the_arena_bytes_and_draws_a_chart()
    {
        using var interpreter = ArenaSizing.Allocate(Model.Load(PersonDetect));
        string bytes = interpreter.ArenaUsedBytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

        var shown = await kernel.SubmitAsync($"""
            var personDetect = TinyMl.Workbench.Runs.ArenaSizing.Allocate(TinyMl.Interpreter.Model.Load(@"{PersonDetect}"));
            personDetect.Plan
            """);

        Assert.Null(shown.Failure);
        Assert.Contains($"needs <b>{bytes} bytes</b>", shown.ReturnHtml);
        Assert.Contains($"needs {bytes} bytes", shown.ReturnText);
        Assert.Contains("class=\"tmw-chart\"", shown.ReturnHtml);
        Assert.Contains("Plotly.newPlot", shown.ReturnHtml);
    }

    [Fact]
    public async Task Plotly_js_is_written_into_the_first_chart_of_the_session_only()
    {
        var first = await kernel.SubmitAsync($"""
            TinyMl.Workbench.Charts.PlotlyScript.IncludeAgain(); // as if this were a new notebook page
            TinyMl.Workbench.Runs.ArenaSizing.Allocate(TinyMl.Interpreter.Model.Load(@"{PersonDetect}")).Plan
            """);
        var second = await kernel.SubmitAsync($"""
            TinyMl.Workbench.Runs.ArenaSizing.Allocate(TinyMl.Interpreter.Model.Load(@"{PersonDetect}")).Plan
            """);

        const string library = "plotly.js (cartesian - minified) v3.7.0";
        Assert.Contains(library, first.ReturnHtml);
        Assert.Contains("Plotly.newPlot", second.ReturnHtml);
        Assert.DoesNotContain(library, second.ReturnHtml);
    }

    [Fact]
    public async Task A_view_that_fails_even_to_report_its_error_shows_an_error_view_and_the_kernel_keeps_working()
    {
        // Title throws too, so the view base class's own error handling throws: only the formatter's guard is left.
        var shown = await kernel.SubmitAsync("""
            class Broken : TinyMl.Workbench.WorkbenchView
            {
                public override string Title => throw new InvalidOperationException("no title either");
                protected override void WriteHtml(System.Text.StringBuilder html) => throw new InvalidOperationException("no html");
                protected override string RenderText() => throw new InvalidOperationException("no text");
            }
            new Broken()
            """);

        Assert.Null(shown.Failure);
        Assert.Contains("<div class=\"error\">", shown.ReturnHtml);
        Assert.Contains("cannot be shown", shown.ReturnHtml);
        Assert.Contains("no title either", shown.ReturnHtml);
        Assert.Contains("cannot be shown", shown.ReturnText);

        var after = await kernel.SubmitAsync("6 * 7");
        Assert.Null(after.Failure);
        Assert.Matches(@"\b42\b", after.ReturnHtml ?? after.ReturnText);
    }

    [Fact]
    public async Task Every_public_runtime_and_workbench_type_name_is_unambiguous_next_to_what_notebooks_have_in_scope()
    {
        // What a notebook imports, and every public top-level type those namespaces hold: typeof(Name)
        // fails to compile if any name clashes with the kernel's own usings (Kernel, Formatter, ...).
        string[] namespaces = ["TinyMl.Interpreter", "TinyMl.Workbench", "TinyMl.Workbench.Charts", "TinyMl.Workbench.Tensors", "TinyMl.Workbench.Runs"];
        var names = new[] { typeof(Model).Assembly, typeof(TinyMl.Workbench.WorkbenchView).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => !t.IsNested && namespaces.Contains(t.Namespace))
            .Select(t => t.IsGenericType ? t.Name[..t.Name.IndexOf('`')] + "<" + new string(',', t.GetGenericArguments().Length - 1) + ">" : t.Name)
            .Distinct().Order().ToList();
        Assert.Contains("Model", names);
        Assert.Contains("OperatorKernel", names);

        var compiled = await kernel.SubmitAsync(
            string.Concat(namespaces.Select(n => $"using {n};\n")) +
            "new System.Type[] {\n" + string.Join(",\n", names.Select(n => $"typeof({n})")) + "\n}.Length");

        Assert.Null(compiled.Failure);
    }
}
