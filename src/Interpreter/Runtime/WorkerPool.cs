using System.Runtime.ExceptionServices;

namespace TinyMl.Interpreter;

/// <summary>Work a kernel splits into numbered items; any worker may take any item, each exactly once.</summary>
public interface IParallelWork
{
    /// <summary>Does item <paramref name="item"/>; <paramref name="worker"/> (0 … workers − 1) names per-worker buffers.</summary>
    void Run(int item, int worker);
}

/// <summary>
/// The fixed set of threads an interpreter made with <see cref="InterpreterOptions.Threads"/> above 1 lends its
/// kernels. Started once at AllocateTensors and stopped by Dispose; a round hands out items through one
/// interlocked counter and the calling thread works too, so Invoke allocates nothing, whatever the thread count.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim _start = new(0);
    private readonly CountdownEvent _done = new(1);
    private IParallelWork? _work;
    private int _items, _next;
    private volatile bool _stopping;
    private Exception? _failure;

    public WorkerPool(int workers)
    {
        Workers = workers;
        _threads = new Thread[workers - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Loop) { IsBackground = true, Name = $"TinyML worker {i + 1}" };
            _threads[i].Start(i + 1);
        }
    }

    /// <summary>Threads that take items, the caller's included.</summary>
    public int Workers { get; }

    public void Run(IParallelWork work, int items)
    {
        if (items <= 1 || _threads.Length == 0)
        {
            for (int i = 0; i < items; i++) work.Run(i, 0);
            return;
        }
        _work = work;
        _items = items;
        _next = 0;
        _failure = null;
        _done.Reset(_threads.Length);
        _start.Release(_threads.Length);
        try
        {
            Drain(0);
        }
        finally
        {
            // Never leave while a worker may still write into the arena.
            _done.Wait();
            _work = null;
        }
        if (_failure is { } failure) ExceptionDispatchInfo.Throw(failure);
    }

    private void Drain(int worker)
    {
        int item;
        while ((item = Interlocked.Increment(ref _next) - 1) < _items)
            _work!.Run(item, worker);
    }

    private void Loop(object? state)
    {
        int worker = (int)state!;
        while (true)
        {
            _start.Wait();
            if (_stopping) return;
            try
            {
                Drain(worker);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            finally
            {
                _done.Signal();
            }
        }
    }

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        _start.Release(_threads.Length);
        foreach (var thread in _threads) thread.Join();
        _start.Dispose();
        _done.Dispose();
    }
}
