using System.Diagnostics;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Workbench.Tests.Security;

/// <summary>
/// A model too big to show whole must still show quickly (a notebook cell must not hang), and say
/// what it left out rather than cut it silently.
/// </summary>
public class LargeModelViewTests
{
    private const int Operators = 5000;
    // Generous for a shared 2-core machine in Debug; each view takes well under a second alone.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    /// <summary>5,000 RELUs in a chain, and a 4-million-element constant fed to the first ADD.</summary>
    private static Model Build()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("input", TensorType.FLOAT32, [1, 2048, 2048]);
        int big = b.AddConstant("big", TensorType.FLOAT32, [1, 2048, 2048], Enumerable.Range(0, 2048 * 2048).Select(i => (float)Math.Sin(i)).ToArray());
        int current = b.AddTensor("sum", TensorType.FLOAT32, [1, 2048, 2048]);
        b.AddOperator(BuiltinOperator.ADD, [input, big], [current], BuiltinOptionsUnion.FromAddOptions(new AddOptionsT()));
        for (int i = 1; i < Operators; i++)
        {
            int next = b.AddTensor($"relu_{i}", TensorType.FLOAT32, [1, 2048, 2048]);
            b.AddOperator(BuiltinOperator.RELU, [current], [next]);
            current = next;
        }
        return b.SetInputs(input).SetOutputs(current).ToModel("large.tflite");
    }

    private static string Timed(string what, Func<WorkbenchView> view)
    {
        var clock = Stopwatch.StartNew();
        string html = view().ToHtml();
        Assert.True(clock.Elapsed < Budget, $"{what} took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.DoesNotContain("cannot be shown", html);
        return html;
    }

    [Fact]
    public void Views_of_a_5000_operator_model_render_in_seconds_and_say_what_they_left_out()
    {
        var model = Build();
        string summary = Timed("ModelSummary", () => ModelSummary.Of(model));
        Assert.Matches(@"… [\d,]+ more rows not shown \(5,000 in all\) …", summary);
        string graph = Timed("ModelGraph", () => ModelGraph.Of(model));
        Assert.Matches(@"Only the first [\d,]+ of 5,000 operators are drawn", graph);
    }

    [Fact]
    public void A_4_million_element_tensor_renders_in_seconds_and_says_what_it_left_out()
    {
        var model = Build();
        string html = Timed("TensorView", () => TensorView.Of(model.MainSubgraph.Tensors[1]));
        Assert.Contains("36 of 4,194,304 values shown (first and last 3 along each axis)", html);
        Assert.Contains("every 4th row and column drawn (512&#215;512 of 2,048&#215;2,048)", html);
        Assert.Contains("sampled: every 5th value, 838,861 of 4,194,304", html);
    }
}
