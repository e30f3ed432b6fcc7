using TinyMl.Interpreter.Quantization;

namespace TinyMl.Interpreter.Tests.Quantization;

public class LookupTableTests
{
    [Fact]
    public void Lookup_interpolates_linearly_between_entries()
    {
        // Entry i = 128 * i - 32768 makes the table the identity on int16. The end point 32768 does not
        // fit an int16 and wraps to -32768; the int16 slope wraps back to 128, as in TFLM.
        var table = new short[LookupTable.Int16Size];
        for (int i = 0; i < table.Length; i++)
            table[i] = unchecked((short)(128 * i - 32768));
        foreach (short v in new short[] { short.MinValue, -32767, -1000, -129, -128, -1, 0, 1, 63, 64, 127, 5000, 32640, short.MaxValue })
            Assert.Equal(v, LookupTable.Lookup(v, table));
    }

    [Fact]
    public void Lookup_rounds_the_interpolated_step_half_up()
    {
        var table = new short[LookupTable.Int16Size];
        table[256] = 100;
        table[257] = 101; // slope 1 over 128 steps
        Assert.Equal((short)100, LookupTable.Lookup(63, table));  // 63/128 rounds down
        Assert.Equal((short)101, LookupTable.Lookup(64, table));  // 64/128 = 1/2 rounds up
        Assert.Equal((short)101, LookupTable.Lookup(127, table));
    }

    [Fact]
    public void Exp_table_as_softmax_builds_it_follows_exp_over_minus_10_to_0()
    {
        const int range = 65535;
        var table = new short[LookupTable.Int16Size];
        LookupTable.PopulateInt16(10f / range, short.MaxValue, 2f / range, 0, MathF.Exp, table);
        for (int v = short.MinValue; v <= short.MaxValue; v += 97)
        {
            // 512 equal segments of 128 codes span [-10, 0], so code v sits at -10 + (v + 32768) * 10 / 65536
            // (the tensor's own scale, 10 / 65535 per code, drifts from that by up to one code).
            double x = -10 + (v - short.MinValue) * 10.0 / 65536;
            double expected = Math.Min(Math.Exp(x) * range / 2, short.MaxValue);
            short actual = LookupTable.Lookup((short)v, table);
            Assert.True(Math.Abs(actual - expected) <= 2, $"exp({x}) -> {actual}, expected {expected}");
        }
    }

    [Fact]
    public void Reciprocal_table_as_softmax_builds_it_follows_one_over_one_plus_x()
    {
        const int range = 65535;
        var table = new short[LookupTable.Int16Size];
        LookupTable.PopulateInt16(1f / range, short.MinValue, 2f / range, 0, x => 1f / (1f + x), table);
        for (int v = short.MinValue; v <= short.MaxValue; v += 89)
        {
            double x = (v - short.MinValue) / 65536.0; // the table's own grid over [0, 1], as above
            double expected = Math.Min(1 / (1 + x) * range / 2, short.MaxValue);
            short actual = LookupTable.Lookup((short)v, table);
            Assert.True(Math.Abs(actual - expected) <= 2, $"1/(1+{x}) -> {actual}, expected {expected}");
        }
    }

    [Fact]
    public void A_short_table_is_refused()
    {
        Assert.Throws<ArgumentException>(() => LookupTable.PopulateInt16(1f, 0, 1f, 0, x => x, new short[512]));
    }
}
