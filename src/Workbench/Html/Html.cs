using System.Globalization;
using System.Net;
using System.Text;

namespace TinyMl.Workbench.Html;

/// <summary>
/// The small pieces every view's HTML is made of. Every string that comes from a model (names,
/// descriptions, metadata) goes through <see cref="Encode"/> before it reaches markup.
/// </summary>
public static class Html
{
    /// <summary>Text content or a quoted attribute value: &lt; &gt; &amp; " ' are all encoded.</summary>
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Number(double value, int decimals) => value.ToString("N" + decimals, CultureInfo.InvariantCulture);

    /// <summary>"77,216 B" under 10 KiB, else "75.4 KiB" / "1.2 MiB" (with the exact figure kept in titles by callers).</summary>
    public static string Bytes(long bytes)
    {
        if (Math.Abs(bytes) < 10 * 1024) return Number(bytes) + " B";
        if (Math.Abs(bytes) < 10L * 1024 * 1024) return Number(bytes / 1024.0, 1) + " KiB";
        return Number(bytes / (1024.0 * 1024), 1) + " MiB";
    }

    /// <summary>"7.16 M" style counts for MACs.</summary>
    public static string Count(long value)
    {
        double v = value;
        return Math.Abs(v) switch
        {
            >= 1e9 => Number(v / 1e9, 2) + " G",
            >= 1e6 => Number(v / 1e6, 2) + " M",
            >= 1e4 => Number(v / 1e3, 1) + " k",
            _ => Number(value),
        };
    }

    /// <summary>A float as a person reads it: up to 6 significant digits, invariant culture.</summary>
    public static string Float(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsInfinity(value) ? (value > 0 ? "∞" : "−∞") : value.ToString("G6", CultureInfo.InvariantCulture);

    public static string Shape(ReadOnlySpan<int> shape)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) text.Append(',');
            text.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }
        return text.Append(']').ToString();
    }

    /// <summary>
    /// A unique id for an element of this output (charts need one to draw into). Outputs from several
    /// cells share one page, so ids must never repeat across renders.
    /// </summary>
    public static string NewId(string prefix) => $"tmw-{prefix}-{Guid.NewGuid():N}";
}
