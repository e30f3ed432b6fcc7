using System.Diagnostics;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>
/// Runs a model inside one arena, following TFLM's MicroInterpreter: AllocateTensors binds kernels, runs
/// Init and Prepare, plans the arena; Invoke then runs subgraph 0's kernels in order and allocates nothing.
/// Subgraphs that control-flow operators (IF, WHILE, CALL_ONCE) run are loaded too: their tensors are planned
/// in the same arena, alive while the main-subgraph operator that calls them runs.
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
    // The subgraphs control flow reaches, by index; null for subgraph 0 (the fields above) and unreachable ones.
    private CalledSubgraph?[] _called = [];
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
        _called = CalledSubgraph.Load(_model);
        context.Subgraphs = new SubgraphHost(this);
        if (_options.Threads > 1)
        {
            if (_options.Threads > MaxThreads)
                throw new ArgumentOutOfRangeException(nameof(InterpreterOptions.Threads), _options.Threads, $"at most {MaxThreads} threads");
            _workers ??= new WorkerPool(_options.Threads);
            context.WorkerPool = _workers;
        }

        // As in TFLM, every tensor needs a fixed element size: a string tensor's bytes are not its
        // shape times anything, and kernels would read or copy past what the arena holds.
        CheckElementSizes(0, _tensors);
        foreach (var called in _called)
            if (called is not null) CheckElementSizes(called.Index, called.Tensors);

        // Bind every operator to a kernel first, so a model with an unknown op fails before any work.
        var nodes = BindNodes(subgraph, _tensors);
        foreach (var called in _called)
            if (called is not null) called.Nodes = BindNodes(_model.Subgraphs[called.Index], called.Tensors);

        UnpackInt4Constants(_tensors.Concat(_called.Where(c => c is not null).SelectMany(c => c!.Tensors)));

        // Variable tensors (RNN state) are persistent: they keep their values across invocations.
        foreach (var tensor in _tensors.Concat(_called.Where(c => c is not null).SelectMany(c => c!.Tensors)))
            if (tensor.IsVariable && tensor.ByteCount > 0)
                tensor.Bind(_arena.AllocatePersistent(tensor.ByteCount, PersistentOwner.ForTensor(tensor.Index, tensor.Name)));

        long started = Stopwatch.GetTimestamp();
        var initTicks = new long[nodes.Length];
        var prepareTicks = new long[nodes.Length];
        context.CurrentPhase = KernelContext.Phase.Init;
        foreach (var node in nodes)
            initTicks[node.Index] = RunKernelStep(context, node, "initialized", () => node.Data = node.Kernel.Init(context, node));
        foreach (var called in _called)
            foreach (var node in called?.Nodes ?? [])
                RunKernelStep(context, node, "initialized", () => node.Data = node.Kernel.Init(context, node), called);
        context.CurrentPhase = KernelContext.Phase.Prepare;
        foreach (var node in nodes)
            prepareTicks[node.Index] = RunKernelStep(context, node, "prepared", () => node.Kernel.Prepare(context, node));
        foreach (var called in _called)
            foreach (var node in called?.Nodes ?? [])
                RunKernelStep(context, node, "prepared", () => node.Kernel.Prepare(context, node), called);

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

    private void CheckElementSizes(int subgraph, Tensor[] tensors)
    {
        // As in TFLM, every tensor needs a fixed element size: a string tensor's bytes are not its
        // shape times anything, and kernels would read or copy past what the arena holds.
        foreach (var tensor in tensors)
            if (TensorTypes.ElementSize(tensor.Type) == 0)
                throw new ModelFormatException($"{_model.Source}: subgraph {subgraph}, tensor {tensor.Index} ('{tensor.Name}'), field type",
                    $"{TensorTypes.Name(tensor.Type)} tensors have no fixed element size, which the runtime needs");
    }

    /// <summary>
    /// int4 weights are stored two to a byte, low nibble first; kernels read one signed value a byte, as TFLM's
    /// UnpackDenseInt4IntoInt8 gives them. Unpacked once here into the arena tail (TFLM unpacks into scratch on
    /// every Invoke), so the int8 code paths, reference and optimized, serve int4 models unchanged.
    /// </summary>
    private void UnpackInt4Constants(IEnumerable<Tensor> tensors)
    {
        foreach (var tensor in tensors)
        {
            var packed = tensor.Info.Data.Span;
            if (tensor.Type != TensorType.INT4 || !tensor.IsConstant || packed.Length >= tensor.ElementCount) continue;
            var unpacked = _arena.AllocatePersistent(tensor.ElementCount, PersistentOwner.ForTensor(tensor.Index, tensor.Name + " (int4 unpacked)"));
            var values = unpacked.Span;
            for (int i = 0; i < values.Length; i++)
            {
                int nibble = (packed[i / 2] >> (4 * (i % 2))) & 0xF;
                values[i] = (byte)(sbyte)(nibble >= 8 ? nibble - 16 : nibble);
            }
            tensor.Bind(unpacked);
        }
    }

    private Node[] BindNodes(SubGraphInfo subgraph, Tensor[] tensors)
    {
        var nodes = new Node[subgraph.Operators.Count];
        foreach (var op in subgraph.Operators)
        {
            var kernel = _resolver.FindKernel(op.Code)
                ?? throw new UnsupportedOperatorException(op.Index, subgraph.Index == 0 ? op.Name : $"{op.Name} in subgraph {subgraph.Index}",
                    op.Code.Builtin == BuiltinOperator.CUSTOM
                        ? "is a custom operator with no registered kernel"
                        : "has no registered kernel");
            // A sparse constant holds fewer bytes than its shape: only DENSIFY may read it, as in TFLM.
            if (op.Code.Builtin != BuiltinOperator.DENSIFY)
                foreach (int i in op.Inputs)
                    if (i >= 0 && tensors[i].Info.Sparsity is not null)
                        throw new UnsupportedOperatorException(op.Index, op.Name,
                            $"reads tensor {i} ('{tensors[i].Name}'), which is stored sparse; a DENSIFY operator must expand it first");
            nodes[op.Index] = new Node(op, kernel,
                op.Inputs.Select(i => i < 0 ? null : tensors[i]).ToArray(),
                op.Outputs.Select(i => tensors[i]).ToArray(),
                op.Intermediates.Select(i => i < 0 ? null : tensors[i]).ToArray());
        }
        return nodes;
    }

    /// <summary>Runs Init or Prepare of one node; returns the Stopwatch ticks it took.</summary>
    private static long RunKernelStep(KernelContext context, Node node, string step, Action action, CalledSubgraph? called = null)
    {
        // A called subgraph's node runs while its callers do: its scratch lives over the callers' span.
        context.CurrentOperator = called?.FirstCaller ?? node.Index;
        context.CurrentLastOperator = called?.LastCaller ?? node.Index;
        context.CurrentOwner = PersistentOwner.ForOperator(node.Index, called is null ? node.Name : $"{node.Name} in subgraph {called.Index}");
        try
        {
            long start = Stopwatch.GetTimestamp();
            action();
            return Stopwatch.GetTimestamp() - start;
        }
        catch (Exception e) when (e is not TinyMlException and not OutOfMemoryException)
        {
            // A kernel tripping over a shape it did not validate is still the model's problem to report.
            throw new UnsupportedOperatorException(node.Index, called is null ? node.Name : $"{node.Name} in subgraph {called.Index}", $"could not be {step}: {e.Message}", e);
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
        var owners = new List<(PlannedBufferKind Kind, int Id, string Name, Tensor? Tensor)>();
        foreach (var tensor in _tensors)
        {
            int t = tensor.Index;
            if (tensor.IsConstant || tensor.IsVariable || tensor.ByteCount == 0) continue;
            if (first[t] < 0 && last[t] < 0) continue; // referenced by nothing: needs no memory
            int firstUse = first[t] < 0 ? Math.Max(last[t], 0) : first[t];
            int lastUse = Math.Max(last[t], firstUse);
            long offlineOffset = offline is not null && offline[t] >= 0 ? offline[t] : BufferRequest.Online;
            requests.Add(new BufferRequest(Arena.AlignUp(tensor.ByteCount), firstUse, lastUse, offlineOffset));
            owners.Add((PlannedBufferKind.Tensor, t, tensor.Name, tensor));
        }
        // A called subgraph's tensors live while the main-subgraph operators that (transitively) call it run;
        // among themselves they never share bytes, since a loop runs the subgraph again and again.
        foreach (var called in _called)
        {
            if (called is null) continue;
            foreach (var tensor in called.Tensors)
            {
                if (tensor.IsConstant || tensor.IsVariable || tensor.ByteCount == 0) continue;
                requests.Add(new BufferRequest(Arena.AlignUp(tensor.ByteCount), called.FirstCaller, called.LastCaller, BufferRequest.Online));
                owners.Add((PlannedBufferKind.SubgraphTensor, tensor.Index, $"subgraph {called.Index}: {tensor.Name}", tensor));
            }
        }
        var scratch = context.ScratchRequests;
        for (int s = 0; s < scratch.Count; s++)
        {
            requests.Add(new BufferRequest(Arena.AlignUp(scratch[s].Bytes), scratch[s].OperatorIndex, scratch[s].LastOperator));
            owners.Add((PlannedBufferKind.Scratch, s, $"scratch {s} of operator {scratch[s].OperatorIndex}", null));
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
            var (kind, id, name, tensor) = owners[i];
            var r = requests[i];
            buffers[i] = new PlannedBuffer(kind, id, name, (int)r.Size, r.FirstUse, r.LastUse, (int)offsets[i], r.OfflineOffset != BufferRequest.Online);
            if (tensor is not null)
                tensor.Bind(_arena.Head(offsets[i], tensor.ByteCount));
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

    /// <summary>
    /// Runs every operator once — unless one ends the run early (see <see cref="LastInvokeCompleted"/>).
    /// Allocates no managed memory.
    /// </summary>
    public void Invoke()
    {
        if (!_allocated)
            throw new InterpreterStateException("Invoke called before AllocateTensors");
        using var claim = Enter(nameof(Invoke));
        InvokeNodes();
    }

    /// <summary>
    /// Whether the last <see cref="Invoke"/> ran every operator. False when an operator ended it early, as TFLM's
    /// kTfLiteAbort does: a streaming model's CIRCULAR_BUFFER keeps collecting input and lets the operators after it
    /// run only every few calls, so the outputs are not new this time. <see cref="LastInvokeEndedAt"/> names the operator.
    /// </summary>
    public bool LastInvokeCompleted => LastInvokeEndedAt < 0;

    /// <summary>The main-subgraph operator that ended the last Invoke early, or -1 when it ran to the end.</summary>
    public int LastInvokeEndedAt { get; private set; } = -1;

    private void InvokeNodes()
    {
        var context = _context!;
        var profiler = _profiler;
        var observer = _observer;
        var nodes = _nodes;
        int i = 0;
        LastInvokeEndedAt = -1;
        context.InvokeEndedEarly = false;
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
                if (context.InvokeEndedEarly)
                {
                    LastInvokeEndedAt = i;
                    return;
                }
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
        foreach (var node in AllNodes())
            node.Kernel.Reset(node);
        _context?.ResourceVariables.ResetAll();
        foreach (var tensor in _tensors.Concat(_called.Where(c => c is not null).SelectMany(c => c!.Tensors)))
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
        foreach (var node in AllNodes())
            node.Kernel.Free(node);
        _workers?.Dispose();
    }

    private IEnumerable<Node> AllNodes() => _nodes.Concat(_called.Where(c => c is not null).SelectMany(c => c!.Nodes));

    /// <summary>Runs a called subgraph's operators once (a control-flow kernel's request); false when one ended the Invoke early. Allocates nothing.</summary>
    private bool InvokeSubgraph(int index)
    {
        var nodes = _called[index]!.Nodes;
        var context = _context!;
        for (int i = 0; i < nodes.Length; i++)
        {
            nodes[i].Kernel.Invoke(context, nodes[i]);
            if (context.InvokeEndedEarly) return false;
        }
        return true;
    }

    /// <summary>A subgraph some control-flow operator runs: its tensors and nodes, and the main operators during which it can run.</summary>
    private sealed class CalledSubgraph
    {
        public required int Index;
        public required Tensor[] Tensors;
        public required Tensor[] Inputs;
        public required Tensor[] Outputs;
        public Node[] Nodes = [];
        public int FirstCaller = int.MaxValue, LastCaller = -1;

        /// <summary>Every subgraph reachable from subgraph 0's operators, with the span of main operators reaching it (the reader has refused recursion).</summary>
        public static CalledSubgraph?[] Load(Model model)
        {
            var called = new CalledSubgraph?[model.Subgraphs.Count];
            var pending = new Stack<int>();
            foreach (var op in model.MainSubgraph.Operators)
            {
                foreach (int callee in op.CalledSubgraphs) pending.Push(callee);
                var seen = new HashSet<int>();
                while (pending.Count > 0)
                {
                    int s = pending.Pop();
                    if (!seen.Add(s)) continue;
                    var graph = model.Subgraphs[s];
                    var entry = called[s] ??= Create(graph);
                    entry.FirstCaller = Math.Min(entry.FirstCaller, op.Index);
                    entry.LastCaller = Math.Max(entry.LastCaller, op.Index);
                    foreach (var inner in graph.Operators)
                        foreach (int callee in inner.CalledSubgraphs) pending.Push(callee);
                }
            }
            return called;
        }

        private static CalledSubgraph Create(SubGraphInfo graph)
        {
            var tensors = graph.Tensors.Select(t => new Tensor(t)).ToArray();
            return new CalledSubgraph
            {
                Index = graph.Index, Tensors = tensors,
                Inputs = graph.Inputs.Select(i => tensors[i]).ToArray(),
                Outputs = graph.Outputs.Select(i => tensors[i]).ToArray(),
            };
        }
    }

    private sealed class SubgraphHost(MicroInterpreter owner) : ISubgraphHost
    {
        public int Count => owner._model.Subgraphs.Count;
        public bool IsLoaded(int subgraph) => subgraph == 0 || (uint)subgraph < (uint)owner._called.Length && owner._called[subgraph] is not null;
        public Tensor[] Inputs(int subgraph) => subgraph == 0 ? owner._inputs : owner._called[subgraph]!.Inputs;
        public Tensor[] Outputs(int subgraph) => subgraph == 0 ? owner._outputs : owner._called[subgraph]!.Outputs;
        public bool Invoke(int subgraph) => owner.InvokeSubgraph(subgraph);
        public long MaxWhileIterations => owner._options.MaxWhileIterations;
    }
}
