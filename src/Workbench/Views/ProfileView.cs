using System.Diagnostics;
using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Charts;
using TinyMl.Workbench.Graph;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Runs;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench;

/// <summary>
/// Where Invoke spends its time, like TFLM's MicroProfiler but with medians over repeated runs: per
/// operator (median, min, share), per op type (count, time, share, MACs/s), the whole Invoke measured
/// around the call and the overhead outside the operators, and AllocateTensors' Init/Prepare times.
/// </summary>
public sealed class ProfileView : WorkbenchView
{
    /// <summary>Operators listed in full up to this many; past it the table keeps the first and last rows and says how many were left out.</summary>
    public const int MaxTableRows = 200;

    /// <summary>
    /// Times <paramref name="runs"/> Invokes of <paramref name="interpreter"/> (allocated, inputs set) on
    /// the inputs it holds now, after at least <paramref name="warmupRuns"/> untimed runs lasting at least
    /// <see cref="Warmup.MinimumTime"/> (so the JIT has optimized the kernels).
    /// </summary>
    public static ProfileView Measure(MicroInterpreter interpreter, int runs = 50, int warmupRuns = 5) =>
        Measure(interpreter, runs, warmupRuns, Warmup.MinimumTime);

    /// <summary>As <see cref="Measure(MicroInterpreter, int, int)"/> with a warm-up of at least <paramref name="minimumWarmup"/> of wall time.</summary>
    public static ProfileView Measure(MicroInterpreter interpreter, int runs, int warmupRuns, TimeSpan minimumWarmup)
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupRuns);
        if (!interpreter.IsAllocated)
            throw new InterpreterStateException("profiling runs Invoke: call AllocateTensors (and set the inputs) first");

        var nodes = interpreter.Nodes;
        var stopwatch = new OperatorStopwatch(nodes.Count, runs);
        var invokeTicks = new long[runs];
        var inputs = SavedInputs.Of(interpreter);
        var previous = interpreter.Profiler;
        interpreter.Profiler = stopwatch;
        int warmed;
        try
        {
            // The warm-up goes through the profiler too, so the timed code path is the one the JIT optimized.
            warmed = Warmup.Run(() =>
            {
                inputs.Restore();
                interpreter.Invoke();
            }, warmupRuns, minimumWarmup);
            for (int run = 0; run < runs; run++)
            {
                // Inputs are put back outside the timed region (a dead input's bytes may have been reused).
                inputs.Restore();
                stopwatch.Run = run;
                long start = Stopwatch.GetTimestamp();
                interpreter.Invoke();
                invokeTicks[run] = Stopwatch.GetTimestamp() - start;
            }
        }
        finally
        {
            interpreter.Profiler = previous;
            // A later Invoke of the caller's must see the inputs it set, not what the last run left in reused bytes.
            inputs.Restore();
        }

        var operators = nodes.Select(node =>
        {
            var times = RunTimes.OfTicks(stopwatch.TicksOf(node.Index));
            return new OperatorTiming(node.Index, node.Name, times.MedianMicroseconds)
            {
                MinMicroseconds = times.MinMicroseconds,
                Macs = node.Cost.Macs,
                Output = node.Outputs.Length > 0 ? node.Outputs[0].Name : "",
            };
        }).ToArray();
        return new ProfileView
        {
            ModelSource = interpreter.Model.Source,
            Operators = operators,
            Runs = runs,
            WarmupRuns = warmed,
            Invoke = RunTimes.OfTicks(invokeTicks),
            Setup = interpreter.SetupProfile,
            UnoptimizedRuntime = RuntimeBuiltWithoutOptimizations,
        };
    }

    /// <summary>True when the loaded runtime assembly was compiled without optimizations (a Debug build): its kernels run several times slower.</summary>
    public static bool RuntimeBuiltWithoutOptimizations { get; } =
        typeof(MicroInterpreter).Assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false)
            .OfType<System.Diagnostics.DebuggableAttribute>().Any(a => a.IsJITOptimizerDisabled);

    /// <summary>Operator times of every run, written by the interpreter without allocating.</summary>
    private sealed class OperatorStopwatch(int operators, int runs) : IProfiler
    {
        // [operator * runs + run]: one operator's runs are contiguous, ready to sort.
        private readonly long[] _ticks = new long[Math.Max(operators, 1) * runs];
        /// <summary>The run being timed; warm-up runs write over run 0, which the first timed run rewrites.</summary>
        public int Run { get; set; }

        public void OperatorInvoked(Node node, long startTimestamp, long endTimestamp) =>
            _ticks[node.Index * runs + Run] = endTimestamp - startTimestamp;

        public Span<long> TicksOf(int op) => _ticks.AsSpan(op * runs, runs);
    }

    public required string ModelSource { get; init; }
    /// <summary>Median time of each operator over the runs, in execution order.</summary>
    public required IReadOnlyList<OperatorTiming> Operators { get; init; }
    public int Runs { get; init; }
    /// <summary>Untimed runs made before timing (at least the warm-up asked for, more to fill the minimum warm-up time).</summary>
    public int WarmupRuns { get; init; }
    /// <summary>The whole Invoke, timed around the call.</summary>
    public RunTimes Invoke { get; init; }
    /// <summary>Init and Prepare times from AllocateTensors.</summary>
    public SetupProfile? Setup { get; init; }
    /// <summary>The times were taken with a Debug build of the runtime (see <see cref="DebugBuildNotice"/>).</summary>
    public bool UnoptimizedRuntime { get; init; }

    /// <summary>
    /// Said when the runtime was a Debug build: a host such as `dotnet run --project src/Cli -- notebook run` loads
    /// its own Debug runtime, and the JIT then leaves every kernel unoptimized.
    /// </summary>
    public string? DebugBuildNotice => UnoptimizedRuntime
        ? "Timed with a Debug build of TinyMl.Interpreter (JIT optimizations off): kernels run several times slower than in a Release build. " +
          "Run the host in Release (e.g. dotnet run -c Release --project src/Cli -- notebook run …) for representative times."
        : null;

    public string FileName => Path.GetFileName(ModelSource) is { Length: > 0 } name ? name : ModelSource;
    public override string Title => $"Profile of {ModelSource}";

    /// <summary>The sum of the operators' medians: what shares are shares of.</summary>
    public double OperatorMicroseconds => Operators.Sum(o => o.MedianMicroseconds);
    /// <summary>Median Invoke minus the operators' medians: the interpreter's own loop and the profiler's clock reads (can be slightly negative: medians do not add up exactly).</summary>
    public double InvokeOverheadMicroseconds => Invoke.MedianMicroseconds - OperatorMicroseconds;
    public long Macs => Operators.Sum(o => o.Macs);

    /// <summary>An operator's share of <see cref="OperatorMicroseconds"/> (0..1).</summary>
    public double Share(OperatorTiming op) => OperatorMicroseconds > 0 ? op.MedianMicroseconds / OperatorMicroseconds : 0;

    /// <summary>Per op type, slowest first.</summary>
    public IReadOnlyList<OperatorTypeTiming> OperatorTypes => Operators.GroupBy(o => o.Op)
        .Select(g =>
        {
            double us = g.Sum(o => o.MedianMicroseconds);
            return new OperatorTypeTiming(g.Key, g.Count(), us, OperatorMicroseconds > 0 ? us / OperatorMicroseconds : 0, g.Sum(o => o.Macs));
        })
        .OrderByDescending(t => t.MedianMicroseconds).ThenBy(t => t.Op, StringComparer.Ordinal).ToArray();

    /// <summary>"1.23 GMAC/s", "850 MAC/s"; "" when there is no rate.</summary>
    private static string MacRate(double? macsPerSecond)
    {
        if (macsPerSecond is not { } rate) return "";
        string scaled = Count((long)rate);
        return scaled + (char.IsDigit(scaled[^1]) ? " " : "") + "MAC/s";
    }

    private static double? MacsPerSecond(long macs, double us) => macs > 0 && us > 0 ? macs / (us * 1e-6) : null;

    private string Headline(Func<string, string> strong)
    {
        if (Operators.Count == 0) return $"{strong(FileName)} has no operators to time.";
        var slowest = OperatorTypes[0];
        return $"{strong(FileName)}: {strong(NodeCard.Microseconds(Invoke.MedianMicroseconds))} per Invoke (median of {Number(Runs)} runs), " +
            $"{Number(Operators.Count)} operator{(Operators.Count == 1 ? "" : "s")}; {strong(slowest.Op)} takes {strong(Number(100 * slowest.Share, 1) + " %")} of operator time.";
    }

    private IEnumerable<(string Key, string Value)> Totals()
    {
        yield return ("Invoke median", Number(Invoke.MedianMicroseconds, 1) + " µs");
        yield return ("Invoke min", Number(Invoke.MinMicroseconds, 1) + " µs");
        yield return ("sum of operator medians", Number(OperatorMicroseconds, 1) + " µs");
        yield return ("invoke overhead", Number(InvokeOverheadMicroseconds, 1) + " µs");
        if (Macs > 0)
        {
            yield return ("MACs", Number(Macs));
            yield return ("throughput", MacRate(MacsPerSecond(Macs, Invoke.MedianMicroseconds)));
        }
        yield return ("runs", $"{Number(Runs)} timed after {Number(WarmupRuns)} warm-up");
    }

    private HtmlTable TypeTable()
    {
        var table = new HtmlTable("op type", "count", "median µs (sum)", "share", "MACs", "throughput").Numeric(1, 2, 3, 4, 5);
        var types = OperatorTypes;
        double largest = types.Max(t => t.Share);
        foreach (var t in types)
            table.Row(t.Op, t.Count, Number(t.MedianMicroseconds, 1), ShareCell(t.Share, largest), t.Macs > 0 ? Number(t.Macs) : "", MacRate(t.MacsPerSecond));
        table.RowWithClass("total", "all", Operators.Count, Number(OperatorMicroseconds, 1), "100.0 %", Macs > 0 ? Number(Macs) : "",
            MacRate(MacsPerSecond(Macs, OperatorMicroseconds)));
        return table;
    }

    private HtmlTable OperatorTable()
    {
        var table = new HtmlTable("#", "op", "output tensor", "median µs", "min µs", "share", "MACs", "throughput").Numeric(0, 3, 4, 5, 6, 7);
        double largest = Operators.Max(Share);
        foreach (var op in Operators)
            table.Row(op.OperatorIndex, op.Op, op.Output, Number(op.MedianMicroseconds, 1), Number(op.MinMicroseconds, 1),
                ShareCell(Share(op), largest), op.Macs > 0 ? Number(op.Macs) : "", MacRate(MacsPerSecond(op.Macs, op.MedianMicroseconds)));
        return table;
    }

    /// <summary>"23.4 %" with a bar to scale of the table's largest share (so a long column can be scanned by eye).</summary>
    private static Cell ShareCell(double share, double largest)
    {
        string text = Number(100 * share, 1) + " %";
        int width = largest > 0 ? (int)Math.Round(60 * Math.Clamp(share / largest, 0, 1)) : 0;
        return Cell.WithMarkup(text, $"{text} <span class=\"bar\" style=\"width:{width}px\"></span><span class=\"bar\" style=\"width:{60 - width}px;background:rgba(128,128,128,.15)\"></span>",
            "bar to scale of the largest share in this table");
    }

    private HtmlTable? SetupTable()
    {
        if (Setup is null) return null;
        var table = new HtmlTable("#", "op", "Init µs", "Prepare µs").Numeric(0, 2, 3);
        foreach (var op in Setup.Operators)
            table.Row(op.OperatorIndex, op.OperatorName, Number(op.Init.TotalMicroseconds, 1), Number(op.Prepare.TotalMicroseconds, 1));
        return table;
    }

    private string SetupSummary() => Setup is null ? "" :
        $"AllocateTensors took {NodeCard.Microseconds(Setup.Total.TotalMicroseconds)}: Init {NodeCard.Microseconds(Setup.Operators.Sum(o => o.Init.TotalMicroseconds))}, " +
        $"Prepare {NodeCard.Microseconds(Setup.Operators.Sum(o => o.Prepare.TotalMicroseconds))}, arena planning {NodeCard.Microseconds(Setup.Planning.TotalMicroseconds)} " +
        "(once, when the interpreter was set up; the first Init/Prepare of a kernel includes its JIT compilation)";

    private const string HowMeasured =
        "Each operator is timed with Stopwatch around its kernel's Invoke (as TFLM's MicroProfiler does) in every run; the table shows the median " +
        "and the fastest run. Shares are of the sum of operator medians. The Invoke time is measured around the whole call in the same runs, so the " +
        "overhead includes the interpreter's loop and the profiler's own clock reads. Inputs are restored before each run.";

    protected override void WriteHtml(StringBuilder html)
    {
        html.Append("<div class=\"answer\">").Append(Headline(s => "<b>" + Encode(s) + "</b>")).Append("</div>");
        if (DebugBuildNotice is { } debug) html.Append("<div class=\"tmw-notice\">").Append(Encode(debug)).Append("</div>");
        if (Operators.Count == 0) return;
        html.Append("<div class=\"kv\">");
        foreach (var (key, value) in Totals())
            html.Append("<span>").Append(Encode(key)).Append(": <b>").Append(Encode(value)).Append("</b></span>");
        html.Append("</div>");
        html.Append(Chart().ToHtml());
        html.Append("<h4>By op type</h4>").Append(TypeTable().ToHtml());
        html.Append("<h4>Per operator (execution order)</h4>").Append(OperatorTable().ToHtml(MaxTableRows));
        if (SetupTable() is { } setup)
            html.Append("<details><summary>").Append(Encode(SetupSummary())).Append("</summary>").Append(setup.ToHtml(MaxTableRows)).Append("</details>");
        html.Append("<p class=\"muted\">").Append(Encode(HowMeasured)).Append("</p>");
    }

    protected override string RenderText()
    {
        var text = new StringBuilder(Headline(s => s)).AppendLine();
        if (DebugBuildNotice is { } debug) text.AppendLine(debug);
        if (Operators.Count == 0) return text.ToString();
        text.AppendLine(string.Join("  ·  ", Totals().Select(t => $"{t.Key}: {t.Value}")));
        text.AppendLine().AppendLine("By op type").Append(TypeTable().ToText());
        text.AppendLine().AppendLine("Per operator (execution order)").Append(OperatorTable().ToText(MaxTableRows));
        if (SetupTable() is { } setup) text.AppendLine().AppendLine(SetupSummary()).Append(setup.ToText(MaxTableRows));
        return text.ToString();
    }

    /// <summary>One bar per operator in execution order, one trace (colour, legend entry) per op type, details on hover.</summary>
    public PlotlyChart Chart()
    {
        var chart = new PlotlyChart(360, new
        {
            barmode = "overlay",
            bargap = 0.15,
            xaxis = new { title = new { text = "operator (execution order)" }, zeroline = false },
            yaxis = new { title = new { text = "median µs per Invoke" }, rangemode = "tozero" },
            legend = new { title = new { text = "op type" } },
            hovermode = "closest",
        });
        foreach (var type in OperatorTypes)
        {
            var ops = Operators.Where(o => o.Op == type.Op).ToArray();
            chart.Add(new
            {
                type = "bar",
                name = Encode(type.Op),
                x = ops.Select(o => o.OperatorIndex).ToArray(),
                y = ops.Select(o => Math.Round(o.MedianMicroseconds, 3)).ToArray(),
                hovertext = ops.Select(Hover).ToArray(),
                hoverinfo = "text",
                // Each trace holds every n-th operator; without a fixed width plotly sizes bars by that spacing and they overlap.
                width = 0.8,
            });
        }
        return chart;
    }

    /// <summary>Hover text; plotly renders it as markup, so the model's strings are encoded.</summary>
    private string Hover(OperatorTiming op)
    {
        var text = new StringBuilder($"<b>#{op.OperatorIndex} {Encode(op.Op)}</b>");
        if (op.Output.Length > 0) text.Append("<br>→ ").Append(Encode(op.Output));
        text.Append("<br>median ").Append(Number(op.MedianMicroseconds, 1)).Append(" µs (min ").Append(Number(op.MinMicroseconds, 1)).Append(" µs)");
        text.Append("<br>").Append(Number(100 * Share(op), 1)).Append(" % of operator time");
        if (op.Macs > 0) text.Append("<br>").Append(Count(op.Macs)).Append(" MACs · ").Append(MacRate(MacsPerSecond(op.Macs, op.MedianMicroseconds)));
        return text.ToString();
    }
}
