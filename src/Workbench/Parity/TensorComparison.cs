using TinyMl.Interpreter;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Workbench.Parity;

/// <summary>One element where two tensors differ: its flat index and coordinates, both real values, the error.</summary>
public sealed record ElementError(long FlatIndex, int[] Coordinates, double Reference, double Candidate, double AbsError, double? Lsb)
{
    public string CoordinatesText => "[" + string.Join(",", Coordinates) + "]";
}

/// <summary>
/// Two runs' versions of one tensor compared element by element in real (dequantized) units — so an
/// int8 tensor compares with its float twin — and in LSB (the error divided by the scale of the
/// quantized side, per channel where quantized per channel) when either side is quantized. A pair
/// that cannot be compared (element counts differ, no values) carries a <see cref="Problem"/> instead.
/// </summary>
public sealed class TensorComparison
{
    public required SetTensor Reference { get; init; }
    public required SetTensor Candidate { get; init; }
    public required MatchKind MatchedBy { get; init; }
    /// <summary>Why the pair was not compared; null when it was.</summary>
    public string? Problem { get; init; }
    /// <summary>Differences that do not stop the comparison (type, shape with the same element count, NaNs).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    public long Elements { get; init; }
    public double MaxAbsError { get; init; }
    public double MeanAbsError { get; init; }
    /// <summary>Largest error in LSB of the quantized side; null when neither side is quantized.</summary>
    public double? MaxLsb { get; init; }
    public double? MeanLsb { get; init; }
    /// <summary>"candidate" or "reference": whose scale an LSB is.</summary>
    public string? LsbSide { get; init; }
    /// <summary>Flat index of the element with the largest error (−1 when not compared or empty).</summary>
    public long WorstIndex { get; init; } = -1;
    /// <summary>Largest |value| of the reference tensor, for relative errors of float pairs.</summary>
    public double ReferenceMagnitude { get; init; }

    public bool Compared => Problem is null;
    /// <summary>Max abs error over the reference's largest magnitude (0 when both are zero).</summary>
    public double RelativeError => ReferenceMagnitude > 0 ? MaxAbsError / ReferenceMagnitude : MaxAbsError > 0 ? double.PositiveInfinity : 0;
    public string Name => Reference.Data.Name == Candidate.Data.Name ? Reference.Data.Name : $"{Reference.Data.Name} ↔ {Candidate.Data.Name}";

    public static TensorComparison Of(SetTensor reference, SetTensor candidate, MatchKind matchedBy)
    {
        TensorData r = reference.Data, c = candidate.Data;
        var notes = new List<string>();
        // A float tensor against its quantized twin is what comparing a model with its int8 version means:
        // the report says so once; any other type difference is noted on the tensor.
        if (r.Type != c.Type && !IsFloatAndQuantized(r, c)) notes.Add($"types differ: {r.TypeName} vs {c.TypeName} (compared in real units)");
        if (!r.Shape.SequenceEqual(c.Shape)) notes.Add($"shapes differ: [{string.Join(",", r.Shape)}] vs [{string.Join(",", c.Shape)}]");
        TensorComparison Fail(string problem) => new() { Reference = reference, Candidate = candidate, MatchedBy = matchedBy, Problem = problem, Notes = notes };

        if (r.ElementCount != c.ElementCount) return Fail($"element counts differ: {r.ElementCount} vs {c.ElementCount}");
        if (!r.HasValues || !c.HasValues) return Fail($"{(!r.HasValues ? "the reference" : "the candidate")} holds no values");
        var refValues = r.RealValues();
        var candValues = c.RealValues();
        if (refValues.Any(double.IsNaN) && NoNumericReading(r) || candValues.Any(double.IsNaN) && NoNumericReading(c))
            return Fail($"{(NoNumericReading(r) ? r.TypeName : c.TypeName)} has no numeric reading");

        var lsbSide = c.IsQuantized ? c : r.IsQuantized ? r : null;
        double max = 0, sum = 0, maxLsb = 0, sumLsb = 0, magnitude = 0;
        long worst = refValues.Length > 0 ? 0 : -1, oneSidedNaN = 0;
        for (long i = 0; i < refValues.Length; i++)
        {
            double error = AbsError(refValues[i], candValues[i]);
            if (double.IsNaN(refValues[i]) != double.IsNaN(candValues[i])) oneSidedNaN++;
            if (!double.IsNaN(refValues[i])) magnitude = Math.Max(magnitude, Math.Abs(refValues[i]));
            sum += error;
            if (error > max) (max, worst) = (error, i);
            if (lsbSide is not null)
            {
                double lsb = error / lsbSide.ScaleAt(i);
                sumLsb += lsb;
                maxLsb = Math.Max(maxLsb, lsb);
            }
        }
        if (oneSidedNaN > 0) notes.Add($"{oneSidedNaN} element{(oneSidedNaN == 1 ? " is" : "s are")} NaN on one side only (counted as infinite error)");
        long n = refValues.Length;
        return new TensorComparison
        {
            Reference = reference,
            Candidate = candidate,
            MatchedBy = matchedBy,
            Notes = notes,
            Elements = n,
            MaxAbsError = max,
            MeanAbsError = n > 0 ? sum / n : 0,
            MaxLsb = lsbSide is null ? null : maxLsb,
            MeanLsb = lsbSide is null ? null : n > 0 ? sumLsb / n : 0,
            LsbSide = lsbSide is null ? null : ReferenceEquals(lsbSide, c) ? "candidate" : "reference",
            WorstIndex = worst,
            ReferenceMagnitude = magnitude,
        };
    }

