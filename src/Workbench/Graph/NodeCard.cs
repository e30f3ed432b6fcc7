using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench.Graph;

/// <summary>
/// What a node shows and how big it is drawn: a header (op name in bold, its index at the right) over
/// short lines (options, constants, MACs, time). The layout sizes nodes by it, the SVG draws it.
/// </summary>
public sealed record NodeCard(string Header, string HeaderNote, IReadOnlyList<string> Lines, double Width, double Height)
{
    public const double HeaderFont = 12, LineFont = 11, HeaderHeight = 20, LineHeight = 14, Padding = 7, MinWidth = 84;

    /// <summary>The card of <paramref name="node"/>; <paramref name="totalMicroseconds"/> (the whole profile) gives its time share.</summary>
    public static NodeCard Of(GraphNode node, double totalMicroseconds)
    {
        var lines = new List<string>();
        if (node.Options.Length > 0) lines.Add(node.Options);
        lines.AddRange(node.Constants);
        if (node.Macs > 0) lines.Add(Count(node.Macs) + " MACs");
        if (node.MedianMicroseconds is { } us)
            lines.Add(Microseconds(us) + (totalMicroseconds > 0 ? " · " + Number(100 * us / totalMicroseconds, 1) + " %" : ""));
        string note = node.Kind == GraphNodeKind.Operator ? "#" + Number(node.Index) : "";
        double width = Math.Max(TextWidth.Of(node.Title, HeaderFont, bold: true) + (note.Length > 0 ? 10 + TextWidth.Of(note, LineFont) : 0),
            lines.Count == 0 ? 0 : lines.Max(l => TextWidth.Of(l, LineFont)));
        return new NodeCard(node.Title, note, lines, Math.Ceiling(Math.Max(MinWidth, width + 2 * Padding)),
            HeaderHeight + (lines.Count == 0 ? 0 : lines.Count * LineHeight + Padding));
    }

    /// <summary>"850 µs", "12.3 µs", "1.24 ms".</summary>
    public static string Microseconds(double us) =>
        us >= 1000 ? Number(us / 1000, 2) + " ms" : us >= 100 ? Number(us, 0) + " µs" : Number(us, 1) + " µs";
}
