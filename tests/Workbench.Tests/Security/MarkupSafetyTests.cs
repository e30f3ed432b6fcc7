using TinyMl.Interpreter;
using TinyMl.Workbench.Charts;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Runs;
using TinyMl.Workbench.Tensors;
using TinyMl.Workbench.Tests.Views;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Workbench.Tests.Security;

/// <summary>
/// Every view of src/Workbench, every chart and every page, rendered for models whose every string is
/// a markup payload: nothing a model says may become an element, an attribute or a script.
/// </summary>
public class MarkupSafetyTests
{
    /// <summary>Each view of a model (with an interpreter and captures where the view needs one), by name.</summary>
    internal static IEnumerable<(string Name, Func<WorkbenchView> View)> EveryView(Model model, IOpResolver resolver)
    {
        yield return ("ModelSummary", () => ModelSummary.Of(model, resolver));
        yield return ("ModelGraph", () => ModelGraph.Of(model));
        yield return ("ArenaPlanView.Compare", () => ArenaPlanView.Compare(model, resolver));
        foreach (var tensor in model.MainSubgraph.Tensors)
            yield return ($"TensorView of TensorInfo {tensor.Index}", () => TensorView.Of(tensor));
        var interpreter = ArenaSizing.Allocate(model, resolver);
        ReferenceInputs.Fill(interpreter);
        interpreter.Invoke();
        yield return ("InterpreterView", () => InterpreterView.Of(interpreter));
        yield return ("ArenaPlanView.Of(interpreter)", () => ArenaPlanView.Of(interpreter));
        yield return ("ArenaPlanView.Of(plan, name)", () => ArenaPlanView.Of(interpreter.Plan, HostileModels.Quote));
        yield return ("MemoryReport", () => MemoryReport.Of(interpreter));
        yield return ("ProfileView", () => ProfileView.Measure(interpreter, runs: 3, warmupRuns: 1, TimeSpan.Zero));
        yield return ("ModelGraph with profile", () => ModelGraph.Of(model, ProfileView.Measure(interpreter, runs: 3, warmupRuns: 1, TimeSpan.Zero)));
        foreach (var tensor in interpreter.Tensors)
            yield return ($"TensorView of Tensor {tensor.Index}", () => TensorView.Of(tensor));
        yield return ("ModelReport", () => ModelReport.Of(model, resolver, profileRuns: 3));
        var reference = TensorSet.Capture(model, ReferenceInputs.Fill, HostileModels.Script, resolver);
        var candidate = TensorSet.Capture(model, i => { ReferenceInputs.Fill(i); i.Input(0).AsSpan<byte>()[0] ^= 0x55; }, HostileModels.Image, resolver);
        yield return ("ParityReport", () => ParityReport.Compare(reference, candidate));
        yield return ("ParityReport with focus", () => ParityReport.Compare(reference, candidate, focus: HostileModels.Quote));
        yield return ("ViewList", () => new ViewList([ModelSummary.Of(model, resolver), MemoryReport.Of(interpreter)]));
    }

    public static TheoryData<string> Models() => new() { nameof(HostileModels.Runnable), nameof(HostileModels.WithKernelState) };

    private static (Model, IOpResolver) Build(string name) => name switch
    {
        nameof(HostileModels.Runnable) => (HostileModels.Runnable(), OpResolver.WithAllBuiltins()),
        _ => (HostileModels.WithKernelState(), HostileModels.Resolver()),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_view_encodes_every_string_a_model_carries(string name)
    {
        var (model, resolver) = Build(name);
        int rendered = 0;
        foreach (var (view, make) in EveryView(model, resolver))
        {
            var built = make();
            string html = built.ToHtml();
            Assert.False(html.Contains("cannot be shown", StringComparison.Ordinal), $"{view} failed to render: {html}");
            AssertSafe(view, html);
            // Plotly draws hover text, trace names and annotations as markup: the decoded strings count too.
            if (html.Contains("var fig=", StringComparison.Ordinal))
                HostileModels.AssertNoMarkup(FigureJson.Strings(FigureJson.Of(html)));
            rendered++;
        }
        Assert.True(rendered >= 15, $"only {rendered} views rendered");
    }

    [Fact]
    public void Charts_and_pages_encode_hostile_strings()
    {
        var (model, resolver) = Build(nameof(HostileModels.WithKernelState));
        using var interpreter = ArenaSizing.Allocate(model, resolver);
        ReferenceInputs.Fill(interpreter);
        var charts = new (string, PlotlyChart?)[]
        {
            ("MemoryReport.Chart", MemoryReport.Of(interpreter).Chart()),
            ("ProfileView.Chart", ProfileView.Measure(interpreter, runs: 3, warmupRuns: 1, TimeSpan.Zero).Chart()),
            ("ArenaPlanView.Figure", ArenaPlanView.Compare(model, resolver).Figure()),
        };
        foreach (var (name, chart) in charts)
        {
            Assert.NotNull(chart);
            string html = chart.ToHtml();
            AssertSafe(name, html);
            HostileModels.AssertNoMarkup(FigureJson.Strings(FigureJson.Of(html)));
        }
        AssertSafe("HtmlPage.Of", HtmlPage.Of(HostileModels.Script, ModelSummary.Of(model, resolver), ModelGraph.Of(model)));
        AssertSafe("HtmlPage.Wrap", HtmlPage.Wrap(HostileModels.Quote, HostileModels.Image.Replace("<", "&lt;")));
    }

    [Fact]
    public void Error_views_encode_the_model_strings_in_their_messages()
    {
        // The unregistered custom op's name reaches the error message, which the error view shows.
        var model = HostileModels.WithCustomOperator();
        var error = Assert.Throws<UnsupportedOperatorException>(() => ArenaSizing.Allocate(model));
        Assert.Contains(HostileModels.Script, error.Message);
        AssertSafe("ErrorView.Html(exception)", ErrorView.Html(HostileModels.Image, error));
        AssertSafe("ErrorView.Html(untyped)", ErrorView.Html(HostileModels.Quote, new InvalidOperationException(HostileModels.Script)));
        AssertSafe("ErrorView.Html(cause, details)", ErrorView.Html(HostileModels.Quote, HostileModels.Image, HostileModels.Script));
        // Views of a model that cannot run still render (their failures shown in place), all encoded.
        AssertSafe("ModelSummary (custom op)", ModelSummary.Of(model).ToHtml());
        AssertSafe("ModelGraph (custom op)", ModelGraph.Of(model).ToHtml());
        AssertSafe("ArenaPlanView.Compare (custom op)", ArenaPlanView.Compare(model).ToHtml());
        AssertSafe("ModelReport (custom op)", ModelReport.Of(model, profileRuns: 3).ToHtml());
    }

    [Fact]
    public void The_check_itself_catches_a_raw_payload_and_a_raw_angle_bracket_in_a_figure()
    {
        foreach (var payload in HostileModels.Payloads)
            Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => HostileModels.AssertNoMarkup($"<td title=\"x\">{payload}</td>"));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => HostileModels.AssertNoMarkup("<script>var fig={\"name\":\"</script>\"};\n var tries"));
        HostileModels.AssertNoMarkup("<td>" + Html.Html.Encode(HostileModels.Quote) + "</td>");
    }

    private static void AssertSafe(string view, string html)
    {
        try
        {
            HostileModels.AssertNoMarkup(html);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{view} leaks a payload as markup: {e.Message}");
        }
    }
}
