using System.Globalization;
using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Charts;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Images;
using TinyMl.Workbench.Tensors;
using static TinyMl.Workbench.Html.Html;
using TensorType = TinyMl.Interpreter.Schema.TensorType;

namespace TinyMl.Workbench;

/// <summary>
/// One tensor: name, type, shape, quantization; its values stored and dequantized (printed like
/// numpy, summarized when large); statistics (range, spread, saturation at the type's limits, zeros,
/// NaN/Inf); a histogram; and pictures — a heatmap for one channel, a grid of heatmaps for feature
/// maps and filters, RGB for three channels. A tensor whose values cannot be read shows its
/// description and the reason instead.
/// </summary>
public sealed class TensorView : WorkbenchView
{
    public static TensorView Of(Tensor tensor) => Of(TensorData.From(tensor));
    public static TensorView Of(TensorInfo tensor) => Of(TensorData.From(tensor));
    public static TensorView Of(TensorData tensor) => new() { Tensor = tensor };

    public static TensorView Of(Tensor tensor, TensorViewOptions options) => Of(TensorData.From(tensor), options);
    public static TensorView Of(TensorInfo tensor, TensorViewOptions options) => Of(TensorData.From(tensor), options);
    public static TensorView Of(TensorData tensor, TensorViewOptions options) => new() { Tensor = tensor, Options = options };

    /// <summary>The tensor's values drawn as pictures of <paramref name="asImage"/> rows × columns, e.g. <c>TensorView.Of(input, asImage: (49, 40))</c>.</summary>
    public static TensorView Of(Tensor tensor, (int Rows, int Columns) asImage) => Of(tensor, new TensorViewOptions { AsImage = asImage });
    public static TensorView Of(TensorData tensor, (int Rows, int Columns) asImage) => Of(tensor, new TensorViewOptions { AsImage = asImage });

    public required TensorData Tensor { get; init; }
    public TensorViewOptions Options { get; init; } = TensorViewOptions.Default;
    public override string Title => $"Tensor {Tensor.Index} '{Tensor.Name}'";

    /// <summary>"constant", "variable" or "activation" (inputs and outputs are activations too).</summary>
    public string Kind => Tensor.IsVariable ? "variable" : Tensor.IsConstant ? "constant" : "activation";

    /// <summary>Why the values cannot be shown (no memory yet, a type with no numeric reading...), or null when they can.</summary>
    public string? Unavailable => Tensor switch
    {
        { Type: var t } when !TensorTypes.IsKnown(t) =>
            $"its type ({Tensor.TypeName}) is not a TFLite element type this workbench knows, so its bytes cannot be read as numbers",
        { Type: TensorType.STRING or TensorType.RESOURCE or TensorType.VARIANT or TensorType.COMPLEX64 or TensorType.COMPLEX128 } =>
            $"{Tensor.TypeName} elements are not numbers this view can show",
        { ElementCount: 0 } => $"it has no elements (shape {Shape(Tensor.Shape)})",
        { Bytes.Length: 0 } => Tensor.IsConstant
            ? "its constant data is empty"
            : "it has no data yet: inputs, outputs and activations get memory from AllocateTensors and values from Invoke " +
              "(a tensor described by the model file carries data only when it is constant)",
        { HasValues: false } => $"it holds {Number(Tensor.Bytes.Length)} bytes, fewer than its shape {Shape(Tensor.Shape)} needs",
        _ => null,
    };

    private Contents? _contents;
    private Contents? Values => Unavailable is null ? _contents ??= Contents.Of(Tensor, Options) : null;

    /// <summary>The statistics the view shows, or null when the values cannot be read (see <see cref="Unavailable"/>).</summary>
    public TensorStatistics? Statistics => Values?.Statistics;
    /// <summary>The histogram the view draws, or null when the values cannot be read.</summary>
    public ValueHistogram? Histogram => Values?.Histogram;
    /// <summary>How the pictures read the tensor, or null when it is not drawn.</summary>
    public PictureLayout? Pictures => Values?.Layout;

