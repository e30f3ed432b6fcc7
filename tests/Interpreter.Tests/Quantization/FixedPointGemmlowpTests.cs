using TinyMl.Interpreter.Quantization;

namespace TinyMl.Interpreter.Tests.Quantization;

/// <summary>
/// The gemmlowp fixed-point helpers against double-precision math, with the error bounds gemmlowp
/// itself guarantees (its test_fixedpoint.cc): exp 3e-7, (1-x)/(1+x) 6e-9, tanh 1.5e-7, products and
/// rescales within one unit of the last place of the correctly rounded value.
/// </summary>
public class FixedPointGemmlowpTests
{
    // Values around every power of two, the extremes, and a spread of pseudo-random raws.
    public static IReadOnlyList<int> Raws { get; } = BuildRaws();

    private static List<int> BuildRaws()
    {
        var values = new List<int>();
        for (int i = 0; i < 31; i++)
            for (int delta = -2; delta <= 2; delta++)
            {
                values.Add((1 << i) + delta);
                values.Add(-(1 << i) + delta);
            }
        values.AddRange([int.MinValue, int.MinValue + 1, int.MinValue + 2, int.MaxValue - 2, int.MaxValue - 1, int.MaxValue]);
        uint s = 1;
        for (int i = 0; i < 1000; i++)
        {
            s = s * 1664525 + 1013904223;
            values.Add((int)s);
        }
        return values;
    }

