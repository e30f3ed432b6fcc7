namespace TinyMl.Interpreter;

/// <summary>
/// One buffer the planner must place in the arena head: its size and the operator range during which
/// it must stay intact (inclusive). <see cref="OfflineOffset"/> is a fixed offset from the model's
/// OfflineMemoryAllocation metadata, or <see cref="Online"/> to let the planner choose. Sizes and
/// offsets are 64-bit so that no model, however large its tensors, can wrap a plan around to fit.
/// </summary>
public readonly record struct BufferRequest(long Size, int FirstUse, int LastUse, long OfflineOffset = BufferRequest.Online)
{
    public const int Online = -1;

    public bool OverlapsInTime(in BufferRequest other) => FirstUse <= other.LastUse && other.FirstUse <= LastUse;
}

/// <summary>Places non-persistent buffers in the arena head. Implementations are pure: requests in, offsets out.</summary>
public interface IMemoryPlanner
{
    string Name { get; }

    /// <summary>Returns one offset per request; the head size is the largest offset + size.</summary>
    long[] Plan(IReadOnlyList<BufferRequest> requests);
}

public enum MemoryPlannerKind { Greedy, Linear }

public static class MemoryPlanners
{
    public static IMemoryPlanner Create(MemoryPlannerKind kind) => kind switch
    {
        MemoryPlannerKind.Greedy => new GreedyMemoryPlanner(),
        MemoryPlannerKind.Linear => new LinearMemoryPlanner(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Bytes spanned by a placement: the end of the buffer that ends last.</summary>
    public static long HeadSize(IReadOnlyList<BufferRequest> requests, long[] offsets)
    {
        long size = 0;
        for (int i = 0; i < requests.Count; i++)
            size = Math.Max(size, offsets[i] + requests[i].Size);
        return size;
    }
}

/// <summary>
/// TFLM's greedy planner: offline-planned buffers keep their offsets; the others are placed largest
/// first, each at the lowest offset where it fits between the buffers already placed that are alive
/// at the same time. Ties keep TFLM's order (later requests first) so plans match TFLM's exactly.
/// </summary>
public sealed class GreedyMemoryPlanner : IMemoryPlanner
{
    public string Name => "greedy";

    public long[] Plan(IReadOnlyList<BufferRequest> requests)
    {
        int n = requests.Count;
        var offsets = new long[n];
        if (n == 0) return offsets;

        // Offline buffers first in request order, then online ones in reverse request order,
        // stably sorted by size descending (TFLM fills online ids from the back, then bubble-sorts).
        var order = new List<int>(n);
        for (int i = 0; i < n; i++)
            if (requests[i].OfflineOffset != BufferRequest.Online) order.Add(i);
        int offlineCount = order.Count;
        var online = new List<int>(n - offlineCount);
        for (int i = n - 1; i >= 0; i--)
            if (requests[i].OfflineOffset == BufferRequest.Online) online.Add(i);
        var sortedOnline = online.OrderByDescending(i => requests[i].Size).ToList(); // OrderBy is stable
        order.AddRange(sortedOnline);

        // Placed buffers, kept sorted by offset (ties: insertion after equal offsets, as TFLM does).
        var placed = new List<int>(n);
        foreach (int id in order)
        {
            var wanted = requests[id];
            long offset;
            if (wanted.OfflineOffset != BufferRequest.Online)
            {
                offset = wanted.OfflineOffset;
            }
            else
            {
                offset = 0;
                foreach (int other in placed)
                {
                    var o = requests[other];
                    if (!o.OverlapsInTime(wanted)) continue;
                    // 'other' is the next live buffer in offset order: stop if the gap before it fits.
                    if (offsets[other] - offset >= wanted.Size) break;
                    offset = Math.Max(offset, offsets[other] + o.Size);
                }
            }
            offsets[id] = offset;
            int at = placed.Count;
            if (placed.Count > 0 && offsets[placed[0]] > offset)
            {
                at = 0;
            }
            else
            {
                for (int k = 1; k < placed.Count; k++)
                    if (offsets[placed[k]] > offset) { at = k; break; }
            }
            placed.Insert(at, id);
        }
        return offsets;
    }
}

/// <summary>TFLM's linear planner: every buffer gets its own bytes, one after another. The baseline the greedy plan is measured against.</summary>
public sealed class LinearMemoryPlanner : IMemoryPlanner
{
    public string Name => "linear";

    public long[] Plan(IReadOnlyList<BufferRequest> requests)
    {
        var offsets = new long[requests.Count];
        long next = 0;
        for (int i = 0; i < requests.Count; i++)
        {
            offsets[i] = next;
            next += requests[i].Size;
        }
        return offsets;
    }
}
