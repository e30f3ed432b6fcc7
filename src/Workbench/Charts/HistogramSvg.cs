using System.Globalization;
using System.Text;
using TinyMl.Workbench.Tensors;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench.Charts;

/// <summary>
/// A histogram as a small inline SVG: it draws with no script at all (a tensor view is often one of
/// many outputs, and a few KiB of SVG beats a plotly figure there). Bars holding a type limit are red
/// (saturation), a dashed line marks real zero, and each bar names its range and count on hover.
/// </summary>
public static class HistogramSvg
{
    private const int Width = 460, Height = 170, Left = 52, Right = 12, Top = 10, Bottom = 36;
    private const string BarColour = "#4c78a8", SaturatedColour = "#d62728";

    public static string Of(ValueHistogram histogram, (double Min, double Max)? typeLimits, string xLabel)
    {
        var svg = new StringBuilder();
        svg.Append($"<svg class=\"tmw-histogram\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\">");
        if (histogram.Bins.Count == 0)
            return svg.Append($"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\" fill=\"currentColor\">no finite values</text></svg>").ToString();

        double x0 = histogram.Bins[0].Lower, x1 = histogram.Bins[^1].Upper;
        long most = Math.Max(1, histogram.Bins.Max(b => b.Count));
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double X(double v) => Left + (v - x0) / (x1 - x0) * plotWidth;
        double Y(double count) => Top + plotHeight - count / most * plotHeight;

        // Axes and the count of the tallest bar.
        svg.Append($"<g stroke=\"currentColor\" stroke-opacity=\"0.5\" fill=\"none\"><path d=\"M{Left},{Top}V{Top + plotHeight}H{Width - Right}\"/></g>");
        svg.Append($"<g fill=\"currentColor\" font-size=\"10\" text-anchor=\"end\"><text x=\"{Left - 4}\" y=\"{Top + 8}\">{Number(most)}</text>")
           .Append($"<text x=\"{Left - 4}\" y=\"{Top + plotHeight}\">0</text></g>");
        svg.Append($"<text fill=\"currentColor\" font-size=\"10\" transform=\"translate(12,{Top + plotHeight / 2}) rotate(-90)\" text-anchor=\"middle\">count</text>");

        foreach (var bin in histogram.Bins)
        {
            if (bin.Count == 0) continue;
            double left = X(bin.Lower), right = X(bin.Upper);
            // A hair of space between wide bars; narrow ones touch so thin spikes stay visible.
            double gap = right - left > 4 ? 0.5 : 0;
            double top = Y(bin.Count);
            bool saturated = typeLimits is { } l && bin.RawLower is { } lo && bin.RawUpper is { } hi && (lo <= l.Min && l.Min <= hi || lo <= l.Max && l.Max <= hi);
            svg.Append($"<rect x=\"{F(left + gap)}\" y=\"{F(top)}\" width=\"{F(Math.Max(right - left - 2 * gap, 0.8))}\" height=\"{F(Math.Max(Top + plotHeight - top, 0.8))}\" fill=\"{(saturated ? SaturatedColour : BarColour)}\">")
               .Append("<title>").Append(Encode(Describe(bin, saturated))).Append("</title></rect>");
        }

        if (x0 < 0 && 0 < x1)
            svg.Append($"<path d=\"M{F(X(0))},{Top}V{Top + plotHeight}\" stroke=\"currentColor\" stroke-opacity=\"0.6\" stroke-dasharray=\"3,3\"/>");

        svg.Append("<g fill=\"currentColor\" font-size=\"10\" text-anchor=\"middle\">");
        foreach (double tick in Ticks(x0, x1))
        {
            double x = X(tick);
            svg.Append($"<path d=\"M{F(x)},{Top + plotHeight}v4\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/>")
               .Append($"<text x=\"{F(x)}\" y=\"{Top + plotHeight + 15}\">{Encode(Float(tick))}</text>");
        }
        svg.Append($"<text x=\"{Left + plotWidth / 2}\" y=\"{Height - 4}\">{Encode(xLabel)}</text></g>");
        return svg.Append("</svg>").ToString();
    }

    private static string Describe(HistogramBin bin, bool saturated)
    {
        string range = bin.RawLower is { } lo && bin.RawUpper is { } hi
            ? (lo == hi ? $"stored {lo}" : $"stored {lo}…{hi}") + $" (real {Float(bin.Lower)}…{Float(bin.Upper)})"
            : $"{Float(bin.Lower)}…{Float(bin.Upper)}";
        return $"{range}: {Number(bin.Count)} value{(bin.Count == 1 ? "" : "s")}{(saturated ? ", at the type's limit" : "")}";
    }

    /// <summary>Round ticks (1, 2 or 5 × 10^k apart), about five across the range.</summary>
    internal static IEnumerable<double> Ticks(double from, double to)
    {
        double span = to - from;
        if (!(span > 0) || !double.IsFinite(span)) yield break;
        double rough = span / 5, magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double step = magnitude * (rough / magnitude >= 5 ? 5 : rough / magnitude >= 2 ? 2 : 1);
        for (double t = Math.Ceiling(from / step) * step; t <= to + step * 1e-9; t += step)
            yield return Math.Abs(t) < step * 1e-9 ? 0 : Math.Round(t / step) * step;
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
