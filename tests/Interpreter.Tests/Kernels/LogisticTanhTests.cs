using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>
/// LOGISTIC and TANH. Oracles: System.Math in double for the value, the quantization steps for the
/// tolerance, and a few table interpolations worked out by hand from TFLM's sigmoid table.
/// </summary>
public class LogisticTanhTests
{
    private static MicroInterpreter Build(BuiltinOperator op, TensorType type, int count,
        float[]? inScale = null, long[]? inZero = null, float[]? outScale = null, long[]? outZero = null)
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", type, [1, count], scales: inScale, zeroPoints: inZero);
        int output = b.AddTensor("y", type, [1, count], scales: outScale, zeroPoints: outZero);
        b.AddOperator(op, [input], [output]);
        b.SetInputs(input).SetOutputs(output);
        var interpreter = new MicroInterpreter(b.ToModel(), new OpResolver().Add(op), 1 << 19);
        interpreter.AllocateTensors();
        return interpreter;
    }

    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    private static float[] FloatGrid()
    {
        // -20 .. 20 in steps of 1/64, plus the points around TFLM's float cut-offs.
        var values = new List<float>();
        for (int i = -1280; i <= 1280; i++) values.Add(i / 64f);
        values.AddRange([-9.0001f, -9f, -8.9999f, 16.619f, 16.62f, 30f, -30f, 0f]);
        return values.ToArray();
    }

    [Fact]
    public void Float_logistic_matches_the_sigmoid_within_1e_6()
    {
        var x = FloatGrid();
        using var interpreter = Build(BuiltinOperator.LOGISTIC, TensorType.FLOAT32, x.Length);
        interpreter.Input(0).CopyFrom(x);
        interpreter.Invoke();
        var y = interpreter.Output(0).ToArray<float>();
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(y[i] - Sigmoid(x[i])) <= 1e-6, $"logistic({x[i]}) = {y[i]}, expected {Sigmoid(x[i])}");
    }

    [Fact]
    public void Float_tanh_matches_Math_tanh_within_1e_6()
    {
        var x = FloatGrid();
        using var interpreter = Build(BuiltinOperator.TANH, TensorType.FLOAT32, x.Length);
        interpreter.Input(0).CopyFrom(x);
        interpreter.Invoke();
        var y = interpreter.Output(0).ToArray<float>();
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(y[i] - Math.Tanh(x[i])) <= 1e-6, $"tanh({x[i]}) = {y[i]}, expected {Math.Tanh(x[i])}");
    }

    private static sbyte[] AllInt8()
    {
        var q = new sbyte[256];
        for (int i = 0; i < 256; i++) q[i] = (sbyte)(i - 128);
        return q;
    }

    [Theory]
    [InlineData(0.1f, 0)]      // saturates beyond +-12
    [InlineData(0.05f, 10)]    // asymmetric input
    [InlineData(0.0625f, -128)] // only positive inputs
    [InlineData(0.02f, 0)]     // never saturates
    public void Int8_logistic_is_within_one_step_of_the_sigmoid_over_every_input(float scale, int zeroPoint)
    {
        using var interpreter = Build(BuiltinOperator.LOGISTIC, TensorType.INT8, 256, [scale], [zeroPoint], [1f / 256], [-128]);
        var q = AllInt8();
        interpreter.Input(0).CopyFrom(q);
        interpreter.Invoke();
        var y = interpreter.Output(0).ToArray<sbyte>();
        for (int i = 0; i < 256; i++)
        {
            double real = Sigmoid(scale * (q[i] - zeroPoint));
            double expected = Math.Clamp(real * 256 - 128, -128, 127);
            Assert.True(Math.Abs(y[i] - expected) <= 1.0, $"input {q[i]}: {y[i]}, the sigmoid gives {expected:F3}");
        }
    }

    [Theory]
    [InlineData(0.1f, 0)]
    [InlineData(0.05f, 10)]
    [InlineData(0.0625f, -128)]
    [InlineData(0.01f, 0)]
    public void Int8_tanh_is_within_one_step_of_Math_tanh_over_every_input(float scale, int zeroPoint)
    {
        using var interpreter = Build(BuiltinOperator.TANH, TensorType.INT8, 256, [scale], [zeroPoint], [1f / 128], [0]);
        var q = AllInt8();
        interpreter.Input(0).CopyFrom(q);
        interpreter.Invoke();
        var y = interpreter.Output(0).ToArray<sbyte>();
        for (int i = 0; i < 256; i++)
        {
            double expected = Math.Clamp(Math.Tanh(scale * (q[i] - zeroPoint)) * 128, -128, 127);
            Assert.True(Math.Abs(y[i] - expected) <= 1.0, $"input {q[i]}: {y[i]}, tanh gives {expected:F3}");
        }
    }

    private static short[] AllInt16()
    {
        var q = new short[65536];
        for (int i = 0; i < q.Length; i++) q[i] = (short)(i - 32768);
        return q;
    }

    // The int16 kernels interpolate linearly between table entries 1/24 apart (each entry within one
    // unit of 2^-16): that bounds the error to about 1.5 output steps of 2^-15, so 2 steps are allowed.
    // When the input scale is not an exact multiple of the table unit 1/12288, the rescale adds an
    // input error of half a unit (rounding) plus |x|/16384 (the multiplier is truncated to 15 bits),
    // which the output sees times the function's slope.
    private static double Int16Tolerance(double x, double slope, bool exactRescale) =>
        2.0 + (exactRescale ? 0.0 : slope * 32768 * (0.5 / 12288 + Math.Abs(x) / 16384));

    [Theory]
    [InlineData(1f / 4096, true)]   // Q3.12: the power-of-two case, no multiplier
    [InlineData(1f / 2048, true)]   // power of two, but not Q3.12: goes through the multiplier (6 << 12)
    [InlineData(0.0003f, false)]    // arbitrary scale
    public void Int16_logistic_is_within_two_steps_of_the_sigmoid_over_every_input(float scale, bool exactRescale)
    {
        using var interpreter = Build(BuiltinOperator.LOGISTIC, TensorType.INT16, 65536, [scale], [0], [1f / 32768], [0]);
        var q = AllInt16();
        interpreter.Input(0).CopyFrom(q);
        interpreter.Invoke();
        var y = interpreter.Output(0).ToArray<short>();
        for (int i = 0; i < q.Length; i++)
        {
            double x = (double)scale * q[i];
            double s = Sigmoid(x);
            double expected = Math.Min(s * 32768, 32767);
            double tolerance = Int16Tolerance(x, s * (1 - s), exactRescale);
            Assert.True(Math.Abs(y[i] - expected) <= tolerance, $"input {q[i]}: {y[i]}, the sigmoid gives {expected:F3}");
        }
    }

    [Theory]
    [InlineData(1f / 4096, true)]   // Q3.12
    [InlineData(1f / 2048, true)]   // the second power-of-two case tanh accepts without a multiplier
    [InlineData(0.0003f, false)]
    public void Int16_tanh_is_within_two_steps_of_Math_tanh_over_every_input(float scale, bool exactRescale)
    {
        using var interpreter = Build(BuiltinOperator.TANH, TensorType.INT16, 65536, [scale], [0], [1f / 32768], [0]);
        var q = AllInt16();
        interpreter.Input(0).CopyFrom(q);
        interpreter.Invoke();
        var y = interpreter.Output(0).ToArray<short>();
        for (int i = 0; i < q.Length; i++)
        {
            double x = (double)scale * q[i];
            double t = Math.Tanh(x);
            double expected = Math.Clamp(t * 32768, -32768, 32767);
            double tolerance = Int16Tolerance(x, 1 - t * t, exactRescale);
            Assert.True(Math.Abs(y[i] - expected) <= tolerance, $"input {q[i]}: {y[i]}, tanh gives {expected:F3}");
        }
    }

    [Fact]
    public void Int16_activations_interpolate_TFLMs_sigmoid_table_exactly()
    {
        // Input Q3.12; the kernel scales by 3, so input q lands at 3q in table units of 1/(3*4096).
        short[] q = [0, 512, 4096, -4096, 32767, -32768];
        using var logistic = Build(BuiltinOperator.LOGISTIC, TensorType.INT16, q.Length, [1f / 4096], [0], [1f / 32768], [0]);
        logistic.Input(0).CopyFrom(q);
        logistic.Invoke();
        // 0: table[0] = 32768 -> (32768*512 + 512) >> 10 = 16384.
        // 512: 1536 units = entry 3 exactly: (34813*512 + 512) >> 10 = 17407.
        // 4096: 12288 units = entry 24: (47911*512 + 512) >> 10 = 23956.
        // -4096: mirrored: (2^25 - 47911*512 + 512 - 1) >> 10 = 8812.
        // 32767: 98301 units = entry 191 (65513) + 509/512 of the step to entry 192 (65514):
        //   (65513*512 + 509 + 512) >> 10 = 32757.
        // -32768: 98304 units = entry 192 exactly, mirrored: (2^25 - 65514*512 + 511) >> 10 = 11.
        Assert.Equal(new short[] { 16384, 17407, 23956, 8812, 32757, 11 }, logistic.Output(0).ToArray<short>());

        using var tanh = Build(BuiltinOperator.TANH, TensorType.INT16, q.Length, [1f / 4096], [0], [1f / 32768], [0]);
        tanh.Input(0).CopyFrom(q);
        tanh.Invoke();
        // tanh reads the table with 8 fractional bits: 512 -> 1536 units = entry 6: (36843*256 - 2^23 + 128) >> 8 = 4075.
        // 4096 -> entry 48: (57724*256 - 2^23 + 128) >> 8 = 24956; -4096 mirrored: (-(57724*256) + 2^23 + 127) >> 8 = -24956.
        // +-8 is past the table's end (entry 383): (0xFFFF00 - 2^23 + 128) >> 8 = 32767 and (-0xFFFF00 + 2^23 + 127) >> 8 = -32767.
        Assert.Equal(new short[] { 0, 4075, 24956, -24956, 32767, -32767 }, tanh.Output(0).ToArray<short>());
    }

    [Fact]
    public void Sigmoid_table_holds_sigmoid_of_i_over_24_in_Q0_16()
    {
        // TFLM's entries are not plain roundings (a few sit just over one unit away), but a mistyped
        // entry would be far off or break the monotonic order the interpolation relies on.
        var table = TinyMl.Interpreter.Quantization.FixedPoint.SigmoidTable;
        Assert.Equal(256, table.Length);
        for (int i = 0; i < table.Length; i++)
        {
            double exact = Math.Min(65536 * Sigmoid(i / 24.0), 65535);
            Assert.True(Math.Abs(table[i] - exact) <= 1.25, $"entry {i} is {table[i]}, 65536*sigmoid({i}/24) = {exact:F2}");
            if (i > 0) Assert.True(table[i] >= table[i - 1], $"entry {i} is below entry {i - 1}");
        }
    }

    [Fact]
    public void Int8_logistic_needs_the_fixed_output_zero_point()
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() =>
            Build(BuiltinOperator.LOGISTIC, TensorType.INT8, 4, [0.1f], [0], [1f / 256], [0]));
        Assert.Contains("operator 0 (LOGISTIC)", e.Message);
        Assert.Contains("-128", e.Message);
    }

    [Fact]
    public void Int16_tanh_rejects_an_output_scale_other_than_2_to_the_minus_15()
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() =>
            Build(BuiltinOperator.TANH, TensorType.INT16, 4, [1f / 4096], [0], [1f / 4096], [0]));
        Assert.Contains("operator 0 (TANH)", e.Message);
        Assert.Contains("2^-15", e.Message);
    }

    [Fact]
    public void Mismatched_input_and_output_types_are_rejected()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 4]);
        int output = b.AddTensor("y", TensorType.INT8, [1, 4], scales: [1f / 256], zeroPoints: [-128]);
        b.AddOperator(BuiltinOperator.LOGISTIC, [input], [output]);
        b.SetInputs(input).SetOutputs(output);
        var e = Assert.Throws<UnsupportedOperatorException>(() =>
            new MicroInterpreter(b.ToModel(), new OpResolver().Add(BuiltinOperator.LOGISTIC), 4096).AllocateTensors());
        Assert.Contains("operator 0 (LOGISTIC)", e.Message);
    }
}
