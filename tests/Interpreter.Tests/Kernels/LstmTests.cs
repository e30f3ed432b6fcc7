using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>
/// UNIDIRECTIONAL_SEQUENCE_LSTM on small models built here. Oracles: an LSTM written below in double
/// precision (the textbook equations), and for the integer path one step worked out by hand from
/// TFLM's fixed-point rules and sigmoid table. The real models are checked against TFLM's goldens in
/// GoldenModelTests.
/// </summary>
public class LstmTests
{
    // Gate order used throughout the test: input, forget, cell, output (the order of the operator's
    // inputs 1-4, 5-8 and 12-15).
    private const int Gates = 4;

    private sealed record Shape(int Batch, int Time, int InputSize, int State, bool TimeMajor, float CellClip = 0f)
    {
        public int[] InputShape => TimeMajor ? [Time, Batch, InputSize] : [Batch, Time, InputSize];
        public int[] OutputShape => TimeMajor ? [Time, Batch, State] : [Batch, Time, State];
        public int Row(int b, int t) => TimeMajor ? t * Batch + b : b * Time + t;
    }

    private sealed class Weights
    {
        public required double[][] Input, Recurrent, Bias; // [gate][state*inputSize], [gate][state*state], [gate][state]
    }

    private static Weights RandomWeights(Shape s, Random random, double range)
    {
        double[] Fill(int n) => Enumerable.Range(0, n).Select(_ => (random.NextDouble() * 2 - 1) * range).ToArray();
        return new Weights
        {
            Input = Enumerable.Range(0, Gates).Select(_ => Fill(s.State * s.InputSize)).ToArray(),
            Recurrent = Enumerable.Range(0, Gates).Select(_ => Fill(s.State * s.State)).ToArray(),
            Bias = Enumerable.Range(0, Gates).Select(_ => Fill(s.State)).ToArray(),
        };
    }

    /// <summary>The reference: i,f,o = sigmoid, g = tanh of W x + R h + b; c = f c + i g (clipped); h = o tanh(c).</summary>
    private sealed class ReferenceLstm(Shape s, Weights w, Func<double, double>? quantizeHidden = null)
    {
        private readonly double[] _h = new double[s.Batch * s.State];
        private readonly double[] _c = new double[s.Batch * s.State];

        public double[] Run(double[] x)
        {
            var output = new double[s.Batch * s.Time * s.State];
            var pre = new double[Gates];
            var hNew = new double[s.State];
            for (int b = 0; b < s.Batch; b++)
            {
                for (int t = 0; t < s.Time; t++)
                {
                    int xRow = s.Row(b, t) * s.InputSize;
                    for (int j = 0; j < s.State; j++)
                    {
                        for (int g = 0; g < Gates; g++)
                        {
                            double sum = w.Bias[g][j];
                            for (int k = 0; k < s.InputSize; k++) sum += w.Input[g][j * s.InputSize + k] * x[xRow + k];
                            for (int k = 0; k < s.State; k++) sum += w.Recurrent[g][j * s.State + k] * _h[b * s.State + k];
                            pre[g] = sum;
                        }
                        double i = Sigmoid(pre[0]), f = Sigmoid(pre[1]), cellGate = Math.Tanh(pre[2]), o = Sigmoid(pre[3]);
                        double c = f * _c[b * s.State + j] + i * cellGate;
                        if (s.CellClip > 0) c = Math.Clamp(c, -s.CellClip, s.CellClip);
                        _c[b * s.State + j] = c;
                        hNew[j] = o * Math.Tanh(c);
                        if (quantizeHidden is not null) hNew[j] = quantizeHidden(hNew[j]);
                    }
                    // Every gate of the step reads the previous hidden state.
                    Array.Copy(hNew, 0, _h, b * s.State, s.State);
                    Array.Copy(hNew, 0, output, s.Row(b, t) * s.State, s.State);
                }
            }
            return output;
        }

        private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
    }

    private static UnidirectionalSequenceLSTMOptionsT Options(Shape s) => new()
    {
        FusedActivationFunction = ActivationFunctionType.TANH, CellClip = s.CellClip, TimeMajor = s.TimeMajor,
    };

