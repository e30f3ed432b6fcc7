namespace TinyMl.Workbench.Parity;

/// <summary>One bar of a histogram: values in [Lower, Upper) (the last bin includes Upper).</summary>
public readonly record struct HistogramBin(double Lower, double Upper, long Count);

/// <summary>
/// How the signed errors (candidate − reference) of one tensor are spread, in LSB when a side is
/// quantized. Errors between two quantized tensors are whole LSB, so those get one bin per LSB while
/// the range is small; otherwise the range is cut into equal bins.
/// </summary>
public sealed class ErrorHistogram
{
    public const int MaxBins = 41;

    public required IReadOnlyList<HistogramBin> Bins { get; init; }
    /// <summary>"LSB" or "real units".</summary>
    public required string Unit { get; init; }
    /// <summary>Elements with no finite error (NaN on one side), not in any bin.</summary>
    public long NotFinite { get; init; }

    public static ErrorHistogram Of(TensorComparison comparison)
    {
        var errors = comparison.SignedErrors();
        string unit = comparison.MaxLsb is null ? "real units" : "LSB";
        var finite = errors.Where(double.IsFinite).ToArray();
        if (finite.Length == 0) return new ErrorHistogram { Bins = [], Unit = unit, NotFinite = errors.Length };
        double min = finite.Min(), max = finite.Max();
        bool whole = unit == "LSB" && finite.All(e => Math.Abs(e - Math.Round(e)) < 1e-6);
        double width;
        if (whole && max - min + 1 <= MaxBins)
        {
            // Centred on whole LSB: the bin of error k is [k − ½, k + ½).
            (min, max, width) = (Math.Round(min) - 0.5, Math.Round(max) + 0.5, 1);
        }
        else if (max == min)
        {
            (min, max, width) = (min - 0.5, max + 0.5, 1);
        }
        else
        {
            width = (max - min) / MaxBins;
        }
        int count = Math.Max(1, (int)Math.Round((max - min) / width));
        var counts = new long[count];
        foreach (double e in finite)
            counts[Math.Clamp((int)Math.Floor((e - min) / width), 0, count - 1)]++;
        return new ErrorHistogram
        {
            Bins = counts.Select((n, i) => new HistogramBin(min + i * width, min + (i + 1) * width, n)).ToArray(),
            Unit = unit,
            NotFinite = errors.Length - finite.Length,
        };
    }
}
