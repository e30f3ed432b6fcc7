using System.Text;

namespace TinyMl.Workbench.Html;

/// <summary>
/// A table built row by row. Cells are plain text (encoded here) unless added as <see cref="Cell.Markup"/>;
/// numeric columns are right-aligned. Long tables keep their first and last rows and say how many
/// were left out, so nothing is dropped silently.
/// </summary>
public sealed class HtmlTable
{
    private readonly string[] _headers;
    private readonly bool[] _numeric;
    private readonly List<(Cell[] Cells, string? CssClass)> _rows = new();

    public HtmlTable(params string[] headers)
    {
        _headers = headers;
        _numeric = new bool[headers.Length];
    }

    /// <summary>Marks columns (by index) as numeric: right-aligned, tabular figures.</summary>
    public HtmlTable Numeric(params int[] columns)
    {
        foreach (int c in columns) _numeric[c] = true;
        return this;
    }

    public int RowCount => _rows.Count;

    public HtmlTable Row(params Cell[] cells) => RowWithClass(null, cells);

    /// <summary>A row with a CSS class of the shared style sheet (e.g. "hot" to highlight it).</summary>
    public HtmlTable RowWithClass(string? cssClass, params Cell[] cells)
    {
        _rows.Add((cells, cssClass));
        return this;
    }

    /// <summary>Renders the table; past <paramref name="maxRows"/> rows, the middle ones are elided with a note.</summary>
    public string ToHtml(int maxRows = int.MaxValue, string? caption = null)
    {
        var html = new StringBuilder("<table class=\"tmw-table\">");
        if (caption is not null) html.Append("<caption>").Append(Html.Encode(caption)).Append("</caption>");
        html.Append("<thead><tr>");
        for (int c = 0; c < _headers.Length; c++)
            html.Append(_numeric[c] ? "<th class=\"num\">" : "<th>").Append(Html.Encode(_headers[c])).Append("</th>");
        html.Append("</tr></thead><tbody>");
        int keepHead = _rows.Count <= maxRows ? _rows.Count : Math.Max(1, maxRows * 2 / 3);
        int keepTail = _rows.Count <= maxRows ? 0 : Math.Max(0, maxRows - keepHead);
        for (int r = 0; r < _rows.Count; r++)
        {
            if (r == keepHead && keepTail < _rows.Count - keepHead)
            {
                int skipped = _rows.Count - keepHead - keepTail;
                html.Append("<tr class=\"elided\"><td colspan=\"").Append(_headers.Length).Append("\">… ")
                    .Append(Html.Number(skipped)).Append(" more rows not shown (").Append(Html.Number(_rows.Count)).Append(" in all) …</td></tr>");
                r = _rows.Count - keepTail - 1;
                continue;
            }
            var (cells, css) = _rows[r];
            html.Append(css is null ? "<tr>" : $"<tr class=\"{Html.Encode(css)}\">");
            for (int c = 0; c < cells.Length; c++)
            {
                bool numeric = c < _numeric.Length && _numeric[c];
                html.Append(numeric ? "<td class=\"num\"" : "<td");
                if (cells[c].Title is { } title) html.Append(" title=\"").Append(Html.Encode(title)).Append('"');
                html.Append('>').Append(cells[c].ToHtml()).Append("</td>");
            }
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>The same table as aligned plain text (for text/plain), with the same elision.</summary>
    public string ToText(int maxRows = int.MaxValue)
    {
        var rows = new List<string[]> { _headers };
        int keepHead = _rows.Count <= maxRows ? _rows.Count : Math.Max(1, maxRows * 2 / 3);
        int keepTail = _rows.Count <= maxRows ? 0 : Math.Max(0, maxRows - keepHead);
        for (int r = 0; r < _rows.Count; r++)
        {
            if (r == keepHead && keepTail < _rows.Count - keepHead)
            {
                rows.Add([$"… {_rows.Count - keepHead - keepTail:N0} more rows …"]);
                r = _rows.Count - keepTail - 1;
                continue;
            }
            rows.Add(_rows[r].Cells.Select(c => c.Text).ToArray());
        }
        var widths = new int[_headers.Length];
        foreach (var row in rows)
            if (row.Length == _headers.Length)
                for (int c = 0; c < row.Length; c++) widths[c] = Math.Max(widths[c], row[c].Length);
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            if (row.Length != _headers.Length) { text.AppendLine(row[0]); continue; }
            for (int c = 0; c < row.Length; c++)
            {
                if (c > 0) text.Append("  ");
                text.Append(_numeric[c] ? row[c].PadLeft(widths[c]) : row[c].PadRight(widths[c]));
            }
            text.Length = text.ToString().TrimEnd().Length;
            text.AppendLine();
        }
        return text.ToString();
    }
}

/// <summary>A table cell: text (encoded when rendered) or trusted markup made by the workbench itself, plus an optional hover title.</summary>
public readonly record struct Cell(string Text, string? Markup = null, string? Title = null)
{
    public static implicit operator Cell(string text) => new(text);
    public static implicit operator Cell(long value) => new(Html.Number(value));
    public static implicit operator Cell(int value) => new(Html.Number(value));

    /// <summary>A cell whose HTML is <paramref name="markup"/> (already safe) and whose plain text is <paramref name="text"/>.</summary>
    public static Cell WithMarkup(string text, string markup, string? title = null) => new(text, markup, title);

    public string ToHtml() => Markup ?? Html.Encode(Text);
}
