using System.Text;
using TinyMl.Workbench.Charts;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Parity;
using TinyMl.Workbench.Tensors;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench;

/// <summary>
/// Two runs of a model compared tensor by tensor (layer by layer, in the reference's execution order):
/// max and mean abs error in real units and in LSB of the quantized side, the first layer whose error
/// jumps (see <see cref="JumpRule"/>), a per-layer error chart, and for one tensor (picked, or the worst)
/// the histogram of its errors and its worst elements. Differences in shape, type or naming are
/// reported in the view, never thrown.
/// </summary>
public sealed class ParityReport : WorkbenchView
{
    /// <summary>Worst elements listed for the focused tensor.</summary>
    public const int WorstElementCount = 10;
    /// <summary>Tensors listed in full up to this many (first and last rows kept past it, with a note).</summary>
    public const int MaxTableRows = 300;
    /// <summary>A first jump above this many LSB gets a hint that it is not rounding.</summary>
    public const int LargeJumpLsb = 32;

    public static ParityReport Compare(TensorSet reference, TensorSet candidate) => Compare(reference, candidate, focus: null, rule: null);

    /// <summary>
    /// Compares <paramref name="candidate"/> against <paramref name="reference"/>. <paramref name="focus"/> names the
    /// tensor (reference or candidate name) whose histogram and worst elements are shown; by default the worst one.
    /// </summary>
    public static ParityReport Compare(TensorSet reference, TensorSet candidate, string? focus = null, JumpRule? rule = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(candidate);
        rule ??= JumpRule.Default;
        var matching = TensorMatching.Of(reference, candidate);
        var rows = matching.Pairs.Select(p => TensorComparison.Of(p.Reference, p.Candidate, p.By)).ToArray();
        var jumps = rule.JumpsIn(rows);

        TensorComparison? focused = null;
        string? focusNote = null;
        if (focus is not null)
        {
            focused = rows.FirstOrDefault(r => r.Reference.Data.Name == focus) ?? rows.FirstOrDefault(r => r.Candidate.Data.Name == focus);
            if (focused is null) focusNote = $"'{focus}' is not a tensor both runs have; showing the tensor with the largest error instead.";
            else if (!focused.Compared) focusNote = $"'{focus}' could not be compared ({focused.Problem}); showing the tensor with the largest error instead.";
            if (focused is { Compared: false }) focused = null;
        }
        focused ??= rows.Where(r => r.Compared).OrderByDescending(r => rule.Severity(r)).ThenBy(r => r.Reference.Position).FirstOrDefault();

        return new ParityReport
        {
            ReferenceLabel = reference.Label,
            CandidateLabel = candidate.Label,
            Rule = rule,
            Rows = rows,
            ReferenceOnly = matching.ReferenceOnly,
            CandidateOnly = matching.CandidateOnly,
            JumpRows = jumps,
            Focus = focused,
            FocusPicked = focus is not null && focusNote is null,
            FocusNote = focusNote,
            Histogram = focused is null ? null : ErrorHistogram.Of(focused),
            WorstElements = focused?.WorstElements(WorstElementCount) ?? [],
        };
    }

    public required string ReferenceLabel { get; init; }
    public required string CandidateLabel { get; init; }
    public override string Title => $"Parity of {CandidateLabel} against {ReferenceLabel}";

    public JumpRule Rule { get; init; } = JumpRule.Default;
    /// <summary>Matched tensors in the reference's execution order.</summary>
    public IReadOnlyList<TensorComparison> Rows { get; init; } = [];
    public IReadOnlyList<SetTensor> ReferenceOnly { get; init; } = [];
    public IReadOnlyList<SetTensor> CandidateOnly { get; init; } = [];
    /// <summary>Positions in <see cref="Rows"/> of the tensors whose error jumps.</summary>
    public IReadOnlyList<int> JumpRows { get; init; } = [];
    public TensorComparison? FirstJump => JumpRows.Count > 0 ? Rows[JumpRows[0]] : null;
    /// <summary>The tensor whose histogram and worst elements are shown.</summary>
    public TensorComparison? Focus { get; init; }
    /// <summary>True when <see cref="Focus"/> is the tensor asked for, false when it is the worst one.</summary>
    public bool FocusPicked { get; init; }
    public string? FocusNote { get; init; }
    public ErrorHistogram? Histogram { get; init; }
    public IReadOnlyList<ElementError> WorstElements { get; init; } = [];