    private static int[] OperatorInputs(int input, int[] inputWeights, int[] recurrentWeights, int[] biases, int hidden, int cell)
    {
        var inputs = Enumerable.Repeat(-1, 24).ToArray();
        inputs[0] = input;
        for (int g = 0; g < Gates; g++)
        {
            inputs[1 + g] = inputWeights[g];
            inputs[5 + g] = recurrentWeights[g];
            inputs[12 + g] = biases[g];
        }
        inputs[18] = hidden;
        inputs[19] = cell;
        return inputs;
    }

    private static Model FloatModel(Shape s, Weights w, Action<ModelBuilder, int[]>? tamper = null)
    {
        var b = new ModelBuilder();
        float[] F(double[] v) => v.Select(d => (float)d).ToArray();
        int input = b.AddTensor("input", TensorType.FLOAT32, s.InputShape);
        var inputWeights = Enumerable.Range(0, Gates).Select(g => b.AddConstant($"w{g}", TensorType.FLOAT32, [s.State, s.InputSize], F(w.Input[g]))).ToArray();
        var recurrentWeights = Enumerable.Range(0, Gates).Select(g => b.AddConstant($"r{g}", TensorType.FLOAT32, [s.State, s.State], F(w.Recurrent[g]))).ToArray();
        var biases = Enumerable.Range(0, Gates).Select(g => b.AddConstant($"b{g}", TensorType.FLOAT32, [s.State], F(w.Bias[g]))).ToArray();
        int hidden = b.AddTensor("hidden", TensorType.FLOAT32, [s.Batch, s.State], isVariable: true);
        int cell = b.AddTensor("cell", TensorType.FLOAT32, [s.Batch, s.State], isVariable: true);
        int output = b.AddTensor("output", TensorType.FLOAT32, s.OutputShape);
        var inputs = OperatorInputs(input, inputWeights, recurrentWeights, biases, hidden, cell);
        tamper?.Invoke(b, inputs);
        b.AddOperator(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, [output],
            BuiltinOptionsUnion.FromUnidirectionalSequenceLSTMOptions(Options(s)));
        b.SetInputs(input).SetOutputs(output);
        return b.ToModel();
    }

    private static MicroInterpreter Run(Model model)
    {
        var interpreter = new MicroInterpreter(model, new OpResolver().Add(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM), 1 << 16);
        interpreter.AllocateTensors();
        return interpreter;
    }

    private static double[] RandomInput(Shape s, Random random, double range) =>
        Enumerable.Range(0, s.Batch * s.Time * s.InputSize).Select(_ => (random.NextDouble() * 2 - 1) * range).ToArray();

    [Theory]
    [InlineData(false, 0f)]
    [InlineData(true, 0f)]
    [InlineData(false, 0.4f)] // small enough to clip
    [InlineData(true, 0.4f)]
    public void Float_lstm_matches_a_double_precision_lstm_and_carries_its_state(bool timeMajor, float cellClip)
    {
        var s = new Shape(Batch: 2, Time: 3, InputSize: 3, State: 4, timeMajor, cellClip);
        var random = new Random(7);
        var w = RandomWeights(s, random, 1.0);
        var first = RandomInput(s, random, 2.0);
        var second = RandomInput(s, random, 2.0);
        var reference = new ReferenceLstm(s, w);
        using var interpreter = Run(FloatModel(s, w));

        void Check(double[] x, double[] expected, string what)
        {
            interpreter.Input(0).CopyFrom(x.Select(v => (float)v).ToArray());
            interpreter.Invoke();
            var y = interpreter.Output(0).ToArray<float>();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-5, $"{what}: output {i} is {y[i]}, the double LSTM gives {expected[i]}");
        }

