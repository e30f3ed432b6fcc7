using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace TinyMl.Oracle.Operators;

/// <summary>
/// SVDF: the state [batch, filters, memory] moves one step back in time and takes weights_feature·x as its newest
/// column; each unit sums rank filters' memories weighted by weights_time, plus bias. The float kernel then applies
/// its fused activation; TFLM's integer SVDF applies none (only the int8 clamp), and neither does this.
/// UNIDIRECTIONAL_SEQUENCE_LSTM in torch, in the real domain (float64): per time step
/// i, f, o = σ(x·Wᵀ + h·Rᵀ + b), g = tanh(x·Wᵀ + h·Rᵀ + b), c = f·c + i·g (clipped to ±cell_clip when set),
/// h = o·tanh(c) — the standard LSTM without peephole, projection or layer norm (what the runtime supports).
/// Quantized models run on dequantized weights and states; the output is quantized like any other.
/// </summary>
internal static class Recurrent
{
    // Input slots (TFLite's lstm_shared.h): weights for the input, forget, cell and output gates.
    private const int InputWeights = 1, RecurrentWeights = 5, Biases = 12, HiddenState = 18, CellState = 19;

    public static void Register(OperatorTable table)
    {
        table.Add(BuiltinOperator.SVDF, Svdf);
        table.Add(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, Lstm);
    }

    private static Tensor[] Svdf(OperatorCall call)
    {
        var o = call.Options<SVDFOptions>();
        var x = call.Real(0);                       // [batch, input]
        var feature = call.Real(1);                 // [filters, input]
        var time = call.Real(2);                    // [filters, memory]
        long batch = x.shape[0], filters = feature.shape[0], memory = time.shape[1];
        var state = call.Real(4).reshape(batch, filters, memory);
        state = cat([state[.., .., 1..], x.matmul(feature.t()).unsqueeze(2)], 2);
        var sums = (state * time).sum(2).reshape(batch, filters / o.Rank, o.Rank).sum(2); // [batch, units]
        if (call.Has(3)) sums = sums + call.Real(3);
        bool integer = call.Input(0).Type != TensorType.FLOAT32;
        return [integer ? sums : Activations.Fused(sums, o.FusedActivationFunction)];
    }

    private static Tensor[] Lstm(OperatorCall call)
    {
        var o = call.OptionalOptions<UnidirectionalSequenceLSTMOptions>();
        bool timeMajor = o?.TimeMajor ?? false;
        double clip = o?.CellClip ?? 0;
        var x = call.Real(0);
        if (timeMajor) x = x.transpose(0, 1); // [batch, time, features]
        var w = Enumerable.Range(0, 4).Select(g => call.Real(InputWeights + g)).ToArray();
        var r = Enumerable.Range(0, 4).Select(g => call.Real(RecurrentWeights + g)).ToArray();
        var b = Enumerable.Range(0, 4).Select(g => call.Real(Biases + g)).ToArray();
        var h = call.Real(HiddenState);
        var c = call.Real(CellState);
        long steps = x.shape[1];
        var outputs = new List<Tensor>();
        for (long t = 0; t < steps; t++)
        {
            var xt = x[.., t, ..];
            Tensor Gate(int g) => xt.matmul(w[g].t()) + h.matmul(r[g].t()) + b[g];
            var input = Gate(0).sigmoid();
            var forget = Gate(1).sigmoid();
            var cell = Gate(2).tanh();
            var output = Gate(3).sigmoid();
            c = forget * c + input * cell;
            if (clip > 0) c = c.clamp(-clip, clip);
            h = output * c.tanh();
            outputs.Add(h);
        }
        var sequence = stack(outputs, 1); // [batch, time, state]
        return [timeMajor ? sequence.transpose(0, 1) : sequence];
    }
}
