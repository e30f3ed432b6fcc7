using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Tools.SineModel;

/// <summary>
/// Writes the sine models as .tflite with the runtime's <see cref="ModelBuilder"/>: input [1,1] →
/// FULLY_CONNECTED(relu) → FULLY_CONNECTED(relu) → FULLY_CONNECTED → output [1,1].
/// </summary>
public static class SineExporter
{
    public static byte[] ExportFloat(SineNetwork network, string description)
    {
        var b = new ModelBuilder { Description = description };
        int input = b.AddTensor("input", TensorType.FLOAT32, [1, 1]);
        int current = input;
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            string name = $"dense_{l + 1}";
            int weights = b.AddConstant($"{name}/weights", TensorType.FLOAT32, [layer.Outputs, layer.Inputs], PostTrainingQuantizer.ToFloat(layer.Weights));
            int bias = b.AddConstant($"{name}/bias", TensorType.FLOAT32, [layer.Outputs], PostTrainingQuantizer.ToFloat(layer.Bias));
            bool last = l == network.Layers.Count - 1;
            int output = b.AddTensor(last ? "output" : $"{name}/output", TensorType.FLOAT32, [1, layer.Outputs]);
            b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [current, weights, bias], [output], Options(layer.Relu));
            current = output;
        }
        b.SetInputs(input).SetOutputs(current);
        return b.Build();
    }

    public static byte[] ExportInt8(QuantizedSineModel model, string description)
    {
        var b = new ModelBuilder { Description = description };
        int input = b.AddTensor("input", TensorType.INT8, [1, 1], scales: [model.Input.Scale], zeroPoints: [model.Input.ZeroPoint]);
        int current = input;
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            string name = $"dense_{l + 1}";
            // Per-channel scales run along dimension 0 of the [outputs, inputs] weights, as TFLite writes them.
            int weights = b.AddConstant($"{name}/weights", TensorType.INT8, [layer.Outputs, layer.Inputs], layer.Weights,
                scales: layer.WeightScales, zeroPoints: new long[layer.WeightScales.Length], quantizedDimension: 0);
            int bias = b.AddConstant($"{name}/bias", TensorType.INT32, [layer.Outputs], layer.Bias,
                scales: layer.BiasScales, zeroPoints: new long[layer.BiasScales.Length], quantizedDimension: 0);
            bool last = l == model.Layers.Count - 1;
            int output = b.AddTensor(last ? "output" : $"{name}/output", TensorType.INT8, [1, layer.Outputs],
                scales: [layer.Output.Scale], zeroPoints: [layer.Output.ZeroPoint]);
            b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [current, weights, bias], [output], Options(layer.Relu));
            current = output;
        }
        b.SetInputs(input).SetOutputs(current);
        return b.Build();
    }

    private static BuiltinOptionsUnion Options(bool relu) =>
        BuiltinOptionsUnion.FromFullyConnectedOptions(new FullyConnectedOptionsT
        {
            FusedActivationFunction = relu ? ActivationFunctionType.RELU : ActivationFunctionType.NONE,
        });
}
