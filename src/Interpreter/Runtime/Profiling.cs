namespace TinyMl.Interpreter;

/// <summary>
/// Receives one call per operator per Invoke with Stopwatch timestamps, like TFLM's MicroProfiler.
/// Implementations must not allocate if the caller measures allocations.
/// </summary>
public interface IProfiler
{
    void OperatorInvoked(Node node, long startTimestamp, long endTimestamp);
}

public sealed class InterpreterOptions
{
    /// <summary>How the arena head is planned; greedy by default, as in TFLM.</summary>
    public MemoryPlannerKind Planner { get; init; } = MemoryPlannerKind.Greedy;
    /// <summary>A planner of the caller's own; overrides <see cref="Planner"/>.</summary>
    public IMemoryPlanner? CustomPlanner { get; init; }
    /// <summary>Honour the model's OfflineMemoryAllocation metadata when it has one.</summary>
    public bool UseOfflinePlan { get; init; } = true;
    public IProfiler? Profiler { get; init; }
}
