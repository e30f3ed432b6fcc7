using TinyMl.Interpreter;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench.Charts;

/// <summary>
/// One rectangle of an arena plan drawing: a buffer's bytes [<see cref="Offset"/>, <see cref="Top"/>)
/// held over the operators [<see cref="FirstOperator"/>, <see cref="LastOperator"/>] (inclusive), so
/// it covers the x range <see cref="Left"/> .. <see cref="Right"/>. Offsets count from the arena's
/// start, for the tail too (an arena of exactly the plan's total holds the tail right above the head).
/// </summary>
public sealed record PlanRectangle(string Kind, string Name, int FirstOperator, int LastOperator, long Offset, long Bytes)
{
    public const string Tensor = "tensor";
    public const string Scratch = "scratch";
    public const string OfflinePlanned = "offline-planned";
    public const string VariableTensor = "variable tensor";
    public const string KernelData = "kernel data";

    public double Left => FirstOperator - 0.5;
    public double Right => LastOperator + 0.5;
    public long Top => Offset + Bytes;
    public bool InTail => Kind is VariableTensor or KernelData;
}

/// <summary>
/// An arena plan as drawable data — head buffers and tail allocations as rectangles over time, and the
/// bytes alive at each operator — and as a plotly figure (several plans side by side on one y scale).
/// </summary>
public sealed class ArenaPlanChart
{
    public ArenaPlan Plan { get; }
    /// <summary>Op names by operator index ("CONV_2D"), when known; labels fall back to the index.</summary>
    public IReadOnlyList<string>? OperatorNames { get; }
    /// <summary>One rectangle per planned buffer, in the plan's order.</summary>
    public IReadOnlyList<PlanRectangle> Head { get; }
    /// <summary>One rectangle per persistent allocation (spanning every operator), in allocation order.</summary>
    public IReadOnlyList<PlanRectangle> Tail { get; }
    /// <summary>Bytes of the buffers alive at each operator: what a perfect packing would need at that moment.</summary>
    public IReadOnlyList<long> LiveBytes { get; }
    public long PeakLiveBytes { get; }
    /// <summary>The operators at which <see cref="PeakLiveBytes"/> are alive.</summary>
    public IReadOnlyList<int> PeakOperators { get; }

    public ArenaPlanChart(ArenaPlan plan, IReadOnlyList<string>? operatorNames = null)
    {
        Plan = plan;
        OperatorNames = operatorNames;
        Head = plan.Buffers.Select(b => new PlanRectangle(
            b.OfflinePlanned ? PlanRectangle.OfflinePlanned : b.Kind == PlannedBufferKind.Scratch ? PlanRectangle.Scratch : PlanRectangle.Tensor,
            BufferName(b), b.FirstOperator, b.LastOperator, b.Offset, b.Bytes)).ToArray();
        int lastOperator = Math.Max(plan.OperatorCount - 1, 0);
        Tail = plan.PersistentBuffers.Select(p => new PlanRectangle(
            p.OwnedBy.Kind == PersistentOwnerKind.VariableTensor ? PlanRectangle.VariableTensor : PlanRectangle.KernelData,
            OwnerName(p.OwnedBy), 0, lastOperator, (long)plan.HeadBytes + p.Offset, p.AlignedBytes)).ToArray();

        var live = new long[Math.Max(plan.OperatorCount, 1)];
        foreach (var b in plan.Buffers)
            for (int op = Math.Max(b.FirstOperator, 0); op <= b.LastOperator && op < live.Length; op++)
                live[op] += b.Bytes;
        LiveBytes = live;
        PeakLiveBytes = live.Max();
        PeakOperators = Enumerable.Range(0, live.Length).Where(op => live[op] == PeakLiveBytes).ToArray();
    }

    /// <summary>"CONV_2D" for operator 3 when names are known, else "".</summary>
    public string OperatorName(int op) => OperatorNames is { } names && (uint)op < (uint)names.Count ? names[op] : "";

