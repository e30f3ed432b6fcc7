using System.Runtime.CompilerServices;

namespace TinyMl.Interpreter.Quantization;

/// <summary>
/// TFLM's interpolated int16 lookup tables (LUTPopulate&lt;int16_t&gt; / LUTLookup in
/// kernels/internal/common.h): 512 segments over the int16 input range plus one end point, each
/// entry the function's value biased so that linear interpolation between entries is exact at the
/// segment midpoints. Generation runs in float, in TFLM's order of operations, so tables are
/// identical to TFLM's.
/// </summary>
public static class LookupTable
{
    /// <summary>Entries of an int16 table: 512 segments and the end point.</summary>
    public const int Int16Size = 513;

    /// <summary>
    /// Fills <paramref name="table"/> (513 entries) with <paramref name="transform"/> evaluated over the
    /// real input range of an int16 tensor (<paramref name="inputScale"/>, <paramref name="inputZeroPoint"/>),
    /// quantized to the int16 output range (<paramref name="outputScale"/>, <paramref name="outputZeroPoint"/>).
    /// </summary>
    public static void PopulateInt16(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint,
        Func<float, float> transform, Span<short> table)
    {
        if (table.Length < Int16Size)
            throw new ArgumentException($"an int16 lookup table needs {Int16Size} entries", nameof(table));
        const int steps = 512;
        float inputMin = inputScale * (short.MinValue - inputZeroPoint);
        float inputMax = inputScale * (short.MaxValue - inputZeroPoint);
        float outputMin = outputScale * (short.MinValue - outputZeroPoint);
        float outputMax = outputScale * (short.MaxValue - outputZeroPoint);
        float step = (inputMax - inputMin) / steps;
        float halfStep = step / 2;
        float outputScalingInverse = 65536f / (outputMax - outputMin);

        for (int i = 0; i < steps; i++)
        {
            float value = transform(inputMin + i * step);
            float midpointValue = transform(inputMin + i * step + halfStep);
            float nextValue = transform(inputMin + (i + 1) * step);

            float sample = Round(value * outputScalingInverse);
            float interpolatedMidpoint = Round((nextValue * outputScalingInverse + Round(value * outputScalingInverse)) / 2);
            float exactMidpoint = Round(midpointValue * outputScalingInverse);
            // Shift the entry by half the interpolation error at the midpoint, splitting it between both halves of the segment.
            float bias = Round((interpolatedMidpoint - exactMidpoint) / 2);
            table[i] = ClampToInt16(sample - bias);
        }
        table[steps] = ClampToInt16(Round(transform(inputMax) * outputScalingInverse));
    }

    /// <summary>The table's value at <paramref name="value"/>: the top 9 bits pick the segment, the low 7 interpolate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short Lookup(short value, ReadOnlySpan<short> table)
    {
        int index = 256 + (value >> 7);
        int offset = value & 0x7f;
        int baseValue = table[index];
        // TFLM keeps the slope in an int16, so a difference beyond its range wraps there too.
        short slope = (short)(table[index + 1] - baseValue);
        int delta = (slope * offset + 64) >> 7;
        return (short)(baseValue + delta);
    }

    // TfLiteRound on float: half away from zero.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Round(float x) => MathF.Round(x, MidpointRounding.AwayFromZero);

    private static short ClampToInt16(float x) => (short)Math.Min(Math.Max(x, (float)short.MinValue), (float)short.MaxValue);
}
