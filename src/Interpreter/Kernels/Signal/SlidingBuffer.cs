namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>
/// The queue behind TFLM's signal CircularBuffer, kept linear: values are appended at the end and
/// discarded from the front by moving the rest down. The bytes live in the arena's persistent
/// tail; the count lives with the node's state. Callers size it so a write never overflows.
/// </summary>
internal sealed class SlidingBuffer
{
    private readonly Memory<byte> _memory;
    public int Capacity { get; }
    public int Available { get; private set; }

    public SlidingBuffer(KernelContext context, int capacity)
    {
        Capacity = capacity;
        _memory = context.AllocatePersistentBuffer(capacity * sizeof(short));
    }

    private Span<short> Values => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(_memory.Span);

    public void Reset() => Available = 0;

    public void Write(ReadOnlySpan<short> values)
    {
        values.CopyTo(Values[Available..]);
        Available += values.Length;
    }

    public void WriteZeros(int n)
    {
        Values.Slice(Available, n).Clear();
        Available += n;
    }

    /// <summary>Appends the newest <paramref name="count"/> values <paramref name="times"/> more times (CircularBufferExtend).</summary>
    public void RepeatLast(int count, int times)
    {
        for (int t = 0; t < times; t++)
        {
            Values.Slice(Available - count, count).CopyTo(Values[Available..]);
            Available += count;
        }
    }

    /// <summary>Copies the oldest <paramref name="destination"/>.Length values without removing them.</summary>
    public void Peek(Span<short> destination) => Values[..destination.Length].CopyTo(destination);

    public void Discard(int n)
    {
        Values[n..Available].CopyTo(Values);
        Available -= n;
    }
}
