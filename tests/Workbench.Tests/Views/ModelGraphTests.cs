using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Graph;
using TinyMl.Workbench.Html;
using Model = TinyMl.Interpreter.Model;

using TinyMl.Workbench.Tests.Security;

namespace TinyMl.Workbench.Tests.Views;

public class ModelGraphTests
{
    private static Model Load(string name) => Model.Load(SharedData.ModelPath(name));

    /// <summary>Each SVG node group: its class (op or terminal), its hover title and its visible texts.</summary>
    private static List<(string Kind, string Title, string[] Texts)> SvgNodes(string html) =>
        Regex.Matches(html, "<g class=\"node (op|terminal)\"><title>([^<]*)</title>(.*?)</g>", RegexOptions.Singleline)
            .Select(m => (m.Groups[1].Value, WebUtility.HtmlDecode(m.Groups[2].Value),
                Regex.Matches(m.Groups[3].Value, "<text[^>]*>([^<]*)</text>").Select(t => WebUtility.HtmlDecode(t.Groups[1].Value)).ToArray()))
            .ToList();

    /// <summary>Each SVG edge group: hover title, path data, label.</summary>
    private static List<(string Title, string Path, string Label)> SvgEdges(string html) =>
        Regex.Matches(html, "<g class=\"edge\"><title>([^<]*)</title><path d=\"([^\"]+)\"[^>]*/><text[^>]*>([^<]*)</text></g>")
            .Select(m => (WebUtility.HtmlDecode(m.Groups[1].Value), m.Groups[2].Value, WebUtility.HtmlDecode(m.Groups[3].Value)))
            .ToList();

    /// <summary>
    /// The edges read straight from the model: every non-constant operator input that a model input or an
    /// earlier operator writes, from that writer; every model output from its writer. Nodes named "op i",
    /// "input i", "output i".
    /// </summary>
    private static HashSet<(string From, string To, int Tensor)> EdgesFromModel(SubGraphInfo subgraph)
    {
        var writer = new Dictionary<int, string>();
        for (int i = 0; i < subgraph.Inputs.Length; i++) writer[subgraph.Inputs[i]] = $"input {i}";
        var edges = new HashSet<(string, string, int)>();
        foreach (var op in subgraph.Operators)
        {
            foreach (int t in op.Inputs)
                if (t >= 0 && !subgraph.Tensors[t].IsConstant && writer.TryGetValue(t, out var from))
                    edges.Add((from, $"op {op.Index}", t));
            foreach (int t in op.Outputs) writer[t] = $"op {op.Index}";
        }
        for (int i = 0; i < subgraph.Outputs.Length; i++) edges.Add((writer[subgraph.Outputs[i]], $"output {i}", subgraph.Outputs[i]));
        return edges;
    }

    /// <summary>"1×48×48×8 int8", written out here from the tensor's shape and type.</summary>
    private static string ShapeAndType(TensorInfo tensor) =>
        string.Join("×", tensor.Shape) + " " + tensor.Type.ToString().ToLowerInvariant();

    [Theory]
    [InlineData("person_detect")]
    [InlineData("mobilenet_v2_quantized_1x3x224x224")]
    [InlineData("audio_preprocessor_int8")]
    [InlineData("keyword_scrambled")]
    public void Nodes_are_the_operators_plus_the_model_inputs_and_outputs(string name)
    {
        var model = Load(name);
        var main = model.MainSubgraph;
        var graph = ModelGraph.Of(model);
        var nodes = SvgNodes(graph.ToHtml());

        var operatorTitles = nodes.Where(n => n.Kind == "op").Select(n => n.Title.Split('\n')[0]).ToArray();
        Assert.Equal(main.Operators.Select(o => $"operator {o.Index}: {o.Name}"), operatorTitles);
        var terminals = nodes.Where(n => n.Kind == "terminal").Select(n => n.Texts[0]).ToArray();
        Assert.Equal(main.Inputs.Select((_, i) => $"input {i}").Concat(main.Outputs.Select((_, i) => $"output {i}")), terminals);
        Assert.Equal(main.Operators.Count + main.Inputs.Length + main.Outputs.Length, graph.Nodes.Count);
    }

