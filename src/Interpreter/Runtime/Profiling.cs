namespace TinyMl.Interpreter;

/// <summary>
/// Receives one call per operator per Invoke with Stopwatch timestamps, like TFLM's MicroProfiler.
/// Implementations must not allocate if the caller measures allocations.
/// </summary>
public interface IProfiler
{
    void OperatorInvoked(Node node, long startTimestamp, long endTimestamp);
}

/// <summary>
/// Called after each operator of an Invoke, while its outputs still hold what it wrote (a later
/// operator may reuse their bytes unless <see cref="InterpreterOptions.PreserveAllTensors"/> is set).
/// This is how layer-by-layer tools (TFLM's debugger, parity reports) see intermediate tensors.
/// </summary>
public interface IInvokeObserver
{
    void OperatorInvoked(Node node);
}

/// <summary>How long one operator's Init and Prepare took in AllocateTensors.</summary>
public readonly record struct OperatorSetupTime(int OperatorIndex, string OperatorName, TimeSpan Init, TimeSpan Prepare);

/// <summary>Where AllocateTensors spent its time: each operator's Init and Prepare, and the arena planning.</summary>
public sealed class SetupProfile
{
    public required IReadOnlyList<OperatorSetupTime> Operators { get; init; }
    public required TimeSpan Planning { get; init; }
    public required TimeSpan Total { get; init; }
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
    /// <summary>Called after every operator of every Invoke; Invoke allocates nothing only when this is null.</summary>
    public IInvokeObserver? Observer { get; init; }
    /// <summary>
    /// Give every tensor bytes of its own for the whole Invoke (TFLM's preserve_all_tensors), so that
    /// every intermediate can be read afterwards. The arena then needs the unshared total.
    /// </summary>
    public bool PreserveAllTensors { get; init; }
    /// <summary>
    /// Threads large kernels may split their work over (the optimized int8 and float32 CONV_2D), fixed at
    /// AllocateTensors and kept until Dispose; 1 (the default) runs everything on the calling thread, as TFLM does.
    /// </summary>
    public int Threads { get; init; } = 1;
    /// <summary>
    /// Iterations after which a WHILE operator stops with <see cref="LoopLimitException"/> instead of running on:
    /// a hostile or broken model must not hang its host. TFLM has no bound; this is ours.
    /// </summary>
    public long MaxWhileIterations { get; init; } = 1_000_000;
}
