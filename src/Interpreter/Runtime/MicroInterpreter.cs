using System.Diagnostics;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>
/// Runs subgraph 0 of a model inside one arena, following TFLM's MicroInterpreter: AllocateTensors
/// binds kernels, runs Init and Prepare, plans the arena; Invoke then runs the kernels in order and
/// allocates nothing.
/// </summary>
public sealed class MicroInterpreter : IDisposable
{
    private readonly Model _model;
    private readonly IOpResolver _resolver;
    private readonly InterpreterOptions _options;
    private readonly Arena _arena;
    private readonly Tensor[] _tensors;
    private readonly Tensor[] _inputs;
    private readonly Tensor[] _outputs;
    private Node[] _nodes = Array.Empty<Node>();
    private KernelContext? _context;
    private WorkerPool? _workers;
    private const int MaxThreads = 64;
    private ArenaPlan? _plan;
    private SetupProfile? _setupProfile;
    private bool _allocated;
    private TinyMlException? _allocationFailure;
    private bool _disposed;
    private IProfiler? _profiler;
    private IInvokeObserver? _observer;
    // 1 while a thread is inside Invoke, AllocateTensors or Reset. A MicroInterpreter owns mutable
    // tensors, scratch and kernel state, so two threads in it at once would corrupt each other's
    // outputs; the flag turns that into an error (one interlocked operation, no allocation).
    private int _busy;

    public MicroInterpreter(Model model, IOpResolver resolver, int arenaBytes, InterpreterOptions? options = null)
        : this(model, resolver, NewArena(arenaBytes), options) { }

    public MicroInterpreter(Model model, IOpResolver resolver, Memory<byte> arena, InterpreterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(resolver);
        _model = model;
        _resolver = resolver;
        _options = options ?? new InterpreterOptions();
        _profiler = _options.Profiler;
        _observer = _options.Observer;
        _arena = new Arena(arena);
        var subgraph = model.MainSubgraph;
        _tensors = subgraph.Tensors.Select(t => new Tensor(t)).ToArray();
        _inputs = subgraph.Inputs.Select(i => _tensors[i]).ToArray();
        _outputs = subgraph.Outputs.Select(i => _tensors[i]).ToArray();
    }

    private static Memory<byte> NewArena(int bytes)
    {
        if (bytes < 0) throw new ArenaTooSmallException(0, bytes);
        // A size from a notebook or a command line must not surface as an OutOfMemoryException.
        if (bytes > Array.MaxLength)
            throw new ArenaAllocationException(bytes, $"more than the largest array the process can hold ({Array.MaxLength:N0} bytes)");
        try
        {
            return new byte[bytes];
        }
        catch (OutOfMemoryException e)
        {
            throw new ArenaAllocationException(bytes, "the process is out of memory", e);
        }
    }

    public Model Model => _model;
    public IReadOnlyList<Tensor> Inputs => _inputs;
    public IReadOnlyList<Tensor> Outputs => _outputs;
    public IReadOnlyList<Tensor> Tensors => _tensors;
    public IReadOnlyList<Node> Nodes => _nodes;
    public Tensor Input(int i) => _inputs[i];
    public Tensor Output(int i) => _outputs[i];
    public int ArenaCapacity => _arena.Capacity;
    /// <summary>Head plus tail: the arena size this model needs, comparable with TFLM's arena_used_bytes.</summary>
    public int ArenaUsedBytes => _arena.UsedBytes;

    /// <summary>Weights the optimized kernels repacked in Prepare, held outside the arena (0 with reference kernels).</summary>
    public long PackedWeightBytes => _context?.PackedWeightBytes ?? 0;
    public ArenaPlan Plan => _plan ?? throw new InterpreterStateException("the arena is planned by AllocateTensors; call it first");
    public bool IsAllocated => _allocated;
    public InterpreterOptions Options => _options;

    /// <summary>
    /// Receives each operator's timestamps on later Invokes; starts as <see cref="InterpreterOptions.Profiler"/>.
    /// Settable so that a profiler can be attached to an interpreter that already exists (a notebook's).
    /// </summary>
    public IProfiler? Profiler { get => _profiler; set => _profiler = value; }

