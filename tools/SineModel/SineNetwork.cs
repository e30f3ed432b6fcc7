namespace TinyMl.Tools.SineModel;

/// <summary>
/// One fully connected layer as TFLite stores it: weights row-major [outputs, inputs], one bias per
/// output, optionally followed by ReLU (fused into the FULLY_CONNECTED operator on export).
/// </summary>
public sealed class DenseLayer
{
    public DenseLayer(int inputs, int outputs, bool relu)
    {
        Inputs = inputs;
        Outputs = outputs;
        Relu = relu;
        Weights = new double[outputs * inputs];
        Bias = new double[outputs];
    }

    public int Inputs { get; }
    public int Outputs { get; }
    public bool Relu { get; }
    public double[] Weights { get; }
    public double[] Bias { get; }

    public double Weight(int output, int input) => Weights[output * Inputs + input];

    /// <summary>output = act(W · input + b) in float64.</summary>
    public void Forward(ReadOnlySpan<double> input, Span<double> output)
    {
        for (int o = 0; o < Outputs; o++)
        {
            double sum = Bias[o];
            for (int i = 0; i < Inputs; i++)
                sum += Weights[o * Inputs + i] * input[i];
            output[o] = Relu && sum < 0 ? 0 : sum;
        }
    }
}

/// <summary>The hello_world topology: 1 → 16 (ReLU) → 16 (ReLU) → 1.</summary>
public sealed class SineNetwork
{
    public const int HiddenUnits = 16;

    public SineNetwork(IReadOnlyList<DenseLayer> layers)
    {
        if (layers.Count == 0 || layers[0].Inputs != 1 || layers[^1].Outputs != 1)
            throw new ArgumentException("a sine network maps one input to one output", nameof(layers));
        for (int l = 1; l < layers.Count; l++)
            if (layers[l].Inputs != layers[l - 1].Outputs)
                throw new ArgumentException($"layer {l} takes {layers[l].Inputs} inputs, layer {l - 1} gives {layers[l - 1].Outputs}", nameof(layers));
        Layers = layers;
    }

    public static SineNetwork CreateHelloWorldTopology() => new(new[]
    {
        new DenseLayer(1, HiddenUnits, relu: true),
        new DenseLayer(HiddenUnits, HiddenUnits, relu: true),
        new DenseLayer(HiddenUnits, 1, relu: false),
    });

    public IReadOnlyList<DenseLayer> Layers { get; }

    public int ParameterCount => Layers.Sum(l => l.Weights.Length + l.Bias.Length);

    /// <summary>The network's output for <paramref name="x"/>, in float64.</summary>
    public double Evaluate(double x)
    {
        double[] current = { x };
        foreach (var layer in Layers)
        {
            var next = new double[layer.Outputs];
            layer.Forward(current, next);
            current = next;
        }
        return current[0];
    }
}
