namespace TinyMl.Tools.SineModel;

/// <summary>
/// The few numeric helpers training needs, written with IEEE-754 basic operations only (+, -, *, /,
/// sqrt are correctly rounded everywhere), so the trained weights are the same bits on every machine.
/// Math.Sin, Math.Exp or Math.Pow are avoided on purpose: their last bit depends on the C runtime.
/// </summary>
public static class DeterministicMath
{
    public const double TwoPi = 2 * Math.PI;

    /// <summary>sin(x) for x in [0, 2π] (accurate to ~1e-15), from its Taylor series about π.</summary>
    public static double Sin(double x)
    {
        if (!(x >= 0 && x <= TwoPi))
            throw new ArgumentOutOfRangeException(nameof(x), x, "the training target is defined on [0, 2π]");
        // sin(x) = -sin(x - π), and |x - π| <= π keeps the series short: the 13 terms up to t^25 leave
        // a remainder below π^27/27! ≈ 2e-15.
        double t = x - Math.PI;
        double t2 = t * t;
        double term = t;
        double sum = t;
        for (int k = 1; k <= 12; k++)
        {
            term = -term * t2 / ((2 * k) * (2 * k + 1));
            sum += term;
        }
        return -sum;
    }

    /// <summary>Round half away from zero, as std::round does (TFLite's quantizer rounds this way).</summary>
    public static double Round(double x) => Math.Round(x, MidpointRounding.AwayFromZero);
}

/// <summary>
/// SplitMix64: a tiny, well-mixed 64-bit generator whose output is defined by integer arithmetic alone
/// (unlike System.Random, whose algorithm is an implementation detail of the runtime).
/// </summary>
public sealed class SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1): the top 53 bits, scaled exactly by 2^-53.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [low, high).</summary>
    public double NextDouble(double low, double high) => low + (high - low) * NextDouble();
}
