namespace TinyMl.Interpreter.Tests;

/// <summary>
/// Measures the managed bytes Invoke allocates on the calling thread. While other tests run in
/// parallel, GC.GetAllocatedBytesForCurrentThread occasionally jumps by less than one allocation
/// quantum (1-8 KB) across a window in which this thread allocated nothing: the runtime retires the
/// thread's allocation context when it suspends all threads. So the window is measured up to 20
/// times and the smallest figure kept. Invoke runs the same code on the same data each time, so an
/// allocation it really makes shows in every window and is still reported.
/// </summary>
public static class InvokeAllocations
{
    private const int Windows = 20;

    /// <summary>Fewest bytes allocated by <paramref name="invokes"/> Invoke calls in any window, after one warm-up call.</summary>
    public static long Measure(MicroInterpreter interpreter, int invokes = 5)
    {
        interpreter.Invoke(); // warm up: JIT and any lazy runtime state
        long fewest = long.MaxValue;
        for (int window = 0; window < Windows && fewest > 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int run = 0; run < invokes; run++)
                interpreter.Invoke();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