    /// <summary>Everything computed from the values, once.</summary>
    private sealed record Contents(double[] Raw, double[] Real, TensorStatistics Statistics, ArrayText RawText, ArrayText? RealText,
        ValueHistogram Histogram, PictureLayout? Layout, string? NoPicture)
    {
        public static Contents Of(TensorData tensor, TensorViewOptions options)
        {
            var raw = tensor.RawValues();
            var real = tensor.IsQuantized ? tensor.RealValues() : raw;
            var (layout, noPicture) = PictureLayout.For(tensor.Shape, raw.Length, options.Picture,
                options.AsImage is { } size ? (size.Rows, size.Columns) : null, options.Transpose, options.FirstRowAtBottom, options.MaxPictures);
            return new Contents(raw, real, TensorStatistics.Of(tensor, raw, real),
                ArrayText.Of(raw, tensor.Shape, options.SummarizeAbove, options.EdgeItems),
                tensor.IsQuantized ? ArrayText.Of(real, tensor.Shape, options.SummarizeAbove, options.EdgeItems) : null,
                ValueHistogram.Of(tensor, raw, real), layout, noPicture);
        }
    }

    private long ExpectedBytes => Tensor.Type == TensorType.INT4 && Tensor.IsConstant
        ? (Tensor.ElementCount + 1) / 2
        : Tensor.ElementCount * TensorTypes.ElementSize(Tensor.Type);

    /// <summary>Said when the values come from a live arena whose plan hands this tensor's bytes to a later buffer.</summary>
    private string? ReuseNotice => Tensor.BytesReusedFromOperator is int op
        ? $"The arena plan gives these bytes to operator {op} once this tensor is no longer needed: after an Invoke they hold " +
          "a later buffer's values, not this tensor's. Look at it before Invoke, capture every tensor of a run with " +
          "TensorSet.Capture, or set InterpreterOptions.PreserveAllTensors."
        : null;

    private IEnumerable<(string Key, string Value)> Facts()
    {
        yield return ("type", Tensor.TypeName);
        yield return ("shape", Shape(Tensor.Shape));
        yield return ("elements", Number(Tensor.ElementCount));
        yield return ("bytes", Tensor.Bytes.Length > 0 ? Number(Tensor.Bytes.Length) : ExpectedBytes > 0 ? Number(ExpectedBytes) + " (none held)" : "none held");
        yield return ("kind", Kind);
        if (QuantizationText.Describe(Tensor.Quantization) is { Length: > 0 } quantization) yield return ("quantization", quantization);
    }

    /// <summary>"real = 0.00784314 × (q + 1)" for one scale; the per-channel rule otherwise.</summary>
    private string RealRule()
    {
        var q = Tensor.Quantization!;
        if (q.IsPerChannel) return $"real = scale[c] × (q − zero_point[c]), c = index along axis {q.QuantizedDimension}";
        return q.ZeroPoint switch
        {
            0 => $"real = {Float(q.Scale)} × q",
            < 0 => $"real = {Float(q.Scale)} × (q + {-q.ZeroPoint})",
            _ => $"real = {Float(q.Scale)} × (q − {q.ZeroPoint})",
        };
    }

    private static string Share(long count, long total) =>
        count == 0 ? "0" : $"{Number(count)} ({Number(100.0 * count / Math.Max(total, 1), count * 1000 < total ? 2 : 1)}%)";

    /// <summary>The statistics as a table: range and spread per column (stored, real), then counts.</summary>
    private HtmlTable StatisticsTable(TensorStatistics s)
    {
        bool quantized = Tensor.IsQuantized;
        var table = quantized ? new HtmlTable("", "stored", "real").Numeric(1, 2) : new HtmlTable("", "value").Numeric(1);
        void Row(string name, Func<ValueSummary, double> pick)
        {
            if (quantized) table.Row(name, Float(pick(s.Raw)), Float(pick(s.Real)));
            else table.Row(name, Float(pick(s.Raw)));
        }
        Row("min", v => v.Min);
        Row("max", v => v.Max);
        Row("mean", v => v.Mean);
        Row("std", v => v.Std);
        long total = Tensor.ElementCount;
        void Count(string name, long count, string? css = null) =>
            table.RowWithClass(css, quantized ? [name, "", Share(count, total)] : [name, Share(count, total)]);
        if (s.TypeLimits is { } limits)
        {
            var saturation = SaturationLimits();
            void Limit(string name, double limit, long count) =>
                Count($"at type {name} {Float(limit)}{(saturation.Contains(limit) ? "" : " (zero point)")}", count, count > 0 && saturation.Contains(limit) ? "hot" : null);
            Limit("min", limits.Min, s.AtTypeMin);
            Limit("max", limits.Max, s.AtTypeMax);
        }
        Count("zeros (stored 0)", s.Zeros);
        if (s.AtZeroPoint is { } atZeroPoint) Count("at zero point (real 0)", atZeroPoint);
        if (s.TypeLimits is null && IsFloat)
        {
            Count("NaN", s.NaN, s.NaN > 0 ? "hot" : null);
            Count("+inf", s.PositiveInfinity, s.PositiveInfinity > 0 ? "hot" : null);
            Count("−inf", s.NegativeInfinity, s.NegativeInfinity > 0 ? "hot" : null);
        }
        return table;
    }

