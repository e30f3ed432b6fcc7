using TinyMl.Interpreter.Tests;

namespace TinyMl.Cli.Tests;

internal static class OfflinePage
{
    public static readonly System.Text.RegularExpressions.Regex Network = new(
        @"<(?:script|link|img|iframe|source|embed)\b[^>]*\b(?:src|href)\s*=\s*[""']?\s*(?:https?:)?//" +
        @"|url\(\s*[""']?\s*(?:https?:)?//|@import\s+[""']?(?:https?:)?//|cdn\.plot\.ly|cdn\.jsdelivr|cdnjs\.|unpkg\.com",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase);
}

/// <summary>`workbench report` and the demo's page: the workbench's views written as one self-contained HTML file.</summary>
public class ReportCommandTests
{
    [Fact]
    public void Report_writes_one_page_with_every_view_and_says_where()
    {
        string output = Path.Combine(Directory.CreateTempSubdirectory("tmw-report").FullName, "pd.html");
        var r = WorkbenchProcess.Run("report", SharedData.ModelPath("person_detect"), "--html", output, "--runs", "2");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"wrote {output}", r.Stdout.Trim());
        string page = File.ReadAllText(output);
        foreach (var heading in new[] { "Summary", "Operator graph", "Arena plans", "Memory", "Profile", "Inputs and outputs" })
            Assert.Contains($">{heading}", page);
        // Nothing the browser would fetch: no element pointing off the page, no CSS url() or @import off it, no CDN
        // host (as tools/validate-notebooks.py --offline checks executed notebooks). A bare "cdn" can occur by chance
        // inside an inlined base64 image, so the check is on fetching constructs, not on letters.
        Assert.DoesNotMatch(OfflinePage.Network, page);
        Assert.DoesNotContain("<script src=", page);
    }

    [Fact]
    public void Report_of_a_missing_model_is_a_user_error()
    {
        var r = WorkbenchProcess.Run("report", "no-such-model.tflite");
        CommandLineTests.AssertUserError(r, "model file 'no-such-model.tflite' not found");
    }

    [Fact]
    public void Report_to_an_unwritable_path_is_a_user_error()
    {
        var r = WorkbenchProcess.Run("report", SharedData.ModelPath("hello_world_int8"), "--html", "/proc/tmw/x.html", "--runs", "1");
        CommandLineTests.AssertUserError(r, "cannot write '/proc/tmw/x.html'");
    }
}
