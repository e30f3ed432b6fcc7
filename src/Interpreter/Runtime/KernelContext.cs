namespace TinyMl.Interpreter;

/// <summary>
/// What a kernel may ask of the interpreter, like TFLM's TfLiteContext: persistent memory from the
/// arena tail (Init and Prepare), scratch buffers planned in the arena head (requested in Prepare,
/// fetched in Invoke), and tensors by index.
/// </summary>
public sealed class KernelContext
{
    internal enum Phase { Init, Prepare, Invoke }

    private readonly Arena _arena;
    private readonly Tensor[] _tensors;
    private readonly List<ScratchRequest> _scratchRequests = new();
    private Memory<byte>[] _scratch = Array.Empty<Memory<byte>>();

    /// <summary>A scratch buffer alive from <paramref name="OperatorIndex"/> to <paramref name="LastOperator"/> (main-subgraph operators; a called subgraph's node borrows its callers').</summary>
    internal readonly record struct ScratchRequest(int Bytes, int OperatorIndex, int LastOperator);

    internal KernelContext(Arena arena, Tensor[] tensors)
    {
        _arena = arena;
        _tensors = tensors;
    }

    internal Phase CurrentPhase { get; set; }
    internal int CurrentOperator { get; set; }
    /// <summary>The last main-subgraph operator during which the node being prepared may run (its own index in subgraph 0).</summary>
    internal int CurrentLastOperator { get; set; }
    /// <summary>Label of the node whose Init or Prepare is running, for the arena's record of the tail.</summary>
    internal PersistentOwner CurrentOwner { get; set; }
    internal IReadOnlyList<ScratchRequest> ScratchRequests => _scratchRequests;

    public Tensor GetTensor(int index) => _tensors[index];

    /// <summary>Zeroed bytes from the arena tail that live as long as the interpreter.</summary>
    public Memory<byte> AllocatePersistentBuffer(int bytes)
    {
        if (CurrentPhase == Phase.Invoke)
            throw new InterpreterStateException("persistent buffers can only be allocated in Init or Prepare");
        return _arena.AllocatePersistent(bytes, CurrentOwner);
    }

    /// <summary>Asks for <paramref name="bytes"/> of scratch for the current operator's Invoke; returns its handle.</summary>
    public int RequestScratchBuffer(int bytes)
    {
        if (CurrentPhase != Phase.Prepare)
            throw new InterpreterStateException("scratch buffers can only be requested in Prepare");
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        _scratchRequests.Add(new ScratchRequest(bytes, CurrentOperator, Math.Max(CurrentOperator, CurrentLastOperator)));
        return _scratchRequests.Count - 1;
    }

    /// <summary>The scratch buffer behind <paramref name="handle"/>; its contents do not survive between invocations.</summary>
    public Span<byte> GetScratchBuffer(int handle) => _scratch[handle].Span;

    internal void BindScratch(Memory<byte>[] scratch) => _scratch = scratch;

    /// <summary>The interpreter's subgraphs, for the control-flow kernels (IF, WHILE, CALL_ONCE).</summary>
    internal ISubgraphHost? Subgraphs { get; set; }

    /// <summary>The model's resource variables (VAR_HANDLE, ASSIGN_VARIABLE, READ_VARIABLE), shared by every subgraph.</summary>
    internal ResourceVariables ResourceVariables { get; } = new();

    /// <summary>How many threads <see cref="RunParallel"/> spreads work over (1 unless the interpreter was made with more).</summary>
    public int Workers => _workers?.Workers ?? 1;

    internal WorkerPool? WorkerPool
    {
        get => _workers;
        set => _workers = value;
    }

    private WorkerPool? _workers;

    /// <summary>Runs items 0 … <paramref name="items"/> − 1 of <paramref name="work"/> over the workers, the calling thread among them; returns when all are done.</summary>
    public void RunParallel(IParallelWork work, int items)
    {
        if (_workers is null)
        {
            for (int i = 0; i < items; i++) work.Run(i, 0);
            return;
        }
        _workers.Run(work, items);
    }

    /// <summary>
    /// Ends the current Invoke once this operator returns: the operators after it do not run this time, and
    /// <see cref="MicroInterpreter.LastInvokeCompleted"/> says so (TFLM's kTfLiteAbort, which CIRCULAR_BUFFER returns
    /// until enough input has arrived). A control-flow kernel whose subgraph ended early ends its own caller's run too.
    /// </summary>
    public void EndInvokeEarly()
    {
        if (CurrentPhase != Phase.Invoke)
            throw new InterpreterStateException("only a running Invoke can be ended early");
        InvokeEndedEarly = true;
    }

    internal bool InvokeEndedEarly { get; set; }

    private Dictionary<Type, object>? _interpreterState;

    /// <summary>
    /// One <typeparamref name="T"/> per interpreter, shared by every node of a kernel (where TFLM keeps a
    /// function-level static, e.g. CIRCULAR_BUFFER's count of prepared nodes): scoped here so that two
    /// interpreters never see each other's.
    /// </summary>
    public T InterpreterState<T>() where T : class, new()
    {
        _interpreterState ??= new();
        if (!_interpreterState.TryGetValue(typeof(T), out var state))
            _interpreterState[typeof(T)] = state = new T();
        return (T)state;
    }

    /// <summary>Bytes kernels keep outside the arena (weights repacked for SIMD in Prepare, and their small work rows), so the arena figure stays the reference kernels' and comparable with TFLM's.</summary>
    public long PackedWeightBytes { get; private set; }

    /// <summary>Records <paramref name="bytes"/> of repacked weights a kernel made in Prepare.</summary>
    public void AddPackedWeightBytes(long bytes)
    {
        if (CurrentPhase != Phase.Prepare)
            throw new InterpreterStateException("packed weights are made in Prepare");
        PackedWeightBytes += bytes;
    }
}

/// <summary>What the control-flow kernels need of the interpreter: each subgraph's inputs and outputs, and running one.</summary>
internal interface ISubgraphHost
{
    int Count { get; }
    bool IsLoaded(int subgraph);
    Tensor[] Inputs(int subgraph);
    Tensor[] Outputs(int subgraph);
    /// <summary>Runs the subgraph's operators; false when one ended the Invoke early (the caller then stops too).</summary>
    bool Invoke(int subgraph);
    long MaxWhileIterations { get; }
}
