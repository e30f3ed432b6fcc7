using System.Buffers.Binary;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Charts;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Runs;
using Model = TinyMl.Interpreter.Model;

using TinyMl.Workbench.Tests.Security;

namespace TinyMl.Workbench.Tests.Views;

public class ArenaPlanViewTests
{
    private static Model PersonDetect => Model.Load(SharedData.ModelPath("person_detect"));
    private static Model KeywordScrambled => Model.Load(SharedData.ModelPath("keyword_scrambled"));

    /// <summary>A drawn rectangle as (left, right, bottom, top), whatever produced it.</summary>
    private readonly record struct Box(double Left, double Right, double Bottom, double Top);

    /// <summary>The rectangles a plan must draw, straight from its buffers and tail allocations.</summary>
    private static List<Box> ExpectedBoxes(ArenaPlan plan)
    {
        var boxes = plan.Buffers.Select(b => new Box(b.FirstOperator - 0.5, b.LastOperator + 0.5, b.Offset, b.Offset + b.Bytes)).ToList();
        foreach (var p in plan.PersistentBuffers)
        {
            long aligned = (p.Bytes + 15) / 16 * 16;
            boxes.Add(new Box(-0.5, plan.OperatorCount - 0.5, plan.HeadBytes + p.Offset, plan.HeadBytes + p.Offset + aligned));
        }
        return boxes;
    }

    /// <summary>The rectangles of the bar traces on x axis <paramref name="axis"/> of a figure, back in bytes.</summary>
    private static List<Box> FigureBoxes(JsonNode figure, string axis)
    {
        double scale = figure["layout"]!["yaxis"]!["title"]!["text"]!.GetValue<string>().Contains("KiB") ? 1024 : 1;
        var boxes = new List<Box>();
        foreach (var trace in figure["data"]!.AsArray())
        {
            if (trace!["type"]!.GetValue<string>() != "bar" || trace["xaxis"]!.GetValue<string>() != axis) continue;
            var x = trace["x"]!.AsArray(); var width = trace["width"]!.AsArray();
            var bottom = trace["base"]!.AsArray(); var height = trace["y"]!.AsArray();
            for (int i = 0; i < x.Count; i++)
            {
                double centre = x[i]!.GetValue<double>(), w = width[i]!.GetValue<double>();
                double b = bottom[i]!.GetValue<double>() * scale, h = height[i]!.GetValue<double>() * scale;
                boxes.Add(new Box(centre - w / 2, centre + w / 2, b, b + h));
            }
        }
        return boxes;
    }

    private static IEnumerable<Box> Sorted(IEnumerable<Box> boxes) => boxes.OrderBy(b => b.Bottom).ThenBy(b => b.Left).ThenBy(b => b.Top).ThenBy(b => b.Right);

    /// <summary>Bytes alive at each operator, by sweeping the plan's buffers.</summary>
    private static long[] LiveBytes(ArenaPlan plan)
    {
        var live = new long[plan.OperatorCount];
        for (int op = 0; op < plan.OperatorCount; op++)
            live[op] = plan.Buffers.Where(b => b.FirstOperator <= op && op <= b.LastOperator).Sum(b => (long)b.Bytes);
        return live;
    }

    [Fact]
    public void Rectangles_are_the_plans_buffers_one_for_one()
    {
        using var interpreter = ArenaSizing.Allocate(PersonDetect);
        var plan = interpreter.Plan;
        var chart = new ArenaPlanChart(plan);

        Assert.Equal(plan.Buffers.Count, chart.Head.Count);
        for (int i = 0; i < plan.Buffers.Count; i++)
        {
            var (b, r) = (plan.Buffers[i], chart.Head[i]);
            Assert.Equal((b.Offset, b.Bytes, b.FirstOperator, b.LastOperator), ((int)r.Offset, (int)r.Bytes, r.FirstOperator, r.LastOperator));
            Assert.Equal(b.Name, r.Name);
            Assert.Equal(PlanRectangle.Tensor, r.Kind);
        }
        Assert.Equal(plan.PersistentBuffers.Count, chart.Tail.Count);
        Assert.All(chart.Tail, r => Assert.True(r.Offset >= plan.HeadBytes && r.Top <= plan.TotalBytes));
        Assert.Equal(plan.TailBytes, chart.Tail.Sum(r => r.Bytes));

        // The figure as plotly gets it draws the same rectangles, head and tail.
        var figure = FigureJson.Of(ArenaPlanView.Of(plan, "person_detect").ToHtml());
        Assert.Equal(Sorted(ExpectedBoxes(plan)), Sorted(FigureBoxes(figure, "x")));
    }

