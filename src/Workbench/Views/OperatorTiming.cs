namespace TinyMl.Workbench;

/// <summary>How long one operator took per Invoke: the median over the profiled runs, in microseconds.</summary>
public sealed record OperatorTiming(int OperatorIndex, string Op, double MedianMicroseconds);
