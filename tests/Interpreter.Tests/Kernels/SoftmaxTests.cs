using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class SoftmaxTests
{
    private static Model SoftmaxModel(TensorType inputType, TensorType outputType, int[] shape, float beta = 1f,
        float inputScale = 0f, int inputZeroPoint = 0, float outputScale = 0f, int outputZeroPoint = 0)
    {
        var b = new ModelBuilder();
        int input = inputType == TensorType.FLOAT32
            ? b.AddTensor("x", inputType, shape)
            : b.AddTensor("x", inputType, shape, scales: [inputScale], zeroPoints: [inputZeroPoint]);
        int output = outputType == TensorType.FLOAT32
            ? b.AddTensor("y", outputType, shape)
            : b.AddTensor("y", outputType, shape, scales: [outputScale], zeroPoints: [outputZeroPoint]);
        b.AddOperator(BuiltinOperator.SOFTMAX, [input], [output],
            BuiltinOptionsUnion.FromSoftmaxOptions(new SoftmaxOptionsT { Beta = beta }));
        b.SetInputs(input).SetOutputs(output);
        return b.ToModel();
    }

    private static MicroInterpreter Run(Model model)
    {
        var interpreter = new MicroInterpreter(model, new OpResolver().Add(BuiltinOperator.SOFTMAX), 8192);
        interpreter.AllocateTensors();
        return interpreter;
    }

    private static double[] DoubleSoftmax(double[] x, double beta)
    {
        double max = x.Max();
        var e = x.Select(v => Math.Exp(beta * (v - max))).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0.5f)]
    [InlineData(3f)]
    public void Float_softmax_sums_to_one_and_matches_double_precision(float beta)
    {
        float[] input = [1f, 2f, 3f, 4f, -1f, 0.5f, 0.25f, 0f, -0.25f, 8f];
        using var interpreter = Run(SoftmaxModel(TensorType.FLOAT32, TensorType.FLOAT32, [2, 5], beta));
        interpreter.Input(0).CopyFrom(input);
        interpreter.Invoke();
        var output = interpreter.Output(0).ToArray<float>();
        for (int row = 0; row < 2; row++)
        {
            var x = input.Skip(row * 5).Take(5).Select(v => (double)v).ToArray();
            var expected = DoubleSoftmax(x, beta);
            var y = output.Skip(row * 5).Take(5).ToArray();
            Assert.True(Math.Abs(y.Sum(v => (double)v) - 1) < 1e-6, $"row {row} sums to {y.Sum()}");
            for (int c = 0; c < 5; c++)
                Assert.True(Math.Abs(y[c] - expected[c]) < 1e-6, $"row {row} element {c}: {y[c]}, expected {expected[c]}");
        }
    }

    [Fact]
    public void Int8_softmax_of_equal_inputs_gives_equal_quarters()
    {
        using var interpreter = Run(SoftmaxModel(TensorType.INT8, TensorType.INT8, [1, 4],
            inputScale: 0.1f, inputZeroPoint: 3, outputScale: 1f / 256, outputZeroPoint: -128));
        interpreter.Input(0).CopyFrom(new sbyte[] { 17, 17, 17, 17 });
        interpreter.Invoke();
        // Each probability is 1/4 = 64/256, stored as -128 + 64.
        Assert.Equal(new sbyte[] { -64, -64, -64, -64 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Int8_softmax_of_a_dominant_input_saturates_at_127()
    {
        using var interpreter = Run(SoftmaxModel(TensorType.INT8, TensorType.INT8, [2, 3],
            inputScale: 0.5f, inputZeroPoint: 0, outputScale: 1f / 256, outputZeroPoint: -128));
        // Row 0: differences of -255 * 0.5 are beyond the exp radius (-31): exactly 0 and 1.
        // Row 1: exp(-10) = 4.5e-5 is under half a step of 1/256, so still -128 and the top saturates.
        interpreter.Input(0).CopyFrom(new sbyte[] { 127, -128, -128, -20, 0, -20 });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 127, -128, -128, -128, 127, -128 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Int8_softmax_stays_within_one_step_of_the_real_softmax()
    {
        const float scale = 0.0699627325f; // keyword_scrambled's final logits
        sbyte[] input = [-128, -60, -20, -5, 0, 1, 30, 90, 127, 64];
        using var interpreter = Run(SoftmaxModel(TensorType.INT8, TensorType.INT8, [1, 10],
            inputScale: scale, inputZeroPoint: 2, outputScale: 1f / 256, outputZeroPoint: -128));
        interpreter.Input(0).CopyFrom(input);
        interpreter.Invoke();
        var expected = DoubleSoftmax(input.Select(v => (double)scale * (v - 2)).ToArray(), 1.0);
        var output = interpreter.Output(0).ToArray<sbyte>();
        for (int i = 0; i < input.Length; i++)
        {
            double q = Math.Clamp(Math.Round(expected[i] * 256) - 128, -128, 127);
            Assert.True(Math.Abs(output[i] - q) <= 1, $"element {i}: {output[i]}, real softmax gives {q}");
        }
    }

    [Fact]
    public void Int8_to_int16_softmax_splits_two_equal_inputs_in_halves()
    {
        using var interpreter = Run(SoftmaxModel(TensorType.INT8, TensorType.INT16, [1, 2],
            inputScale: 0.0699627325f, inputZeroPoint: 2, outputScale: 1.52590219E-05f, outputZeroPoint: -32768));
        interpreter.Input(0).CopyFrom(new sbyte[] { -7, -7 });
        interpreter.Invoke();
        // 0.5 = 32768 / 65536, stored as -32768 + 32768.
        Assert.Equal(new short[] { 0, 0 }, interpreter.Output(0).ToArray<short>());
    }

    [Fact]
    public void Int8_to_int16_softmax_is_within_two_steps_of_the_real_softmax()
    {
        const float scale = 0.05f;
        sbyte[] input = [-100, -50, -10, 0, 10, 20, 25, 40];
        using var interpreter = Run(SoftmaxModel(TensorType.INT8, TensorType.INT16, [1, 8],
            inputScale: scale, inputZeroPoint: 0, outputScale: 1f / 65536, outputZeroPoint: -32768));
        interpreter.Input(0).CopyFrom(input);
        interpreter.Invoke();
        var expected = DoubleSoftmax(input.Select(v => (double)scale * v).ToArray(), 1.0);
        var output = interpreter.Output(0).ToArray<short>();
        for (int i = 0; i < input.Length; i++)
        {
            double q = Math.Round(expected[i] * 65536) - 32768;
            Assert.True(Math.Abs(output[i] - q) <= 2, $"element {i}: {output[i]}, real softmax gives {q}");
        }
    }

    [Fact]
    public void Int16_softmax_splits_equal_inputs_evenly()
    {
        using var interpreter = Run(SoftmaxModel(TensorType.INT16, TensorType.INT16, [1, 4],
            inputScale: 1f / 1024, outputScale: 1f / 32768, outputZeroPoint: 0));
        interpreter.Input(0).CopyFrom(new short[] { 500, 500, 500, 500 });
        interpreter.Invoke();
        // 1/4 of the [0, 32767] range; the tables are accurate to a unit or two.
        foreach (short v in interpreter.Output(0).ToArray<short>())
            Assert.InRange(v, 8192 - 2, 8192 + 2);
    }

    [Fact]
    public void Int16_softmax_follows_the_real_softmax()
    {
        const float scale = 1f / 2048;
        short[] input = [-20000, -5000, -1000, 0, 800, 3000, 3500, 9000];
        using var interpreter = Run(SoftmaxModel(TensorType.INT16, TensorType.INT16, [1, 8],
            inputScale: scale, outputScale: 1f / 32768, outputZeroPoint: 0));
        interpreter.Input(0).CopyFrom(input);
        interpreter.Invoke();
        var expected = DoubleSoftmax(input.Select(v => (double)scale * v).ToArray(), 1.0);
        var output = interpreter.Output(0).ToArray<short>();
        for (int i = 0; i < input.Length; i++)
        {
            double q = Math.Round(expected[i] * 32768);
            Assert.True(Math.Abs(output[i] - q) <= 3, $"element {i}: {output[i]}, real softmax gives {q}");
        }
        Assert.InRange(output.Sum(v => v), 32768 - 8, 32768 + 8);
    }

    [Fact]
    public void Unsupported_type_combination_fails_in_prepare_naming_the_types()
    {
        var model = SoftmaxModel(TensorType.INT8, TensorType.FLOAT32, [1, 4], inputScale: 0.1f);
        var interpreter = new MicroInterpreter(model, new OpResolver().Add(BuiltinOperator.SOFTMAX), 8192);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Contains("operator 0 (SOFTMAX)", e.Message);
        Assert.Contains("int8", e.Message);
        Assert.Contains("float32", e.Message);
    }

    [Fact]
    public void Int8_output_with_the_wrong_quantization_is_rejected()
    {
        var model = SoftmaxModel(TensorType.INT8, TensorType.INT8, [1, 4],
            inputScale: 0.1f, outputScale: 1f / 256, outputZeroPoint: 0);
        var interpreter = new MicroInterpreter(model, new OpResolver().Add(BuiltinOperator.SOFTMAX), 8192);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Contains("zero point -128", e.Message);
    }

    [Fact]
    public void Invoke_allocates_nothing_on_any_path()
    {
        var models = new[]
        {
            SoftmaxModel(TensorType.FLOAT32, TensorType.FLOAT32, [2, 5]),
            SoftmaxModel(TensorType.INT8, TensorType.INT8, [2, 5], inputScale: 0.1f, outputScale: 1f / 256, outputZeroPoint: -128),
            SoftmaxModel(TensorType.INT8, TensorType.INT16, [2, 5], inputScale: 0.1f, outputScale: 1f / 65536, outputZeroPoint: -32768),
            SoftmaxModel(TensorType.INT16, TensorType.INT16, [2, 5], inputScale: 0.001f, outputScale: 1f / 32768),
        };
        foreach (var model in models)
        {
            using var interpreter = Run(model);
            Assert.Equal(0, InvokeAllocations.Measure(interpreter));
        }
    }
}
