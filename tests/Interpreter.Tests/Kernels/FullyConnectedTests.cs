using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class FullyConnectedTests
{
    private static MicroInterpreter Run(Model model)
    {
        var interpreter = new MicroInterpreter(model, new OpResolver().Add(BuiltinOperator.FULLY_CONNECTED), 4096);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Fact]
    public void Float_output_is_the_dot_product_plus_bias_clamped_by_relu()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 3]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, [2, 3], new[] { 1f, 2f, 3f, -1f, -2f, -3f });
        int bias = b.AddConstant("b", TensorType.FLOAT32, [2], new[] { 0.5f, 0.5f });
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 2]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [input, weights, bias], [output],
            BuiltinOptionsUnion.FromFullyConnectedOptions(new FullyConnectedOptionsT { FusedActivationFunction = ActivationFunctionType.RELU }));
        b.SetInputs(input).SetOutputs(output);

        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new[] { 1f, 1f, 2f });
        interpreter.Invoke();
        // 1+2+6+0.5 = 9.5; -(1+2+6)+0.5 = -8.5 clamped to 0 by RELU.
        Assert.Equal(new[] { 9.5f, 0f }, interpreter.Output(0).ToArray<float>());
    }

    [Fact]
    public void Int8_output_requantizes_with_the_input_and_output_zero_points()
    {
        // Scales chosen so the multiplier is exactly 0.5: real = 0.5 * 1.0 / 1.0.
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT8, [1, 2], scales: [0.5f], zeroPoints: [-1]);
        int weights = b.AddConstant("w", TensorType.INT8, [1, 2], new sbyte[] { 3, -2 }, scales: [1f], zeroPoints: [0]);
        int bias = b.AddConstant("b", TensorType.INT32, [1], new[] { 4 }, scales: [0.5f], zeroPoints: [0]);
        int output = b.AddTensor("y", TensorType.INT8, [1, 1], scales: [1f], zeroPoints: [2]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [input, weights, bias], [output]);
        b.SetInputs(input).SetOutputs(output);

        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new sbyte[] { 9, 5 });
        interpreter.Invoke();
        // acc = 3*(9+1) + (-2)*(5+1) + 4 = 22; 22 * 0.5 = 11; + zero point 2 = 13.
        Assert.Equal(new sbyte[] { 13 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Mismatched_weights_are_reported_with_the_operator()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 3]);
        int weights = b.AddConstant("w", TensorType.FLOAT32, [2, 4], new float[8]);
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 2]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [input, weights, -1], [output]);
        b.SetInputs(input).SetOutputs(output);

        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(b.ToModel()));
        Assert.Contains("operator 0 (FULLY_CONNECTED)", e.Message);
        Assert.Contains("rows of 4", e.Message);
    }

    [Fact]
    public void Int16_activations_accumulate_in_64_bits_with_int64_bias()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT16, [1, 2], scales: [1f], zeroPoints: [0]);
        int weights = b.AddConstant("w", TensorType.INT8, [1, 2], new sbyte[] { 2, -3 }, scales: [0.5f], zeroPoints: [0]);
        int bias = b.AddConstant("b", TensorType.INT64, [1], new long[] { 10 }, scales: [0.5f], zeroPoints: [0]);
        int output = b.AddTensor("y", TensorType.INT16, [1, 1], scales: [1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [input, weights, bias], [output]);
        b.SetInputs(input).SetOutputs(output);

        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new short[] { 30000, -20000 });
        interpreter.Invoke();
        // acc = 2*30000 + (-3)*(-20000) + 10 = 120010 (beyond int16, fine in the accumulator);
        // * 0.5 = 60005 rounds to 60005 and saturates to 32767.
        Assert.Equal(new short[] { 32767 }, interpreter.Output(0).ToArray<short>());
        interpreter.Input(0).CopyFrom(new short[] { 100, 40 });
        interpreter.Invoke();
        // acc = 200 - 120 + 10 = 90; * 0.5 = 45.
        Assert.Equal(new short[] { 45 }, interpreter.Output(0).ToArray<short>());
    }
}