    private IEnumerable<TensorComparison> Compared => Rows.Where(r => r.Compared);
    /// <summary>The compared tensor with the largest error in tolerances.</summary>
    public TensorComparison? Worst => Compared.OrderByDescending(r => Rule.Severity(r)).ThenBy(r => r.Reference.Position).FirstOrDefault();
    /// <summary>Whether every compared tensor has an error in LSB (then the chart plots LSB).</summary>
    private bool AllInLsb => Compared.Any() && Compared.All(r => r.MaxLsb is not null);

    private static string ErrorText(TensorComparison r) =>
        r.MaxLsb is { } lsb ? $"{Float(lsb)} LSB ({Float(r.MaxAbsError)} real)" : $"{Float(r.MaxAbsError)} ({Float(r.RelativeError)} of its range)";

    private IEnumerable<string> Answer()
    {
        int compared = Compared.Count();
        yield return $"{compared} of {Rows.Count + ReferenceOnly.Count} reference tensors compared" +
            (ReferenceOnly.Count + CandidateOnly.Count > 0 ? $" ({ReferenceOnly.Count + CandidateOnly.Count} without a counterpart)" : "") + ".";
        if (Worst is { } worst)
            yield return worst.MaxAbsError == 0 ? "Every compared tensor is identical." : $"Largest error: {ErrorText(worst)} at '{worst.Name}' ({Producer(worst)}).";
        if (FirstJump is { } jump)
        {
            yield return $"The error first jumps at '{jump.Name}' ({Producer(jump)}): {ErrorText(jump)}.";
            if (jump.MaxLsb > LargeJumpLsb)
                yield return $"More than {LargeJumpLsb} LSB in one layer is more than rounding: look for a wrong scale or zero point, a saturated range, " +
                    "or models whose weights differ (a float model and an int8 model trained separately are not twins).";
        }
        else if (compared > 0)
            yield return "No tensor's error jumps (every error stays within tolerance or grows gradually).";
    }