        var expectedFirst = reference.Run(first);
        Check(first, expectedFirst, "first invoke");
        Check(second, reference.Run(second), "second invoke (state carried over)");
        interpreter.Reset();
        Check(first, expectedFirst, "after Reset");
    }

    // Quantization of the int8 model: input 1/64 (zero point -5), hidden state and output 1/128 (zero
    // point 3, so the recurrent FC's input offset matters), cell state 2^-11, weights per gate
    // symmetric, biases at input scale x weight scale as the converter writes them.
    private const float InputScale = 1f / 64, HiddenScale = 1f / 128, CellScale = 1f / 2048;
    private const int InputZero = -5, HiddenZero = 3;

    private static sbyte Quantize(double v, float scale, int zero) => (sbyte)Math.Clamp(Math.Round(v / scale) + zero, -128, 127);

    // The 16x8 model: int16 activations, symmetric (TFLite's int16 quantization), finer scales.
    private const float InputScale16 = 1f / 8192, HiddenScale16 = 1f / 16384;

    private static (Model Model, Weights Dequantized) Int8Model(Shape s, Weights w) => IntegerModel(s, w, wide: false);

    /// <summary>The integer LSTM: int8 activations and int32 biases, or (<paramref name="wide"/>) int16 activations and int64 biases.</summary>
    private static (Model Model, Weights Dequantized) IntegerModel(Shape s, Weights w, bool wide)
    {
        var activation = wide ? TensorType.INT16 : TensorType.INT8;
        float inputScale = wide ? InputScale16 : InputScale, hiddenScale = wide ? HiddenScale16 : HiddenScale;
        int inputZero = wide ? 0 : InputZero, hiddenZero = wide ? 0 : HiddenZero;
        var b = new ModelBuilder();
        int input = b.AddTensor("input", activation, s.InputShape, scales: [inputScale], zeroPoints: [inputZero]);
        var dequantized = new Weights { Input = new double[Gates][], Recurrent = new double[Gates][], Bias = new double[Gates][] };
        var inputWeights = new int[Gates];
        var recurrentWeights = new int[Gates];
        var biases = new int[Gates];
        for (int g = 0; g < Gates; g++)
        {
            float inScale = (float)(w.Input[g].Max(Math.Abs) / 127);
            float recScale = (float)(w.Recurrent[g].Max(Math.Abs) / 127);
            var qIn = w.Input[g].Select(v => Quantize(v, inScale, 0)).ToArray();
            var qRec = w.Recurrent[g].Select(v => Quantize(v, recScale, 0)).ToArray();
            float biasScale = inputScale * inScale;
            var qBias = w.Bias[g].Select(v => (long)Math.Round(v / biasScale)).ToArray();
            inputWeights[g] = b.AddConstant($"w{g}", TensorType.INT8, [s.State, s.InputSize], qIn, scales: [inScale], zeroPoints: [0]);
            recurrentWeights[g] = b.AddConstant($"r{g}", TensorType.INT8, [s.State, s.State], qRec, scales: [recScale], zeroPoints: [0]);
            biases[g] = wide
                ? b.AddConstant($"b{g}", TensorType.INT64, [s.State], qBias, scales: [biasScale], zeroPoints: [0])
                : b.AddConstant($"b{g}", TensorType.INT32, [s.State], qBias.Select(v => (int)v).ToArray(), scales: [biasScale], zeroPoints: [0]);
            dequantized.Input[g] = qIn.Select(q => (double)q * inScale).ToArray();
            dequantized.Recurrent[g] = qRec.Select(q => (double)q * recScale).ToArray();
            dequantized.Bias[g] = qBias.Select(q => (double)q * biasScale).ToArray();
        }
        int hidden = b.AddTensor("hidden", activation, [s.Batch, s.State], scales: [hiddenScale], zeroPoints: [hiddenZero], isVariable: true);
        int cell = b.AddTensor("cell", TensorType.INT16, [s.Batch, s.State], scales: [CellScale], zeroPoints: [0], isVariable: true);
        int output = b.AddTensor("output", activation, s.OutputShape, scales: [hiddenScale], zeroPoints: [hiddenZero]);
        b.AddOperator(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM,
            OperatorInputs(input, inputWeights, recurrentWeights, biases, hidden, cell), [output],
            BuiltinOptionsUnion.FromUnidirectionalSequenceLSTMOptions(Options(s)));
        b.SetInputs(input).SetOutputs(output);
        return (b.ToModel(), dequantized);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Int8_lstm_follows_a_double_precision_lstm_within_two_output_steps(bool timeMajor)
    {
        // The double LSTM runs on the dequantized weights and inputs and, like the model, keeps its
        // hidden state on the int8 grid. The integer arithmetic (Q3.12 gates, table activations, 2^-11
        // cell) stays well below one output step of 1/128; allowed are one step for the final rounding
        // and one for a hidden state rounded the other way on an earlier step.
        var s = new Shape(Batch: 2, Time: 4, InputSize: 3, State: 4, timeMajor);
        var random = new Random(11);
        var (model, w) = Int8Model(s, RandomWeights(s, random, 0.8));
        var reference = new ReferenceLstm(s, w, h => (Quantize(h, HiddenScale, HiddenZero) - HiddenZero) * (double)HiddenScale);
        using var interpreter = Run(model);

        for (int invoke = 0; invoke < 2; invoke++)
        {
            var q = RandomInput(s, random, 1.9).Select(v => Quantize(v, InputScale, InputZero)).ToArray();
            var expected = reference.Run(q.Select(v => (v - InputZero) * (double)InputScale).ToArray());
            interpreter.Input(0).CopyFrom(q);
            interpreter.Invoke();
            var y = interpreter.Output(0).ToArray<sbyte>();
            for (int i = 0; i < expected.Length; i++)
            {
                double expectedSteps = expected[i] / HiddenScale + HiddenZero;
                Assert.True(Math.Abs(y[i] - expectedSteps) <= 2.0,
                    $"invoke {invoke + 1}, output {i}: {y[i]}, the double LSTM gives {expectedSteps:F2}");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Int16_lstm_follows_a_double_precision_lstm(bool timeMajor)
    {
        // 16x8: int16 activations (steps of 2^-13 in, 2^-14 out), int8 weights, int64 biases. The integer path
        // keeps the gates in Q3.12 and Q0.15 and the cell in 2^-11 steps, so it is held to the double LSTM in real
        // units, not output steps: within 2^-9 (~0.002), a few of the cell's own steps.
        var s = new Shape(Batch: 2, Time: 4, InputSize: 3, State: 4, timeMajor);
        var random = new Random(16);
        var (model, w) = IntegerModel(s, RandomWeights(s, random, 0.8), wide: true);
        var reference = new ReferenceLstm(s, w, h => Math.Round(h / HiddenScale16) * HiddenScale16);
        using var interpreter = Run(model);
        double worst = 0;
        for (int invoke = 0; invoke < 2; invoke++)
        {
            var q = RandomInput(s, random, 1.9).Select(v => (short)Math.Round(v / InputScale16)).ToArray();
            var expected = reference.Run(q.Select(v => v * (double)InputScale16).ToArray());
            interpreter.Input(0).CopyFrom(q);
            interpreter.Invoke();
            var y = interpreter.Output(0).ToArray<short>();
            for (int i = 0; i < expected.Length; i++)
                worst = Math.Max(worst, Math.Abs(y[i] * (double)HiddenScale16 - expected[i]));
        }
        Assert.True(worst <= 1.0 / 512, $"worst difference from the double LSTM: {worst:E3}");
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Int8_lstm_step_follows_TFLMs_fixed_point_rules_worked_by_hand()
    {
        // One cell, one input, zero weights: each gate's Q3.12 pre-activation is its bias, because
        // input scale 2^-6 x weight scale 2^-6 = 2^-12 makes the FC multiplier exactly 1.
        var b = new ModelBuilder();
        int input = b.AddTensor("input", TensorType.INT8, [1, 1, 1], scales: [1f / 64], zeroPoints: [0]);
        var weights = Enumerable.Range(0, Gates).Select(g => b.AddConstant($"w{g}", TensorType.INT8, [1, 1], new sbyte[] { 0 }, scales: [1f / 64], zeroPoints: [0])).ToArray();
        var recurrent = Enumerable.Range(0, Gates).Select(g => b.AddConstant($"r{g}", TensorType.INT8, [1, 1], new sbyte[] { 0 }, scales: [1f / 64], zeroPoints: [0])).ToArray();
        int[] biasValues = [4096, 0, 2048, -4096]; // input gate 1.0, forget 0, cell gate 0.5, output gate -1.0
        var biases = Enumerable.Range(0, Gates).Select(g => b.AddConstant($"b{g}", TensorType.INT32, [1], new[] { biasValues[g] }, scales: [1f / 4096], zeroPoints: [0])).ToArray();
        int hidden = b.AddTensor("hidden", TensorType.INT8, [1, 1], scales: [1f / 128], zeroPoints: [0], isVariable: true);
        int cell = b.AddTensor("cell", TensorType.INT16, [1, 1], scales: [1f / 2048], zeroPoints: [0], isVariable: true);
        int output = b.AddTensor("output", TensorType.INT8, [1, 1, 1], scales: [1f / 128], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, OperatorInputs(input, weights, recurrent, biases, hidden, cell), [output],
            BuiltinOptionsUnion.FromUnidirectionalSequenceLSTMOptions(Options(new Shape(1, 1, 1, 1, false))));
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = Run(b.ToModel());

        // Gates (Q0.15, from the sigmoid table at 3x the Q3.12 input, table step 512 for sigmoid, 256 for tanh):
        //   input  sigmoid(1.0):  12288 -> entry 24 (47911): (47911*512 + 512) >> 10 = 23956
        //   forget sigmoid(0):    16384
        //   cell   tanh(0.5):     6144 -> entry 24: (47911*256 - 2^23 + 128) >> 8 = 15143
        //   output sigmoid(-1.0): (2^25 - 47911*512 + 511) >> 10 = 8812
        // Step 1: c = 0*f + i*g = 23956*15143 * 2^-30 / 2^-11 = 362765708 * 2^-19 -> 691.92 -> 692.
        //   tanh(c): cell scale 2^-11 is one bit coarser than Q3.12, so x6: 4152 = entry 16 + 56/256 of
        //   (43912 - 43304): (43304*256 + 56*608 - 2^23 + 128) >> 8 = 10669.
        //   h = 10669*8812 * 2^-30 / 2^-7 = 94015228 * 2^-23 -> 11.21 -> 11.
        interpreter.Input(0).CopyFrom(new sbyte[] { 0 });
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 11 }, interpreter.Output(0).ToArray<sbyte>());

        // Step 2 (state carried over): f*c = 16384*692 * 2^-15 = 346 exactly; c = 346 + 692 = 1038.
        //   tanh: 6228 = entry 24 + 84/256 of (48443 - 47911): (47911*256 + 84*532 - 2^23 + 128) >> 8 = 15318.
        //   h = 15318*8812 * 2^-23 = 16.09 -> 16.
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 16 }, interpreter.Output(0).ToArray<sbyte>());
        Assert.Equal(new short[] { 1038 }, interpreter.Tensors[cell].ToArray<short>());

        interpreter.Reset();
        interpreter.Invoke();
        Assert.Equal(new sbyte[] { 11 }, interpreter.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Malformed_weight_shape_fails_in_prepare_naming_the_operator()
    {
        var s = new Shape(Batch: 1, Time: 2, InputSize: 3, State: 4, TimeMajor: false);
        var w = RandomWeights(s, new Random(1), 1.0);
        // Input-to-forget weights [4, 2] where the input has 3 features.
        var model = FloatModel(s, w, (b, inputs) =>
            inputs[2] = b.AddConstant("bad", TensorType.FLOAT32, [s.State, 2], new float[s.State * 2]));
        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(model));
        Assert.Contains("operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM)", e.Message);
        Assert.Contains("[4,2]", e.Message);
        Assert.Contains("[4,3] expected", e.Message);
    }

    [Fact]
    public void Projection_is_reported_as_unsupported()
    {
        var s = new Shape(Batch: 1, Time: 2, InputSize: 3, State: 4, TimeMajor: false);
        var w = RandomWeights(s, new Random(1), 1.0);
        var model = FloatModel(s, w, (b, inputs) =>
            inputs[16] = b.AddConstant("projection", TensorType.FLOAT32, [s.State, s.State], new float[s.State * s.State]));
        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(model));
        Assert.Contains("operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM)", e.Message);
        Assert.Contains("projection", e.Message);
    }

    [Fact]
    public void Coupled_input_and_forget_gates_are_reported_as_unsupported()
    {
        var s = new Shape(Batch: 1, Time: 2, InputSize: 3, State: 4, TimeMajor: false);
        var w = RandomWeights(s, new Random(1), 1.0);
        var model = FloatModel(s, w, (b, inputs) =>
        {
            inputs[1] = -1; // no input-to-input weights
            inputs[5] = -1; // no recurrent-to-input weights
        });
        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(model));
        Assert.Contains("operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM)", e.Message);
        Assert.Contains("CIFG", e.Message);
    }

    [Fact]
    public void A_state_tensor_that_is_not_a_variable_is_rejected()
    {
        var s = new Shape(Batch: 1, Time: 2, InputSize: 3, State: 4, TimeMajor: false);
        var w = RandomWeights(s, new Random(1), 1.0);
        var model = FloatModel(s, w, (b, inputs) =>
            inputs[19] = b.AddTensor("cell_not_variable", TensorType.FLOAT32, [1, s.State]));
        var e = Assert.Throws<UnsupportedOperatorException>(() => Run(model));
        Assert.Contains("variable", e.Message);
    }
}
