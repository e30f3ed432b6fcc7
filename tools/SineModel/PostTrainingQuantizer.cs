namespace TinyMl.Tools.SineModel;

/// <summary>Per-tensor affine int8 parameters of an activation: real = scale · (q − zero_point).</summary>
public readonly record struct ActivationQuantization(float Scale, int ZeroPoint)
{
    public sbyte Quantize(double real) =>
        (sbyte)Math.Clamp(DeterministicMath.Round(real / Scale) + ZeroPoint, sbyte.MinValue, sbyte.MaxValue);

    public double Dequantize(sbyte q) => Scale * (double)(q - ZeroPoint);
}

/// <summary>One FULLY_CONNECTED layer after quantization.</summary>
public sealed record QuantizedLayer(
    int Inputs, int Outputs, bool Relu,
    sbyte[] Weights, float[] WeightScales,
    int[] Bias, float[] BiasScales,
    ActivationQuantization Output);

public sealed record QuantizedSineModel(
    ActivationQuantization Input, IReadOnlyList<QuantizedLayer> Layers, bool PerChannelWeights, int CalibrationSamples)
{
    public ActivationQuantization Output => Layers[^1].Output;
}

/// <summary>
/// Post-training int8 quantization with TFLite's conventions, from the float32 model as exported:
/// activations asymmetric per tensor, their range the min/max seen while running the float32 model
/// on the calibration inputs, widened to include 0; weights symmetric (zero point 0) in [-127, 127],
/// per output channel by default; biases int32 with scale input_scale × weight_scale and zero point 0.
/// </summary>
public static class PostTrainingQuantizer
{
    public static QuantizedSineModel Quantize(SineNetwork network, IReadOnlyList<double> calibrationInputs, bool perChannelWeights = true)
    {
        if (calibrationInputs.Count == 0) throw new ArgumentException("no calibration inputs", nameof(calibrationInputs));
        var layers = network.Layers;
        var floatWeights = layers.Select(l => ToFloat(l.Weights)).ToArray();
        var floatBias = layers.Select(l => ToFloat(l.Bias)).ToArray();

        // Calibration: run the float32 model (same arithmetic as the float FULLY_CONNECTED kernel)
        // and record each activation tensor's range; index 0 is the model input.
        var min = new float[layers.Count + 1];
        var max = new float[layers.Count + 1];
        Array.Fill(min, float.PositiveInfinity);
        Array.Fill(max, float.NegativeInfinity);
        foreach (double x in calibrationInputs)
        {
            float[] current = { (float)x };
            Observe(current, ref min[0], ref max[0]);
            for (int l = 0; l < layers.Count; l++)
            {
                current = ForwardFloat32(layers[l], floatWeights[l], floatBias[l], current);
                Observe(current, ref min[l + 1], ref max[l + 1]);
            }
        }

        var input = AsymmetricInt8(min[0], max[0]);
        var activationIn = input;
        var quantized = new List<QuantizedLayer>();
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var (weights, weightScales) = SymmetricInt8Weights(floatWeights[l], layer.Outputs, layer.Inputs, perChannelWeights);
            var bias = new int[layer.Outputs];
            var biasScales = new float[weightScales.Length];
            for (int c = 0; c < weightScales.Length; c++)
                biasScales[c] = activationIn.Scale * weightScales[c];
            for (int o = 0; o < layer.Outputs; o++)
            {
                float scale = biasScales[perChannelWeights ? o : 0];
                double q = DeterministicMath.Round(floatBias[l][o] / (double)scale);
                bias[o] = (int)Math.Clamp(q, int.MinValue, int.MaxValue);
            }
            var output = AsymmetricInt8(min[l + 1], max[l + 1]);
            quantized.Add(new QuantizedLayer(layer.Inputs, layer.Outputs, layer.Relu, weights, weightScales, bias, biasScales, output));
            activationIn = output;
        }
        return new QuantizedSineModel(input, quantized, perChannelWeights, calibrationInputs.Count);
    }

    /// <summary>
    /// TFLite's asymmetric parameters for a [min, max] range: the range is widened to include 0 (so
    /// zero is exact, which padding and ReLU rely on), scale = (max − min) / 255, and the zero point
    /// is −128 − min/scale rounded half away from zero and clamped to int8.
    /// </summary>
    public static ActivationQuantization AsymmetricInt8(float min, float max)
    {
        const float qmin = sbyte.MinValue, qmax = sbyte.MaxValue;
        min = Math.Min(min, 0f);
        max = Math.Max(max, 0f);
        float scale = (max - min) / (qmax - qmin);
        if (scale == 0) return new ActivationQuantization(1f, 0); // an all-zero tensor: any scale represents it
        float zeroPointFromMin = qmin - min / scale;
        int zeroPoint = zeroPointFromMin <= qmin ? (int)qmin
            : zeroPointFromMin >= qmax ? (int)qmax
            : (int)DeterministicMath.Round(zeroPointFromMin);
        return new ActivationQuantization(scale, zeroPoint);
    }

    /// <summary>
    /// Symmetric int8 weights: scale = max|w| / 127 per output channel (rows of the [outputs, inputs]
    /// matrix) or over the whole tensor, q = round(w / scale) in [−127, 127] (−128 unused, as TFLite does).
    /// </summary>
    public static (sbyte[] Values, float[] Scales) SymmetricInt8Weights(float[] weights, int outputs, int inputs, bool perChannel)
    {
        if (weights.Length != outputs * inputs) throw new ArgumentException("weights are not outputs × inputs", nameof(weights));
        int channels = perChannel ? outputs : 1;
        int perScale = perChannel ? inputs : weights.Length;
        var scales = new float[channels];
        var values = new sbyte[weights.Length];
        for (int c = 0; c < channels; c++)
        {
            float largest = 0;
            for (int i = 0; i < perScale; i++)
                largest = Math.Max(largest, Math.Abs(weights[c * perScale + i]));
            // A channel of zeros quantizes to zeros under any scale; 1 keeps the scale valid.
            scales[c] = largest == 0 ? 1f : largest / 127f;
            for (int i = 0; i < perScale; i++)
            {
                double q = DeterministicMath.Round(weights[c * perScale + i] / (double)scales[c]);
                values[c * perScale + i] = (sbyte)Math.Clamp(q, -127, 127);
            }
        }
        return (values, scales);
    }

    /// <summary>The float FULLY_CONNECTED kernel's arithmetic: float32 products summed in order, then bias, then ReLU.</summary>
    public static float[] ForwardFloat32(DenseLayer layer, float[] weights, float[] bias, float[] input)
    {
        var output = new float[layer.Outputs];
        for (int o = 0; o < layer.Outputs; o++)
        {
            float total = 0f;
            for (int i = 0; i < layer.Inputs; i++)
                total += input[i] * weights[o * layer.Inputs + i];
            float value = total + bias[o];
            output[o] = layer.Relu ? Math.Max(value, 0f) : value;
        }
        return output;
    }

    public static float[] ToFloat(double[] values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = (float)values[i];
        return result;
    }

    private static void Observe(float[] values, ref float min, ref float max)
    {
        foreach (float v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
    }
}
