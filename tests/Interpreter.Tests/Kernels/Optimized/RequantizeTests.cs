using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TinyMl.Interpreter.Kernels.Optimized;
using TinyMl.Interpreter.Quantization;

namespace TinyMl.Interpreter.Tests.Kernels.Optimized;

/// <summary>The eight-lane requantization against the scalar one (TFLM's arithmetic), lane by lane.</summary>
public class RequantizeTests
{
    [Fact]
    public void Eight_lanes_equal_the_scalar_requantization_on_a_million_values_and_the_edges()
    {
        if (!Avx2.IsSupported) return;   // the vector path is never chosen there; nothing to compare
        var r = new Random(31);
        int[] edges = [int.MinValue, int.MinValue + 1, -1 << 30, -(1 << 30) - 1, -1, 0, 1, 1 << 30, (1 << 30) + 1, int.MaxValue - 1, int.MaxValue];
        Span<int> multipliers = stackalloc int[8], shifts = stackalloc int[8], values = stackalloc int[8], lanes = stackalloc int[8];
        for (int round = 0; round < 125_000; round++)
        {
            for (int i = 0; i < 8; i++)
            {
                // TFLM's multipliers are in [2^30, 2^31); shifts from −31 (tiny scales) to a few left shifts.
                multipliers[i] = (1 << 30) + r.Next(1 << 30);
                shifts[i] = r.Next(-31, 8);
                values[i] = round % 4 == 0 ? edges[r.Next(edges.Length)] : r.Next(4) == 0 ? r.Next(-70_000, 70_000) : r.Next(int.MinValue, int.MaxValue);
            }
            var result = Requantize.Apply(Vector256.Create<int>(values), new Requantize.Lanes(multipliers, shifts));
            result.CopyTo(lanes);
            for (int i = 0; i < 8; i++)
            {
                int expected = FixedPoint.MultiplyByQuantizedMultiplier(values[i], multipliers[i], shifts[i]);
                Assert.True(expected == lanes[i], $"x {values[i]}, multiplier {multipliers[i]}, shift {shifts[i]}: scalar {expected}, lanes {lanes[i]}");
            }
        }
    }
}
