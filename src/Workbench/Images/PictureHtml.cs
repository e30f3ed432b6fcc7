using System.Text;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench.Images;

/// <summary>
/// Draws a tensor's pictures as PNG data: URIs scaled up with crisp pixels: one picture large, or a
/// grid of captioned pictures (feature-map channels, filters) that share one colour scale so
/// channels can be compared, with a colour bar giving the value range.
/// </summary>
public static class PictureHtml
{
    /// <summary>Longest side, in CSS pixels, of a picture shown alone and of one picture in a grid.</summary>
    private const int SingleSide = 320, GridSide = 96;
    /// <summary>Colour of NaN and infinite values: no colour map uses it.</summary>
    private static readonly (byte, byte, byte) NotFinite = (255, 0, 255);

    /// <summary>
    /// The pictures of <paramref name="values"/> as <paramref name="layout"/> reads them, values
    /// <paramref name="low"/>…<paramref name="high"/> spanning the colour map; <paramref name="label"/>
    /// writes a value for the colour bar.
    /// </summary>
    public static string Of(PictureLayout layout, double[] values, double low, double high, ColorMap map, Func<double, string> label)
    {
        int w = layout.DrawnWidth, h = layout.DrawnHeight;
        bool grid = layout.Cells.Count > 1;
        int side = grid ? GridSide : SingleSide;
        // Whole-number scaling keeps every value's square the same size.
        int scale = Math.Max(1, side / Math.Max(w, h));
        double span = high > low ? high - low : 1;
        double Position(double v) => high > low ? (v - low) / span : 0.5;

        var html = new StringBuilder("<div class=\"tmw-pictures\">");
        foreach (var cell in layout.Cells)
        {
            var png = new PngImage(w, h);
            for (int y = 0; y < h; y++)
            {
                long row = cell.Offset + (long)y * layout.Step * layout.RowStride;
                for (int x = 0; x < w; x++)
                {
                    long at = row + (long)x * layout.Step * layout.ColumnStride;
                    png.Set(x, y, layout.Rgb ? Rgb(values, at, layout.ChannelStride, Position) : Colour(values[at], map, Position));
                }
            }
            string caption = cell.Label.Length > 0 ? "channel " + cell.Label : "";
            html.Append("<figure class=\"tmw-picture\"><img class=\"pixels\" alt=\"").Append(Encode(caption.Length > 0 ? caption : "tensor picture"))
                .Append("\" width=\"").Append(w * scale).Append("\" height=\"").Append(h * scale).Append("\" src=\"").Append(png.ToDataUri()).Append("\">");
            if (cell.Label.Length > 0) html.Append("<figcaption>").Append(Encode(cell.Label)).Append("</figcaption>");
            html.Append("</figure>");
        }
        html.Append("</div>");
        if (!layout.Rgb) html.Append(ColourBar(map, low, high, label));
        return html.ToString();
    }

    private static (byte, byte, byte) Colour(double v, ColorMap map, Func<double, double> position) =>
        double.IsFinite(v) ? map[position(v)] : NotFinite;

    private static (byte, byte, byte) Rgb(double[] values, long at, long stride, Func<double, double> position)
    {
        double r = values[at], g = values[at + stride], b = values[at + 2 * stride];
        if (!double.IsFinite(r) || !double.IsFinite(g) || !double.IsFinite(b)) return NotFinite;
        static byte Level(double t) => (byte)Math.Round(Math.Clamp(t, 0, 1) * 255);
        return (Level(position(r)), Level(position(g)), Level(position(b)));
    }

    /// <summary>The colour map from low to high with the values at its ends and middle.</summary>
    private static string ColourBar(ColorMap map, double low, double high, Func<double, string> label)
    {
        var strip = new PngImage(256, 1);
        for (int x = 0; x < 256; x++) strip.Set(x, 0, map[x / 255.0]);
        return new StringBuilder("<div class=\"tmw-colourbar\"><img alt=\"").Append(Encode(map.Name)).Append(" colour bar\" src=\"").Append(strip.ToDataUri())
            .Append("\"><div class=\"tmw-colourbar-labels\"><span>").Append(Encode(label(low))).Append("</span><span>")
            .Append(Encode(label((low + high) / 2))).Append("</span><span>").Append(Encode(label(high))).Append("</span></div></div>").ToString();
    }

    public static string Css => """
<style>
.tmw .tmw-pictures{display:flex;flex-wrap:wrap;gap:6px 8px;align-items:flex-end;margin:4px 0}
.tmw .tmw-picture{margin:0;text-align:center}
.tmw .tmw-picture img{display:block;border:1px solid rgba(128,128,128,.35)}
.tmw .tmw-picture figcaption{font-size:11px;opacity:.75;font-variant-numeric:tabular-nums}
.tmw .tmw-colourbar{display:inline-block;margin:4px 0 2px 0}
.tmw .tmw-colourbar img{display:block;width:240px;height:12px;border:1px solid rgba(128,128,128,.35)}
.tmw .tmw-colourbar-labels{display:flex;justify-content:space-between;width:242px;font-size:11px;font-variant-numeric:tabular-nums}
</style>
""";

}
