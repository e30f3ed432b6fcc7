namespace TinyMl.Workbench;

/// <summary>How long one operator took per Invoke: the median over the profiled runs, in microseconds.</summary>
public sealed record OperatorTiming(int OperatorIndex, string Op, double MedianMicroseconds)
{
    /// <summary>The fastest of the profiled runs.</summary>
    public double MinMicroseconds { get; init; }
    /// <summary>Multiply-accumulates per Invoke (0 for operators whose work is not MACs).</summary>
    public long Macs { get; init; }
    /// <summary>Name of the operator's first output tensor (what the model calls the layer).</summary>
    public string Output { get; init; } = "";
}

/// <summary>The operators of one type taken together: their count and the sum of their median times.</summary>
public sealed record OperatorTypeTiming(string Op, int Count, double MedianMicroseconds, double Share, long Macs)
{
    /// <summary>MACs per second at the summed median time; null when the type does no MACs or took no measurable time.</summary>
    public double? MacsPerSecond => Macs > 0 && MedianMicroseconds > 0 ? Macs / (MedianMicroseconds * 1e-6) : null;
}