    /// <summary>One side float, the other quantized: the float/int8 twins a parity report is usually about.</summary>
    public static bool IsFloatAndQuantized(TensorData a, TensorData b) =>
        a.IsQuantized != b.IsQuantized && (a.TypeLimits is null ? b : a).IsQuantized && (a.TypeLimits is null ? a : b).TypeLimits is null;

    public bool FloatAgainstQuantized => IsFloatAndQuantized(Reference.Data, Candidate.Data);

    private static bool NoNumericReading(TensorData t) => t.TypeLimits is null && t.Type is not (Interpreter.Schema.TensorType.FLOAT32
        or Interpreter.Schema.TensorType.FLOAT16 or Interpreter.Schema.TensorType.FLOAT64 or Interpreter.Schema.TensorType.BOOL
        or Interpreter.Schema.TensorType.INT64 or Interpreter.Schema.TensorType.UINT32 or Interpreter.Schema.TensorType.UINT64);

    /// <summary>|candidate − reference|; two NaNs agree, one NaN is an infinite error.</summary>
    public static double AbsError(double reference, double candidate) =>
        double.IsNaN(reference) || double.IsNaN(candidate)
            ? double.IsNaN(reference) && double.IsNaN(candidate) ? 0 : double.PositiveInfinity
            : Math.Abs(candidate - reference);

    /// <summary>Both sides' real values and the tensor whose scale an LSB is (null when neither is quantized).</summary>
    private (double[] Reference, double[] Candidate, TensorData? ScaleSide) Values() =>
        (Reference.Data.RealValues(), Candidate.Data.RealValues(), LsbSide switch { "candidate" => Candidate.Data, "reference" => Reference.Data, _ => null });

    /// <summary>The signed errors (candidate − reference) of every element, in LSB when a side is quantized, else in real units.</summary>
    public double[] SignedErrors()
    {
        if (!Compared) return [];
        var (r, c, scaleSide) = Values();
        var errors = new double[r.Length];
        for (long i = 0; i < r.Length; i++)
        {
            double e = double.IsNaN(r[i]) || double.IsNaN(c[i]) ? (double.IsNaN(r[i]) && double.IsNaN(c[i]) ? 0 : double.NaN) : c[i] - r[i];
            errors[i] = scaleSide is null ? e : e / scaleSide.ScaleAt(i);
        }
        return errors;
    }

    /// <summary>The <paramref name="count"/> elements with the largest errors, largest first (ties by flat index).</summary>
    public IReadOnlyList<ElementError> WorstElements(int count = 10)
    {
        if (!Compared || count <= 0) return [];
        var (r, c, scaleSide) = Values();
        // A bounded heap keeps this O(n log k) for tensors of hundreds of thousands of elements.
        var heap = new PriorityQueue<long, (double Error, long Index)>(Comparer<(double Error, long Index)>.Create((a, b) =>
            a.Error != b.Error ? a.Error.CompareTo(b.Error) : b.Index.CompareTo(a.Index)));
        for (long i = 0; i < r.Length; i++)
        {
            var key = (AbsError(r[i], c[i]), i);
            if (heap.Count < count) heap.Enqueue(i, key);
            else if (heap.TryPeek(out _, out var smallest) && heap.Comparer.Compare(key, smallest) > 0) heap.EnqueueDequeue(i, key);
        }
        var worst = new List<ElementError>();
        while (heap.TryDequeue(out long i, out var key))
            worst.Add(new ElementError(i, Coordinates(Reference.Data.Shape, i), r[i], c[i], key.Error, scaleSide is null ? null : key.Error / scaleSide.ScaleAt(i)));
        worst.Reverse();
        return worst;
    }

    /// <summary>Row-major coordinates of flat index <paramref name="flat"/> in <paramref name="shape"/>.</summary>
    public static int[] Coordinates(int[] shape, long flat)
    {
        var coordinates = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            int size = Math.Max(shape[d], 1);
            coordinates[d] = (int)(flat % size);
            flat /= size;
        }
        return coordinates;
    }
}
