using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench.Parity;

/// <summary>
/// When a layer's error "jumps": tensors are taken in execution order, each one's error measured in
/// tolerances — max error in LSB / <see cref="ToleranceLsb"/> when a side is quantized, else max abs
/// error relative to the reference's largest magnitude / <see cref="RelativeTolerance"/>. A tensor
/// jumps when its error is above tolerance (more than 1) and either the tensor before it was within
/// tolerance (or it is the first compared) or its error is at least <see cref="Ratio"/> times the one
/// before it. Rounding makes every quantized layer differ by about ±1 LSB from its float twin and
/// errors grow slowly through a network; a layer crossing the tolerance, or multiplying the error it
/// received, is where to look first (a bad scale, a saturated range, a kernel bug).
/// </summary>
public sealed record JumpRule(double ToleranceLsb = 2, double RelativeTolerance = 1e-4, double Ratio = 4)
{
    public static JumpRule Default { get; } = new();

    /// <summary>The tensor's error in tolerances (above 1 = out of tolerance); null when it was not compared.</summary>
    public double? Severity(TensorComparison comparison) =>
        !comparison.Compared ? null
        : comparison.MaxLsb is { } lsb ? lsb / ToleranceLsb
        : comparison.RelativeError / RelativeTolerance;

    /// <summary>Whether a tensor of severity <paramref name="severity"/> jumps after one of <paramref name="previous"/> (null for the first compared).</summary>
    public bool Jumps(double severity, double? previous) =>
        severity > 1 && (previous is not { } p || p <= 1 || severity >= Ratio * p);

    /// <summary>Positions (in <paramref name="rows"/>) of the tensors whose error jumps, in order.</summary>
    public IReadOnlyList<int> JumpsIn(IReadOnlyList<TensorComparison> rows)
    {
        var jumps = new List<int>();
        double? previous = null;
        for (int i = 0; i < rows.Count; i++)
        {
            if (Severity(rows[i]) is not { } severity) continue;
            if (Jumps(severity, previous)) jumps.Add(i);
            previous = severity;
        }
        return jumps;
    }

    public string Describe() =>
        $"A tensor's error jumps when its max error exceeds the tolerance ({Float(ToleranceLsb)} LSB when a side is quantized, else " +
        $"{Float(RelativeTolerance)} of the reference's largest magnitude) and the tensor before it in execution order was within " +
        $"tolerance, or its error is at least {Float(Ratio)}× that of the tensor before it.";
}
