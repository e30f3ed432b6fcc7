using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Msagl.Core.Geometry;
using Microsoft.Msagl.Core.Geometry.Curves;
using Microsoft.Msagl.Core.Layout;
using Microsoft.Msagl.Core.Routing;
using Microsoft.Msagl.Layout.Layered;
using MsaglEdge = Microsoft.Msagl.Core.Layout.Edge;
using MsaglLabel = Microsoft.Msagl.Core.Layout.Label;
using MsaglNode = Microsoft.Msagl.Core.Layout.Node;

namespace TinyMl.Workbench.Graph;

/// <summary>A node's rectangle in SVG coordinates (y down), top-left corner and size.</summary>
public readonly record struct NodeBox(double X, double Y, double Width, double Height)
{
    public bool Overlaps(NodeBox other) =>
        X < other.X + other.Width && other.X < X + Width && Y < other.Y + other.Height && other.Y < Y + Height;
}

/// <summary>An edge's route as SVG path data (ending on the target's border) and its label's centre.</summary>
public readonly record struct EdgeRoute(string Path, double LabelX, double LabelY);

/// <summary>
/// Where everything goes: the graph laid out in layers top to bottom (Sugiyama) by MSAGL, edges routed
/// as splines around the nodes, each edge's label given its own place so no text lands on a node.
/// </summary>
public sealed class LayeredGraphLayout
{
    public const double EdgeLabelFont = 10, EdgeLabelHeight = 13, Margin = 12;

    /// <summary>Per node (same order as the graph's nodes).</summary>
    public required IReadOnlyList<NodeBox> Boxes { get; init; }
    /// <summary>Per edge (same order as the graph's edges).</summary>
    public required IReadOnlyList<EdgeRoute> Routes { get; init; }
    public required double Width { get; init; }
    public required double Height { get; init; }
    public required TimeSpan Elapsed { get; init; }

    public static LayeredGraphLayout Of(OperatorGraph graph, IReadOnlyList<NodeCard> cards)
    {
        var clock = Stopwatch.StartNew();
        var geometry = new GeometryGraph();
        var nodes = new MsaglNode[graph.Nodes.Count];
        for (int i = 0; i < nodes.Length; i++)
        {
            nodes[i] = new MsaglNode(CurveFactory.CreateRectangleWithRoundedCorners(cards[i].Width, cards[i].Height, 4, 4, new Point()), graph.Nodes[i]);
            geometry.Nodes.Add(nodes[i]);
        }
        var edges = new MsaglEdge[graph.Edges.Count];
        for (int i = 0; i < edges.Length; i++)
        {
            var e = graph.Edges[i];
            edges[i] = new MsaglEdge(nodes[e.Source], nodes[e.Target]) { UserData = e };
            edges[i].Label = new MsaglLabel(Math.Ceiling(TextWidth.Of(e.Label, EdgeLabelFont)) + 6, EdgeLabelHeight, edges[i]);
            geometry.Edges.Add(edges[i]);
        }

        var settings = new SugiyamaLayoutSettings
        {
            NodeSeparation = 18,
            LayerSeparation = 26,
            EdgeRoutingSettings = { EdgeRoutingMode = EdgeRoutingMode.SugiyamaSplines },
        };
        new LayeredLayout(geometry, settings).Run();

        // MSAGL's y axis points up, with the first layer on top: flip into SVG's y-down space.
        var bounds = geometry.BoundingBox;
        double left = bounds.Left - Margin, top = bounds.Top + Margin;
        Point ToSvg(Point p) => new(p.X - left, top - p.Y);

        var boxes = nodes.Select(n => new NodeBox(n.BoundingBox.Left - left, top - n.BoundingBox.Top, n.BoundingBox.Width, n.BoundingBox.Height)).ToArray();
        var routes = edges.Select(e =>
        {
            var path = new StringBuilder();
            if (e.Curve is not null) AppendCurve(path, e.Curve, ToSvg);
            else Append(path, 'M', ToSvg(e.Source.Center)).Append(' '); // MSAGL left it unrouted: a straight line will do
            if (e.Curve is null) Append(path, 'L', ToSvg(e.Target.Center));
            var label = e.Label is { } l ? ToSvg(l.Center) : ToSvg(e.Curve?.BoundingBox.Center ?? e.Source.Center);
            return new EdgeRoute(path.ToString().TrimEnd(), label.X, label.Y);
        }).ToArray();
        return new LayeredGraphLayout
        {
            Boxes = boxes,
            Routes = routes,
            Width = Math.Ceiling(bounds.Width + 2 * Margin),
            Height = Math.Ceiling(bounds.Height + 2 * Margin),
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>The curve as SVG path commands: lines and cubic Béziers as they are, anything else as a polyline through it.</summary>
    private static void AppendCurve(StringBuilder path, ICurve curve, Func<Point, Point> toSvg)
    {
        var segments = curve is Curve c ? c.Segments : [curve];
        bool first = true;
        foreach (var segment in segments)
        {
            if (first) { Append(path, 'M', toSvg(segment.Start)).Append(' '); first = false; }
            switch (segment)
            {
                case LineSegment line:
                    Append(path, 'L', toSvg(line.End)).Append(' ');
                    break;
                case CubicBezierSegment bezier:
                    Append(path, 'C', toSvg(bezier.B(1))).Append(' ');
                    Append(path, null, toSvg(bezier.B(2))).Append(' ');
                    Append(path, null, toSvg(bezier.B(3))).Append(' ');
                    break;
                default:
                    for (int i = 1; i <= 8; i++)
                        Append(path, 'L', toSvg(segment[segment.ParStart + (segment.ParEnd - segment.ParStart) * i / 8])).Append(' ');
                    break;
            }
        }
    }

    private static StringBuilder Append(StringBuilder path, char? command, Point p)
    {
        if (command is { } letter) path.Append(letter);
        return path.Append(p.X.ToString("0.#", CultureInfo.InvariantCulture)).Append(',').Append(p.Y.ToString("0.#", CultureInfo.InvariantCulture));
    }
}
