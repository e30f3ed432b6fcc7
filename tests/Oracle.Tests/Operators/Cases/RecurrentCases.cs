using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Tensors;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Oracle.Tests.Operators;

/// <summary>
/// SVDF (one step from the reset state) and UNIDIRECTIONAL_SEQUENCE_LSTM against the oracle's real-domain LSTM: random sizes, batch- or time-major, with and
/// without cell clipping. float32 within 1e-5 (normwise). The integer kernels keep the gates in Q3.12 → Q0.15 and the
/// cell in 2^-11 steps: int8 (output steps of 1/128) may differ by one step for the final rounding and one for a hidden
/// state rounded the other way earlier, so 2; int16 outputs step by 2^-14, eight to one cell step, so two cell steps
/// are 16 output steps.
/// </summary>
public static class RecurrentCases
{
    public static void Add(List<OperatorCase> cases)
    {
        cases.Add(new("UNIDIRECTIONAL_SEQUENCE_LSTM", "float32", r => Lstm(r, TensorType.FLOAT32), OperatorCases.FloatTolerance));
        cases.Add(new("UNIDIRECTIONAL_SEQUENCE_LSTM", "int8", r => Lstm(r, TensorType.INT8), 2));
        cases.Add(new("UNIDIRECTIONAL_SEQUENCE_LSTM", "int16 (16x8)", r => Lstm(r, TensorType.INT16), 16));
        cases.Add(new("SVDF", "float32", r => Svdf(r, TensorType.FLOAT32), OperatorCases.FloatTolerance));
        // The int8 kernels quantize weights_feature·x into the state before the time weights: one output step.
        cases.Add(new("SVDF", "int8, int16 state", r => Svdf(r, TensorType.INT16), 1));
        cases.Add(new("SVDF", "int8, int8 state", r => Svdf(r, TensorType.INT8), 1));
    }

    /// <summary>One SVDF step from the reset state: random rank, memory and sizes; float or int8 with an int16 or int8 state.</summary>
    private static (Model, TensorData[]) Svdf(Random r, TensorType stateType)
    {
        var m = new SingleOpModels(r);
        int batch = r.Next(1, 4), inputSize = r.Next(1, 7), rank = r.Next(1, 3), units = r.Next(1, 5), memory = r.Next(1, 5);
        int filters = units * rank;
        bool integer = stateType != TensorType.FLOAT32;
        var activation = integer ? ActivationFunctionType.NONE
            : new[] { ActivationFunctionType.NONE, ActivationFunctionType.RELU, ActivationFunctionType.RELU6, ActivationFunctionType.TANH, ActivationFunctionType.SIGN_BIT }[r.Next(5)];
        int input, feature, time, bias, state, output;
        if (!integer)
        {
            input = m.Input(TensorType.FLOAT32, [batch, inputSize], range: (-2, 2));
            feature = m.Constant(TensorType.FLOAT32, [filters, inputSize], Floats(r, filters * inputSize, 0.5));
            time = m.Constant(TensorType.FLOAT32, [filters, memory], Floats(r, filters * memory, 0.5));
            bias = r.Next(2) == 0 ? -1 : m.Constant(TensorType.FLOAT32, [units], Floats(r, units, 0.5));
            state = m.Variable(TensorType.FLOAT32, [batch, memory * filters]);
            output = m.Output(TensorType.FLOAT32, [batch, units]);
        }
        else
        {
            // |weights_feature·x| ≤ 6 fits the state's range of 8; outputs up to ~24 fit the output's.
            double stateScale = stateType == TensorType.INT16 ? 8.0 / 32768 : 8.0 / 128, timeScale = stateType == TensorType.INT16 ? 0.5 / 32767 : 0.5 / 127;
            input = m.Input(TensorType.INT8, [batch, inputSize], Quant.Of(1.0 / 64, -5));
            feature = m.Constant(TensorType.INT8, [filters, inputSize], Enumerable.Range(0, filters * inputSize).Select(_ => (sbyte)r.Next(-127, 128)).ToArray(), Quant.Of(0.5 / 127, 0));
            time = stateType == TensorType.INT16
                ? m.Constant(TensorType.INT16, [filters, memory], Enumerable.Range(0, filters * memory).Select(_ => (short)r.Next(-32767, 32768)).ToArray(), Quant.Of(timeScale, 0))
                : m.Constant(TensorType.INT8, [filters, memory], Enumerable.Range(0, filters * memory).Select(_ => (sbyte)r.Next(-127, 128)).ToArray(), Quant.Of(timeScale, 0));
            double biasScale = (float)stateScale * (float)timeScale;
            bias = r.Next(2) == 0 ? -1 : m.Constant(TensorType.INT32, [units], Enumerable.Range(0, units).Select(_ => (int)Math.Round((r.NextDouble() - 0.5) / biasScale)).ToArray(), Quant.Of(biasScale, 0));
            state = m.Variable(stateType, [batch, memory * filters], Quant.Of(stateScale, 0));
            output = m.Output(TensorType.INT8, [batch, units], Quant.Of(24.0 / 128, 3));
        }
        return m.Build(BuiltinOperator.SVDF, [input, feature, time, bias, state], output,
            BuiltinOptionsUnion.FromSVDFOptions(new SVDFOptionsT { Rank = rank, FusedActivationFunction = activation }));
    }

