using System.Diagnostics;

namespace TinyMl.Workbench.Runs;

/// <summary>
/// Repeated timings of one thing, in microseconds. The median is the figure to quote (a GC pause or a
/// context switch on a shared machine lands in a few runs and moves the mean, not the median); the
/// minimum shows what the code can do undisturbed.
/// </summary>
public readonly record struct RunTimes(double MedianMicroseconds, double MinMicroseconds, double MeanMicroseconds)
{
    /// <summary>From Stopwatch tick counts (sorted in place). Empty gives zeros.</summary>
    public static RunTimes OfTicks(Span<long> ticks)
    {
        if (ticks.IsEmpty) return default;
        ticks.Sort();
        int n = ticks.Length;
        double median = n % 2 == 1 ? Microseconds(ticks[n / 2]) : (Microseconds(ticks[n / 2 - 1]) + Microseconds(ticks[n / 2])) / 2;
        double sum = 0;
        foreach (long t in ticks) sum += Microseconds(t);
        return new RunTimes(median, Microseconds(ticks[0]), sum / n);
    }

    public static double Microseconds(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}
