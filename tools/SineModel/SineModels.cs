namespace TinyMl.Tools.SineModel;

/// <summary>The two files in data/ and how they are made: train, export float32, quantize, export int8.</summary>
public sealed record SineModels(byte[] Float, byte[] Int8, SineTrainingResult Training, QuantizedSineModel Quantized)
{
    public const string FloatFileName = "sine_float.tflite";
    public const string Int8FileName = "sine_int8.tflite";

    private const string Topology =
        "y = sin(x) for x in [0, 2pi]; TFLM hello_world topology (FULLY_CONNECTED 1-16-16-1, ReLU on the hidden layers)";

    public static SineModels Generate(SineTrainingOptions? options = null)
    {
        options ??= new SineTrainingOptions();
        var training = SineTrainer.Train(options);
        string trained = $"trained by TinyML Workbench tools/SineModel ({options.Summary})";
        byte[] floatModel = SineExporter.ExportFloat(training.Network,
            $"sine_float: {Topology}; {trained}; float32 weights and activations");

        var quantized = PostTrainingQuantizer.Quantize(training.Network, training.TrainingInputs);
        string weights = quantized.PerChannelWeights ? "per-channel" : "per-tensor";
        byte[] int8Model = SineExporter.ExportInt8(quantized,
            $"sine_int8: {Topology}; {trained}; int8 post-training quantization by tools/SineModel PostTrainingQuantizer: " +
            $"activations asymmetric per-tensor from float32 min/max over the {quantized.CalibrationSamples} training inputs (range includes 0), " +
            $"weights symmetric {weights} int8, int32 bias with scale input_scale*weight_scale, int8 input and output");
        return new SineModels(floatModel, int8Model, training, quantized);
    }
}
