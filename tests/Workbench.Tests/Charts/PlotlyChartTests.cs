using System.Text.RegularExpressions;
using TinyMl.Workbench.Charts;
using TinyMl.Workbench.Html;

namespace TinyMl.Workbench.Tests.Charts;

public class PlotlyChartTests
{
    [Fact]
    public void Chart_draws_offline_in_headless_chromium_with_the_bundled_plotly()
    {
        var chart = new PlotlyChart(300).Add(new { type = "bar", x = new[] { "a", "b", "c" }, y = new[] { 3, 1, 2 } });
        string html = HtmlPage.Wrap("chart", chart.ToHtml());
        Assert.DoesNotContain("cdn", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"http", html);
        string file = Path.Combine(Directory.CreateTempSubdirectory("tmw").FullName, "chart.html");
        File.WriteAllText(file, html);

        string dom = HeadlessBrowser.DumpDom(file);
        // plotly.js draws each bar as a path inside g.point of the trace's layer.
        Assert.Contains("class=\"main-svg\"", dom);
        Assert.Equal(3, Regex.Matches(dom, "<g class=\"point\"><path d=\"M").Count);
    }

    [Fact]
    public void Model_strings_in_a_figure_cannot_close_the_script()
    {
        var chart = new PlotlyChart().Add(new { type = "bar", name = "</script><img src=x onerror=alert(1)>", x = new[] { 1 }, y = new[] { 1 } });
        string html = chart.ToHtml();
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("</script><img", html);
    }

    [Fact]
    public void Once_per_session_includes_the_library_in_the_first_chart_only()
    {
        var previous = PlotlyScript.Inclusion;
        try
        {
            PlotlyScript.Inclusion = PlotlyInclusion.OncePerSession;
            PlotlyScript.IncludeAgain();
            string first = new PlotlyChart().ToHtml(), second = new PlotlyChart().ToHtml();
            Assert.Contains("v" + PlotlyScript.Version, first);
            Assert.DoesNotContain("plotly.js (cartesian", second);
        }
        finally
        {
            PlotlyScript.Inclusion = previous;
        }
    }
}