    /// <summary>"operator 3 (CONV_2D)" or "operator 3".</summary>
    public string DescribeOperator(int op) => OperatorName(op) is { Length: > 0 } name ? $"operator {op} ({name})" : $"operator {op}";

    /// <summary>The operators where the live bytes peak, in words: "operator 2 (CONV_2D)", "operators 2, 3 and 4".</summary>
    public string DescribePeakOperators()
    {
        if (PeakOperators.Count == 1) return DescribeOperator(PeakOperators[0]);
        var listed = PeakOperators.Take(6).Select(op => OperatorName(op) is { Length: > 0 } n ? $"{op} ({n})" : $"{op}").ToList();
        string tail = PeakOperators.Count > 6 ? $" and {PeakOperators.Count - 6} more" : "";
        return "operators " + string.Join(", ", listed) + tail;
    }

    /// <summary>A buffer's name as people read it: tensors without a name go by their index.</summary>
    public static string BufferName(PlannedBuffer buffer) =>
        buffer.Kind == PlannedBufferKind.Tensor && string.IsNullOrEmpty(buffer.Name) ? $"tensor {buffer.Id}" : buffer.Name;

    public static string OwnerName(PersistentOwner owner) =>
        owner.Kind == PersistentOwnerKind.VariableTensor && string.IsNullOrEmpty(owner.TensorName)
            ? $"variable tensor {owner.TensorIndex}"
            : owner.ToString();

    // Colours of the kinds, readable on light and dark notebook themes (Tableau 10).
    private static readonly (string Kind, string Colour)[] Kinds =
    [
        (PlanRectangle.Tensor, "#4c78a8"),
        (PlanRectangle.Scratch, "#f58518"),
        (PlanRectangle.OfflinePlanned, "#54a24b"),
        (PlanRectangle.VariableTensor, "#b279a2"),
        (PlanRectangle.KernelData, "#9d9da1"),
    ];

    /// <summary>Arenas this large are drawn in KiB (exact bytes stay in the hover text).</summary>
    public const long KibibyteAxisFrom = 4096;

    /// <summary>The axis unit for figures up to <paramref name="highest"/> bytes: (divisor, "KiB" or "bytes").</summary>
    public static (double Scale, string Unit) AxisUnit(long highest) => highest >= KibibyteAxisFrom ? (1024.0, "KiB") : (1.0, "bytes");

