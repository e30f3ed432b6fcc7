using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Html;
using Model = TinyMl.Interpreter.Model;

using TinyMl.Workbench.Tests.Security;

namespace TinyMl.Workbench.Tests.Views;

public class ModelSummaryTests
{
    private static Model Load(string name) => Model.Load(SharedData.ModelPath(name));

    private static string N(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// MACs by hand from the tensor shapes: conv out_h*out_w*out_c*kh*kw*in_c (in_c from the input),
    /// depthwise out_h*out_w*c*kh*kw, fully connected units*depth; other ops 0.
    /// </summary>
    private static long MacsByHand(SubGraphInfo subgraph, OperatorInfo op)
    {
        int[] Shape(int tensor) => subgraph.Tensors[tensor].Shape;
        switch (op.Code.Builtin)
        {
            case BuiltinOperator.CONV_2D:
            {
                int[] output = Shape(op.Outputs[0]), filter = Shape(op.Inputs[1]), input = Shape(op.Inputs[0]);
                return (long)output[1] * output[2] * output[3] * filter[1] * filter[2] * input[3];
            }
            case BuiltinOperator.DEPTHWISE_CONV_2D:
            {
                int[] output = Shape(op.Outputs[0]), filter = Shape(op.Inputs[1]);
                return (long)output[1] * output[2] * output[3] * filter[1] * filter[2];
            }
            case BuiltinOperator.FULLY_CONNECTED:
            {
                int[] output = Shape(op.Outputs[0]), weights = Shape(op.Inputs[1]);
                return output.Aggregate(1L, (n, d) => n * d) * weights[1];
            }
            default:
                return 0;
        }
    }

    /// <summary>The operator table's rows as (index, operator, whole row markup).</summary>
    private static List<(string Index, string Name, string Row)> OperatorRows(string html)
    {
        int table = html.IndexOf("<h4>Operators</h4>", StringComparison.Ordinal);
        Assert.True(table >= 0, "no operator table");
        string tableHtml = html[table..html.IndexOf("</table>", table, StringComparison.Ordinal)];
        return Regex.Matches(tableHtml, "<tr[^>]*><td class=\"num\"[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>.*?</tr>", RegexOptions.Singleline)
            .Select(m => (m.Groups[1].Value, WebUtility.HtmlDecode(m.Groups[2].Value), m.Value)).ToList();
    }

    [Fact]
    public void Person_detect_per_operator_macs_equal_the_count_by_hand_and_appear_in_its_row()
    {
        var model = Load("person_detect");
        var summary = ModelSummary.Of(model);
        var rows = OperatorRows(summary.ToHtml());
        var subgraph = model.MainSubgraph;
        Assert.Equal(subgraph.Operators.Count, rows.Count);
        int counted = 0;
        foreach (var op in subgraph.Operators)
        {
            long expected = MacsByHand(subgraph, op);
            Assert.Equal(expected, summary.Operators.Operators[op.Index].Macs);
            Assert.Equal((op.Index.ToString(), op.Name), (rows[op.Index].Index, rows[op.Index].Name));
            if (expected > 0)
            {
                Assert.Contains($">{N(expected)} <", rows[op.Index].Row);
                counted++;
            }
        }
        Assert.Equal(28, counted); // 14 CONV_2D + 14 DEPTHWISE_CONV_2D
    }

    public static TheoryData<string> GoldenModels => new()
    {
        "person_detect", "keyword_scrambled", "keyword_scrambled_8bit", "trained_lstm", "trained_lstm_int8",
        "micro_speech_quantized", "hello_world_int8", "hello_world_float", "audio_preprocessor_int8",
    };

    [Theory]
    [MemberData(nameof(GoldenModels))]
    public void Totals_equal_the_independent_figures_in_meta_json(string name)
    {
        using var meta = JsonDocument.Parse(File.ReadAllText(SharedData.GoldenPath(name, "meta.json")));
        var root = meta.RootElement;
        var summary = ModelSummary.Of(Load(name));

        Assert.Equal(root.GetProperty("macs_estimate").GetInt64(), summary.Macs);
        Assert.Equal(root.GetProperty("param_bytes").GetInt64(), summary.ParameterBytes);
        Assert.Equal(root.GetProperty("file_bytes").GetInt64(), summary.FileBytes);
        var byOp = root.GetProperty("macs_by_op").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(byOp.OrderBy(p => p.Key), summary.OperatorTypes.Where(t => t.Macs > 0).ToDictionary(t => t.Name, t => t.Macs).OrderBy(p => p.Key));
        var ops = root.GetProperty("ops").EnumerateObject().ToDictionary(p => p.Name.Replace("CUSTOM:", ""), p => p.Value.GetInt32());
        Assert.Equal(ops.OrderBy(p => p.Key), summary.OperatorTypes.ToDictionary(t => t.Name, t => t.Count).OrderBy(p => p.Key));

        string html = summary.ToHtml(), text = summary.ToText();
        foreach (var figure in new[] { N(summary.Macs), N(summary.ParameterBytes) + " B" })
        {
            Assert.Contains(figure, html);
            Assert.Contains(figure, text);
        }
    }

    [Fact]
    public void Person_detect_headline_gives_operators_macs_parameters_and_arena()
    {
        var summary = ModelSummary.Of(Load("person_detect"));
        string headline = summary.ToText().Split('\n')[0];
        // 7,157,888 MACs and 218,928 parameter bytes are meta.json's; 77,216 B is the greedy arena.
        Assert.Equal("person_detect.tflite: 31 operators, 7.16 M MACs, 213.8 KiB of parameters, needs 77,216 B of arena (greedy)", headline.TrimEnd());
        Assert.Contains("<b>77,216 B</b>", summary.ToHtml());
    }

    [Theory]
    [InlineData("person_detect")]
    [InlineData("keyword_scrambled")]
    [InlineData("trained_lstm")]
    public void Arena_figures_equal_what_an_interpreter_with_each_planner_uses(string name)
    {
        var model = Load(name);
        var summary = ModelSummary.Of(model);
        foreach (var planner in new[] { MemoryPlannerKind.Greedy, MemoryPlannerKind.Linear })
        {
            using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 4 << 20,
                new InterpreterOptions { Planner = planner, UseOfflinePlan = false });
            interpreter.AllocateTensors();
            var figure = Assert.Single(summary.Arena, a => a.Planner == planner.ToString().ToLowerInvariant());
            Assert.Equal(interpreter.ArenaUsedBytes, figure.UsedBytes);
            Assert.Equal((interpreter.Plan.HeadBytes, interpreter.Plan.TailBytes), (figure.HeadBytes, figure.TailBytes));
            Assert.Contains($"<td>{figure.Planner}</td><td class=\"num\">{N(interpreter.ArenaUsedBytes)} B</td>", summary.ToHtml());
        }
        Assert.DoesNotContain(summary.Arena, a => a.Planner == "offline"); // none of these models carries an offline plan
        if (name == "person_detect") Assert.Equal(77_216, summary.Arena[0].UsedBytes);
    }

