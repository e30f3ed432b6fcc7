using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class QuantizeTests
{
    private static Model SingleOp(BuiltinOperator op, TensorType inputType, TensorType outputType, int count,
        float inputScale = 0f, int inputZeroPoint = 0, float outputScale = 0f, int outputZeroPoint = 0)
    {
        var b = new ModelBuilder();
        int input = inputType == TensorType.FLOAT32
            ? b.AddTensor("x", inputType, [1, count])
            : b.AddTensor("x", inputType, [1, count], scales: [inputScale], zeroPoints: [inputZeroPoint]);
        int output = outputType == TensorType.FLOAT32
            ? b.AddTensor("y", outputType, [1, count])
            : b.AddTensor("y", outputType, [1, count], scales: [outputScale], zeroPoints: [outputZeroPoint]);
        b.AddOperator(op, [input], [output]);
        b.SetInputs(input).SetOutputs(output);
        return b.ToModel();
    }

    private static MicroInterpreter Run(Model model)
    {
        var interpreter = new MicroInterpreter(model, new OpResolver().Add(BuiltinOperator.QUANTIZE).Add(BuiltinOperator.DEQUANTIZE), 8192);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Fact]
    public void Float_to_int8_rounds_exact_halves_away_from_zero()
    {
        using var interpreter = Run(SingleOp(BuiltinOperator.QUANTIZE, TensorType.FLOAT32, TensorType.INT8, 8,
            outputScale: 0.5f, outputZeroPoint: 0));
        // x / 0.5 = 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.4, -0.6: halves go away from zero (not to even).
        interpreter.Input(0).CopyFrom(new[] { 0.25f, -0.25f, 0.75f, -0.75f, 1.25f, -1.25f, 0.2f, -0.3f });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 1, -1, 2, -2, 3, -3, 0, -1 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Float_to_int8_adds_the_zero_point_and_saturates()
    {
        using var interpreter = Run(SingleOp(BuiltinOperator.QUANTIZE, TensorType.FLOAT32, TensorType.INT8, 5,
            outputScale: 0.5f, outputZeroPoint: 10));
        interpreter.Input(0).CopyFrom(new[] { 0f, 1f, 58.5f, 1000f, -1000f });
        interpreter.Invoke();
        // 0 -> 10; 2 + 10 = 12; 117 + 10 = 127; far beyond both ends -> 127 and -128.
        Assert.Equal(new sbyte[] { 10, 12, 127, 127, -128 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Float_to_int16_and_uint8_saturate_at_their_own_ranges()
    {
        using var int16 = Run(SingleOp(BuiltinOperator.QUANTIZE, TensorType.FLOAT32, TensorType.INT16, 4,
            outputScale: 0.125f, outputZeroPoint: 0));
        int16.Input(0).CopyFrom(new[] { 1.5625f, -1.5625f, 5000f, -5000f });
        int16.Invoke();
        // +-12.5 steps round away from zero; +-40000 steps saturate.
        Assert.Equal(new short[] { 13, -13, 32767, -32768 }, int16.Output(0).ToArray<short>());

        using var uint8 = Run(SingleOp(BuiltinOperator.QUANTIZE, TensorType.FLOAT32, TensorType.UINT8, 4,
            outputScale: 1f, outputZeroPoint: 128));
        uint8.Input(0).CopyFrom(new[] { 0f, 2.5f, 200f, -200f });
        uint8.Invoke();
        Assert.Equal(new byte[] { 128, 131, 255, 0 }, uint8.Output(0).ToArray<byte>());
    }

    [Fact]
    public void Float_beyond_int32_quantizes_as_native_TFLM_does()
    {
        // TFLM casts round(x / scale) to int32 with C semantics; on x86 anything out of range (and NaN)
        // becomes INT32_MIN, so after the clamp such inputs land on the type minimum.
        using var interpreter = Run(SingleOp(BuiltinOperator.QUANTIZE, TensorType.FLOAT32, TensorType.INT8, 3,
            outputScale: 1f, outputZeroPoint: 0));
        interpreter.Input(0).CopyFrom(new[] { 1e20f, float.NaN, -1e20f });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { -128, -128, -128 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Dequantize_worked_examples()
    {
        using var int8 = Run(SingleOp(BuiltinOperator.DEQUANTIZE, TensorType.INT8, TensorType.FLOAT32, 4,
            inputScale: 0.5f, inputZeroPoint: -3));
        int8.Input(0).CopyFrom(new sbyte[] { -3, 5, -128, 127 });
        int8.Invoke();
        // 0.5 * (q + 3)
        Assert.Equal(new[] { 0f, 4f, -62.5f, 65f }, int8.Output(0).ToArray<float>());

        using var int16 = Run(SingleOp(BuiltinOperator.DEQUANTIZE, TensorType.INT16, TensorType.FLOAT32, 3,
            inputScale: 0.25f, inputZeroPoint: 0));
        int16.Input(0).CopyFrom(new short[] { 100, -32768, 1 });
        int16.Invoke();
        Assert.Equal(new[] { 25f, -8192f, 0.25f }, int16.Output(0).ToArray<float>());

        using var uint8 = Run(SingleOp(BuiltinOperator.DEQUANTIZE, TensorType.UINT8, TensorType.FLOAT32, 3,
            inputScale: 2f, inputZeroPoint: 128));
        uint8.Input(0).CopyFrom(new byte[] { 130, 0, 255 });
        uint8.Invoke();
        Assert.Equal(new[] { 4f, -256f, 254f }, uint8.Output(0).ToArray<float>());
    }

    [Fact]
    public void Requantize_int16_to_int8_worked_example()
    {
        // Scales 1/1024 -> 1/256: the multiplier is exactly 1/4; output zero point -5.
        using var interpreter = Run(SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT16, TensorType.INT8, 6,
            inputScale: 1f / 1024, inputZeroPoint: 0, outputScale: 1f / 256, outputZeroPoint: -5));
        interpreter.Input(0).CopyFrom(new short[] { 100, 101, 102, -102, 10000, -10000 });
        interpreter.Invoke();
        // TFLM applies 1/4 as a rounding doubling high multiply by 1/2 and then a rounding shift by 1, so it
        // rounds twice: 100 -> 50 -> 25; 101 -> 50.5 -> 51 -> 25.5 -> 26 (not 25.25 -> 25); 102 -> 51 -> 26;
        // -102 -> -51 -> -25.5 -> -26 (ties away from zero); plus the zero point -5; then saturation.
        Assert.Equal(new sbyte[] { 20, 21, 21, -31, 127, -128 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Requantize_int16_to_int32_as_at_the_end_of_keyword_scrambled()
    {
        // The softmax's int16 output (zero point -32768, scale 1/65536) into int32 at twice the scale.
        using var interpreter = Run(SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT16, TensorType.INT32, 4,
            inputScale: 1f / 65536, inputZeroPoint: -32768, outputScale: 1f / 32768, outputZeroPoint: 0));
        interpreter.Input(0).CopyFrom(new short[] { -32768, 32767, 0, -32767 });
        interpreter.Invoke();
        // (q + 32768) / 2: 0, 32767.5 -> 32768, 16384, 0.5 -> 1.
        Assert.Equal(new[] { 0, 32768, 16384, 1 }, interpreter.Output(0).ToArray<int>());
    }

    [Fact]
    public void Requantize_int8_to_int8_moves_the_zero_point_and_clamps()
    {
        using var interpreter = Run(SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT8, TensorType.INT8, 4,
            inputScale: 0.1f, inputZeroPoint: 0, outputScale: 0.1f, outputZeroPoint: 10));
        interpreter.Input(0).CopyFrom(new sbyte[] { 0, -50, 117, 120 });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 10, -40, 127, 127 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Requantize_int8_to_int16_and_int32_scales_up()
    {
        // 1/16 -> 1/64: times 4.
        using var int16 = Run(SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT8, TensorType.INT16, 3,
            inputScale: 1f / 16, inputZeroPoint: 1, outputScale: 1f / 64, outputZeroPoint: 0));
        int16.Input(0).CopyFrom(new sbyte[] { 1, -128, 127 });
        int16.Invoke();
        Assert.Equal(new short[] { 0, -516, 504 }, int16.Output(0).ToArray<short>());

        using var int32 = Run(SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT8, TensorType.INT32, 2,
            inputScale: 1f / 16, inputZeroPoint: 0, outputScale: 1f / 64, outputZeroPoint: 7));
        int32.Input(0).CopyFrom(new sbyte[] { -128, 127 });
        int32.Invoke();
        Assert.Equal(new[] { -505, 515 }, int32.Output(0).ToArray<int>());
    }

    [Theory]
    [InlineData("quantize0", "input0_int32", "golden_int16")]
    [InlineData("quantize1", "input0_int16", "golden_int32")]
    public void Seanet_quantize_layers_match_TFLites_goldens_exactly(string layer, string inputFile, string goldenFile)
    {
        string dir = Path.Combine(SharedData.Directory, "seanet", "quantize");
        using var interpreter = Run(Model.Load(Path.Combine(dir, layer + ".tflite")));
        long[] ReadCsv(string name) => File.ReadAllText(Path.Combine(dir, $"{layer}_{name}.csv"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        var input = ReadCsv(inputFile);
        var golden = ReadCsv(goldenFile);

        var inputTensor = interpreter.Input(0);
        if (inputTensor.Type == TensorType.INT32) inputTensor.CopyFrom(input.Select(v => (int)v).ToArray());
        else inputTensor.CopyFrom(input.Select(v => (short)v).ToArray());
        interpreter.Invoke();

        var output = interpreter.Output(0);
        long[] actual = output.Type == TensorType.INT32
            ? output.ToArray<int>().Select(v => (long)v).ToArray()
            : output.ToArray<short>().Select(v => (long)v).ToArray();
        Assert.Equal(golden.Length, actual.Length);
        // TFLM's own test accepts +-1 here; requantization has no float step, so these agree exactly.
        for (int i = 0; i < golden.Length; i++)
            Assert.True(actual[i] == golden[i], $"{layer} element {i}: {actual[i]}, TFLite gives {golden[i]}");
    }

    [Fact]
    public void Unsupported_quantize_types_fail_in_prepare_naming_them()
    {
        var model = SingleOp(BuiltinOperator.QUANTIZE, TensorType.FLOAT32, TensorType.INT32, 2, outputScale: 1f);
        var interpreter = new MicroInterpreter(model, new OpResolver().Add(BuiltinOperator.QUANTIZE), 8192);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Contains("operator 0 (QUANTIZE)", e.Message);
        Assert.Contains("float32", e.Message);
        Assert.Contains("int32", e.Message);
    }

    [Fact]
    public void Unsupported_dequantize_types_fail_in_prepare_naming_them()
    {
        var model = SingleOp(BuiltinOperator.DEQUANTIZE, TensorType.INT32, TensorType.FLOAT32, 2, inputScale: 1f);
        var interpreter = new MicroInterpreter(model, new OpResolver().Add(BuiltinOperator.DEQUANTIZE), 8192);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Contains("operator 0 (DEQUANTIZE)", e.Message);
        Assert.Contains("int32", e.Message);
    }

    [Fact]
    public void Invoke_allocates_nothing_on_any_path()
    {
        var models = new[]
        {
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.FLOAT32, TensorType.INT8, 4, outputScale: 0.5f),
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.FLOAT32, TensorType.INT16, 4, outputScale: 0.5f),
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.FLOAT32, TensorType.UINT8, 4, outputScale: 0.5f),
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT8, TensorType.INT8, 4, inputScale: 1f, outputScale: 0.5f),
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT8, TensorType.UINT8, 4, inputScale: 1f, outputScale: 0.5f),
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT8, TensorType.INT16, 4, inputScale: 1f, outputScale: 0.5f),
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT8, TensorType.INT32, 4, inputScale: 1f, outputScale: 0.5f),
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.UINT8, TensorType.INT8, 4, inputScale: 1f, outputScale: 0.5f),
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT16, TensorType.INT8, 4, inputScale: 1f, outputScale: 0.5f),
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT16, TensorType.INT16, 4, inputScale: 1f, outputScale: 0.5f),
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT16, TensorType.INT32, 4, inputScale: 1f, outputScale: 0.5f),
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT32, TensorType.INT8, 4, inputScale: 1f, outputScale: 0.5f),
            SingleOp(BuiltinOperator.QUANTIZE, TensorType.INT32, TensorType.INT16, 4, inputScale: 1f, outputScale: 0.5f),
            SingleOp(BuiltinOperator.DEQUANTIZE, TensorType.INT8, TensorType.FLOAT32, 4, inputScale: 0.5f),
            SingleOp(BuiltinOperator.DEQUANTIZE, TensorType.INT16, TensorType.FLOAT32, 4, inputScale: 0.5f),
            SingleOp(BuiltinOperator.DEQUANTIZE, TensorType.UINT8, TensorType.FLOAT32, 4, inputScale: 0.5f),
        };
        foreach (var model in models)
        {
            using var interpreter = Run(model);
            Assert.Equal(0, InvokeAllocations.Measure(interpreter));
        }
    }
}