    [Theory]
    [InlineData("person_detect")]
    [InlineData("mobilenet_v2_quantized_1x3x224x224")]
    [InlineData("audio_preprocessor_int8")]
    [InlineData("keyword_scrambled")]
    [InlineData("dtln_noise_suppression")]
    public void Edges_are_each_activation_tensor_from_its_writer_to_every_reader(string name)
    {
        var model = Load(name);
        var graph = ModelGraph.Of(model);
        var expected = EdgesFromModel(model.MainSubgraph);

        var actual = graph.Edges.Select(e => (graph.Nodes[e.Source].Name, graph.Nodes[e.Target].Name, e.Tensor)).ToHashSet();
        Assert.Equal(expected.OrderBy(e => e.ToString()), actual.OrderBy(e => e.ToString()));
        Assert.Equal(expected.Count, graph.Edges.Count);
        var svgEdges = SvgEdges(graph.ToHtml());
        Assert.Equal(expected.Count, svgEdges.Count);
        Assert.All(svgEdges, e => Assert.StartsWith("M", e.Path));
    }

    [Fact]
    public void Edge_labels_carry_the_shape_and_type_and_hovers_the_name_index_and_quantization()
    {
        var model = Load("person_detect");
        var tensors = model.MainSubgraph.Tensors;
        var edges = SvgEdges(ModelGraph.Of(model).ToHtml());
        Assert.NotEmpty(edges);
        foreach (var (title, _, label) in edges)
        {
            int index = int.Parse(Regex.Match(title, @"^tensor (\d+): ").Groups[1].Value, CultureInfo.InvariantCulture);
            var tensor = tensors[index];
            Assert.Equal(ShapeAndType(tensor), label);
            Assert.Contains(tensor.Name, title);
            Assert.Contains("zero point " + tensor.Quantization!.ZeroPoint.ToString(CultureInfo.InvariantCulture), title);
        }
        // The first conv writes 1×48×48×8: that label is on the picture.
        Assert.Contains(edges, e => e.Label == "1×48×48×8 int8");
    }

    [Fact]
    public void A_conv_node_shows_its_macs_counted_by_hand_and_its_filter()
    {
        var model = Load("person_detect");
        var main = model.MainSubgraph;
        var conv = main.Operators.First(o => o.Code.Builtin == BuiltinOperator.CONV_2D);
        int[] output = main.Tensors[conv.Outputs[0]].Shape, filter = main.Tensors[conv.Inputs[1]].Shape, input = main.Tensors[conv.Inputs[0]].Shape;
        // Each output element sums kernel height × width × input channels products.
        long macs = (long)output[1] * output[2] * output[3] * filter[1] * filter[2] * input[3];

        var graph = ModelGraph.Of(model);
        Assert.Equal(macs, graph.Nodes.Single(n => n.Name == $"op {conv.Index}").Macs);
        var node = SvgNodes(graph.ToHtml()).Single(n => n.Title.StartsWith($"operator {conv.Index}: CONV_2D\n", StringComparison.Ordinal));
        Assert.Contains(Html.Html.Count(macs) + " MACs", node.Texts);
        Assert.Contains("filter " + string.Join("×", filter) + " int8", node.Texts);
        Assert.Contains($"#{conv.Index}", node.Texts);
        Assert.Equal("CONV_2D", node.Texts[0]);
    }

