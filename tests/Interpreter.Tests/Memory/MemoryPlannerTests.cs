namespace TinyMl.Interpreter.Tests.Memory;

/// <summary>
/// Oracles: the expected offsets and sizes of TFLM's own greedy planner tests (TestGreedyBasics,
/// TestGreedyMedium, TestOverlapCase), and the invariant every plan must keep: buffers alive at the
/// same time never share bytes.
/// </summary>
public class MemoryPlannerTests
{
    private static BufferRequest B(int size, int first, int last, int offline = BufferRequest.Online) => new(size, first, last, offline);

    [Fact]
    public void Greedy_planner_reuses_memory_of_buffers_that_are_dead()
    {
        var requests = new[] { B(10, 0, 1), B(20, 2, 3) };
        var offsets = new GreedyMemoryPlanner().Plan(requests);
        Assert.Equal(new long[] { 0, 0 }, offsets);
        Assert.Equal(20, MemoryPlanners.HeadSize(requests, offsets));
    }

    [Fact]
    public void Greedy_planner_matches_TFLMs_medium_plan()
    {
        var requests = new[] { B(10, 0, 1), B(20, 1, 2), B(30, 2, 3), B(40, 3, 4), B(50, 0, 1) };
        var offsets = new GreedyMemoryPlanner().Plan(requests);
        Assert.Equal(new long[] { 50, 70, 40, 0, 0 }, offsets);
        Assert.Equal(90, MemoryPlanners.HeadSize(requests, offsets));
    }

    [Fact]
    public void Greedy_planner_fits_a_small_buffer_beside_a_dead_one()
    {
        var requests = new[] { B(100, 0, 1), B(50, 2, 3), B(20, 1, 2) };
        var offsets = new GreedyMemoryPlanner().Plan(requests);
        Assert.Equal(120, MemoryPlanners.HeadSize(requests, offsets));
        AssertNoLiveOverlap(requests, offsets);
    }

    [Fact]
    public void Offline_offsets_are_kept_and_online_buffers_fill_around_them()
    {
        var requests = new[] { B(16, 0, 2, offline: 32), B(32, 0, 1), B(16, 1, 2) };
        var offsets = new GreedyMemoryPlanner().Plan(requests);
        Assert.Equal(32, offsets[0]);
        Assert.Equal(0, offsets[1]);   // the 32-byte gap below the offline buffer
        Assert.Equal(48, offsets[2]);  // alive with both others: above them
        AssertNoLiveOverlap(requests, offsets);
    }

    [Fact]
    public void Linear_planner_gives_every_buffer_its_own_bytes()
    {
        var requests = new[] { B(10, 0, 1), B(20, 2, 3), B(30, 0, 3) };
        Assert.Equal(new long[] { 0, 10, 30 }, new LinearMemoryPlanner().Plan(requests));
    }

    [Fact]
    public void Random_plans_never_overlap_live_buffers_and_never_exceed_the_linear_plan()
    {
        var random = new Random(20261124);
        for (int trial = 0; trial < 500; trial++)
        {
            int count = random.Next(1, 40);
            var requests = new BufferRequest[count];
            for (int i = 0; i < count; i++)
            {
                int first = random.Next(0, 30);
                requests[i] = B(16 * random.Next(1, 64), first, first + random.Next(0, 8));
            }
            var greedy = new GreedyMemoryPlanner().Plan(requests);
            AssertNoLiveOverlap(requests, greedy);
            Assert.True(MemoryPlanners.HeadSize(requests, greedy) <= requests.Sum(r => r.Size), $"trial {trial}");
        }
    }

    private static void AssertNoLiveOverlap(BufferRequest[] requests, long[] offsets)
    {
        for (int a = 0; a < requests.Length; a++)
        for (int b = a + 1; b < requests.Length; b++)
        {
            if (!requests[a].OverlapsInTime(requests[b])) continue;
            bool disjoint = offsets[a] + requests[a].Size <= offsets[b] || offsets[b] + requests[b].Size <= offsets[a];
            Assert.True(disjoint, $"buffers {a} and {b} are alive together and share bytes");
        }
    }
}