    /// <summary>
    /// The type limits that mean saturation: both, except a limit that is the zero point, which is
    /// real 0 (ReLU's floor when the zero point is −128) rather than a clipped value.
    /// </summary>
    private double[] SaturationLimits()
    {
        if (Tensor.TypeLimits is not { } limits) return [];
        var q = Tensor.IsQuantized && !Tensor.Quantization!.IsPerChannel ? Tensor.Quantization : null;
        return new[] { limits.Min, limits.Max }.Where(l => q is null || q.ZeroPoint != l).ToArray();
    }

    private bool IsFloat => Tensor.Type is TensorType.FLOAT16 or TensorType.FLOAT32 or TensorType.FLOAT64 or TensorType.BFLOAT16;

    private string HistogramNote(ValueHistogram h)
    {
        var note = new StringBuilder(h.OnStoredValues
            ? $"stored values{(Tensor.IsQuantized ? " (axis shows real values)" : "")}, {Number(h.Bins.Count)} bins of {Number(h.Bins[0].RawUpper - h.Bins[0].RawLower + 1 ?? 1)} level{(h.Bins[0].RawUpper == h.Bins[0].RawLower ? "" : "s")}"
            : $"{(Tensor.IsQuantized ? "real values (per-channel scales)" : "values")}, {Number(h.Bins.Count)} bins");
        if (h.Sampled) note.Append($"; sampled: every {Number(h.Step)}th value, {Number(h.Counted + h.NotFinite)} of {Number(h.Total)}");
        if (h.NotFinite > 0) note.Append($"; {Number(h.NotFinite)} NaN/inf not drawn");
        return note.ToString();
    }

    /// <summary>The colour scale's range: the values' own range, or for RGB of an integer type its whole range (so colours are true).</summary>
    private (double Low, double High) PictureRange(Contents c)
    {
        if (c.Layout is { Rgb: true } && Tensor.TypeLimits is { } limits && !(Tensor.Quantization?.IsPerChannel ?? false))
        {
            var q = Tensor.IsQuantized ? Tensor.Quantization : null;
            return q is null ? limits : (q.Scale * (limits.Min - q.ZeroPoint), q.Scale * (limits.Max - q.ZeroPoint));
        }
        return (c.Statistics.Real.Min, c.Statistics.Real.Max);
    }

    /// <summary>A colour-bar value, to four digits; with one scale also the stored value, where it is a whole one.</summary>
    private string ColourLabel(double real)
    {
        string text = real.ToString("G4", CultureInfo.InvariantCulture);
        if (!Tensor.IsQuantized || Tensor.Quantization!.IsPerChannel) return text;
        var q = Tensor.Quantization;
        double stored = real / q.Scale + q.ZeroPoint;
        return Math.Abs(stored - Math.Round(stored)) < 1e-3 ? $"{text} (q {Math.Round(stored)})" : text;
    }

    private IEnumerable<string> PictureNotes(PictureLayout layout)
    {
        yield return layout.Reading;
        if (layout.Cells.Count > 1) yield return "one colour scale for all pictures";
        if (layout.Cells.Count < layout.TotalCells)
            yield return $"first {Number(layout.Cells.Count)} of {Number(layout.TotalCells)} pictures shown (MaxPictures)";
        if (layout.Step > 1)
            yield return $"every {Number(layout.Step)}th row and column drawn ({Number(layout.DrawnHeight)}×{Number(layout.DrawnWidth)} of {Number(layout.Height)}×{Number(layout.Width)})";
        if (Statistics is { } s && s.NaN + s.PositiveInfinity + s.NegativeInfinity > 0) yield return "NaN and ±inf drawn magenta";
    }

