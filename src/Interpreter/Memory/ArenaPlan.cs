namespace TinyMl.Interpreter;

/// <summary>What a planned buffer holds: a main-subgraph tensor, a kernel's scratch, or a tensor of a subgraph a control-flow operator runs.</summary>
public enum PlannedBufferKind { Tensor, Scratch, SubgraphTensor }

/// <summary>
/// One buffer of the arena head: a tensor or a kernel scratch buffer, its aligned size, the operators
/// between which it is alive (inclusive; model inputs are alive from operator 0), and where it sits.
/// </summary>
public sealed record PlannedBuffer(
    PlannedBufferKind Kind,
    int Id,
    string Name,
    int Bytes,
    int FirstOperator,
    int LastOperator,
    int Offset,
    bool OfflinePlanned);

/// <summary>What a persistent tail allocation belongs to, like the categories of TFLM's RecordingMicroAllocator.</summary>
public enum PersistentOwnerKind
{
    /// <summary>A variable tensor (RNN or SVDF state): kept across invocations.</summary>
    VariableTensor,
    /// <summary>Data an operator's kernel keeps for its whole life (per-channel multipliers, lookup tables).</summary>
    KernelData,
}

/// <summary>
/// Who owns a persistent allocation: a variable tensor (<see cref="TensorIndex"/>) or an operator's
/// kernel (<see cref="OperatorIndex"/>, <see cref="OperatorName"/>); -1 where it does not apply.
/// </summary>
public readonly record struct PersistentOwner(PersistentOwnerKind Kind, int OperatorIndex, string OperatorName, int TensorIndex, string TensorName)
{
    public static PersistentOwner ForTensor(int index, string name) => new(PersistentOwnerKind.VariableTensor, -1, "", index, name);
    public static PersistentOwner ForOperator(int index, string name) => new(PersistentOwnerKind.KernelData, index, name, -1, "");

    public override string ToString() => Kind == PersistentOwnerKind.VariableTensor
        ? $"variable tensor {TensorIndex} ('{TensorName}')"
        : $"operator {OperatorIndex} ({OperatorName})";
}

/// <summary>
/// One allocation of the persistent tail: what owns it (a variable tensor, or an operator's kernel
/// data such as per-channel multipliers), its size and its offset. In an <see cref="ArenaPlan"/>
/// the offset counts from the start of the tail, so an arena of exactly TotalBytes holds it at
/// HeadBytes + Offset, whatever size the arena really is.
/// </summary>
public sealed record PersistentBuffer(PersistentOwner OwnedBy, int Bytes, int Offset)
{
    /// <summary>The owner in words: "variable tensor 3 ('state')" or "operator 2 (CONV_2D)".</summary>
    public string Owner => OwnedBy.ToString();
    /// <summary>Bytes the allocation takes in the tail, alignment included.</summary>
    public int AlignedBytes => (int)Arena.AlignUp(Bytes);
}

/// <summary>
/// The arena layout the interpreter settled on: the planned head and the persistent tail. Public so
/// that tools can draw it; it is computed once, in AllocateTensors.
/// </summary>
public sealed class ArenaPlan
{
    public required string Planner { get; init; }
    public required IReadOnlyList<PlannedBuffer> Buffers { get; init; }
    /// <summary>Bytes of the non-persistent head (the planner's high-water mark).</summary>
    public required int HeadBytes { get; init; }
    /// <summary>Bytes allocated from the tail: variable tensors and kernels' persistent data.</summary>
    public required int TailBytes { get; init; }
    /// <summary>The tail's allocations, like TFLM's RecordingMicroAllocator reports them.</summary>
    public required IReadOnlyList<PersistentBuffer> PersistentBuffers { get; init; }
    public required int OperatorCount { get; init; }
    public int TotalBytes => HeadBytes + TailBytes;
    /// <summary>What the head would take if no two buffers shared bytes.</summary>
    public long UnsharedBytes => Buffers.Sum(b => (long)b.Bytes);

    /// <summary>
    /// The first operator at which another buffer takes over some of tensor <paramref name="tensorIndex"/>'s
    /// bytes, after that tensor's last use; null when its bytes stay its own through the whole Invoke (or it
    /// is not planned in the head: constants, variables). After an Invoke such a tensor holds a later
    /// buffer's values, not its own.
    /// </summary>
    public int? FirstReuseOf(int tensorIndex)
    {
        var own = Buffers.FirstOrDefault(b => b.Kind == PlannedBufferKind.Tensor && b.Id == tensorIndex);
        return own is null ? null : FirstReuseOf(own);
    }

    private int? FirstReuseOf(PlannedBuffer own)
    {
        int? first = null;
        foreach (var b in Buffers)
            if (b.FirstOperator > own.LastOperator && b.Offset < own.Offset + own.Bytes && own.Offset < b.Offset + b.Bytes
                && (first is null || b.FirstOperator < first))
                first = b.FirstOperator;
        return first;
    }

    /// <summary><see cref="FirstReuseOf(int)"/> for every planned tensor at once.</summary>
    internal IEnumerable<(int Tensor, int? FirstReuse)> Reuses() =>
        Buffers.Where(b => b.Kind == PlannedBufferKind.Tensor).Select(b => (b.Id, FirstReuseOf(b)));
}
