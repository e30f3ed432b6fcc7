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

    private readonly Memory<byte> _memory;
    private int _tailStart;
    private int _tailBytes;
    private bool _tailOverflowed;

    public Arena(Memory<byte> memory)
    {
        _memory = memory;
        _tailStart = memory.Length;
    }

    public int Capacity => _memory.Length;
    public int HeadBytes { get; private set; }
    public int TailBytes => _tailBytes;
    public int UsedBytes => HeadBytes + _tailBytes;

    public static int AlignUp(int bytes) => (bytes + Alignment - 1) & ~(Alignment - 1);

    /// <summary>Allocates zeroed persistent bytes from the tail.</summary>
    public Memory<byte> AllocatePersistent(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        int aligned = AlignUp(bytes);
        _tailBytes += aligned;
        if (!_tailOverflowed && aligned <= _tailStart)
        {
            _tailStart -= aligned;
            var block = _memory.Slice(_tailStart, bytes);
            block.Span.Clear();
            return block;
        }
        _tailOverflowed = true;
        return new byte[bytes];
    }

    /// <summary>Reserves the head for a plan of <paramref name="bytes"/>; throws when head and tail do not fit together.</summary>
    public void SetHead(int bytes)
    {
        HeadBytes = bytes;
        EnsureFits();
    }

    public void EnsureFits()
    {
        if (_tailOverflowed || HeadBytes > _tailStart)
            throw new ArenaTooSmallException((long)HeadBytes + _tailBytes, _memory.Length);
    }

    public Memory<byte> Head(int offset, int bytes) => _memory.Slice(offset, bytes);
}
