using System.Globalization;
using System.Text;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench.Graph;

/// <summary>
/// The laid-out graph as inline SVG, Netron-style: each node a card with a coloured header (op family),
/// edges as arrows labelled with shape and type, hover titles with names, indices and quantization.
/// Sized to the layout through its viewBox, in a scrolling box with a few zoom buttons and drag-to-pan.
/// </summary>
public static class GraphSvg
{
    private const string EdgeColour = "#8a8a8a", BorderColour = "#707070", HeatColour = "#e4572e", TerminalFill = "#e2e2e2";

    /// <summary>
    /// Appends the zoom bar, the scrolling box and the SVG. <paramref name="heat"/> gives each node's time
    /// as a share of the slowest node's (null when there is no profile), tinting it.
    /// </summary>
    public static void Write(StringBuilder html, OperatorGraph graph, IReadOnlyList<NodeCard> cards, LayeredGraphLayout layout, Func<int, double?> heat)
    {
        string id = NewId("graph");
        string width = Px(layout.Width), height = Px(layout.Height);
        html.Append("<div class=\"graph-bar\" style=\"margin:4px 0\" id=\"").Append(id).Append("-bar\">")
            .Append("<button type=\"button\" data-zoom=\"out\" title=\"zoom out\">−</button>")
            .Append("<button type=\"button\" data-zoom=\"in\" title=\"zoom in\">+</button>")
            .Append("<button type=\"button\" data-zoom=\"fit\" title=\"fit the width\">fit</button>")
            .Append("<button type=\"button\" data-zoom=\"one\" title=\"actual size\">100%</button>")
            .Append("<span class=\"muted\"> drag to pan</span></div>");
        // Narrow tall graphs keep their natural size (no blow-up); wide ones shrink to the box, but not below 60 % (then scroll).
        html.Append("<div class=\"graph-box\" style=\"max-height:85vh;overflow:auto;border:1px solid rgba(128,128,128,.35);background:#fcfcfc;cursor:grab\" id=\"").Append(id).Append("\">")
            .Append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").Append(width).Append(' ').Append(height)
            .Append("\" width=\"").Append(width).Append("\" style=\"display:block;margin:0 auto;width:").Append(width).Append("px;max-width:100%;min-width:")
            .Append(Px(0.6 * layout.Width)).Append("px;height:auto\" font-family=\"system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif\">")
            .Append("<defs><marker id=\"").Append(id).Append("-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" ")
            .Append("markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"").Append(EdgeColour).Append("\"/></marker></defs>");

        html.Append("<g class=\"edges\">");
        for (int i = 0; i < graph.Edges.Count; i++) WriteEdge(html, graph.Edges[i], layout.Routes[i], id);
        html.Append("</g><g class=\"nodes\">");
        for (int i = 0; i < graph.Nodes.Count; i++) WriteNode(html, graph.Nodes[i], cards[i], layout.Boxes[i], heat(i));
        html.Append("</g></svg></div>");
        html.Append("<script>").Append(ZoomScript.Replace("$BOX", id, StringComparison.Ordinal).Replace("$WIDTH", width, StringComparison.Ordinal)).Append("</script>");
    }

    private static void WriteEdge(StringBuilder html, GraphEdge edge, EdgeRoute route, string id)
    {
        html.Append("<g class=\"edge\"><title>").Append(Encode(edge.Hover)).Append("</title>")
            .Append("<path d=\"").Append(route.Path).Append("\" fill=\"none\" stroke=\"").Append(EdgeColour)
            .Append("\" stroke-width=\"1.3\" marker-end=\"url(#").Append(id).Append("-arrow)\"/>")
            .Append("<text x=\"").Append(Px(route.LabelX)).Append("\" y=\"").Append(Px(route.LabelY + 3.5))
            .Append("\" text-anchor=\"middle\" font-size=\"").Append(Px(LayeredGraphLayout.EdgeLabelFont))
            .Append("\" fill=\"#555\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">").Append(Encode(edge.Label)).Append("</text></g>");
    }

    private static void WriteNode(StringBuilder html, GraphNode node, NodeCard card, NodeBox box, double? heat)
    {
        bool terminal = node.Kind != GraphNodeKind.Operator;
        string header = terminal ? TerminalFill : OperatorFamilies.Colour(node.Family);
        string headerText = terminal ? "#222" : "#fff";
        double x = box.X, y = box.Y, w = box.Width, h = box.Height;
        html.Append("<g class=\"node ").Append(terminal ? "terminal" : "op").Append("\"><title>").Append(Encode(node.Hover)).Append("</title>");
        html.Append("<rect x=\"").Append(Px(x)).Append("\" y=\"").Append(Px(y)).Append("\" width=\"").Append(Px(w)).Append("\" height=\"").Append(Px(h))
            .Append("\" rx=\"").Append(terminal ? "9" : "4").Append("\" fill=\"#fff\" stroke=\"").Append(BorderColour).Append("\"/>");
        if (heat is { } share)
        {
            // Time share as a warm tint of the body and a bar along its bottom, both to scale with the slowest node.
            html.Append("<rect x=\"").Append(Px(x + 0.5)).Append("\" y=\"").Append(Px(y + NodeCard.HeaderHeight)).Append("\" width=\"").Append(Px(w - 1))
                .Append("\" height=\"").Append(Px(h - NodeCard.HeaderHeight - 0.5)).Append("\" fill=\"").Append(HeatColour)
                .Append("\" fill-opacity=\"").Append((0.04 + 0.4 * share).ToString("0.###", CultureInfo.InvariantCulture)).Append("\"/>")
                .Append("<rect class=\"heat\" x=\"").Append(Px(x + 1)).Append("\" y=\"").Append(Px(y + h - 4)).Append("\" width=\"")
                .Append(Px(Math.Max(1, (w - 2) * share))).Append("\" height=\"3\" fill=\"").Append(HeatColour).Append("\"/>");
        }
        // The header: rounded at the top only (a rounded rect with its lower corners squared off by a plain one).
        double hh = card.Lines.Count == 0 ? h : NodeCard.HeaderHeight;
        html.Append("<rect x=\"").Append(Px(x)).Append("\" y=\"").Append(Px(y)).Append("\" width=\"").Append(Px(w)).Append("\" height=\"").Append(Px(hh))
            .Append("\" rx=\"").Append(terminal ? "9" : "4").Append("\" fill=\"").Append(header).Append("\" stroke=\"").Append(BorderColour).Append("\"/>");
        if (card.Lines.Count > 0)
            html.Append("<rect x=\"").Append(Px(x + 0.5)).Append("\" y=\"").Append(Px(y + hh - 6)).Append("\" width=\"").Append(Px(w - 1))
                .Append("\" height=\"5.5\" fill=\"").Append(header).Append("\"/>");
        double baseline = y + 14;
        html.Append("<text x=\"").Append(Px(x + NodeCard.Padding)).Append("\" y=\"").Append(Px(baseline)).Append("\" font-size=\"").Append(Px(NodeCard.HeaderFont))
            .Append("\" font-weight=\"bold\" fill=\"").Append(headerText).Append("\">").Append(Encode(card.Header)).Append("</text>");
        if (card.HeaderNote.Length > 0)
            html.Append("<text x=\"").Append(Px(x + w - NodeCard.Padding)).Append("\" y=\"").Append(Px(baseline)).Append("\" font-size=\"").Append(Px(NodeCard.LineFont))
                .Append("\" text-anchor=\"end\" fill=\"").Append(headerText).Append("\" fill-opacity=\".75\">").Append(Encode(card.HeaderNote)).Append("</text>");
        for (int i = 0; i < card.Lines.Count; i++)
            html.Append("<text x=\"").Append(Px(x + NodeCard.Padding)).Append("\" y=\"").Append(Px(y + NodeCard.HeaderHeight + 12 + i * NodeCard.LineHeight))
                .Append("\" font-size=\"").Append(Px(NodeCard.LineFont)).Append("\" fill=\"#222\">").Append(Encode(card.Lines[i])).Append("</text>");
        html.Append("</g>");
    }

    private static string Px(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>
    /// Zoom by resizing the SVG (the viewBox scales it), keeping the centre of the view in place; pan by
    /// dragging the scrolling box. Without scripts the graph still shows at its natural size.
    /// </summary>
    private const string ZoomScript = """
(function(){var box=document.getElementById('$BOX'),bar=document.getElementById('$BOX-bar');if(!box||!bar)return;
var svg=box.querySelector('svg'),w=$WIDTH;
function scale(){return svg.getBoundingClientRect().width/w;}
function zoom(k){k=Math.max(0.1,Math.min(4,k));var r=k/scale(),cx=box.scrollLeft+box.clientWidth/2,cy=box.scrollTop+box.clientHeight/2;
svg.style.maxWidth='none';svg.style.minWidth='0';svg.style.width=(w*k)+'px';box.scrollLeft=cx*r-box.clientWidth/2;box.scrollTop=cy*r-box.clientHeight/2;}
bar.addEventListener('click',function(e){var z=e.target.getAttribute&&e.target.getAttribute('data-zoom');if(!z)return;
if(z==='in')zoom(scale()*1.25);else if(z==='out')zoom(scale()/1.25);else if(z==='fit')zoom((box.clientWidth-4)/w);else zoom(1);});
box.addEventListener('mousedown',function(e){if(e.button!==0)return;var x=e.clientX,y=e.clientY,l=box.scrollLeft,t=box.scrollTop;
function move(m){box.scrollLeft=l-(m.clientX-x);box.scrollTop=t-(m.clientY-y);}
function up(){window.removeEventListener('mousemove',move);window.removeEventListener('mouseup',up);box.style.cursor='';}
window.addEventListener('mousemove',move);window.addEventListener('mouseup',up);box.style.cursor='grabbing';e.preventDefault();});})();
""";
}