    protected override void WriteHtml(StringBuilder html)
    {
        html.Append(Css).Append(PictureHtml.Css).Append("<div class=\"tmw-tensor\">");
        html.Append("<h3>Tensor ").Append(Tensor.Index).Append(" <code>").Append(Encode(Tensor.Name)).Append("</code></h3>");
        html.Append("<div class=\"kv\">");
        foreach (var (key, value) in Facts())
            html.Append("<span>").Append(Encode(key)).Append(" <b>").Append(Encode(value)).Append("</b></span>");
        html.Append("</div>");
        if (ReuseNotice is { } reuse) html.Append("<div class=\"tmw-notice\">").Append(Encode(reuse)).Append("</div>");
        if (Unavailable is { } cause)
        {
            html.Append("<div class=\"tmw-notice\">Values not shown: ").Append(Encode(cause)).Append(".</div></div>");
            return;
        }
        var c = Values!;

        if (c.Layout is { } layout)
        {
            var (low, high) = PictureRange(c);
            html.Append("<h4>Picture").Append(layout.Cells.Count > 1 ? "s" : "").Append("</h4>");
            html.Append(PictureHtml.Of(layout, c.Real, low, high, Options.Picture == PictureStyle.Grayscale ? ColorMap.Grayscale : ColorMap.Viridis, ColourLabel));
            html.Append("<div class=\"muted\">").Append(Encode(string.Join("; ", PictureNotes(layout)))).Append("</div>");
        }
        else if (c.NoPicture is { } why) html.Append("<div class=\"muted\">No picture: ").Append(Encode(why)).Append(".</div>");

        html.Append("<div class=\"tmw-tensor-row\"><div><h4>Statistics</h4>").Append(StatisticsTable(c.Statistics).ToHtml()).Append("</div>");
        html.Append("<div><h4>Histogram</h4>")
            .Append(HistogramSvg.Of(c.Histogram, c.Histogram.OnStoredValues ? SaturationLimits() : [], Tensor.IsQuantized ? "real value" : "value"))
            .Append("<div class=\"muted\">").Append(Encode(HistogramNote(c.Histogram))).Append("</div></div></div>");

        html.Append("<h4>Values</h4><div class=\"muted\">").Append(Encode(c.RawText.Note(Options.EdgeItems))).Append("</div>");
        html.Append("<div class=\"tmw-tensor-row\"><div><div class=\"muted\">stored (").Append(Encode(Tensor.TypeName)).Append(")</div><pre>")
            .Append(Encode(c.RawText.Text)).Append("</pre></div>");
        if (c.RealText is { } real)
            html.Append("<div><div class=\"muted\">").Append(Encode(RealRule())).Append("</div><pre>").Append(Encode(real.Text)).Append("</pre></div>");
        html.Append("</div></div>");
    }

    private const string Css = """
<style>
.tmw .tmw-tensor h3 code{font-size:14px}
.tmw .tmw-tensor-row{display:flex;flex-wrap:wrap;gap:4px 28px;align-items:flex-start}
.tmw .tmw-tensor pre{margin:2px 0 8px 0;padding:6px 8px;background:rgba(128,128,128,.08);border-radius:3px;overflow-x:auto;max-width:100%}
.tmw .tmw-notice{border-left:4px solid #e8a33d;padding:6px 10px;background:rgba(232,163,61,.10);margin:4px 0}
.tmw .tmw-histogram{display:block}
</style>
""";

    protected override string RenderText()
    {
        var text = new StringBuilder();
        text.AppendLine($"Tensor {Tensor.Index} '{Tensor.Name}': {string.Join(", ", Facts().Select(f => $"{f.Key} {f.Value}"))}");
        if (ReuseNotice is { } reuse) text.AppendLine(reuse);
        if (Unavailable is { } cause) return text.AppendLine($"Values not shown: {cause}.").ToString();
        var c = Values!;
        text.AppendLine().Append(StatisticsTable(c.Statistics).ToText());
        if (c.Layout is { } layout) text.AppendLine().AppendLine($"picture (HTML only): {string.Join("; ", PictureNotes(layout))}");
        text.AppendLine().AppendLine($"values, {c.RawText.Note(Options.EdgeItems)}:");
        text.AppendLine($"stored ({Tensor.TypeName}):").AppendLine(c.RawText.Text);
        if (c.RealText is { } real) text.AppendLine(RealRule() + ":").AppendLine(real.Text);
        return text.ToString();
    }
}
