using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Graph;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench;

/// <summary>Another subgraph of the model (a WHILE body, say), listed under the one drawn.</summary>
public sealed record SubgraphEntry(int Index, string Name, int OperatorCount);

/// <summary>The model drawn as a picture, Netron-style: operators as nodes, tensors as edges, laid out by MSAGL, rendered as SVG.</summary>
public sealed class ModelGraph : WorkbenchView
{
    /// <summary>
    /// Operators drawn at most: MSAGL lays out 600 in a few seconds; beyond, the rest is left out with a note
    /// (a picture of thousands of nodes helps nobody, and a notebook must not hang on it).
    /// </summary>
    public const int MaxOperators = 600;

    /// <summary>The graph of subgraph 0 (the one the interpreter runs), its operators annotated with <paramref name="profile"/>'s times.</summary>
    public static ModelGraph Of(Model model, ProfileView? profile = null) => Of(model, 0, profile);

    /// <summary>
    /// The graph of subgraph <paramref name="subgraph"/>. A profile times subgraph 0's operators, so it annotates
    /// only that one; a timing whose op differs from the model's operator at its index is not shown.
    /// </summary>
    public static ModelGraph Of(Model model, int subgraph, ProfileView? profile = null, int maxOperators = MaxOperators)
    {
        if (subgraph < 0 || subgraph >= model.Subgraphs.Count)
            throw new ArgumentOutOfRangeException(nameof(subgraph), subgraph, $"the model has {model.Subgraphs.Count} subgraph(s)");
        var info = model.Subgraphs[subgraph];
        var timings = new Dictionary<int, double>();
        int mismatched = 0;
        if (profile is not null && subgraph == 0)
            foreach (var t in profile.Operators)
            {
                if (t.OperatorIndex >= 0 && t.OperatorIndex < info.Operators.Count && info.Operators[t.OperatorIndex].Name == t.Op) timings[t.OperatorIndex] = t.MedianMicroseconds;
                else mismatched++;
            }
        var graph = OperatorGraph.Of(info, maxOperators, profile is null ? null : timings);
        double total = profile?.Operators.Sum(t => t.MedianMicroseconds) ?? 0;
        var cards = graph.Nodes.Select(n => NodeCard.Of(n, total)).ToArray();
        return new ModelGraph
        {
            ModelSource = model.Source,
            SubgraphIndex = subgraph,
            SubgraphName = info.Name,
            OperatorCount = info.Operators.Count,
            Graph = graph,
            Cards = cards,
            Layout = LayeredGraphLayout.Of(graph, cards),
            Profiled = profile is not null && subgraph == 0,
            TotalMicroseconds = total,
            MismatchedTimings = mismatched,
            OtherSubgraphs = model.Subgraphs.Where(s => s.Index != subgraph).Select(s => new SubgraphEntry(s.Index, s.Name, s.Operators.Count)).ToArray(),
        };
    }

    public required string ModelSource { get; init; }
    public int SubgraphIndex { get; init; }
    public string SubgraphName { get; init; } = "";
    /// <summary>Operators of the subgraph, drawn or not.</summary>
    public int OperatorCount { get; init; }
    public required OperatorGraph Graph { get; init; }
    /// <summary>What each node shows, same order as <see cref="Nodes"/>.</summary>
    public required IReadOnlyList<NodeCard> Cards { get; init; }
    public required LayeredGraphLayout Layout { get; init; }
    public bool Profiled { get; init; }
    /// <summary>The profile's total of median operator times, for time shares.</summary>
    public double TotalMicroseconds { get; init; }
    /// <summary>Profile entries that name another operator than the model has at their index (a profile of another model).</summary>
    public int MismatchedTimings { get; init; }
    public IReadOnlyList<SubgraphEntry> OtherSubgraphs { get; init; } = [];

    public IReadOnlyList<GraphNode> Nodes => Graph.Nodes;
    public IReadOnlyList<GraphEdge> Edges => Graph.Edges;
    public TimeSpan LayoutTime => Layout.Elapsed;

    public string FileName => Path.GetFileName(ModelSource) is { Length: > 0 } name ? name : ModelSource;
    public override string Title => $"Graph of {FileName}";

    private string SubgraphText => $"subgraph {SubgraphIndex}" + (SubgraphName.Length > 0 ? $" \"{SubgraphName}\"" : "");

    /// <summary>The headline, each piece passed through <paramref name="plain"/> or <paramref name="strong"/> (HTML encodes both).</summary>
    private string Headline(Func<string, string> strong, Func<string, string> plain)
    {
        long macs = Nodes.Sum(n => n.Macs);
        int inputs = Nodes.Count(n => n.Kind == GraphNodeKind.Input), outputs = Nodes.Count(n => n.Kind == GraphNodeKind.Output);
        return strong(FileName) + plain($", {SubgraphText}: ") + strong(Number(OperatorCount)) +
            plain($" operator{(OperatorCount == 1 ? "" : "s")}, {Number(inputs)} input{(inputs == 1 ? "" : "s")}, {Number(outputs)} output{(outputs == 1 ? "" : "s")}") +
            (macs > 0 ? plain(", ") + strong(Count(macs) + " MACs") : "") +
            (Profiled ? plain(", ") + strong(NodeCard.Microseconds(TotalMicroseconds)) + plain(" per Invoke (profiled)") : "");
    }