    private static float[] Floats(Random r, int count, double scale) =>
        Enumerable.Range(0, count).Select(_ => (float)((r.NextDouble() * 2 - 1) * scale)).ToArray();

    private const int Gates = 4;

    private static (Model, TensorData[]) Lstm(Random r, TensorType type)
    {
        var m = new SingleOpModels(r);
        int batch = r.Next(1, 4), time = r.Next(1, 5), features = r.Next(1, 6), state = r.Next(1, 7);
        bool timeMajor = r.Next(2) == 0;
        float clip = r.Next(3) == 0 ? 0.5f + (float)r.NextDouble() : 0f;
        bool integer = type != TensorType.FLOAT32;
        bool wide = type == TensorType.INT16;
        // Activation scales: int8 input 1/64 (zero point −5), hidden 1/128 (zero point 3); int16 symmetric, finer.
        Quant? inputQ = !integer ? null : wide ? Quant.Of(1.0 / 8192, 0) : Quant.Of(1.0 / 64, -5);
        Quant? hiddenQ = !integer ? null : wide ? Quant.Of(1.0 / 16384, 0) : Quant.Of(1.0 / 128, 3);
        int[] inputShape = timeMajor ? [time, batch, features] : [batch, time, features];
        // Inputs within ±1.9 (as raw steps for the integer types), so the Q3.12 gate inputs seldom saturate.
        (double, double) range = !integer ? (-1.9, 1.9) : wide ? (-1.9 * 8192, 1.9 * 8192) : (-128, 127);
        int input = m.Input(type, inputShape, inputQ, range);

        var inputs = new int[24];
        Array.Fill(inputs, -1);
        inputs[0] = input;
        for (int g = 0; g < Gates; g++)
        {
            inputs[1 + g] = Weights(m, r, type, state, features);
            inputs[5 + g] = Weights(m, r, type, state, state);
            double biasScale = integer ? inputQ!.Scale * WeightScale : 0;
            inputs[12 + g] = !integer
                ? m.Constant(TensorType.FLOAT32, [state], Enumerable.Range(0, state).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray())
                : wide
                    ? m.Constant(TensorType.INT64, [state], Enumerable.Range(0, state).Select(_ => (long)Math.Round((r.NextDouble() - 0.5) / biasScale)).ToArray(), Quant.Of(biasScale, 0))
                    : m.Constant(TensorType.INT32, [state], Enumerable.Range(0, state).Select(_ => (int)Math.Round((r.NextDouble() - 0.5) / biasScale)).ToArray(), Quant.Of(biasScale, 0));
        }
        inputs[18] = m.Variable(type, [batch, state], hiddenQ);
        inputs[19] = m.Variable(integer ? TensorType.INT16 : TensorType.FLOAT32, [batch, state], integer ? Quant.Of(1.0 / 2048, 0) : null);
        int output = m.Output(type, timeMajor ? [time, batch, state] : [batch, time, state], hiddenQ);
        return m.Build(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, output,
            BuiltinOptionsUnion.FromUnidirectionalSequenceLSTMOptions(new UnidirectionalSequenceLSTMOptionsT
            {
                FusedActivationFunction = ActivationFunctionType.TANH, CellClip = clip, TimeMajor = timeMajor,
            }));
    }

    // Integer weights: symmetric int8 at one scale, so |w| ≤ 0.8 as in the float cases.
    private const double WeightScale = 0.8 / 127;

    private static int Weights(SingleOpModels m, Random r, TensorType type, int rows, int columns) =>
        type == TensorType.FLOAT32
            ? m.Constant(TensorType.FLOAT32, [rows, columns], Enumerable.Range(0, rows * columns).Select(_ => (float)((r.NextDouble() * 2 - 1) * 0.8)).ToArray())
            : m.Constant(TensorType.INT8, [rows, columns], Enumerable.Range(0, rows * columns).Select(_ => (sbyte)r.Next(-127, 128)).ToArray(), Quant.Of(WeightScale, 0));
}