    [Fact]
    public void An_offline_plan_gets_its_own_arena_figure()
    {
        // Two RELUs over 64 floats; the offline plan puts all three tensors apart (3 x 256 bytes).
        var builder = new ModelBuilder();
        int a = builder.AddTensor("a", TensorType.FLOAT32, [64]);
        int b = builder.AddTensor("b", TensorType.FLOAT32, [64]);
        int c = builder.AddTensor("c", TensorType.FLOAT32, [64]);
        builder.AddOperator(BuiltinOperator.RELU, [a], [b]);
        builder.AddOperator(BuiltinOperator.RELU, [b], [c]);
        builder.SetInputs(a).SetOutputs(c);
        builder.AddMetadata(Model.OfflineMemoryAllocationMetadata, new[] { 1, 0, 3, 0, 256, 512 }.SelectMany(BitConverter.GetBytes).ToArray());
        var model = builder.ToModel();

        var summary = ModelSummary.Of(model);
        using var offline = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 1 << 16, new InterpreterOptions { UseOfflinePlan = true });
        offline.AllocateTensors();
        var figure = Assert.Single(summary.Arena, f => f.Planner == "offline");
        Assert.Equal(offline.ArenaUsedBytes, figure.UsedBytes);
        Assert.True(figure.HeadBytes >= 3 * 256);
        Assert.Contains(summary.Arena, f => f.Planner == "greedy" && f.HeadBytes < figure.HeadBytes); // greedy shares a's bytes with c
        Assert.Contains("OfflineMemoryAllocation", summary.ToHtml()); // listed under metadata
    }

    [Theory]
    [InlineData("person_detect")]
    [InlineData("keyword_scrambled")]
    [InlineData("audio_preprocessor_int8")]
    [InlineData("mobilenet_v2_quantized_1x3x224x224")]
    public void Html_and_text_name_every_operator_in_order(string name)
    {
        var model = Load(name);
        var summary = ModelSummary.Of(model);
        var expected = model.Subgraphs.SelectMany(s => s.Operators.Select(o => o.Code.Builtin == BuiltinOperator.CUSTOM ? o.Code.CustomName! : o.Code.Builtin.ToString())).ToList();
        Assert.Equal(expected, OperatorRows(summary.ToHtml()).Select(r => r.Name));
        var textRows = summary.ToText().Split('\n').SkipWhile(l => l.TrimEnd() != "Operators").Skip(2).TakeWhile(l => l.Trim().Length > 0).ToList();
        Assert.Equal(expected.Count, textRows.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.Matches($@"^\s*{i}\s+{Regex.Escape(expected[i])}\s", textRows[i]);
    }

    /// <summary>A convolution followed by a custom operator no resolver has: every shared model now runs, so the test builds one.</summary>
    internal static Model UnsupportedModel()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.FLOAT32, [1, 4, 4, 2]);
        int w = b.AddConstant("w", TensorType.FLOAT32, [3, 1, 1, 2], new float[6]);
        int y = b.AddTensor("y", TensorType.FLOAT32, [1, 4, 4, 3]);
        int z = b.AddTensor("z", TensorType.FLOAT32, [1, 4, 4, 3]);
        b.AddOperator(BuiltinOperator.CONV_2D, [x, w, -1], [y], BuiltinOptionsUnion.FromConv2DOptions(new Conv2DOptionsT
            { Padding = Padding.VALID, StrideH = 1, StrideW = 1, DilationHFactor = 1, DilationWFactor = 1 }));
        b.AddOperator(BuiltinOperator.CUSTOM, [y], [z], customCode: "NoSuchCustomOp");
        return b.SetInputs(x).SetOutputs(z).ToModel("unsupported.tflite");
    }

    [Fact]
    public void A_model_the_runtime_cannot_allocate_renders_everything_else_and_says_why()
    {
        var model = UnsupportedModel();
        var error = Assert.ThrowsAny<TinyMlException>(() => new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 64 << 20).AllocateTensors());
        var summary = ModelSummary.Of(model);
        string html = summary.ToHtml(), text = summary.ToText();

        Assert.Equal(error.Message, summary.ArenaUnavailable);
        Assert.Contains("Arena size unavailable", html);
        Assert.Contains(WebUtility.HtmlEncode(error.Message), html);
        Assert.Contains(error.Message, text);
        Assert.DoesNotContain("cannot be shown", html); // not the error view: the summary itself
        Assert.Contains("arena size unavailable", text.Split('\n')[0]);

        // Every op the resolver lacks is named (the allocation error names only the first), and MACs are still counted.
        var resolver = OpResolver.WithAllBuiltins();
        var missing = model.MainSubgraph.Operators.Where(o => resolver.FindKernel(o.Code) is null).Select(o => o.Name).Distinct().ToList();
        Assert.NotEmpty(missing);
        Assert.Equal(missing, summary.UnsupportedOperators);
        Assert.Contains("The runtime has no kernel for " + string.Join(", ", missing), text);
        long macs = model.MainSubgraph.Operators.Sum(o => MacsByHand(model.MainSubgraph, o));
        Assert.Equal(macs, summary.Macs);
        Assert.Contains(N(macs), html);
        Assert.Equal(missing.Count == 0 ? 0 : model.MainSubgraph.Operators.Count(o => missing.Contains(o.Name)),
            OperatorRows(html).Count(r => r.Row.StartsWith("<tr class=\"hot\">")));
    }

    [Fact]
    public void Mobilenet_v2_macs_are_its_published_300_million()
    {
        // MobileNetV2 1.0 at 224x224: 300 M multiply-adds in its paper (Sandler et al. 2018, table 4).
        var model = Load("mobilenet_v2_quantized_1x3x224x224");
        long byHand = model.MainSubgraph.Operators.Sum(o => MacsByHand(model.MainSubgraph, o));
        Assert.InRange(byHand, 299_000_000, 302_000_000);
        Assert.Equal(byHand, ModelSummary.Of(model).Macs);
    }

    [Fact]
    public void Inputs_and_outputs_show_type_shape_and_quantization()
    {
        var model = Load("person_detect");
        var html = ModelSummary.Of(model).ToHtml();
        var input = model.MainSubgraph.Tensors[model.MainSubgraph.Inputs[0]];
        Assert.Equal(TensorType.INT8, input.Type);
        Assert.Equal([1, 96, 96, 1], input.Shape);
        Assert.Contains($"<td>input</td><td>int8</td><td>[1,96,96,1]</td><td class=\"num\">9,216</td><td>scale {input.Quantization!.Scale.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)} zero point {input.Quantization.ZeroPoint}</td>", html);
    }

    [Fact]
    public void Per_channel_weights_are_summarized_by_channel_count_and_scale_range()
    {
        var builder = new ModelBuilder();
        int input = builder.AddTensor("in", TensorType.FLOAT32, [1, 3]);
        int weights = builder.AddConstant("w", TensorType.INT8, [4, 3], new sbyte[12], scales: [0.5f, 0.25f, 2f, 1f], quantizedDimension: 0);
        int output = builder.AddTensor("out", TensorType.FLOAT32, [1, 4]);
        builder.AddOperator(BuiltinOperator.FULLY_CONNECTED, [input, weights, -1], [output]);
        builder.SetInputs(weights).SetOutputs(output);
        var summary = ModelSummary.Of(builder.ToModel());
        Assert.Contains("per-channel ×4 (axis 0): scale 0.25…2, zero point 0", summary.ToText());
        Assert.Equal(4 * 3, summary.Macs); // 4 units x depth 3
    }

    [Fact]
    public void A_model_of_hundreds_of_operators_is_elided_with_a_note()
    {
        var builder = new ModelBuilder();
        int previous = builder.AddTensor("t0", TensorType.FLOAT32, [8]);
        builder.SetInputs(previous);
        for (int i = 1; i <= 1000; i++)
        {
            int next = builder.AddTensor($"t{i}", TensorType.FLOAT32, [8]);
            builder.AddOperator(BuiltinOperator.RELU, [previous], [next]);
            previous = next;
        }
        builder.SetOutputs(previous);
        var summary = ModelSummary.Of(builder.ToModel());
        string html = summary.ToHtml();
        Assert.Equal(OperatorTable.MaxRows, OperatorRows(html).Count);
        Assert.Contains($"{N(1000 - OperatorTable.MaxRows)} more rows not shown ({N(1000)} in all)", html);
        Assert.Contains($"{N(1000 - OperatorTable.MaxRows)} more rows", summary.ToText());
        Assert.Contains(">999</td><td>RELU", html); // the last operator is kept
    }

    [Fact]
    public void Hostile_names_never_become_markup()
    {
        foreach (var model in new[] { HostileModels.Runnable(), HostileModels.WithCustomOperator() })
        {
            var summary = ModelSummary.Of(model);
            string html = summary.ToHtml();
            HostileModels.AssertNoMarkup(html);
            Assert.DoesNotContain("cannot be shown", html);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html); // shown, encoded
            Assert.Contains("<script>alert(1)</script>", summary.ToText()); // plain text keeps the name as it is
        }
        var custom = ModelSummary.Of(HostileModels.WithCustomOperator());
        Assert.Equal(["<script>alert(1)</script>"], custom.UnsupportedOperators);
    }

    [Fact]
    public void Summary_page_parses_in_chromium_with_one_row_per_operator()
    {
        var summary = ModelSummary.Of(Load("person_detect"));
        string file = Path.Combine(Directory.CreateTempSubdirectory("tmw").FullName, "summary.html");
        File.WriteAllText(file, HtmlPage.Of("summary", summary));
        string dom = HeadlessBrowser.DumpDom(file, budgetMs: 1000);
        // The browser's own DOM (not our string): 31 operator rows, 5 op types, 2 planners, 2 tensors.
        var tables = Regex.Matches(dom, "<tbody>(.*?)</tbody>", RegexOptions.Singleline).Select(m => Regex.Matches(m.Groups[1].Value, "<tr").Count).ToList();
        Assert.Equal(new[] { 2, 2, 5, 31 }, tables);
    }
}