    private IEnumerable<string> Notes()
    {
        if (Graph.ElidedOperators > 0)
            yield return $"Only the first {Number(OperatorCount - Graph.ElidedOperators)} of {Number(OperatorCount)} operators are drawn: " +
                $"{Number(Graph.ElidedOperators)} left out (operators {Number(OperatorCount - Graph.ElidedOperators)}–{Number(OperatorCount - 1)})" +
                (Graph.ElidedOutputs > 0 ? $", and {Number(Graph.ElidedOutputs)} model output{(Graph.ElidedOutputs == 1 ? "" : "s")} they write" : "") + ".";
        if (MismatchedTimings > 0)
            yield return $"{Number(MismatchedTimings)} profile entr{(MismatchedTimings == 1 ? "y names" : "ies name")} another operator than the model has at that index (a profile of another model?): not shown.";
        foreach (var s in OtherSubgraphs)
            yield return $"Subgraph {s.Index}" + (s.Name.Length > 0 ? $" \"{s.Name}\"" : "") +
                $" ({Number(s.OperatorCount)} operator{(s.OperatorCount == 1 ? "" : "s")}) is not drawn here: ModelGraph.Of(model, {s.Index}) draws it.";
    }

    protected override void WriteHtml(StringBuilder html)
    {
        html.Append("<div class=\"answer\">").Append(Headline(s => "<b>" + Encode(s) + "</b>", Encode)).Append("</div>");
        WriteLegend(html);
        foreach (var note in Notes()) html.Append("<div class=\"muted\">").Append(Encode(note)).Append("</div>");
        double slowest = Nodes.Max(n => n.MedianMicroseconds) ?? 0;
        GraphSvg.Write(html, Graph, Cards, Layout, i => Nodes[i].MedianMicroseconds is { } us && slowest > 0 ? us / slowest : null);
        html.Append("<div class=\"muted\" style=\"font-size:11px\">Laid out in ").Append(Number(Layout.Elapsed.TotalMilliseconds, 0))
            .Append(" ms (MSAGL, layered). Hover a node or an edge for tensor names, indices and quantization.</div>");
    }

    /// <summary>Swatches of the op families present (only those), inputs/outputs, and the time tint when profiled.</summary>
    private void WriteLegend(StringBuilder html)
    {
        static string Swatch(string fill, string border) =>
            $"<span style=\"display:inline-block;width:11px;height:11px;border-radius:2px;vertical-align:-1px;background:{fill};border:1px solid {border}\"></span> ";
        html.Append("<div class=\"kv\" style=\"font-size:11px\">");
        foreach (var family in Nodes.Where(n => n.Kind == GraphNodeKind.Operator).Select(n => n.Family).Distinct().Order())
            html.Append("<span>").Append(Swatch(OperatorFamilies.Colour(family), OperatorFamilies.Colour(family))).Append(Encode(OperatorFamilies.Label(family))).Append("</span>");
        html.Append("<span>").Append(Swatch("#e2e2e2", "#707070")).Append("model input / output</span>");
        if (Profiled) html.Append("<span>").Append(Swatch("rgba(228,87,46,.45)", "#e4572e")).Append("time (tint and bar to scale of the slowest)</span>");
        html.Append("</div>");
    }

    protected override string RenderText()
    {
        var text = new StringBuilder(Headline(s => s, s => s)).AppendLine();
        foreach (var note in Notes()) text.AppendLine(note);
        var incoming = Edges.ToLookup(e => e.Target);
        var consumers = Edges.ToLookup(e => (e.Source, e.Tensor), e => Nodes[e.Target].Name);
        foreach (var node in Nodes)
        {
            text.AppendLine().Append(node.Name).Append("  ").Append(node.Kind == GraphNodeKind.Operator ? node.Title : node.Options);
            var details = node.Kind == GraphNodeKind.Operator ? new[] { node.Options }.Concat(node.Constants) : node.Constants;
            foreach (var detail in details.Where(d => d.Length > 0)) text.Append("  ·  ").Append(detail);
            if (node.Macs > 0) text.Append("  ·  ").Append(Count(node.Macs)).Append(" MACs");
            if (node.MedianMicroseconds is { } us) text.Append("  ·  ").Append(NodeCard.Microseconds(us));
            text.AppendLine();
            foreach (var e in incoming[node.Id])
                text.Append("    <- t").Append(e.Tensor).Append(' ').Append(e.Label).Append(" from ").AppendLine(Nodes[e.Source].Name);
            foreach (int t in node.Outputs)
            {
                var to = consumers[(node.Id, t)].ToArray();
                text.Append("    -> t").Append(t).Append(' ').Append(Graph.TensorLabels.GetValueOrDefault(t, ""))
                    .AppendLine(to.Length > 0 ? " to " + string.Join(", ", to) : " (read by no drawn node)");
            }
        }
        return text.ToString();
    }
}
