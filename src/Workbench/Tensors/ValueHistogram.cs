namespace TinyMl.Workbench.Tensors;

/// <summary>
/// One bar of a histogram: real-value edges, and for integer tensors the stored values it holds
/// (<see cref="RawLower"/>…<see cref="RawUpper"/>, both included).
/// </summary>
public sealed record HistogramBin(double Lower, double Upper, long Count, long? RawLower = null, long? RawUpper = null);

/// <summary>
/// How a tensor's values are distributed. Integer tensors with one scale are binned on stored
/// values, a whole number of them per bin, so no bar mixes two quantization levels unevenly;
/// float and per-channel tensors (whose real values interleave several scales) on real values.
/// Past <see cref="DefaultMaxValues"/> values the histogram counts an even sample and says so.
/// </summary>
public sealed class ValueHistogram
{
    public const int DefaultMaxBins = 64;
    public const long DefaultMaxValues = 1_000_000;

    public required IReadOnlyList<HistogramBin> Bins { get; init; }
    /// <summary>True when bins group stored (integer) values.</summary>
    public required bool OnStoredValues { get; init; }
    /// <summary>Values counted: every <see cref="Step"/>-th of <see cref="Total"/>.</summary>
    public required long Counted { get; init; }
    public required long Total { get; init; }
    public required int Step { get; init; }
    public bool Sampled => Step > 1;
    /// <summary>NaN and infinities are not drawn.</summary>
    public long NotFinite { get; init; }

    public static ValueHistogram Of(TensorData tensor, double[] raw, double[] real, int maxBins = DefaultMaxBins, long maxValues = DefaultMaxValues)
    {
        int step = (int)Math.Max(1, (raw.Length + maxValues - 1) / maxValues);
        bool onStored = tensor.TypeLimits is not null && !(tensor.Quantization?.IsPerChannel ?? false);
        var values = onStored ? raw : real;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        long counted = 0, notFinite = 0;
        for (long i = 0; i < values.Length; i += step)
        {
            double v = values[i];
            if (!double.IsFinite(v)) { notFinite++; continue; }
            counted++;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        var result = new ValueHistogram { Bins = [], OnStoredValues = onStored, Counted = counted, Total = values.Length, Step = step, NotFinite = notFinite };
        if (counted == 0) return result;

        if (onStored)
        {
            long lo = (long)min, span = (long)max - lo + 1;
            long width = (span + maxBins - 1) / maxBins;
            int count = (int)((span + width - 1) / width);
            var counts = new long[count];
            for (long i = 0; i < values.Length; i += step)
                if (double.IsFinite(values[i])) counts[((long)values[i] - lo) / width]++;
            var q = tensor.IsQuantized ? tensor.Quantization : null;
            double Real(double stored) => q is null ? stored : q.Scale * (stored - q.ZeroPoint);
            // Edges sit half a level outside the stored values so bars of adjacent levels touch.
            return new ValueHistogram
            {
                Bins = Enumerable.Range(0, count).Select(b =>
                {
                    long first = lo + b * width, last = Math.Min(first + width - 1, (long)max);
                    return new HistogramBin(Real(first - 0.5), Real(last + 0.5), counts[b], first, last);
                }).ToArray(),
                OnStoredValues = true, Counted = counted, Total = values.Length, Step = step, NotFinite = notFinite,
            };
        }

        if (min == max) return new ValueHistogram
        {
            Bins = [new HistogramBin(min - 0.5, max + 0.5, counted)],
            OnStoredValues = false, Counted = counted, Total = values.Length, Step = step, NotFinite = notFinite,
        };
        var bins = new long[maxBins];
        double binWidth = (max - min) / maxBins;
        for (long i = 0; i < values.Length; i += step)
        {
            double v = values[i];
            if (double.IsFinite(v)) bins[Math.Min((int)((v - min) / binWidth), maxBins - 1)]++;
        }
        return new ValueHistogram
        {
            Bins = Enumerable.Range(0, maxBins).Select(b => new HistogramBin(min + b * binWidth, b == maxBins - 1 ? max : min + (b + 1) * binWidth, bins[b])).ToArray(),
            OnStoredValues = false, Counted = counted, Total = values.Length, Step = step, NotFinite = notFinite,
        };
    }
}
