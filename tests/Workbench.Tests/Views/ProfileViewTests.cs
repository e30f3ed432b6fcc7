using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TinyMl.Interpreter;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Runs;
using Model = TinyMl.Interpreter.Model;

using TinyMl.Workbench.Tests.Security;

namespace TinyMl.Workbench.Tests.Views;

public class ProfileViewTests
{
    private static MicroInterpreter PersonOnPersonImage()
    {
        var interpreter = ArenaSizing.Allocate(Model.Load(SharedData.ModelPath("person_detect")));
        interpreter.Input(0).CopyFrom(File.ReadAllBytes(SharedData.GoldenPath("person_detect", "person.input0.bin")));
        return interpreter;
    }

    // Unit tests assert on structure and arithmetic, never on timings; a short warm-up keeps them fast.
    private static ProfileView Profile(MicroInterpreter interpreter, int runs = 7) => ProfileView.Measure(interpreter, runs, 1, TimeSpan.Zero);

    [Fact]
    public void A_profile_says_when_the_runtime_was_a_debug_build_and_only_then()
    {
        using var interpreter = PersonOnPersonImage();
        var view = Profile(interpreter, runs: 2);
        // This test assembly is built in the same configuration as the runtime it references.
        bool debug = typeof(MicroInterpreter).Assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false)
            .OfType<System.Diagnostics.DebuggableAttribute>().Any(a => a.IsJITOptimizerDisabled);
        Assert.Equal(debug, view.UnoptimizedRuntime);
        Assert.Equal(debug, view.ToHtml().Contains("Debug build of TinyMl.Interpreter"));
        Assert.Equal(debug, view.ToString().Contains("Debug build of TinyMl.Interpreter"));
    }

    [Fact]
    public void Every_operator_gets_one_timing_in_execution_order_named_as_the_model_names_it()
    {
        using var interpreter = PersonOnPersonImage();
        var view = Profile(interpreter);
        var ops = interpreter.Model.MainSubgraph.Operators;
        Assert.Equal(ops.Count, view.Operators.Count);
        for (int i = 0; i < ops.Count; i++)
        {
            Assert.Equal(i, view.Operators[i].OperatorIndex);
            Assert.Equal(ops[i].Name, view.Operators[i].Op);
            Assert.Equal(interpreter.Model.MainSubgraph.Tensors[ops[i].Outputs[0]].Name, view.Operators[i].Output);
            Assert.True(view.Operators[i].MinMicroseconds <= view.Operators[i].MedianMicroseconds);
        }
        Assert.Equal(7, view.Runs);
        Assert.True(view.WarmupRuns >= 1);
    }

    [Fact]
    public void Conv_MACs_in_the_profile_are_output_elements_times_kernel_volume()
    {
        using var interpreter = PersonOnPersonImage();
        var view = Profile(interpreter, runs: 1);
        var subgraph = interpreter.Model.MainSubgraph;
        foreach (var op in subgraph.Operators.Where(o => o.Name == "CONV_2D"))
        {
            // CONV_2D: every output element sums over the filter's height × width × input channels.
            int[] output = subgraph.Tensors[op.Outputs[0]].Shape, filter = subgraph.Tensors[op.Inputs[1]].Shape;
            long expected = (long)output[0] * output[1] * output[2] * output[3] * filter[1] * filter[2] * filter[3];
            Assert.Equal(expected, view.Operators[op.Index].Macs);
        }
    }

    [Fact]
    public void Per_type_totals_are_the_sums_of_the_per_operator_medians_and_shares_sum_to_one()
    {
        using var interpreter = PersonOnPersonImage();
        var view = Profile(interpreter);
        double all = view.Operators.Sum(o => o.MedianMicroseconds);
        var expected = view.Operators.GroupBy(o => o.Op).ToDictionary(g => g.Key, g => (Count: g.Count(), Us: g.Sum(o => o.MedianMicroseconds), Macs: g.Sum(o => o.Macs)));
        Assert.Equal(expected.Keys.Order(), view.OperatorTypes.Select(t => t.Op).Order());
        foreach (var type in view.OperatorTypes)
        {
            Assert.Equal(expected[type.Op].Count, type.Count);
            Assert.Equal(expected[type.Op].Us, type.MedianMicroseconds, 9);
            Assert.Equal(expected[type.Op].Us / all, type.Share, 9);
            Assert.Equal(expected[type.Op].Macs, type.Macs);
        }
        Assert.Equal(14, view.OperatorTypes.Single(t => t.Op == "CONV_2D").Count);
        Assert.Equal(1.0, view.OperatorTypes.Sum(t => t.Share), 9);
        Assert.Equal(1.0, view.Operators.Sum(view.Share), 9);
        Assert.Equal(view.Invoke.MedianMicroseconds - all, view.InvokeOverheadMicroseconds, 9);
        // The slowest type comes first.
        Assert.Equal(view.OperatorTypes.Max(t => t.MedianMicroseconds), view.OperatorTypes[0].MedianMicroseconds);
    }

    [Fact]
    public void Profiling_leaves_the_interpreter_as_it_was_and_its_answer_unchanged()
    {
        using var interpreter = PersonOnPersonImage();
        var mine = new CountingProfiler();
        interpreter.Profiler = mine;
        Profile(interpreter);
        Assert.Same(mine, interpreter.Profiler);
        Assert.Equal(0, mine.Calls); // the profile's own profiler was attached while measuring
        interpreter.Profiler = null;
        interpreter.Invoke();
        // Inputs are restored before every run, so the answer is still TFLM's for person.bmp.
        Assert.Equal(new[] { -113, 113 }, interpreter.Output(0).ToArray<sbyte>().Select(v => (int)v));
    }

    private sealed class CountingProfiler : IProfiler
    {
        public int Calls;
        public void OperatorInvoked(Node node, long startTimestamp, long endTimestamp) => Calls++;
    }

    [Fact]
    public void An_interpreter_without_tensors_allocated_is_a_typed_error()
    {
        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("hello_world_int8")), OpResolver.WithAllBuiltins(), 4096);
        Assert.Throws<InterpreterStateException>(() => ProfileView.Measure(interpreter, 3, 0));
    }

    [Fact]
    public void Bars_one_per_operator_coloured_by_op_type_with_the_medians_as_heights()
    {
        using var interpreter = PersonOnPersonImage();
        var view = Profile(interpreter);
        var figure = FigureJson.Of(view.ToHtml());
        var traces = figure["data"]!.AsArray();
        Assert.Equal(view.OperatorTypes.Select(t => t.Op), traces.Select(t => t!["name"]!.GetValue<string>()));
        var bars = traces.SelectMany(t => t!["x"]!.AsArray().Select((x, i) => (Op: x!.GetValue<int>(), Us: t["y"]![i]!.GetValue<double>(), Type: t["name"]!.GetValue<string>()))).OrderBy(b => b.Op).ToArray();
        Assert.Equal(Enumerable.Range(0, view.Operators.Count), bars.Select(b => b.Op));
        for (int i = 0; i < bars.Length; i++)
        {
            Assert.Equal(view.Operators[i].MedianMicroseconds, bars[i].Us, 3);
            Assert.Equal(view.Operators[i].Op, bars[i].Type);
        }
    }

    [Fact]
    public void Chromium_draws_a_bar_per_operator_and_the_tables()
    {
        using var interpreter = PersonOnPersonImage();
        var view = Profile(interpreter);
        string file = Path.Combine(Directory.CreateTempSubdirectory("tmw-profile").FullName, "profile.html");
        File.WriteAllText(file, HtmlPage.Of("profile", view));
        string dom = HeadlessBrowser.DumpDom(file);
        Assert.Equal(view.Operators.Count, Regex.Matches(dom, "<g class=\"point\"><path d=\"M").Count);
        Assert.Contains("DEPTHWISE_CONV_2D", dom);
        Assert.Contains("MobilenetV1/Predictions/Reshape_1", dom);
    }

    [Fact]
    public void Text_lists_every_operator_and_every_op_type()
    {
        using var interpreter = PersonOnPersonImage();
        var view = Profile(interpreter, runs: 3);
        string text = view.ToText();
        foreach (var op in view.Operators)
            Assert.Matches(new Regex($"(?m)^\\s*{op.OperatorIndex}\\s+{op.Op}\\s"), text);
        Assert.Contains("AVERAGE_POOL_2D", text);
        Assert.Contains("invoke overhead", text);
        Assert.Contains("AllocateTensors took", text);
    }

    [Fact]
    public void Hostile_names_never_reach_the_markup_or_the_chart()
    {
        using var interpreter = ArenaSizing.Allocate(HostileModels.Runnable());
        var view = Profile(interpreter);
        string html = view.ToHtml();
        Assert.DoesNotContain("cannot be shown", html);
        HostileModels.AssertNoMarkup(html);
        HostileModels.AssertNoMarkup(FigureJson.Strings(FigureJson.Of(html)));
        Assert.Contains(Html.Html.Encode(HostileModels.Payloads[1]), html);
    }
}