    private static string ShortProducer(TensorComparison r) => (r.Reference.Origin ?? r.Candidate.Origin) switch
    {
        { IsModelInput: true } o => $"in {o.Slot}",
        { } o => $"#{o.OperatorIndex}{(o.Slot > 0 ? ":" + o.Slot : "")}",
        null => r.Reference.Position.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Producer(TensorComparison r) => (r.Reference.Origin ?? r.Candidate.Origin)?.ToString() ?? $"position {r.Reference.Position}";

    private string MatchSummary()
    {
        var by = Rows.GroupBy(r => r.MatchedBy).OrderBy(g => g.Key).Select(g => $"{g.Count()} by {Describe(g.Key)}");
        int twins = Rows.Count(r => r.FloatAgainstQuantized);
        return "Matched " + string.Join(", ", by) + "." +
            (twins > 0 ? $" {twins} pair{(twins == 1 ? " is" : "s are")} float on one side and quantized on the other, compared in real (dequantized) units." : "");
    }

    private static string Describe(MatchKind kind) => kind switch
    {
        MatchKind.Name => "name",
        MatchKind.Operator => "producing operator (input position, or n-th operator of the same type)",
        _ => "operator index",
    };

    private HtmlTable TensorTable()
    {
        var table = new HtmlTable("#", "tensor", "produced by", "matched by", "reference", "candidate", "max abs error", "mean abs error", "max LSB", "mean LSB", "note")
            .Numeric(0, 6, 7, 8, 9);
        for (int i = 0; i < Rows.Count; i++)
        {
            var r = Rows[i];
            bool jump = JumpRows.Contains(i);
            string note = string.Join("; ", new[] { r.Problem, jump ? (ReferenceEquals(r, FirstJump) ? "error jumps here (first)" : "error jumps") : null }
                .Concat(r.Notes).Where(n => n is not null));
            table.RowWithClass(ReferenceEquals(r, FirstJump) ? "hot" : null,
                i, LongText(r.Name), Producer(r), r.MatchedBy.ToString().ToLowerInvariant(), Describe(r.Reference.Data), Describe(r.Candidate.Data),
                r.Compared ? Float(r.MaxAbsError) : "", r.Compared ? Float(r.MeanAbsError) : "",
                r.MaxLsb is { } max ? Number(max, 2) : "", r.MeanLsb is { } mean ? Number(mean, 2) : "", note);
        }
        return table;
    }

    private static string Describe(TensorData t) => $"{t.TypeName}{Shape(t.Shape)}";

    /// <summary>A tensor name that may break anywhere: converters join names with ';' and no spaces, which would widen the table past the page.</summary>
    private static Cell LongText(string text) =>
        Cell.WithMarkup(text, $"<span style=\"display:inline-block;max-width:26em;overflow-wrap:anywhere\">{Encode(text)}</span>");

    private HtmlTable? UnmatchedTable()
    {
        if (ReferenceOnly.Count + CandidateOnly.Count == 0) return null;
        var table = new HtmlTable("only in", "#", "tensor", "produced by", "type");
        foreach (var t in ReferenceOnly) table.Row("reference", t.Position, LongText(t.Data.Name), t.Origin?.ToString() ?? "", Describe(t.Data));
        foreach (var t in CandidateOnly) table.Row("candidate", t.Position, LongText(t.Data.Name), t.Origin?.ToString() ?? "", Describe(t.Data));
        return table;
    }

    private HtmlTable WorstTable()
    {
        var table = new HtmlTable("flat index", "coordinates", "reference", "candidate", "abs error", "LSB").Numeric(0, 2, 3, 4, 5);
        foreach (var e in WorstElements)
            table.Row(Number(e.FlatIndex), e.CoordinatesText, Float(e.Reference), Float(e.Candidate), Float(e.AbsError), e.Lsb is { } lsb ? Number(lsb, 2) : "");
        return table;
    }

    private string FocusHeading() => Focus is null ? "" :
        $"Errors of '{Focus.Name}' ({Producer(Focus)}; {(FocusPicked ? "the tensor asked for" : "the tensor with the largest error")})";

    protected override void WriteHtml(StringBuilder html)
    {
        html.Append("<div class=\"answer\"><b>").Append(Encode(CandidateLabel)).Append("</b> against <b>").Append(Encode(ReferenceLabel)).Append("</b>: ")
            .Append(Encode(string.Join(" ", Answer()))).Append("</div>");
        if (Rows.Count > 0) html.Append("<div class=\"muted\">").Append(Encode(MatchSummary())).Append("</div>");
        if (Compared.Any()) html.Append(LayerChart().ToHtml());
        html.Append("<h4>Tensor by tensor (execution order)</h4>").Append(TensorTable().ToHtml(MaxTableRows));
        if (UnmatchedTable() is { } unmatched)
            html.Append("<h4>Without a counterpart</h4>").Append(unmatched.ToHtml(MaxTableRows));
        if (FocusNote is not null) html.Append("<p class=\"muted\">").Append(Encode(FocusNote)).Append("</p>");
        if (Focus is not null && Histogram is not null)
        {
            html.Append("<h4>").Append(Encode(FocusHeading())).Append("</h4>");
            // One element makes no histogram; its error is in the table below.
            if (Histogram.Bins.Count > 0 && Focus.Elements > 1) html.Append(HistogramChart().ToHtml());
            if (Histogram.NotFinite > 0) html.Append("<p class=\"muted\">").Append(Number(Histogram.NotFinite)).Append(" elements have no finite error (NaN on one side) and are not in the histogram.</p>");
            html.Append(WorstTable().ToHtml(caption: WorstElements.Count == 1 ? "Its error" : $"The {WorstElements.Count} largest errors"));
        }
        html.Append("<p class=\"muted\">").Append(Encode(Rule.Describe() + " Errors are candidate − reference in real (dequantized) units; LSB = abs error / scale of the quantized side (the candidate's when both are).")).Append("</p>");
    }

    protected override string RenderText()
    {
        var text = new StringBuilder($"{CandidateLabel} against {ReferenceLabel}: ").AppendLine(string.Join(" ", Answer()));
        if (Rows.Count > 0) text.AppendLine(MatchSummary());
        text.AppendLine().Append(TensorTable().ToText(MaxTableRows));
        if (UnmatchedTable() is { } unmatched) text.AppendLine().AppendLine("Without a counterpart").Append(unmatched.ToText(MaxTableRows));
        if (FocusNote is not null) text.AppendLine(FocusNote);
        if (Focus is not null)
            text.AppendLine().AppendLine(FocusHeading()).Append(WorstTable().ToText());
        return text.AppendLine().AppendLine(Rule.Describe()).ToString();
    }

    /// <summary>Max and mean error per tensor in execution order on a log scale; exact matches sit on a floor line, the first jump is marked.</summary>
    public PlotlyChart LayerChart()
    {
        bool lsb = AllInLsb;
        var points = Rows.Select((r, i) => (Row: r, Index: i)).Where(p => p.Row.Compared).ToArray();
        double Max(TensorComparison r) => lsb ? r.MaxLsb!.Value : r.MaxAbsError;
        double Mean(TensorComparison r) => lsb ? r.MeanLsb!.Value : r.MeanAbsError;
        var positive = points.SelectMany(p => new[] { Max(p.Row), Mean(p.Row) }).Where(v => v > 0 && double.IsFinite(v)).ToArray();
        // Log axes cannot show 0: exact matches are drawn on a floor a decade below the smallest error.
        double floor = positive.Length > 0 ? Math.Pow(10, Math.Floor(Math.Log10(positive.Min())) - 1) : lsb ? 0.01 : 1e-9;
        double? Plot(double v) => v <= 0 ? floor : double.IsFinite(v) ? v : null;
        string unit = lsb ? "LSB" : "real units";
        // Up to a dozen tensors the ticks name the producer ("#3 CONV_2D"); past that only its index fits (the op is in the hover).
        string[] labels = points.Select(p => points.Length <= 12 ? Producer(p.Row) : ShortProducer(p.Row)).ToArray();
        string[] hover = points.Select(p => Hover(p.Row)).ToArray();

        var chart = new PlotlyChart(340, new
        {
            xaxis = new
            {
                title = new { text = "tensor (execution order)" },
                tickvals = points.Select(p => p.Index).ToArray(),
                ticktext = labels.Select(Encode).ToArray(),
                automargin = true,
                zeroline = false,
            },
            yaxis = new { title = new { text = $"abs error ({unit})" }, type = "log", exponentformat = "power", dtick = "D2" },
            hovermode = "closest",
            legend = new { orientation = "h", y = 1.12 },
        });
        chart.Add(new
        {
            type = "scatter", mode = "lines+markers", name = "max error",
            x = points.Select(p => p.Index).ToArray(), y = points.Select(p => Plot(Max(p.Row))).ToArray(),
            hovertext = hover, hoverinfo = "text", marker = new { size = 8 },
        });
        chart.Add(new
        {
            type = "scatter", mode = "lines+markers", name = "mean error",
            x = points.Select(p => p.Index).ToArray(), y = points.Select(p => Plot(Mean(p.Row))).ToArray(),
            hovertext = hover, hoverinfo = "text", line = new { dash = "dot" },
        });
        var jumps = JumpRows.Where(i => Rows[i].Compared).ToArray();
        if (jumps.Length > 0)
            chart.Add(new
            {
                type = "scatter", mode = "markers", name = "error jumps",
                x = jumps, y = jumps.Select(i => Plot(Max(Rows[i]))).ToArray(),
                hovertext = jumps.Select(i => Hover(Rows[i])).ToArray(), hoverinfo = "text",
                marker = new { size = 16, color = "rgba(214,39,40,0)", line = new { color = "#d62728", width = 3 } },
            });
        var shapes = new List<object>();
        var annotations = new List<object>();
        if (lsb)
        {
            shapes.Add(new { type = "line", xref = "paper", x0 = 0, x1 = 1, y0 = Rule.ToleranceLsb, y1 = Rule.ToleranceLsb, line = new { color = "#d62728", width = 1, dash = "dash" } });
            annotations.Add(new { xref = "paper", x = 0, xanchor = "left", y = Math.Log10(Rule.ToleranceLsb), yanchor = "bottom", text = $"tolerance {Float(Rule.ToleranceLsb)} LSB", showarrow = false, font = new { color = "#d62728" } });
        }
        if (points.Any(p => Max(p.Row) <= 0 || Mean(p.Row) <= 0))
            annotations.Add(new { xref = "paper", x = 0, xanchor = "left", y = Math.Log10(floor), yanchor = "bottom", text = "exact match (0) drawn here", showarrow = false, font = new { size = 10 } });
        if (FirstJump is { } first)
            annotations.Add(new { x = Array.IndexOf(Rows.ToArray(), first), y = Math.Log10(Plot(Max(first)) ?? floor), text = "error jumps", arrowcolor = "#d62728", font = new { color = "#d62728" }, ay = -30 });
        chart.Set("shapes", shapes).Set("annotations", annotations);
        return chart;
    }

    private string Hover(TensorComparison r)
    {
        var text = new StringBuilder("<b>").Append(Encode(r.Name)).Append("</b><br>").Append(Encode(Producer(r)));
        text.Append("<br>max abs error ").Append(Float(r.MaxAbsError)).Append(", mean ").Append(Float(r.MeanAbsError));
        if (r.MaxLsb is { } max) text.Append("<br>max ").Append(Number(max, 2)).Append(" LSB, mean ").Append(Number(r.MeanLsb!.Value, 2)).Append(" LSB");
        return text.ToString();
    }

    /// <summary>The focused tensor's signed errors, binned.</summary>
    public PlotlyChart HistogramChart()
    {
        var bins = Histogram?.Bins ?? [];
        var filled = bins.Where(b => b.Count > 0).Select(b => b.Count).DefaultIfEmpty(1).ToArray();
        // Most elements usually sit at 0 error; a log axis keeps the few large errors (the interesting ones) visible.
        bool log = filled.Max() > 50 * filled.Min();
        var chart = new PlotlyChart(260, new
        {
            xaxis = new { title = new { text = $"error, candidate − reference ({Histogram?.Unit})" } },
            yaxis = new { title = new { text = log ? "elements (log scale)" : "elements" }, type = log ? "log" : "linear" },
            bargap = 0.05,
        });
        chart.Add(new
        {
            type = "bar",
            name = "elements",
            x = bins.Select(b => (b.Lower + b.Upper) / 2).ToArray(),
            y = bins.Select(b => b.Count).ToArray(),
            width = bins.Select(b => b.Upper - b.Lower).ToArray(),
            hovertext = bins.Select(b => $"{Float(b.Lower)} … {Float(b.Upper)}: {Number(b.Count)} element{(b.Count == 1 ? "" : "s")}").ToArray(),
            hoverinfo = "text",
            marker = new { color = "#4c78a8" },
        });
        return chart;
    }
}
