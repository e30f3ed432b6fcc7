using System.Text.RegularExpressions;
using TinyMl.Interpreter;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Runs;

using TinyMl.Workbench.Tests.Security;

namespace TinyMl.Workbench.Tests.Views;

public class MemoryReportTests
{
    private static MicroInterpreter Allocate(string name) => ArenaSizing.Allocate(Model.Load(SharedData.ModelPath(name)));

    private static long Aligned(long bytes) => (bytes + 15) / 16 * 16;

    [Theory]
    [InlineData("person_detect")]
    [InlineData("keyword_scrambled")]
    public void Categories_add_up_to_the_arena_used(string name)
    {
        using var interpreter = Allocate(name);
        var report = MemoryReport.Of(interpreter);

        Assert.Equal(interpreter.ArenaUsedBytes, report.Categories.Sum(c => c.Bytes));
        Assert.DoesNotContain(report.Categories, c => c.Region == "other");
        var plan = interpreter.Plan;
        Assert.Equal(plan.HeadBytes, report.Categories.Single(c => c.Region == "head").Bytes);
        Assert.Equal(plan.Buffers.Where(b => b.Kind == PlannedBufferKind.Tensor).Sum(b => (long)b.Bytes), report.TensorBytesUnshared);
        Assert.Equal(plan.Buffers.Where(b => b.Kind == PlannedBufferKind.Scratch).Sum(b => (long)b.Bytes), report.ScratchBytesUnshared);
        Assert.Equal(interpreter.Model.Bytes.Length, report.ModelBytes);
        Assert.Contains($"Arena used: <b>{Html.Html.Number(interpreter.ArenaUsedBytes)} bytes</b>", report.ToHtml());
    }

    [Fact]
    public void Each_operators_persistent_bytes_are_its_tail_allocations()
    {
        using var interpreter = Allocate("person_detect");
        var report = MemoryReport.Of(interpreter);
        var ops = interpreter.Model.MainSubgraph.Operators;

        var expected = interpreter.Plan.PersistentBuffers
            .Where(p => p.OwnedBy.Kind == PersistentOwnerKind.KernelData)
            .GroupBy(p => p.OwnedBy.OperatorIndex)
            .ToDictionary(g => g.Key, g => (Bytes: g.Sum(p => Aligned(p.Bytes)), Requested: g.Sum(p => (long)p.Bytes), Count: g.Count()));
        Assert.Equal(expected.Keys.Order(), report.KernelDataByOperator.Select(k => k.OperatorIndex));
        foreach (var k in report.KernelDataByOperator)
        {
            Assert.Equal(expected[k.OperatorIndex], (k.Bytes, k.RequestedBytes, k.Allocations));
            Assert.Equal(ops[k.OperatorIndex].Name, k.OpName);
        }

        // By op type: CONV_2D and DEPTHWISE_CONV_2D keep per-channel multipliers and shifts.
        var byType = expected.GroupBy(e => ops[e.Key].Name).ToDictionary(g => g.Key, g => g.Sum(e => e.Value.Bytes));
        Assert.Equal(byType.OrderBy(t => t.Key), report.KernelDataByOpType.Select(t => KeyValuePair.Create(t.OpName, t.Bytes)).OrderBy(t => t.Key));
        Assert.Equal(["CONV_2D", "DEPTHWISE_CONV_2D"], byType.Keys.Order());
        Assert.Contains("per-channel output multipliers and shifts", report.ToHtml());
    }

    [Fact]
    public void Keyword_scrambleds_svdf_state_is_counted_as_variable_tensors()
    {
        using var interpreter = Allocate("keyword_scrambled");
        var report = MemoryReport.Of(interpreter);

        var variables = interpreter.Model.MainSubgraph.Tensors.Where(t => t.IsVariable).ToArray();
        Assert.NotEmpty(variables);
        Assert.Equal(variables.Length, report.VariableTensors.Count);
        Assert.Equal(variables.Sum(v => Aligned(v.ByteCount)), report.Categories.Single(c => c.Name == "variable tensors").Bytes);
        Assert.Contains("variable tensors", report.ToText());
    }

    [Fact]
    public void An_interpreter_that_is_not_allocated_says_so()
    {
        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("person_detect")), OpResolver.WithAllBuiltins(), 1024);
        var report = MemoryReport.Of(interpreter);

        Assert.Contains("AllocateTensors has not run", report.ToHtml());
        Assert.Contains("AllocateTensors has not run", report.ToText());
    }

    [Fact]
    public void Headless_chromium_draws_the_category_bars()
    {
        using var interpreter = Allocate("keyword_scrambled");
        var report = MemoryReport.Of(interpreter);
        string file = Path.Combine(Directory.CreateTempSubdirectory("tmw-memory").FullName, "memory.html");
        File.WriteAllText(file, HtmlPage.Of("memory", report));

        string dom = HeadlessBrowser.DumpDom(file);

        // Head, variable tensors, FULLY_CONNECTED data; tensors and scratch unshared: five segments.
        Assert.Equal(5, Regex.Matches(dom, "<g class=\"point\"><path d=\"M").Count);
        Assert.Contains("tail: FULLY_CONNECTED data", dom);
    }

    [Fact]
    public void Hostile_names_never_become_markup()
    {
        using var interpreter = ArenaSizing.Allocate(HostileModels.WithKernelState(), HostileModels.Resolver());
        var report = MemoryReport.Of(interpreter);

        Assert.Equal(interpreter.ArenaUsedBytes, report.Categories.Sum(c => c.Bytes));
        Assert.Equal(48, report.KernelDataByOperator.Single().Bytes); // 40 bytes, aligned to 16
        Assert.Equal(112, report.ScratchBytesUnshared);              // 100 bytes, aligned to 16
        string html = report.ToHtml();
        Assert.DoesNotContain("cannot be shown", html);
        HostileModels.AssertNoMarkup(html);
        Assert.Contains(Html.Html.Encode(HostileModels.Script), html);
        // Plotly renders trace names and hover text as markup: the strings it gets must be encoded.
        HostileModels.AssertNoMarkup(FigureJson.Strings(FigureJson.Of(html)));
        HostileModels.AssertNoMarkup(ArenaPlanView.Of(interpreter).ToHtml());
    }
}
