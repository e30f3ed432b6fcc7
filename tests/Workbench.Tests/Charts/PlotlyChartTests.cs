using System.Text;
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
    private static int LibraryCopies(string html) => Regex.Matches(html, Regex.Escape("(function(define,module,exports){")).Count;

    private static PlotlyChart Bars(string name) => new PlotlyChart(260).Add(new { type = "bar", name, x = new[] { "a", "b" }, y = new[] { 2, 1 } });

    /// <summary>A view drawing the given charts in order; a null entry throws there, as a view that fails midway.</summary>
    private sealed class ChartsView(params PlotlyChart?[] charts) : WorkbenchView
    {
        public override string Title => "charts";
        protected override string RenderText() => "charts";
        protected override void WriteHtml(StringBuilder html)
        {
            foreach (var chart in charts)
                html.Append(chart?.ToHtml() ?? throw new InvalidOperationException("this view fails after its first chart"));
        }
    }

    /// <summary>A view that shows other views inside it, as ModelReport does.</summary>
    private sealed class NestedView(params WorkbenchView[] views) : WorkbenchView
    {
        public override string Title => "nested";
        protected override string RenderText() => "nested";
        protected override void WriteHtml(StringBuilder html)
        {
            foreach (var view in views) html.Append(view.ToHtml());
        }
    }

    [Fact]
    public void A_view_with_several_charts_carries_the_library_once_and_a_page_of_views_once()
    {
        Assert.Equal(1, LibraryCopies(new ChartsView(Bars("a"), Bars("b"), Bars("c")).ToHtml()));
        string page = HtmlPage.Of("page", new ChartsView(Bars("a"), Bars("b")), new ChartsView(Bars("c")));
        Assert.Equal(1, LibraryCopies(page));
        // Rendered alone, every view still stands on its own.
        Assert.Equal(1, LibraryCopies(new ChartsView(Bars("c")).ToHtml()));

        // The charts after the one that carried the library wait for it and draw: three bar charts, two bars each.
        string file = Path.Combine(Directory.CreateTempSubdirectory("tmw").FullName, "page.html");
        File.WriteAllText(file, page);
        string dom = HeadlessBrowser.DumpDom(file);
        Assert.Equal(3, Regex.Matches(dom, "class=\"plot-container plotly\"").Count);
        Assert.Equal(6, Regex.Matches(dom, "<g class=\"point\"><path d=\"M").Count);
    }

    [Fact]
    public void A_view_that_fails_after_its_first_chart_does_not_take_the_library_with_it()
    {
        // The failing inner view's chart (which carried the library) is replaced by an error view,
        // so the next chart of the page must carry the library itself.
        string html = new NestedView(new ChartsView(Bars("lost"), null), new ChartsView(Bars("kept"))).ToHtml();
        Assert.Contains("this view fails after its first chart", html);
        Assert.Equal(1, LibraryCopies(html));
        Assert.True(html.IndexOf("(function(define,module,exports){", StringComparison.Ordinal) < html.IndexOf("kept", StringComparison.Ordinal));
    }
}
