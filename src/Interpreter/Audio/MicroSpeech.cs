namespace TinyMl.Interpreter.Audio;

/// <summary>What <see cref="MicroSpeech"/> heard in one clip.</summary>
public sealed class MicroSpeechResult
{
    /// <summary>The classifier's input: <see cref="MicroSpeech.WindowCount"/> rows of <see cref="MicroSpeech.FeatureCount"/> int8 features (row = 20 ms step).</summary>
    public required sbyte[] Features { get; init; }
    /// <summary>The classifier's raw int8 output, one per label.</summary>
    public required sbyte[] Output { get; init; }
    /// <summary>Dequantized output, (q − zero point) × scale, as TFLM's example prints.</summary>
    public required float[] Scores { get; init; }
    public required IReadOnlyList<string> Labels { get; init; }
    /// <summary>Index of the highest score (the first one on a tie).</summary>
    public required int CategoryIndex { get; init; }
    public string Category => Labels[CategoryIndex];

    public override string ToString() =>
        $"{Category} ({string.Join(", ", Labels.Select((l, i) => $"{l} {Scores[i]:0.###}"))})";
}

/// <summary>
/// TFLM's micro_speech flow from a 16 kHz mono 16-bit WAV to a word: the audio front end
/// (audio_preprocessor_int8, signal-library ops) turns each 30 ms window, every 20 ms, into 40
/// int8 features with its noise estimate carried from window to window; 49 windows (1 s) feed
/// the micro_speech_quantized classifier, whose labels are silence, unknown, yes, no.
/// </summary>
public sealed class MicroSpeech : IDisposable
{
    public const int SampleRate = 16000;
    public const int WindowSamples = 480;  // 30 ms
    public const int StrideSamples = 320;  // 20 ms
    public const int FeatureCount = 40;
    public const int WindowCount = 49;
    /// <summary>Fewest samples that give <see cref="WindowCount"/> windows (990 ms).</summary>
    public const int MinimumSamples = WindowSamples + (WindowCount - 1) * StrideSamples;

    public static IReadOnlyList<string> Labels { get; } = ["silence", "unknown", "yes", "no"];

    private readonly MicroInterpreter _preprocessor;
    private readonly MicroInterpreter _classifier;

    /// <summary>Builds both interpreters (arenas sized as TFLM's example: 28,584 bytes between them suffice).</summary>
    public MicroSpeech(Model preprocessor, Model classifier)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        ArgumentNullException.ThrowIfNull(classifier);
        var resolver = OpResolver.WithAllBuiltins();
        _preprocessor = new MicroInterpreter(preprocessor, resolver, 16 * 1024);
        _classifier = new MicroInterpreter(classifier, resolver, 16 * 1024);
        _preprocessor.AllocateTensors();
        _classifier.AllocateTensors();
        Require(_preprocessor.Input(0).ElementCount == WindowSamples && _preprocessor.Input(0).Type == Schema.TensorType.INT16,
            "the preprocessor's input is not 480 int16 samples");
        Require(_preprocessor.Output(0).ElementCount == FeatureCount && _preprocessor.Output(0).Type == Schema.TensorType.INT8,
            "the preprocessor's output is not 40 int8 features");
        Require(_classifier.Input(0).ElementCount == WindowCount * FeatureCount && _classifier.Input(0).Type == Schema.TensorType.INT8,
            "the classifier's input is not 49 x 40 int8 features");
        Require(_classifier.Output(0).ElementCount == Labels.Count && _classifier.Output(0).Type == Schema.TensorType.INT8,
            "the classifier's output is not 4 int8 scores");
    }

    /// <summary>Loads audio_preprocessor_int8.tflite and micro_speech_quantized.tflite (or compatible models).</summary>
    public static MicroSpeech Load(string preprocessorPath, string classifierPath) =>
        new(Model.Load(preprocessorPath), Model.Load(classifierPath));

    public MicroSpeechResult Recognize(string wavPath) => Recognize(WavFile.Read(wavPath));

    public MicroSpeechResult Recognize(Stream wav) => Recognize(WavFile.Read(wav));

    public MicroSpeechResult Recognize(WavFile wav)
    {
        ArgumentNullException.ThrowIfNull(wav);
        if (wav.SampleRate != SampleRate || wav.Channels != 1)
            throw new ArgumentException($"micro_speech needs 16 kHz mono audio; the WAV is {wav.SampleRate} Hz with {wav.Channels} channel(s)", nameof(wav));
        return Recognize(wav.Samples);
    }

    /// <summary>Recognizes the first second of 16 kHz mono samples (at least <see cref="MinimumSamples"/>).</summary>
    public MicroSpeechResult Recognize(ReadOnlySpan<short> samples)
    {
        var features = ComputeFeatures(samples);
        var input = _classifier.Input(0);
        input.CopyFrom(features);
        _classifier.Invoke();
        var outputTensor = _classifier.Output(0);
        var output = outputTensor.ToArray<sbyte>();
        var scores = output.Select(q => (q - outputTensor.ZeroPoint) * outputTensor.Scale).ToArray();
        int best = 0;
        for (int i = 1; i < output.Length; i++)
            if (output[i] > output[best]) best = i;
        return new MicroSpeechResult { Features = features, Output = output, Scores = scores, Labels = Labels, CategoryIndex = best };
    }

    /// <summary>
    /// The front end alone: <see cref="WindowCount"/> × <see cref="FeatureCount"/> int8 features of
    /// the first second. The preprocessor starts from a fresh noise estimate for every clip.
    /// </summary>
    public sbyte[] ComputeFeatures(ReadOnlySpan<short> samples)
    {
        if (samples.Length < MinimumSamples)
            throw new ArgumentException($"micro_speech needs at least {MinimumSamples} samples ({MinimumSamples * 1000.0 / SampleRate:0} ms at 16 kHz); {samples.Length} given", nameof(samples));
        _preprocessor.Reset();
        var features = new sbyte[WindowCount * FeatureCount];
        for (int w = 0; w < WindowCount; w++)
        {
            _preprocessor.Input(0).CopyFrom(samples.Slice(w * StrideSamples, WindowSamples));
            _preprocessor.Invoke();
            _preprocessor.Output(0).AsReadOnlySpan<sbyte>().CopyTo(features.AsSpan(w * FeatureCount, FeatureCount));
        }
        return features;
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition) throw new ArgumentException($"not a micro_speech model pair: {problem}");
    }

    public void Dispose()
    {
        _preprocessor.Dispose();
        _classifier.Dispose();
    }
}
