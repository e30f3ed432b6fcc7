using System.Globalization;
using System.Text;

namespace TinyMl.Workbench.Tensors;

/// <summary>
/// Values printed the way numpy prints an array (what course material shows): nested brackets by
/// shape, one number format for the whole array, and past a threshold only the first and last few
/// items along every axis with "…" between them — the caller says how many of how many are shown.
/// </summary>
public sealed class ArrayText
{
    /// <summary>numpy's default: arrays of more elements than this are summarized.</summary>
    public const int DefaultThreshold = 1000;
    /// <summary>numpy's default: items kept at each end of a summarized axis.</summary>
    public const int DefaultEdgeItems = 3;
    private const int LineWidth = 75;

    public required string Text { get; init; }
    /// <summary>How many values the text shows.</summary>
    public required long Shown { get; init; }
    public required long Total { get; init; }
    public bool Elided => Shown < Total;

    /// <summary>"36 of 9,216 values shown (first and last 3 along each axis)" or "all 12 values".</summary>
    public string Note(int edgeItems = DefaultEdgeItems) => Elided
        ? $"{Html.Html.Number(Shown)} of {Html.Html.Number(Total)} values shown (first and last {edgeItems} along each axis)"
        : $"all {Html.Html.Number(Total)} values";

    public static ArrayText Of(IReadOnlyList<double> values, int[] shape, int threshold = DefaultThreshold, int edgeItems = DefaultEdgeItems)
    {
        long total = values.Count;
        bool summarize = total > threshold;
        var kept = shape.Select(d => Kept(d, summarize, edgeItems)).ToArray();
        long[] strides = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) strides[d] = d == shape.Length - 1 ? 1 : strides[d + 1] * shape[d + 1];

        // The format depends on the values shown only (numpy does the same), so gather them first.
        var shownValues = new List<double>();
        Visit(0, 0);
        void Visit(int dim, long offset)
        {
            if (dim == shape.Length) { shownValues.Add(values[(int)offset]); return; }
            foreach (int i in kept[dim]) Visit(dim + 1, offset + i * strides[dim]);
        }
        var format = NumberFormat.For(shownValues);
        int width = shownValues.Count == 0 ? 1 : shownValues.Max(v => format(v).Length);

        var text = new StringBuilder();
        int lineStart = 0;
        if (shape.Length == 0) text.Append(format(values[0]));
        else Write(0, 0);
        return new ArrayText { Text = text.ToString(), Shown = shownValues.Count, Total = total };

        void NewLines(int count, int indent)
        {
            text.Append('\n', count);
            lineStart = text.Length;
            text.Append(' ', indent);
        }

        void Write(int dim, long offset)
        {
            text.Append('[');
            int indent = dim + 1;
            var items = kept[dim];
            for (int n = 0; n < items.Length; n++)
            {
                bool gap = n > 0 && items[n] != items[n - 1] + 1;
                if (dim == shape.Length - 1)
                {
                    if (n > 0)
                    {
                        // numpy wraps long rows, continuing under the first number, and keeps room for the closing brackets.
                        if (text.Length - lineStart + 1 + width + (gap ? 2 : 0) > LineWidth - indent) NewLines(1, indent);
                        else text.Append(' ');
                    }
                    if (gap) text.Append("… ");
                    text.Append(format(values[(int)(offset + items[n] * strides[dim])]).PadLeft(width));
                }
                else
                {
                    if (n > 0)
                    {
                        // One newline between rows, two between matrices, and so on (numpy's layout).
                        NewLines(shape.Length - dim - 1, indent);
                        if (gap)
                        {
                            text.Append('…');
                            NewLines(shape.Length - dim - 1, indent);
                        }
                    }
                    Write(dim + 1, offset + items[n] * strides[dim]);
                }
            }
            text.Append(']');
        }
    }

    private static int[] Kept(int length, bool summarize, int edgeItems) =>
        summarize && length > 2 * edgeItems
            ? Enumerable.Range(0, edgeItems).Concat(Enumerable.Range(length - edgeItems, edgeItems)).ToArray()
            : Enumerable.Range(0, Math.Max(length, 0)).ToArray();
}

/// <summary>One number format for a set of values: integers as integers, else fixed decimals, or scientific when magnitudes call for it.</summary>
public static class NumberFormat
{
    public static Func<double, string> For(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        double maxAbs = finite.Length == 0 ? 0 : finite.Max(Math.Abs);
        if (finite.All(v => v == Math.Floor(v)) && maxAbs < 1e15) return v => Special(v) ?? v.ToString("0", CultureInfo.InvariantCulture);
        if (maxAbs >= 1e6 || maxAbs < 1e-4)
            return v => Special(v) ?? v.ToString("0.####e+00", CultureInfo.InvariantCulture);
        // About five significant digits of the largest value; smaller values share its decimals.
        int decimals = Math.Clamp(4 - (int)Math.Floor(Math.Log10(maxAbs)), 0, 8);
        string pattern = "F" + decimals;
        return v => Special(v) ?? v.ToString(pattern, CultureInfo.InvariantCulture);
    }

    private static string? Special(double v) =>
        double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : null;
}