    private static double D(int raw, int integerBits) => FixedPoint.ToDouble(raw, integerBits);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 1)]
    [InlineData(2, 0)]
    [InlineData(1, 1)]
    [InlineData(4, 4)]
    [InlineData(3, 5)]
    [InlineData(14, 15)]
    public void Product_is_within_one_unit_of_the_rounded_real_product(int bitsA, int bitsB)
    {
        foreach (int a in Raws.Where((_, i) => i % 7 == 0))
            foreach (int b in Raws.Where((_, i) => i % 5 == 0))
            {
                int actual = FixedPoint.SaturatingRoundingDoublingHighMul(a, b);
                int expected = FixedPoint.FromDouble(D(a, bitsA) * D(b, bitsB), bitsA + bitsB);
                Assert.True(Math.Abs((long)actual - expected) <= 1, $"{a} * {b}: {actual}, expected {expected}");
            }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 1)]
    [InlineData(2, 0)]
    [InlineData(4, 5)]
    [InlineData(6, 3)]
    [InlineData(13, 9)]
    [InlineData(0, 12)]
    public void Rescale_is_the_correctly_rounded_saturated_value(int from, int to)
    {
        foreach (int a in Raws)
            Assert.Equal(FixedPoint.FromDouble(D(a, from), to), FixedPoint.Rescale(a, from, to));
    }

    [Fact]
    public void Saturating_multiply_by_power_of_two_saturates_left_and_rounds_right()
    {
        Assert.Equal(12, FixedPoint.SaturatingRoundingMultiplyByPOT(3, 2));
        Assert.Equal(int.MaxValue, FixedPoint.SaturatingRoundingMultiplyByPOT(1 << 29, 2));
        Assert.Equal(int.MinValue, FixedPoint.SaturatingRoundingMultiplyByPOT(-(1 << 29) - 1, 2));
        Assert.Equal(int.MinValue, FixedPoint.SaturatingRoundingMultiplyByPOT(-(1 << 29), 2)); // -2^31 is exactly representable
        Assert.Equal(2, FixedPoint.SaturatingRoundingMultiplyByPOT(6, -2));   // 1.5 -> 2
        Assert.Equal(-2, FixedPoint.SaturatingRoundingMultiplyByPOT(-6, -2)); // -1.5 -> -2
        Assert.Equal(1, FixedPoint.SaturatingRoundingMultiplyByPOT(5, -2));   // 1.25 -> 1
        Assert.Equal((short)short.MaxValue, FixedPoint.SaturatingRoundingMultiplyByPOT((short)8192, 2));
        Assert.Equal((short)-8192, FixedPoint.SaturatingRoundingMultiplyByPOT((short)-2048, 2));
    }

    [Fact]
    public void Rounding_half_sum_rounds_ties_away_from_zero_without_overflow()
    {
        Assert.Equal(2, FixedPoint.RoundingHalfSum(1, 2));     // 1.5
        Assert.Equal(-2, FixedPoint.RoundingHalfSum(-1, -2));  // -1.5
        Assert.Equal(3, FixedPoint.RoundingHalfSum(2, 4));
        Assert.Equal(int.MaxValue, FixedPoint.RoundingHalfSum(int.MaxValue, int.MaxValue));
        Assert.Equal(int.MinValue, FixedPoint.RoundingHalfSum(int.MinValue, int.MinValue));
        Assert.Equal(-1, FixedPoint.RoundingHalfSum(int.MinValue, int.MaxValue)); // -0.5 rounds away from zero
    }

    [Fact]
    public void Sixteen_bit_primitives_follow_the_same_rules()
    {
        Assert.Equal((short)8192, FixedPoint.SaturatingRoundingDoublingHighMul((short)16384, (short)16384)); // 0.5 * 0.5
        Assert.Equal(short.MaxValue, FixedPoint.SaturatingRoundingDoublingHighMul(short.MinValue, short.MinValue));
        Assert.Equal((short)-8192, FixedPoint.SaturatingRoundingDoublingHighMul((short)-16384, (short)16384));
        Assert.Equal((short)1, FixedPoint.SaturatingRoundingDoublingHighMul((short)1, (short)16384)); // 0.5 LSB rounds away from zero
        Assert.Equal(short.MaxValue, FixedPoint.SaturatingAdd((short)30000, (short)30000));
        Assert.Equal(short.MinValue, FixedPoint.SaturatingSub((short)-30000, (short)30000));
        Assert.Equal((short)-2, FixedPoint.RoundingHalfSum((short)-1, (short)-2));
        Assert.Equal((short)-3, FixedPoint.RoundingDivideByPOT((short)-10, 2)); // -2.5 -> -3
    }

    [Fact]
    public void Saturating_add_and_sub_clamp_to_int32()
    {
        Assert.Equal(int.MaxValue, FixedPoint.SaturatingAdd(int.MaxValue, 1));
        Assert.Equal(int.MinValue, FixedPoint.SaturatingAdd(int.MinValue, -1));
        Assert.Equal(int.MinValue, FixedPoint.SaturatingSub(int.MinValue, 1));
        Assert.Equal(int.MaxValue, FixedPoint.SaturatingSub(0, int.MinValue));
        Assert.Equal(7, FixedPoint.SaturatingAdd(3, 4));
    }

    [Fact]
    public void Leading_zero_and_sign_bit_counts()
    {
        Assert.Equal(32, FixedPoint.CountLeadingZeros(0));
        Assert.Equal(0, FixedPoint.CountLeadingZeros(0x80000000));
        Assert.Equal(11, FixedPoint.CountLeadingZeros(1u << 20));
        Assert.Equal(31, FixedPoint.CountLeadingSignBits(0));
        Assert.Equal(31, FixedPoint.CountLeadingSignBits(-1));
        Assert.Equal(0, FixedPoint.CountLeadingSignBits(int.MinValue));
        Assert.Equal(0, FixedPoint.CountLeadingSignBits(int.MaxValue));
        Assert.Equal(29, FixedPoint.CountLeadingSignBits(2));  // 0b000...010
        Assert.Equal(29, FixedPoint.CountLeadingSignBits(-3)); // 0b111...101
    }

    [Fact]
    public void Exp_on_the_last_quarter_is_within_3e7()
    {
        foreach (int raw in Raws)
        {
            // Map every test value into [-1/4, 0) as gemmlowp's own test does: a/8 - 1/8.
            int a = FixedPoint.SaturatingRoundingMultiplyByPOT(raw, -3) - (1 << 28);
            double expected = Math.Exp(D(a, 0));
            double actual = D(FixedPoint.ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(a), 0);
            Assert.True(Math.Abs(expected - actual) < 3e-7, $"exp({D(a, 0)}) = {actual}, expected {expected}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(12)]
    public void Exp_on_negative_values_is_within_3e7(int integerBits)
    {
        foreach (int a in Raws.Where(r => r < 0))
        {
            double x = D(a, integerBits);
            double actual = D(FixedPoint.ExpOnNegativeValues(a, integerBits), 0);
            Assert.True(Math.Abs(Math.Exp(x) - actual) < 3e-7, $"Q{integerBits}: exp({x}) = {actual}, expected {Math.Exp(x)}");
        }
        Assert.Equal(int.MaxValue, FixedPoint.ExpOnNegativeValues(0, integerBits));
    }

    [Theory]
    [InlineData(12, 5)]  // int8 LOG_SOFTMAX: a sum of exps in Q12 to a log in Q5
    [InlineData(5, 4)]
    [InlineData(20, 6)]
    public void Log_of_values_at_least_one_is_within_2e7_of_ln(int inputBits, int outputBits)
    {
        double worst = 0;
        int one = FixedPoint.One(inputBits);
        var rng = new Random(11);
        for (int i = 0; i < 20000; i++)
        {
            // Spread over every binade from 1 to the format's maximum (x = 2^u, u uniform), plus exact 1.
            int raw = i == 0 ? one : (int)Math.Min(int.MaxValue, Math.Round(one * Math.Pow(2, rng.NextDouble() * inputBits)));
            double actual = D(FixedPoint.LogXForXAtLeastOne(raw, inputBits, outputBits), outputBits);
            worst = Math.Max(worst, Math.Abs(actual - Math.Log(D(raw, inputBits))));
        }
        Assert.True(worst < 2e-7, $"Q{inputBits} → Q{outputBits}: worst error {worst:E2}");
    }

    [Fact]
    public void Exp_below_minus_32_is_zero()
    {
        Assert.Equal(0, FixedPoint.ExpOnNegativeValues(FixedPoint.FromDouble(-33, 6), 6));
        Assert.Equal(0, FixedPoint.ExpOnNegativeValues(FixedPoint.FromDouble(-100, 10), 10));
    }

    [Fact]
    public void One_over_one_plus_x_is_within_1e8()
    {
        foreach (int a in Raws.Where(r => r >= 0))
        {
            double x = D(a, 0);
            double actual = D(FixedPoint.OneOverOnePlusXForXIn0To1(a), 0);
            Assert.True(Math.Abs(1 / (1 + x) - actual) < 1e-8, $"1/(1+{x}) = {actual}");
        }
    }

    [Fact]
    public void One_minus_x_over_one_plus_x_is_within_6e9()
    {
        foreach (int a in Raws.Where(r => r > 0))
        {
            double x = D(a, 0);
            double actual = D(FixedPoint.OneMinusXOverOnePlusXForXIn0To1(a), 0);
            Assert.True(Math.Abs((1 - x) / (1 + x) - actual) < 6e-9, $"(1-{x})/(1+{x}) = {actual}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Tanh_is_within_1_5e7(int integerBits)
    {
        foreach (int a in Raws)
        {
            double x = D(a, integerBits);
            double actual = D(FixedPoint.Tanh(a, integerBits), 0);
            Assert.True(Math.Abs(Math.Tanh(x) - actual) < 1.5e-7, $"Q{integerBits}: tanh({x}) = {actual}, expected {Math.Tanh(x)}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    public void Logistic_is_within_3e7(int integerBits)
    {
        foreach (int a in Raws)
        {
            double x = D(a, integerBits);
            double expected = 1 / (1 + Math.Exp(-x));
            double actual = D(FixedPoint.Logistic(a, integerBits), 0);
            Assert.True(Math.Abs(expected - actual) < 3e-7, $"Q{integerBits}: logistic({x}) = {actual}, expected {expected}");
        }
        Assert.Equal(1 << 30, FixedPoint.Logistic(0, integerBits));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(0)]
    [InlineData(5)]
    public void Reciprocal_scaled_by_its_exponent_is_one_over_x(int integerBits)
    {
        foreach (int x in Raws.Where(r => r > 0))
        {
            int reciprocal = FixedPoint.GetReciprocal(x, integerBits, out int bitsOverUnit);
            double actual = D(reciprocal, 0) * Math.Pow(2, -bitsOverUnit);
            double expected = 1 / D(x, integerBits);
            Assert.True(Math.Abs(actual - expected) <= 1e-8 * expected, $"1/{D(x, integerBits)} = {actual}, expected {expected}");
        }
    }

    [Fact]
    public void Reciprocal_of_a_power_of_two_is_exact_in_the_exponent()
    {
        // 4.0 in Q12.19: normalised to 1.0, so the mantissa is (almost) one and 2 bits are over the unit.
        int reciprocal = FixedPoint.GetReciprocal(4 << 19, 12, out int bitsOverUnit);
        Assert.Equal(2, bitsOverUnit);
        Assert.True(reciprocal >= int.MaxValue - 2, $"mantissa {reciprocal}");
    }

    [Fact]
    public void Format_helpers()
    {
        Assert.Equal(int.MaxValue, FixedPoint.One(0));
        Assert.Equal(1 << 28, FixedPoint.One(3));
        Assert.Equal(1 << 24, FixedPoint.ConstantPowerOfTwo(5, -2)); // 1/4 in Q5.26
        Assert.Equal(26, FixedPoint.FractionalBits(5));
        Assert.Equal(-(1 << 30), FixedPoint.FromDouble(-0.5, 0));
        Assert.Equal(int.MaxValue, FixedPoint.FromDouble(1.0, 0));
        Assert.Equal(0.75, FixedPoint.ToDouble(3 << 24, 5));
    }
}