    [Fact]
    public void Mobilenet_v2_lays_out_with_no_overlapping_nodes_inside_its_view_box()
    {
        var graph = ModelGraph.Of(Load("mobilenet_v2_quantized_1x3x224x224"));
        var boxes = graph.Layout.Boxes;
        Assert.Equal(graph.Nodes.Count, boxes.Count);
        for (int i = 0; i < boxes.Count; i++)
        {
            var b = boxes[i];
            for (int j = i + 1; j < boxes.Count; j++)
            {
                var o = boxes[j];
                bool apart = b.X + b.Width <= o.X || o.X + o.Width <= b.X || b.Y + b.Height <= o.Y || o.Y + o.Height <= b.Y;
                Assert.True(apart, $"{graph.Nodes[i].Name} overlaps {graph.Nodes[j].Name}");
            }
            Assert.InRange(b.X, 0, graph.Layout.Width - b.Width);
            Assert.InRange(b.Y, 0, graph.Layout.Height - b.Height);
            // Each box is as big as its text needs.
            Assert.Equal(graph.Cards[i].Width, b.Width, 1e-6);
            Assert.Equal(graph.Cards[i].Height, b.Height, 1e-6);
        }
        // Edge labels sit beside the edges, never on a node.
        foreach (var route in graph.Layout.Routes)
            Assert.DoesNotContain(boxes, b => route.LabelX > b.X && route.LabelX < b.X + b.Width && route.LabelY > b.Y && route.LabelY < b.Y + b.Height);
        // Inputs at the top, outputs at the bottom.
        Assert.True(boxes[0].Y < boxes[1].Y && boxes[^1].Y > boxes[^2].Y);
        string html = graph.ToHtml();
        Assert.Contains($"viewBox=\"0 0 {graph.Layout.Width.ToString(CultureInfo.InvariantCulture)} {graph.Layout.Height.ToString(CultureInfo.InvariantCulture)}\"", html);
    }

    [Fact]
    public void Hostile_names_are_encoded_in_svg_text_titles_and_notes()
    {
        foreach (var model in new[] { HostileModels.Runnable(), HostileModels.WithCustomOperator() })
        {
            var graph = ModelGraph.Of(model);
            string html = graph.ToHtml();
            Assert.DoesNotContain("class=\"error\"", html);
            HostileModels.AssertNoMarkup(html);
            // The names are there, as text: in hover titles and node lines.
            var nodes = SvgNodes(html);
            Assert.Contains(nodes, n => HostileModels.Payloads.Any(p => n.Title.Contains(p, StringComparison.Ordinal)));
            Assert.Contains(SvgEdges(html), e => HostileModels.Payloads.Any(p => e.Title.Contains(p, StringComparison.Ordinal)));
        }
        // The custom op's name is its node's header.
        var custom = SvgNodes(ModelGraph.Of(HostileModels.WithCustomOperator()).ToHtml()).Single(n => n.Kind == "op");
        Assert.Equal(HostileModels.Payloads[0], custom.Texts[0]);
    }

    [Fact]
    public void A_profile_puts_each_operators_median_time_and_share_on_its_node()
    {
        var model = Load("person_detect");
        var ops = model.MainSubgraph.Operators;
        // Whole microseconds, 20 to 230: under 100 shown with one decimal, from 100 on without.
        var timings = ops.Select(o => new OperatorTiming(o.Index, o.Name, 20 + 7 * o.Index)).ToArray();
        double total = timings.Sum(t => t.MedianMicroseconds);
        var profile = new ProfileView { ModelSource = model.Source, Operators = timings };

        var graph = ModelGraph.Of(model, profile);
        string html = graph.ToHtml();
        var nodes = SvgNodes(html).Where(n => n.Kind == "op").ToArray();
        Assert.Equal(ops.Count, nodes.Length);
        foreach (var t in timings)
        {
            string time = t.MedianMicroseconds < 100
                ? t.MedianMicroseconds.ToString("0.0", CultureInfo.InvariantCulture) + " µs"
                : t.MedianMicroseconds.ToString("0", CultureInfo.InvariantCulture) + " µs";
            string share = (100 * t.MedianMicroseconds / total).ToString("0.0", CultureInfo.InvariantCulture) + " %";
            Assert.Contains($"{time} · {share}", nodes[t.OperatorIndex].Texts);
            Assert.Equal(t.MedianMicroseconds, graph.Nodes.Single(n => n.Name == $"op {t.OperatorIndex}").MedianMicroseconds);
        }
        Assert.Equal(ops.Count, Regex.Matches(html, "class=\"heat\"").Count);
        // Without a profile, no times and no heat.
        string plain = ModelGraph.Of(model).ToHtml();
        Assert.DoesNotContain("µs", plain);
        Assert.DoesNotContain("class=\"heat\"", plain);
    }