    [Fact]
    public void Peak_is_the_most_bytes_alive_at_any_operator_and_the_head_is_the_highest_buffer_end()
    {
        foreach (var model in new[] { PersonDetect, KeywordScrambled })
        {
            using var interpreter = ArenaSizing.Allocate(model);
            var plan = interpreter.Plan;
            long[] live = LiveBytes(plan);
            var chart = new ArenaPlanChart(plan);

            Assert.Equal(live, chart.LiveBytes);
            Assert.Equal(live.Max(), chart.PeakLiveBytes);
            Assert.Equal(Enumerable.Range(0, live.Length).Where(op => live[op] == live.Max()), chart.PeakOperators);
            Assert.Equal(plan.Buffers.Max(b => b.Offset + b.Bytes), plan.HeadBytes);
            Assert.True(chart.PeakLiveBytes <= plan.HeadBytes);

            string html = ArenaPlanView.Of(interpreter).ToHtml();
            Assert.Contains($"peak {Html.Html.Number(live.Max())} B alive", html);
            int peak = Array.IndexOf(live, live.Max());
            Assert.Contains($"at operator {peak} ({model.MainSubgraph.Operators[peak].Name})", html);
        }
    }

    [Fact]
    public void Person_detect_needs_77216_bytes_with_greedy_and_more_with_linear()
    {
        var view = ArenaPlanView.Compare(PersonDetect);

        Assert.Equal(["greedy", "linear"], view.Plans.Select(p => p.Label));
        Assert.Equal("greedy", view.Best!.Value.Label);
        Assert.Equal(77_216, view.Plans[0].Chart.Plan.TotalBytes);
        Assert.Equal(262_992, view.Plans[1].Chart.Plan.TotalBytes);
        // Linear places every buffer after the previous one: its head is the unshared sum.
        Assert.Equal(view.Plans[1].Chart.Plan.Buffers.Sum(b => (long)b.Bytes), view.Plans[1].Chart.Plan.HeadBytes);

        string html = view.ToHtml();
        Assert.Contains("This model needs <b>77,216 bytes</b> of arena (head 55,296 planned + tail 21,920 persistent)", html);
        Assert.Contains("linear needs 262,992 bytes (185,776 more)", html);
        Assert.Contains("no OfflineMemoryAllocation metadata", html);
        Assert.Contains("This model needs 77,216 bytes of arena", view.ToText());

        // Side by side on ONE y axis: both panels' rectangles are each plan's, in bytes on the same scale.
        var figure = FigureJson.Of(html);
        Assert.Equal("y", figure["layout"]!["xaxis2"]!["anchor"]!.GetValue<string>());
        Assert.Null(figure["layout"]!["yaxis2"]);
        Assert.Equal(Sorted(ExpectedBoxes(view.Plans[0].Chart.Plan)), Sorted(FigureBoxes(figure, "x")));
        Assert.Equal(Sorted(ExpectedBoxes(view.Plans[1].Chart.Plan)), Sorted(FigureBoxes(figure, "x2")));
    }

    [Fact]
    public void Keyword_scrambled_keeps_its_svdf_state_in_the_tail()
    {
        var model = KeywordScrambled;
        var variables = model.MainSubgraph.Tensors.Where(t => t.IsVariable).ToArray();
        Assert.NotEmpty(variables);
        var view = ArenaPlanView.Compare(model);
        var chart = view.Best!.Value.Chart;

        var drawn = chart.Tail.Where(r => r.Kind == PlanRectangle.VariableTensor).ToArray();
        Assert.Equal(variables.Select(v => $"variable tensor {v.Index}").Order(), drawn.Select(r => r.Name).Order());
        Assert.Equal(variables.Sum(v => (v.ByteCount + 15) / 16 * 16), drawn.Sum(r => r.Bytes));
        Assert.Contains(chart.Head, r => r.Kind == PlanRectangle.Scratch);
        Assert.Contains("variable tensor", view.ToHtml());
    }

