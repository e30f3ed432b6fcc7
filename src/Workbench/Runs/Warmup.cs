using System.Diagnostics;

namespace TinyMl.Workbench.Runs;

/// <summary>
/// How long to run a model untimed before timing it. .NET compiles hot methods twice: quickly first,
/// then optimized (with profile data) once they have run a while (tiered compilation). Timing before
/// that settles measures the JIT, not the kernels — so warm-up lasts a number of runs AND a minimum
/// of wall time. `workbench bench` and the profile view both follow this rule.
/// </summary>
public static class Warmup
{
    /// <summary>Wall time a warm-up lasts at least: enough for tier-1 recompilation of the kernels.</summary>
    public static readonly TimeSpan MinimumTime = TimeSpan.FromSeconds(1);

    /// <summary>Calls <paramref name="run"/> at least <paramref name="minimumRuns"/> times and for at least <paramref name="minimumTime"/> (default <see cref="MinimumTime"/>); returns the runs made.</summary>
    public static int Run(Action run, int minimumRuns, TimeSpan? minimumTime = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var time = minimumTime ?? MinimumTime;
        int runs = 0;
        long start = Stopwatch.GetTimestamp();
        while (runs < minimumRuns || Stopwatch.GetElapsedTime(start) < time)
        {
            run();
            runs++;
        }
        return runs;
    }
}