    [Fact]
    public void A_profile_of_another_model_is_not_put_on_the_nodes()
    {
        var model = Load("person_detect");
        var profile = new ProfileView { ModelSource = "other", Operators = [new OperatorTiming(0, "SVDF", 50), new OperatorTiming(500, "CONV_2D", 50)] };
        var graph = ModelGraph.Of(model, profile);
        Assert.All(graph.Nodes, n => Assert.Null(n.MedianMicroseconds));
        Assert.Contains("2 profile entries name another operator", graph.ToHtml());
    }

    [Fact]
    public void The_text_lists_operators_in_order_with_their_input_and_output_tensors()
    {
        var model = Load("person_detect");
        var main = model.MainSubgraph;
        string text = ModelGraph.Of(model).ToText();
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int previous = -1;
        foreach (var op in main.Operators)
        {
            int at = lines.FindIndex(l => l.StartsWith($"op {op.Index}  {op.Name}", StringComparison.Ordinal));
            Assert.True(at > previous, $"op {op.Index} missing or out of order");
            previous = at;
            var block = lines.Skip(at + 1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal)).ToArray();
            foreach (int t in op.Inputs.Where(t => t >= 0 && !main.Tensors[t].IsConstant))
                Assert.Contains(block, l => l.StartsWith($"    <- t{t} {ShapeAndType(main.Tensors[t])} from ", StringComparison.Ordinal));
            foreach (int t in op.Outputs)
                Assert.Contains(block, l => l.StartsWith($"    -> t{t} {ShapeAndType(main.Tensors[t])}", StringComparison.Ordinal));
        }
        Assert.Contains($"input 0  {main.Tensors[main.Inputs[0]].Name}", text);
        Assert.Contains("output 0", text);
    }

    /// <summary>A chain of RELUs: input → op 0 → op 1 → … → output.</summary>
    private static Model Chain(int operators)
    {
        var builder = new ModelBuilder();
        int previous = builder.AddTensor("x", TensorType.INT8, [1, 8], scales: [0.1f], zeroPoints: [0]);
        int input = previous;
        for (int i = 0; i < operators; i++)
        {
            int next = builder.AddTensor($"relu{i}", TensorType.INT8, [1, 8], scales: [0.1f], zeroPoints: [0]);
            builder.AddOperator(BuiltinOperator.RELU, [previous], [next]);
            previous = next;
        }
        return builder.SetInputs(input).SetOutputs(previous).ToModel("chain.tflite");
    }

    [Fact]
    public void Operators_beyond_the_limit_are_left_out_with_a_note_saying_which()
    {
        var graph = ModelGraph.Of(Chain(30), 0, maxOperators: 10);
        Assert.Equal(10, graph.Nodes.Count(n => n.Kind == GraphNodeKind.Operator));
        Assert.Equal(11, graph.Nodes.Count); // and the input; the output's writer is not drawn
        Assert.Equal(10, graph.Edges.Count);
        string html = graph.ToHtml();
        Assert.Contains("Only the first 10 of 30 operators are drawn: 20 left out (operators 10–29), and 1 model output they write.", html);
        Assert.Contains("Only the first 10 of 30 operators", graph.ToText());
        Assert.Equal(10, SvgNodes(html).Count(n => n.Kind == "op"));
    }

    [Fact]
    public void The_default_limit_draws_a_600_operator_model_whole()
    {
        var graph = ModelGraph.Of(Chain(ModelGraph.MaxOperators));
        Assert.Equal(ModelGraph.MaxOperators + 2, graph.Nodes.Count);
        Assert.DoesNotContain("left out", graph.ToHtml());
    }

    [Fact]
    public void Other_subgraphs_are_listed_and_each_can_be_drawn()
    {
        var builder = new ModelBuilder();
        int x = builder.AddTensor("x", TensorType.FLOAT32, [1, 4]);
        int y = builder.AddTensor("y", TensorType.FLOAT32, [1, 4]);
        builder.AddOperator(BuiltinOperator.RELU, [x], [y]);
        builder.SetInputs(x).SetOutputs(y);
        builder.Edit(m => m.Subgraphs.Add(new SubGraphT
        {
            Name = "body", Tensors = m.Subgraphs[0].Tensors, Inputs = [0], Outputs = [1],
            Operators = [m.Subgraphs[0].Operators[0], new OperatorT { OpcodeIndex = 0, Inputs = [1], Outputs = [0] }],
        }));
        var model = builder.ToModel("two.tflite");

        string html = ModelGraph.Of(model).ToHtml();
        Assert.Contains("Subgraph 1 &quot;body&quot; (2 operators) is not drawn here: ModelGraph.Of(model, 1) draws it.", html);
        var second = ModelGraph.Of(model, 1);
        Assert.Equal(2, second.Nodes.Count(n => n.Kind == GraphNodeKind.Operator));
        Assert.Contains("subgraph 1 \"body\"", second.ToText());
        Assert.Contains("Subgraph 0 &quot;main&quot; (1 operator) is not drawn here", second.ToHtml());
    }

    [Fact]
    public void A_model_without_operators_draws_its_input_passed_to_its_output()
    {
        var builder = new ModelBuilder();
        int x = builder.AddTensor("x", TensorType.FLOAT32, [2, 3]);
        var graph = ModelGraph.Of(builder.SetInputs(x).SetOutputs(x).ToModel("empty.tflite"));
        Assert.Equal(["input 0", "output 0"], graph.Nodes.Select(n => n.Name));
        var edge = Assert.Single(graph.Edges);
        Assert.Equal((0, 1, x, "2×3 float32"), (edge.Source, edge.Target, edge.Tensor, edge.Label));
        Assert.Single(SvgEdges(graph.ToHtml()));
        Assert.DoesNotContain("class=\"error\"", graph.ToHtml());
    }

    [Fact]
    public void An_empty_subgraph_renders_without_error()
    {
        var graph = ModelGraph.Of(new ModelBuilder().ToModel("nothing.tflite"));
        Assert.Empty(graph.Nodes);
        Assert.DoesNotContain("class=\"error\"", graph.ToHtml());
        Assert.Contains("0 operators", graph.ToText());
    }

    [Fact]
    public void In_chromium_every_node_text_fits_its_box_and_the_zoom_buttons_work()
    {
        var graph = ModelGraph.Of(Load("person_detect"));
        // After the view's own script: measure each node's texts with the browser's fonts, then press "+" twice.
        const string probe = """
<script>
var bad=[];document.querySelectorAll('g.node').forEach(function(g){var r=g.querySelector('rect').getBBox();
g.querySelectorAll('text').forEach(function(t){var b=t.getBBox();if(b.x<r.x-0.5||b.x+b.width>r.x+r.width+0.5)bad.push(t.textContent);});});
var svg=document.querySelector('svg'),before=svg.getBoundingClientRect().width;
var plus=document.querySelector('[data-zoom=in]');plus.click();plus.click();
document.body.setAttribute('data-overflowing',bad.join('|'));
document.body.setAttribute('data-nodes',document.querySelectorAll('g.node').length);
document.body.setAttribute('data-zoomed',(svg.getBoundingClientRect().width/before).toFixed(2));
</script>
""";
        string file = Path.Combine(Path.GetTempPath(), $"tmw-graph-{Guid.NewGuid():N}.html");
        File.WriteAllText(file, HtmlPage.Wrap("graph", graph.ToHtml(), probe));
        try
        {
            string dom = HeadlessBrowser.DumpDom(file, 3000);
            Assert.Contains("data-overflowing=\"\"", dom);
            Assert.Contains($"data-nodes=\"{graph.Nodes.Count}\"", dom);
            Assert.Contains("data-zoomed=\"1.56\"", dom);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
