using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class SvdfTests
{
    private static MicroInterpreter Run(Model model)
    {
        var interpreter = new MicroInterpreter(model, new OpResolver().Add(BuiltinOperator.SVDF), 8192);
        interpreter.AllocateTensors();
        return interpreter;
    }

    private static BuiltinOptionsUnion Options(int rank, ActivationFunctionType activation = ActivationFunctionType.NONE) =>
        BuiltinOptionsUnion.FromSVDFOptions(new SVDFOptionsT { Rank = rank, FusedActivationFunction = activation });

    // batch 1, input 2, filters 2 (rank 1, so 2 units), memory 3.
    private static (Model Model, int State) FloatModel(ActivationFunctionType activation = ActivationFunctionType.NONE)
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 2]);
        int feature = b.AddConstant("wf", TensorType.FLOAT32, [2, 2], new[] { 1f, 2f, -1f, 0.5f });
        int time = b.AddConstant("wt", TensorType.FLOAT32, [2, 3], new[] { 1f, 2f, 3f, 0.5f, -1f, 2f });
        int bias = b.AddConstant("b", TensorType.FLOAT32, [2], new[] { 0.5f, -0.5f });
        int state = b.AddTensor("state", TensorType.FLOAT32, [1, 6], isVariable: true);
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 2]);
        b.AddOperator(BuiltinOperator.SVDF, [input, feature, time, bias, state], [output], Options(1, activation));
        b.SetInputs(input).SetOutputs(output);
        return (b.ToModel(), state);
    }

    [Fact]
    public void Float_svdf_remembers_the_last_memory_size_features()
    {
        var (model, stateIndex) = FloatModel();
        using var interpreter = Run(model);
        var state = interpreter.Tensors[stateIndex];

        // Features: wf·[1,1] = [3, -0.5] become the newest column; time: 3*3 = 9, 2*-0.5 = -1; plus bias.
        interpreter.Input(0).CopyFrom(new[] { 1f, 1f });
        interpreter.Invoke();
        Assert.Equal(new[] { 9.5f, -1.5f }, interpreter.Output(0).ToArray<float>());

        // Features [-2, -3]; memories [0, 3, -2] and [0, -0.5, -3]:
        // 1*0 + 2*3 + 3*-2 = 0 and 0.5*0 - 1*-0.5 + 2*-3 = -5.5.
        interpreter.Input(0).CopyFrom(new[] { 2f, -2f });
        interpreter.Invoke();
        Assert.Equal(new[] { 0, 3f, -2f, 0f, -0.5f, -3f }, state.ToArray<float>());
        Assert.Equal(new[] { 0.5f, -6f }, interpreter.Output(0).ToArray<float>());

        // Features [0, 0]; memories [3, -2, 0] and [-0.5, -3, 0]: 3 - 4 = -1 and -0.25 + 3 = 2.75.
        interpreter.Input(0).CopyFrom(new[] { 0f, 0f });
        interpreter.Invoke();
        Assert.Equal(new[] { -0.5f, 2.25f }, interpreter.Output(0).ToArray<float>());

        interpreter.Reset();
        interpreter.Input(0).CopyFrom(new[] { 1f, 1f });
        interpreter.Invoke();
        Assert.Equal(new[] { 9.5f, -1.5f }, interpreter.Output(0).ToArray<float>());
    }

    [Fact]
    public void Float_svdf_applies_the_fused_activation()
    {
        using var interpreter = Run(FloatModel(ActivationFunctionType.RELU).Model);
        interpreter.Input(0).CopyFrom(new[] { 1f, 1f });
        interpreter.Invoke();
        Assert.Equal(new[] { 9.5f, 0f }, interpreter.Output(0).ToArray<float>());
    }

    [Fact]
    public void Float_svdf_of_rank_two_sums_pairs_of_filters_without_bias()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 1]);
        int feature = b.AddConstant("wf", TensorType.FLOAT32, [4, 1], new[] { 1f, 2f, 3f, 4f });
        int time = b.AddConstant("wt", TensorType.FLOAT32, [4, 1], new[] { 1f, 1f, 1f, 10f });
        int state = b.AddTensor("state", TensorType.FLOAT32, [1, 4], isVariable: true);
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 2]);
        b.AddOperator(BuiltinOperator.SVDF, [input, feature, time, -1, state], [output], Options(2));
        b.SetInputs(input).SetOutputs(output);

        using var interpreter = Run(b.ToModel());
        interpreter.Input(0).CopyFrom(new[] { 2f });
        interpreter.Invoke();
        // Filters give 2, 4, 6, 8*10; unit 0 = 2 + 4, unit 1 = 6 + 80.
        Assert.Equal(new[] { 6f, 86f }, interpreter.Output(0).ToArray<float>());
    }

    // int8 input (scale 0.5, zero point 3), weights_feature scale 0.25, int16 state scale 0.125: the
    // feature multiplier is exactly 1. weights_time scale 0.5, output scale 0.125 (zero point -1): the
    // output multiplier is exactly 1/2. Bias scale = 0.125 * 0.5.
    private static (Model Model, int State) Int16StateModel(ActivationFunctionType activation = ActivationFunctionType.NONE)
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT8, [1, 2], scales: [0.5f], zeroPoints: [3]);
        int feature = b.AddConstant("wf", TensorType.INT8, [2, 2], new sbyte[] { 2, -1, 1, 3 }, scales: [0.25f]);
        int time = b.AddConstant("wt", TensorType.INT16, [2, 2], new short[] { 1, 2, 3, -1 }, scales: [0.5f]);
        int bias = b.AddConstant("b", TensorType.INT32, [2], new[] { 4, -4 }, scales: [0.0625f]);
        int state = b.AddTensor("state", TensorType.INT16, [1, 4], scales: [0.125f], zeroPoints: [0], isVariable: true);
        int output = b.AddTensor("y", TensorType.INT8, [1, 2], scales: [0.125f], zeroPoints: [-1]);
        b.AddOperator(BuiltinOperator.SVDF, [input, feature, time, bias, state], [output], Options(1, activation));
        b.SetInputs(input).SetOutputs(output);
        return (b.ToModel(), state);
    }

    [Fact]
    public void Int8_svdf_with_int16_state_worked_example()
    {
        var (model, stateIndex) = Int16StateModel(ActivationFunctionType.RELU);
        using var interpreter = Run(model);
        var state = interpreter.Tensors[stateIndex];

        // Input [5, 1] - 3 = [2, -2]; features 2*2 + -1*-2 = 6 and 1*2 + 3*-2 = -4.
        // Time: 2*6 = 12 and -1*-4 = 4; plus bias [4, -4] = [16, 0]; times 1/2 = [8, 0]; zero point -1.
        interpreter.Input(0).CopyFrom(new sbyte[] { 5, 1 });
        interpreter.Invoke();
        Assert.Equal(new short[] { 0, 6, 0, -4 }, state.ToArray<short>());
        Assert.Equal(new sbyte[] { 7, -1 }, interpreter.Output(0).ToArray<sbyte>());

        // Input [7, -3] - 3 = [4, -6]; features 14 and -14 join the shifted state.
        // Time: 1*6 + 2*14 = 34 and 3*-4 - 1*-14 = 2; plus bias = [38, -2]; halved [19, -1]; zero point -1.
        // The result -2 lies below the zero point: TFLM's integer SVDF does not apply the fused RELU.
        interpreter.Input(0).CopyFrom(new sbyte[] { 7, -3 });
        interpreter.Invoke();
        Assert.Equal(new short[] { 6, 14, -4, -14 }, state.ToArray<short>());
        Assert.Equal(new sbyte[] { 18, -2 }, interpreter.Output(0).ToArray<sbyte>());

        interpreter.Reset();
        Assert.Equal(new short[4], state.ToArray<short>());
        interpreter.Input(0).CopyFrom(new sbyte[] { 5, 1 });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 7, -1 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Int8_state_adds_its_zero_point_before_saturating()
    {
        // int8 state, scale 0.125 zero point 5: feature multiplier 1 again. weights_time int8 scale 0.5.
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT8, [1, 2], scales: [0.5f], zeroPoints: [3]);
        int feature = b.AddConstant("wf", TensorType.INT8, [2, 2], new sbyte[] { 100, 100, -100, -100 }, scales: [0.25f]);
        int time = b.AddConstant("wt", TensorType.INT8, [2, 2], new sbyte[] { 1, 2, 1, 1 }, scales: [0.5f]);
        int bias = b.AddConstant("b", TensorType.INT32, [2], new[] { 6, 0 }, scales: [0.0625f]);
        int state = b.AddTensor("state", TensorType.INT8, [1, 4], scales: [0.125f], zeroPoints: [5], isVariable: true);
        int output = b.AddTensor("y", TensorType.INT8, [1, 2], scales: [0.125f], zeroPoints: [-3]);
        b.AddOperator(BuiltinOperator.SVDF, [input, feature, time, bias, state], [output], Options(1));
        b.SetInputs(input).SetOutputs(output);

        using var interpreter = Run(b.ToModel());
        var stateTensor = interpreter.Tensors[state];
        Assert.Equal(new sbyte[] { 5, 5, 5, 5 }, stateTensor.ToArray<sbyte>()); // int8 state starts at its zero point

        // Features +-100 * 124 * 2 = +-24800, plus zero point 5, saturate to 127 and -128 (adding the zero
        // point after clamping, as older TFLM did, would have wrapped 127 + 5 to -124).
        // Time: 1*(5-5) + 2*(127-5) = 244 and 1*(5-5) + 1*(-128-5) = -133; plus bias [6, 0] = [250, -133].
        // Halved: 125 and -66.5, which the rounding doubling high multiply takes up to -66; zero point -3.
        interpreter.Input(0).CopyFrom(new sbyte[] { 127, 127 });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 5, 127, 5, -128 }, stateTensor.ToArray<sbyte>());
        Assert.Equal(new sbyte[] { 122, -69 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Unsupported_input_type_fails_in_prepare_naming_it()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT16, [1, 2], scales: [0.5f]);
        int feature = b.AddConstant("wf", TensorType.INT8, [2, 2], new sbyte[4], scales: [0.25f]);
        int time = b.AddConstant("wt", TensorType.INT16, [2, 2], new short[4], scales: [0.5f]);
        int state = b.AddTensor("state", TensorType.INT16, [1, 4], scales: [0.125f], isVariable: true);
        int output = b.AddTensor("y", TensorType.INT8, [1, 2], scales: [0.125f]);
        b.AddOperator(BuiltinOperator.SVDF, [input, feature, time, -1, state], [output], Options(1));
        b.SetInputs(input).SetOutputs(output);

        var interpreter = new MicroInterpreter(b.ToModel(), new OpResolver().Add(BuiltinOperator.SVDF), 8192);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Contains("operator 0 (SVDF)", e.Message);
        Assert.Contains("int16", e.Message);
    }

    [Fact]
    public void Int8_svdf_with_mismatched_state_and_time_weights_is_rejected()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.INT8, [1, 2], scales: [0.5f]);
        int feature = b.AddConstant("wf", TensorType.INT8, [2, 2], new sbyte[4], scales: [0.25f]);
        int time = b.AddConstant("wt", TensorType.INT16, [2, 2], new short[4], scales: [0.5f]);
        int state = b.AddTensor("state", TensorType.INT8, [1, 4], scales: [0.125f], isVariable: true);
        int output = b.AddTensor("y", TensorType.INT8, [1, 2], scales: [0.125f]);
        b.AddOperator(BuiltinOperator.SVDF, [input, feature, time, -1, state], [output], Options(1));
        b.SetInputs(input).SetOutputs(output);

        var interpreter = new MicroInterpreter(b.ToModel(), new OpResolver().Add(BuiltinOperator.SVDF), 8192);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Contains("activation state", e.Message);
        Assert.Contains("int8", e.Message);
        Assert.Contains("int16", e.Message);
    }

    [Fact]
    public void A_state_that_is_not_a_variable_is_rejected()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 2]);
        int feature = b.AddConstant("wf", TensorType.FLOAT32, [2, 2], new float[4]);
        int time = b.AddConstant("wt", TensorType.FLOAT32, [2, 3], new float[6]);
        int state = b.AddTensor("state", TensorType.FLOAT32, [1, 6]);
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 2]);
        b.AddOperator(BuiltinOperator.SVDF, [input, feature, time, -1, state], [output], Options(1));
        b.SetInputs(input, state).SetOutputs(output);

        var interpreter = new MicroInterpreter(b.ToModel(), new OpResolver().Add(BuiltinOperator.SVDF), 8192);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Contains("variable", e.Message);
    }

    [Fact]
    public void A_rank_that_does_not_divide_the_filters_is_rejected()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.FLOAT32, [1, 2]);
        int feature = b.AddConstant("wf", TensorType.FLOAT32, [2, 2], new float[4]);
        int time = b.AddConstant("wt", TensorType.FLOAT32, [2, 3], new float[6]);
        int state = b.AddTensor("state", TensorType.FLOAT32, [1, 6], isVariable: true);
        int output = b.AddTensor("y", TensorType.FLOAT32, [1, 2]);
        b.AddOperator(BuiltinOperator.SVDF, [input, feature, time, -1, state], [output], Options(3));
        b.SetInputs(input).SetOutputs(output);

        var interpreter = new MicroInterpreter(b.ToModel(), new OpResolver().Add(BuiltinOperator.SVDF), 8192);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Contains("rank 3", e.Message);
    }

    [Fact]
    public void Invoke_allocates_nothing_on_the_float_and_int16_state_paths()
    {
        foreach (var model in new[] { FloatModel(ActivationFunctionType.TANH).Model, Int16StateModel().Model })
        {
            using var interpreter = Run(model);
            Assert.Equal(0, InvokeAllocations.Measure(interpreter));
        }
    }
}
