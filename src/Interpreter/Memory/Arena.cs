namespace TinyMl.Interpreter;

/// <summary>
/// The one block of memory every tensor lives in. Persistent data (variable tensors, kernels' per-node
/// data) is taken from the tail as kernels ask for it; the planned non-persistent buffers occupy the
/// head. When the tail does not fit, allocation goes on in a detached buffer so the full requirement
/// can be measured and reported, and <see cref="EnsureFits"/> then refuses the arena.
/// </summary>
public sealed class Arena
{
    /// <summary>Buffer alignment; TFLM's MicroArenaBufferAlignment is 16 too.</summary>
    public const int Alignment = 16;

    // Detached stand-ins exist only to measure how much is missing. A model may declare gigabytes of
    // state, so measuring stops (and the figure becomes a lower bound) past the arena's own size or
    // this floor, whichever is larger: never more memory than the caller was prepared to give.
    private const long MeasuringFloorBytes = 1 << 20;

    private readonly Memory<byte> _memory;
    private int _tailStart;
    private long _tailBytes;
    private long _detachedBytes;
    private bool _tailOverflowed;
    private readonly List<PersistentBuffer> _persistent = new();

    public Arena(Memory<byte> memory)
    {
        _memory = memory;
        _tailStart = memory.Length;
    }

    public int Capacity => _memory.Length;
    public int HeadBytes { get; private set; }
    // Both fit an int whenever the arena holds the plan; past that EnsureFits has already thrown.
    public int TailBytes => (int)Math.Min(_tailBytes, int.MaxValue);
    public int UsedBytes => (int)Math.Min(HeadBytes + _tailBytes, int.MaxValue);

    public static long AlignUp(long bytes) => (bytes + Alignment - 1) & ~(long)(Alignment - 1);

    /// <summary>What the tail holds, in allocation order (the first sits at the arena's end).</summary>
    public IReadOnlyList<PersistentBuffer> PersistentBuffers => _persistent;

    /// <summary>Allocates zeroed persistent bytes from the tail, recording <paramref name="owner"/> for the plan.</summary>
    public Memory<byte> AllocatePersistent(int bytes, PersistentOwner owner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        long aligned = AlignUp(bytes);
        _tailBytes += aligned;
        if (!_tailOverflowed && aligned <= _tailStart)
        {
            _tailStart -= (int)aligned;
            _persistent.Add(new PersistentBuffer(owner, bytes, _tailStart));
            var block = _memory.Slice(_tailStart, bytes);
            block.Span.Clear();
            return block;
        }
        _tailOverflowed = true;
        _detachedBytes += aligned;
        if (_detachedBytes > Math.Max(Capacity, MeasuringFloorBytes))
            throw new ArenaTooSmallException(_tailBytes, Capacity, lowerBound: true);
        return new byte[bytes];
    }

    /// <summary>Reserves the head for a plan of <paramref name="bytes"/>; throws when head and tail do not fit together.</summary>
    public void SetHead(long bytes)
    {
        if (_tailOverflowed || bytes > _tailStart)
            throw new ArenaTooSmallException(bytes + _tailBytes, Capacity);
        HeadBytes = (int)bytes;
    }

    public void EnsureFits()
    {
        if (_tailOverflowed || HeadBytes > _tailStart)
            throw new ArenaTooSmallException(HeadBytes + _tailBytes, Capacity);
    }

    public Memory<byte> Head(long offset, int bytes) => _memory.Slice(checked((int)offset), bytes);
}