    /// <summary>
    /// One figure with the plans side by side, sharing the y axis so that their sizes compare at a glance.
    /// Each plan is a panel: head buffers and tail allocations as bars (per-bar base and width), the
    /// bytes alive per operator as a step line, the head's high-water mark and the total as lines.
    /// </summary>
    public static PlotlyChart Figure(IReadOnlyList<(string Title, ArenaPlanChart Chart)> panels, int height = 520)
    {
        long highest = Math.Max(panels.Max(p => (long)p.Chart.Plan.TotalBytes), 1);
        var (scale, unit) = AxisUnit(highest);
        bool kib = unit == "KiB";
        var chart = new PlotlyChart(height, new
        {
            barmode = "overlay",
            hovermode = "closest",
            showlegend = true,
            legend = new { orientation = "h", x = 0, y = -0.14, yanchor = "top" },
            margin = new { l = 70, r = 20, t = 50, b = 90 },
            yaxis = new
            {
                title = new { text = $"offset in arena ({unit})" },
                range = new[] { 0, highest * 1.08 / scale },
                zeroline = false,
                ticksuffix = kib ? " KiB" : "",
                gridcolor = "rgba(128,128,128,.25)",
            },
        });

        var shapes = new List<object>();
        var annotations = new List<object>();
        double gap = panels.Count > 1 ? 0.06 : 0;
        double panelWidth = (1 - gap * (panels.Count - 1)) / panels.Count;
        var legendShown = new HashSet<string>();
        for (int p = 0; p < panels.Count; p++)
        {
            var (title, plan) = panels[p];
            string axis = p == 0 ? "x" : $"x{p + 1}";
            double left = p * (panelWidth + gap);
            int operators = Math.Max(plan.Plan.OperatorCount, 1);
            chart.Set(p == 0 ? "xaxis" : $"xaxis{p + 1}", new
            {
                domain = new[] { left, left + panelWidth },
                anchor = "y",
                title = new { text = "operator (time)" },
                range = new[] { -0.5, operators - 0.5 },
                // Whole operators only: a one-operator plan would otherwise get ticks at -0.4, -0.2, ...
                tickmode = "linear", tick0 = 0, dtick = Math.Max(1, (int)Math.Ceiling(operators / (panels.Count > 1 ? 8.0 : 16.0))),
                zeroline = false,
                showgrid = false,
            });

            foreach (var (kind, colour) in Kinds)
            {
                var rects = plan.Head.Concat(plan.Tail).Where(r => r.Kind == kind).ToArray();
                if (rects.Length == 0) continue;
                chart.Add(new
                {
                    type = "bar",
                    name = kind,
                    legendgroup = kind,
                    showlegend = legendShown.Add(kind),
                    xaxis = axis,
                    yaxis = "y",
                    x = rects.Select(r => (r.Left + r.Right) / 2).ToArray(),
                    width = rects.Select(r => r.Right - r.Left).ToArray(),
                    @base = rects.Select(r => r.Offset / scale).ToArray(),
                    y = rects.Select(r => r.Bytes / scale).ToArray(),
                    hovertext = rects.Select(r => plan.HoverText(r)).ToArray(),
                    hoverinfo = "text",
                    // Dark outlines keep tiny head buffers visible as lines; the tail's many thin
                    // allocations get light ones so its band does not turn into a dark smear.
                    marker = new
                    {
                        color = colour, opacity = 0.85,
                        line = new { color = kind is PlanRectangle.VariableTensor or PlanRectangle.KernelData ? "rgba(255,255,255,.45)" : "rgba(0,0,0,.45)", width = 0.6 },
                    },
                });
            }

            // The bytes alive at each operator, drawn as steps across each operator's column.
            var xs = new List<double> { -0.5 };
            var ys = new List<double> { plan.LiveBytes[0] / scale };
            var hover = new List<string> { plan.LiveHover(0) };
            for (int op = 0; op < plan.LiveBytes.Count; op++)
            {
                xs.Add(op);
                ys.Add(plan.LiveBytes[op] / scale);
                hover.Add(plan.LiveHover(op));
            }
            xs.Add(plan.LiveBytes.Count - 0.5);
            ys.Add(plan.LiveBytes[^1] / scale);
            hover.Add(plan.LiveHover(plan.LiveBytes.Count - 1));
            chart.Add(new
            {
                type = "scatter",
                mode = "lines",
                name = "bytes alive (sum of live buffers)",
                legendgroup = "live",
                showlegend = legendShown.Add("live"),
                xaxis = axis,
                yaxis = "y",
                x = xs,
                y = ys,
                line = new { shape = "hvh", color = "#e45756", width = 2, dash = "dot" },
                hovertext = hover,
                hoverinfo = "text",
            });

            // The head's high-water mark and the whole arena, as lines across the panel; labels sit
            // where they least cover buffers: the total above its line, the head's mark below its line at
            // the right (late operators hold little), the tail's size inside its band when it is tall enough.
            string xref = axis, xdomain = p == 0 ? "x domain" : $"x{p + 1} domain";
            var planned = plan.Plan;
            shapes.Add(Line(xdomain, planned.HeadBytes / scale, "#333", "dash"));
            shapes.Add(Line(xdomain, planned.TotalBytes / scale, "#d62728", "solid"));
            annotations.Add(new
            {
                xref = xdomain, yref = "y", x = 1, y = planned.TotalBytes / scale, xanchor = "right", yanchor = "bottom",
                text = $"<b>{Number(planned.TotalBytes)} B needed</b>", showarrow = false, font = new { color = "#d62728", size = 12 },
            });
            annotations.Add(new
            {
                xref = xdomain, yref = "y", x = 1, y = planned.HeadBytes / scale, xanchor = "right", yanchor = "top",
                text = $"head high-water mark {Number(planned.HeadBytes)} B", showarrow = false, font = new { size = 10 },
                bgcolor = "rgba(255,255,255,.75)",
            });
            if (planned.TailBytes >= highest * 0.06)
                annotations.Add(new
                {
                    xref = xdomain, yref = "y", x = 0.5, y = (planned.HeadBytes + planned.TailBytes / 2.0) / scale, showarrow = false,
                    text = $"persistent tail {Number(planned.TailBytes)} B", font = new { size = 11 }, bgcolor = "rgba(255,255,255,.75)",
                });
            int peak = plan.PeakOperators[0];
            bool leftHalf = peak < operators / 2.0;
            // Text below the peak unless that would push it under the x axis.
            bool above = plan.PeakLiveBytes < highest * 0.25;
            annotations.Add(new
            {
                xref, yref = "y", x = peak, y = plan.PeakLiveBytes / scale, ax = leftHalf ? 40 : -40, ay = above ? -34 : 28, showarrow = true, arrowhead = 2,
                arrowcolor = "#e45756", xanchor = leftHalf ? "left" : "right", yanchor = above ? "bottom" : "top",
                text = $"peak {Number(plan.PeakLiveBytes)} B alive<br>at {Encode(plan.DescribePeakOperators())}",
                font = new { size = 10, color = "#c03030" }, bgcolor = "rgba(255,255,255,.85)",
            });
            annotations.Add(new
            {
                xref = xdomain, yref = "paper", x = 0.5, y = 1, yanchor = "bottom", showarrow = false,
                text = $"<b>{Encode(title)}</b>", font = new { size = 13 },
            });
        }
        chart.Set("shapes", shapes);
        chart.Set("annotations", annotations);
        // A small head under a large tail (keyword_scrambled: 672 of 11,072 bytes) is unreadable at the
        // full scale: one click shows the heads, still on one scale for every panel.
        long largestHead = panels.Max(p => (long)p.Chart.Plan.HeadBytes);
        if (largestHead > 0 && largestHead < highest * 0.5)
            chart.Set("updatemenus", new[]
            {
                new
                {
                    type = "buttons", direction = "right", showactive = true, x = 0, y = 1.0, xanchor = "left", yanchor = "bottom",
                    pad = new { r = 2, t = 0, b = 4 }, font = new { size = 11 },
                    buttons = new object[]
                    {
                        new { label = "whole arena", method = "relayout", args = new object[] { new Dictionary<string, object> { ["yaxis.range"] = new[] { 0, highest * 1.08 / scale } } } },
                        new { label = "head only", method = "relayout", args = new object[] { new Dictionary<string, object> { ["yaxis.range"] = new[] { 0, largestHead * 1.15 / scale } } } },
                    },
                },
            });
        return chart;
    }

    private static object Line(string xdomain, double y, string colour, string dash) => new
    {
        type = "line", xref = xdomain, yref = "y", x0 = 0, x1 = 1, y0 = y, y1 = y,
        line = new { color = colour, width = 1.5, dash },
    };

    /// <summary>Hover text of a rectangle; plotly reads it as markup, so the model's names are encoded.</summary>
    public string HoverText(PlanRectangle r)
    {
        string when = r.InTail
            ? "persistent: kept for the interpreter's life"
            : r.FirstOperator == r.LastOperator
                ? $"alive at {Encode(DescribeOperator(r.FirstOperator))}"
                : $"alive from {Encode(DescribeOperator(r.FirstOperator))} to {Encode(DescribeOperator(r.LastOperator))}";
        return $"<b>{Encode(r.Name)}</b><br>{r.Kind} · {Number(r.Bytes)} B<br>{when}<br>offset {Number(r.Offset)} .. {Number(r.Top)}";
    }

    private string LiveHover(int op) =>
        $"{Encode(DescribeOperator(op))}<br>{Number(LiveBytes[op])} B alive in the head";
}