    /// <summary>Called after each operator of later Invokes; starts as <see cref="InterpreterOptions.Observer"/>. Invoke allocates nothing only when this is null.</summary>
    public IInvokeObserver? Observer { get => _observer; set => _observer = value; }
    /// <summary>How long AllocateTensors took: each operator's Init and Prepare, and planning.</summary>
    public SetupProfile SetupProfile => _setupProfile ?? throw new InterpreterStateException("AllocateTensors has not run yet");

    public void AllocateTensors()
    {
        if (_allocated) return;
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var claim = Enter(nameof(AllocateTensors));
        AllocateOnce();
    }

    /// <summary>Claims the interpreter for the calling thread, or refuses: it is already running on another (or re-entered).</summary>
    private Claim Enter(string method)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            throw new InterpreterStateException(
                $"{method} called while this MicroInterpreter is already running (on another thread, or re-entered from a profiler or observer); " +
                "an interpreter serves one thread at a time: give each thread its own MicroInterpreter (they can share one Model)");
        return new Claim(this);
    }

    /// <summary>Gives the interpreter back when disposed (a struct: `using` on it allocates nothing).</summary>
    private readonly struct Claim(MicroInterpreter owner) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref owner._busy, 0);
    }

    private void AllocateOnce()
    {
        // Init and Prepare have already taken tail memory: a second attempt would start from a
        // half-used arena and report the wrong figures.
        if (_allocationFailure is not null)
            throw new InterpreterStateException($"AllocateTensors already failed ({_allocationFailure.Message}); create a new MicroInterpreter");
        try
        {
            Allocate();
        }
        catch (TinyMlException e)
        {
            _allocationFailure = e;
            throw;
        }
    }

    private void Allocate()
    {
        var subgraph = _model.MainSubgraph;
        var context = new KernelContext(_arena, _tensors);
        if (_options.Threads > 1)
        {
            if (_options.Threads > MaxThreads)
                throw new ArgumentOutOfRangeException(nameof(InterpreterOptions.Threads), _options.Threads, $"at most {MaxThreads} threads");
            _workers ??= new WorkerPool(_options.Threads);
            context.WorkerPool = _workers;
        }

        // As in TFLM, every tensor needs a fixed element size: a string tensor's bytes are not its
        // shape times anything, and kernels would read or copy past what the arena holds.
        foreach (var tensor in _tensors)
            if (TensorTypes.ElementSize(tensor.Type) == 0)
                throw new ModelFormatException($"{_model.Source}: subgraph 0, tensor {tensor.Index} ('{tensor.Name}'), field type",
                    $"{TensorTypes.Name(tensor.Type)} tensors have no fixed element size, which the runtime needs");

        // Bind every operator to a kernel first, so a model with an unknown op fails before any work.
        var nodes = new Node[subgraph.Operators.Count];
        foreach (var op in subgraph.Operators)
        {
            var kernel = _resolver.FindKernel(op.Code)
                ?? throw new UnsupportedOperatorException(op.Index, op.Name,
                    op.Code.Builtin == BuiltinOperator.CUSTOM
                        ? "is a custom operator with no registered kernel"
                        : "has no registered kernel");
            nodes[op.Index] = new Node(op, kernel,
                op.Inputs.Select(i => i < 0 ? null : _tensors[i]).ToArray(),
                op.Outputs.Select(i => _tensors[i]).ToArray(),
                op.Intermediates.Select(i => i < 0 ? null : _tensors[i]).ToArray());
        }

        // Variable tensors (RNN state) are persistent: they keep their values across invocations.
        foreach (var tensor in _tensors)
            if (tensor.IsVariable && tensor.ByteCount > 0)
                tensor.Bind(_arena.AllocatePersistent(tensor.ByteCount, PersistentOwner.ForTensor(tensor.Index, tensor.Name)));

        long started = Stopwatch.GetTimestamp();
        var initTicks = new long[nodes.Length];
        var prepareTicks = new long[nodes.Length];
        context.CurrentPhase = KernelContext.Phase.Init;
        foreach (var node in nodes)
            initTicks[node.Index] = RunKernelStep(context, node, "initialized", () => node.Data = node.Kernel.Init(context, node));
        context.CurrentPhase = KernelContext.Phase.Prepare;
        foreach (var node in nodes)
            prepareTicks[node.Index] = RunKernelStep(context, node, "prepared", () => node.Kernel.Prepare(context, node));

        long planning = Stopwatch.GetTimestamp();
        _plan = PlanArena(subgraph, context);
        long finished = Stopwatch.GetTimestamp();
        _setupProfile = new SetupProfile
        {
            Operators = nodes.Select(n => new OperatorSetupTime(n.Index, n.Name,
                Stopwatch.GetElapsedTime(0, initTicks[n.Index]), Stopwatch.GetElapsedTime(0, prepareTicks[n.Index]))).ToArray(),
            Planning = Stopwatch.GetElapsedTime(planning, finished),
            Total = Stopwatch.GetElapsedTime(started, finished),
        };
        _nodes = nodes;
        _context = context;
        context.CurrentPhase = KernelContext.Phase.Invoke;
        ResetVariables();
        _allocated = true;
    }

    /// <summary>Runs Init or Prepare of one node; returns the Stopwatch ticks it took.</summary>
    private static long RunKernelStep(KernelContext context, Node node, string step, Action action)
    {
        context.CurrentOperator = node.Index;
        context.CurrentOwner = PersistentOwner.ForOperator(node.Index, node.Name);
        try
        {
            long start = Stopwatch.GetTimestamp();
            action();
            return Stopwatch.GetTimestamp() - start;
        }
        catch (Exception e) when (e is not TinyMlException and not OutOfMemoryException)
        {
            // A kernel tripping over a shape it did not validate is still the model's problem to report.
            throw new UnsupportedOperatorException(node.Index, node.Name, $"could not be {step}: {e.Message}", e);
        }
    }

    private ArenaPlan PlanArena(SubGraphInfo subgraph, KernelContext context)
    {
        int opCount = subgraph.Operators.Count;
        int lastOp = Math.Max(opCount - 1, 0);
        var first = new int[_tensors.Length];
        var last = new int[_tensors.Length];
        Array.Fill(first, -1);
        Array.Fill(last, -1);

        // Lifetimes as TFLM marks them: model inputs exist from the start, each output from the
        // operator that writes it, every tensor until its last reader, model outputs until the end.
        foreach (int i in subgraph.Inputs) first[i] = 0;
        foreach (var op in subgraph.Operators)
        {
            foreach (int t in op.Outputs)
                if (first[t] < 0) first[t] = op.Index;
            foreach (int t in op.Inputs)
                if (t >= 0) last[t] = op.Index;
            foreach (int t in op.Outputs)
                last[t] = op.Index;
        }
        foreach (int o in subgraph.Outputs) last[o] = lastOp;
        if (_options.PreserveAllTensors)
        {
            // Every tensor alive for the whole Invoke: no two share bytes, so all can be read afterwards.
            for (int t = 0; t < _tensors.Length; t++)
                if (first[t] >= 0 || last[t] >= 0) (first[t], last[t]) = (0, lastOp);
        }

        var offline = _options.UseOfflinePlan ? OfflinePlan.ForMainSubgraph(_model) : null;
        var requests = new List<BufferRequest>();
        var owners = new List<(PlannedBufferKind Kind, int Id, string Name)>();
        foreach (var tensor in _tensors)
        {
            int t = tensor.Index;
            if (tensor.IsConstant || tensor.IsVariable || tensor.ByteCount == 0) continue;
            if (first[t] < 0 && last[t] < 0) continue; // referenced by nothing: needs no memory
            int firstUse = first[t] < 0 ? Math.Max(last[t], 0) : first[t];
            int lastUse = Math.Max(last[t], firstUse);
            long offlineOffset = offline is not null && offline[t] >= 0 ? offline[t] : BufferRequest.Online;
            requests.Add(new BufferRequest(Arena.AlignUp(tensor.ByteCount), firstUse, lastUse, offlineOffset));
            owners.Add((PlannedBufferKind.Tensor, t, tensor.Name));
        }
        var scratch = context.ScratchRequests;
        for (int s = 0; s < scratch.Count; s++)
        {
            requests.Add(new BufferRequest(Arena.AlignUp(scratch[s].Bytes), scratch[s].OperatorIndex, scratch[s].OperatorIndex));
            owners.Add((PlannedBufferKind.Scratch, s, $"scratch {s} of operator {scratch[s].OperatorIndex}"));
        }

        var planner = _options.CustomPlanner ?? MemoryPlanners.Create(_options.Planner);
        var offsets = planner.Plan(requests);
        // Offsets, sizes and the head are 64-bit: a huge tensor or offline offset must show up as an
        // arena that is too small, not wrap around to a plan that seems to fit.
        _arena.SetHead(MemoryPlanners.HeadSize(requests, offsets));
        int head = _arena.HeadBytes;

        var buffers = new PlannedBuffer[requests.Count];
        var scratchMemory = new Memory<byte>[scratch.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            var (kind, id, name) = owners[i];
            var r = requests[i];
            buffers[i] = new PlannedBuffer(kind, id, name, (int)r.Size, r.FirstUse, r.LastUse, (int)offsets[i], r.OfflineOffset != BufferRequest.Online);
            if (kind == PlannedBufferKind.Tensor)
                _tensors[id].Bind(_arena.Head(offsets[i], _tensors[id].ByteCount));
            else
                scratchMemory[id] = _arena.Head(offsets[i], scratch[id].Bytes);
        }
        context.BindScratch(scratchMemory);
        var plan = new ArenaPlan
        {
            Planner = planner.Name, Buffers = buffers, HeadBytes = head, TailBytes = _arena.TailBytes, OperatorCount = opCount,
            PersistentBuffers = _arena.PersistentBuffers
                .Select(p => p with { Offset = p.Offset - (_arena.Capacity - _arena.TailBytes) }).ToArray(),
        };
        foreach (var (tensor, firstReuse) in plan.Reuses()) _tensors[tensor].BytesReusedFromOperator = firstReuse;
        return plan;
    }

    /// <summary>Runs every operator once. Allocates no managed memory.</summary>
    public void Invoke()
    {
        if (!_allocated)
            throw new InterpreterStateException("Invoke called before AllocateTensors");
        using var claim = Enter(nameof(Invoke));
        InvokeNodes();
    }

    private void InvokeNodes()
    {
        var context = _context!;
        var profiler = _profiler;
        var observer = _observer;
        var nodes = _nodes;
        int i = 0;
        try
        {
            for (; i < nodes.Length; i++)
            {
                var node = nodes[i];
                context.CurrentOperator = i;
                if (profiler is null)
                {
                    node.Kernel.Invoke(context, node);
                }
                else
                {
                    long start = Stopwatch.GetTimestamp();
                    node.Kernel.Invoke(context, node);
                    profiler.OperatorInvoked(node, start, Stopwatch.GetTimestamp());
                }
                observer?.OperatorInvoked(node);
            }
        }
        catch (Exception e) when (e is not TinyMlException and not OutOfMemoryException)
        {
            throw new KernelInvokeException(i, nodes[i].Name, e);
        }
    }

    /// <summary>Puts variable tensors back to their initial values (the model's data, else zero / the zero point).</summary>
    public void Reset()
    {
        if (!_allocated)
            throw new InterpreterStateException("Reset called before AllocateTensors");
        using var claim = Enter(nameof(Reset));
        ResetVariables();
    }

    private void ResetVariables()
    {
        foreach (var node in _nodes)
            node.Kernel.Reset(node);
        foreach (var tensor in _tensors)
        {
            if (!tensor.IsVariable || tensor.ByteCount == 0) continue;
            var data = tensor.AsSpan<byte>();
            if (!tensor.Info.Data.IsEmpty && tensor.Info.Data.Length == data.Length)
                tensor.Info.Data.Span.CopyTo(data);
            else if (tensor.Type == TensorType.INT8)
                data.Fill((byte)(sbyte)tensor.ZeroPoint); // TFLM fills int8 state with its zero point
            else
                data.Clear();
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var node in _nodes)
            node.Kernel.Free(node);
        _workers?.Dispose();
    }
}