    [Fact]
    public void An_offline_plan_is_compared_and_keeps_its_offsets()
    {
        // input -> RELU -> middle -> RELU -> output; the metadata puts middle at 256 and the others at 0.
        var builder = new ModelBuilder();
        int input = builder.AddTensor("input", TensorType.FLOAT32, [1, 16]);
        int middle = builder.AddTensor("middle", TensorType.FLOAT32, [1, 16]);
        int output = builder.AddTensor("output", TensorType.FLOAT32, [1, 16]);
        builder.AddOperator(BuiltinOperator.RELU, [input], [middle]);
        builder.AddOperator(BuiltinOperator.RELU, [middle], [output]);
        builder.SetInputs(input).SetOutputs(output);
        int[] words = [1, 0, 3, 0, 256, 0];
        var metadata = new byte[words.Length * 4];
        for (int i = 0; i < words.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(metadata.AsSpan(i * 4), words[i]);
        builder.AddMetadata(Model.OfflineMemoryAllocationMetadata, metadata);

        var view = ArenaPlanView.Compare(builder.ToModel("offline"));

        Assert.True(view.HasOfflinePlan);
        Assert.Equal(3, view.Plans.Count);
        var offline = view.Plans[2].Chart;
        Assert.All(offline.Head, r => Assert.Equal(PlanRectangle.OfflinePlanned, r.Kind));
        Assert.Equal([0L, 256L, 0L], offline.Head.OrderBy(r => r.Name == "input" ? 0 : r.Name == "middle" ? 1 : 2).Select(r => r.Offset));
        Assert.Equal(256 + 64, offline.Plan.HeadBytes);
        Assert.Equal(128, view.Plans[0].Chart.Plan.HeadBytes); // greedy packs the two alive at once
        Assert.Contains("offline plan (OfflineMemoryAllocation metadata)", view.ToHtml());
    }

    [Fact]
    public void A_long_chain_lists_its_buffers_elided_with_a_note_but_draws_them_all()
    {
        // 300 RELUs in a chain: 301 tensors, each alive across two operators.
        var builder = new ModelBuilder();
        int previous = builder.AddTensor("t0", TensorType.FLOAT32, [1, 64]);
        builder.SetInputs(previous);
        for (int i = 1; i <= 300; i++)
        {
            int next = builder.AddTensor($"t{i}", TensorType.FLOAT32, [1, 64]);
            builder.AddOperator(BuiltinOperator.RELU, [previous], [next]);
            previous = next;
        }
        builder.SetOutputs(previous);

        var view = ArenaPlanView.Compare(builder.ToModel("chain"));
        string html = view.ToHtml();

        Assert.Equal(512, view.Best!.Value.Chart.Plan.HeadBytes); // two 256-byte tensors alive at once
        Assert.Contains($"{301 - ArenaPlanView.MaxBufferRows} more rows not shown (301 in all)", html);
        Assert.Equal(301, FigureBoxes(FigureJson.Of(html), "x").Count);
        Assert.Contains("more rows", view.ToText());
    }

    [Fact]
    public void A_model_with_an_unsupported_operator_gets_a_message_not_an_exception()
    {
        // A convolution, then a custom operator no resolver has (every shared model runs now).
        var view = ArenaPlanView.Compare(ModelSummaryTests.UnsupportedModel());

        Assert.Empty(view.Plans);
        string html = view.ToHtml(), text = view.ToText();
        Assert.Contains("cannot be planned</b>: operator 1 (NoSuchCustomOp) is a custom operator with no registered kernel", html);
        Assert.DoesNotContain("cannot be shown", html); // not the error view of a failed render
        Assert.Contains("cannot be planned: operator 1 (NoSuchCustomOp)", text);
    }

    [Fact]
    public void Headless_chromium_draws_one_rectangle_per_buffer_in_each_panel()
    {
        var view = ArenaPlanView.Compare(PersonDetect);
        string file = Path.Combine(Directory.CreateTempSubdirectory("tmw-arena").FullName, "plan.html");
        File.WriteAllText(file, HtmlPage.Of("arena", view));

        string dom = HeadlessBrowser.DumpDom(file);

        int rectangles = view.Plans.Sum(p => p.Chart.Plan.Buffers.Count + p.Chart.Plan.PersistentBuffers.Count);
        Assert.Equal(rectangles, Regex.Matches(dom, "<g class=\"point\"><path d=\"M").Count);
        Assert.Contains("77,216 B needed", dom);
        Assert.Contains("262,992 B needed", dom);
    }

    private const string ScriptPayload = "<script>alert(1)</script>";
    private const string ImagePayload = "<img src=x onerror=alert(1)>";
    private const string QuotePayload = "\"'><b>";

    [Fact]
    public void Hostile_names_never_become_markup_in_tables_annotations_or_hover_text()
    {
        var plan = new ArenaPlan
        {
            Planner = "greedy", OperatorCount = 2, HeadBytes = 96, TailBytes = 48,
            Buffers =
            [
                new PlannedBuffer(PlannedBufferKind.Tensor, 0, ScriptPayload, 64, 0, 0, 0, false),
                new PlannedBuffer(PlannedBufferKind.Tensor, 1, ImagePayload, 32, 0, 1, 64, false),
                new PlannedBuffer(PlannedBufferKind.Scratch, 0, QuotePayload, 16, 1, 1, 0, false),
            ],
            PersistentBuffers =
            [
                new PersistentBuffer(PersistentOwner.ForTensor(3, ImagePayload), 32, 16),
                new PersistentBuffer(PersistentOwner.ForOperator(1, ScriptPayload), 16, 0),
            ],
        };
        var views = new WorkbenchView[] { ArenaPlanView.Of(plan, QuotePayload + ScriptPayload), ArenaPlanView.Compare(HostileModels.WithKernelState(), HostileModels.Resolver()) };
        foreach (var view in views)
        {
            string html = view.ToHtml();
            Assert.DoesNotContain("cannot be shown", html);
            HostileModels.AssertNoMarkup(html);
            // Plotly renders hover text and annotations as markup: the strings it gets must be encoded.
            HostileModels.AssertNoMarkup(FigureJson.Strings(FigureJson.Of(html)));
        }

        // And in a browser, after plotly drew annotations and tables: no element came from a name.
        string file = Path.Combine(Directory.CreateTempSubdirectory("tmw-arena").FullName, "hostile.html");
        File.WriteAllText(file, HtmlPage.Of("hostile", views));
        string dom = HeadlessBrowser.DumpDom(file);
        Assert.DoesNotMatch("<img\\b[^>]*src=\"x\"", dom);
        Assert.DoesNotContain("onerror=\"alert", dom);
        Assert.DoesNotContain("<script>alert(1)", dom);
    }
}
