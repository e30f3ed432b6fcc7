using TinyMl.Interpreter;
using TinyMl.Interpreter.Tests.Models;
using TinyMl.Workbench.Tests.Security;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Workbench.Tests.Views;

/// <summary>Models with several subgraphs and resource variables show in every view, and the memory report counts the called subgraphs' tensors.</summary>
public class ControlFlowViewTests
{
    public static TheoryData<string> Models() => new() { "if", "variables" };

    private static Model Build(string name) => name == "if" ? ControlFlowModels.IfModel() : ControlFlowModels.AccumulatorModel();

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_view_renders_a_model_with_several_subgraphs(string name)
    {
        var model = Build(name);
        int rendered = 0;
        foreach (var (view, make) in MarkupSafetyTests.EveryView(model, OpResolver.WithAllBuiltins()))
        {
            string html = make().ToHtml();
            Assert.False(html.Contains("cannot be shown", StringComparison.Ordinal), $"{view} failed to render: {html}");
            rendered++;
        }
        Assert.True(rendered >= 15, $"only {rendered} views rendered");
    }

    [Fact]
    public void The_memory_report_counts_the_tensors_of_called_subgraphs()
    {
        var interpreter = TinyMl.Workbench.Runs.ArenaSizing.Allocate(ControlFlowModels.IfModel(), OpResolver.WithAllBuiltins());
        var report = MemoryReport.Of(interpreter);
        // The IF's own 3 tensors plus a and r of each branch.
        Assert.Equal(7, report.TensorCount);
        Assert.Equal(interpreter.Plan.Buffers.Sum(b => (long)b.Bytes), report.TensorBytesUnshared + report.ScratchBytesUnshared);
    }
}
