namespace TinyMl.Workbench.Tensors;

/// <summary>Summary of a set of numbers; NaN and infinities are left out (and counted in <see cref="TensorStatistics"/>).</summary>
public sealed record ValueSummary(long Count, double Min, double Max, double Mean, double Std)
{
    /// <summary>Population statistics (numpy's defaults: std with ddof = 0) of the finite values.</summary>
    public static ValueSummary Of(ReadOnlySpan<double> values)
    {
        long count = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        foreach (double v in values)
        {
            if (!double.IsFinite(v)) continue;
            count++;
            sum += v;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (count == 0) return new ValueSummary(0, double.NaN, double.NaN, double.NaN, double.NaN);
        double mean = sum / count, squares = 0;
        // Two passes: the deviation sum stays accurate where sum-of-squares minus square-of-sum would cancel.
        foreach (double v in values)
            if (double.IsFinite(v)) squares += (v - mean) * (v - mean);
        return new ValueSummary(count, min, max, mean, Math.Sqrt(squares / count));
    }
}

/// <summary>
/// What a person checks first about a tensor's values: their range and spread (stored and real),
/// how many sit at the type's limits (saturation after requantization), how many are zero or at the
/// zero point (dead ReLUs, padding), and any NaN or infinity in a float tensor.
/// </summary>
public sealed record TensorStatistics
{
    public required ValueSummary Raw { get; init; }
    /// <summary>Dequantized (the same as <see cref="Raw"/> for an unquantized tensor).</summary>
    public required ValueSummary Real { get; init; }
    /// <summary>The type's limits when it is an integer type, else null.</summary>
    public (double Min, double Max)? TypeLimits { get; init; }
    public long AtTypeMin { get; init; }
    public long AtTypeMax { get; init; }
    /// <summary>Stored value 0.</summary>
    public long Zeros { get; init; }
    /// <summary>Stored value equal to its (per-channel) zero point, i.e. real value 0; only for quantized tensors.</summary>
    public long? AtZeroPoint { get; init; }
    public long NaN { get; init; }
    public long PositiveInfinity { get; init; }
    public long NegativeInfinity { get; init; }

    public long Saturated => AtTypeMin + AtTypeMax;

    public static TensorStatistics Of(TensorData tensor, double[] raw, double[] real)
    {
        var limits = tensor.TypeLimits;
        long atMin = 0, atMax = 0, zeros = 0, atZeroPoint = 0, nan = 0, positive = 0, negative = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            double v = raw[i];
            if (double.IsNaN(v)) nan++;
            else if (double.IsPositiveInfinity(v)) positive++;
            else if (double.IsNegativeInfinity(v)) negative++;
            if (v == 0) zeros++;
            // scale * (q - zero_point) is exactly 0 only at the zero point (scales are non-zero).
            if (real[i] == 0) atZeroPoint++;
            if (limits is { } l)
            {
                if (v == l.Min) atMin++;
                else if (v == l.Max) atMax++;
            }
        }
        return new TensorStatistics
        {
            Raw = ValueSummary.Of(raw),
            Real = tensor.IsQuantized ? ValueSummary.Of(real) : ValueSummary.Of(raw),
            TypeLimits = limits,
            AtTypeMin = atMin,
            AtTypeMax = atMax,
            Zeros = zeros,
            AtZeroPoint = tensor.IsQuantized ? atZeroPoint : null,
            NaN = nan,
            PositiveInfinity = positive,
            NegativeInfinity = negative,
        };
    }
}
