using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Interpreter.Tests.Kernels.Custom;
using TinyMl.Interpreter.Tests.Kernels.Signal;
using TinyMl.Workbench.Tensors;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Oracle.Tests.Operators;

/// <summary>
/// TFLM's custom operators against the oracle: TFLite_Detection_PostProcess in both modes on random anchors, box
/// encodings and scores (boxes within 1e-5 relative; classes, scores and counts exact, as selection is exact), and the
/// signal library's stateless operators (integer ones exact, float FFTs within 1e-5, the Q15 FFT within 4 steps).
/// </summary>
public static class CustomCases
{
    public static void Add(List<OperatorCase> cases)
    {
        cases.Add(new("TFLite_Detection_PostProcess", "float32 fast", r => DetectionPostProcess(r, regular: false), OperatorCases.FloatTolerance));
        cases.Add(new("TFLite_Detection_PostProcess", "float32 regular", r => DetectionPostProcess(r, regular: true), OperatorCases.FloatTolerance));
        cases.Add(new("CIRCULAR_BUFFER", "int8", CircularBuffer, 0));
        foreach (var type in new[] { TensorType.INT8, TensorType.FLOAT32, TensorType.INT16 })
        {
            cases.Add(new("TFLM_DECODE", $"LUT {TensorTypes.Name(type)}", r => Decode(r, type, prune: false), 0));
            cases.Add(new("TFLM_DECODE", $"prune {TensorTypes.Name(type)}", r => Decode(r, type, prune: true), 0));
        }
        cases.Add(new("SignalWindow", "int16", Window, 0));
        cases.Add(new("SignalEnergy", "int16 → uint32", Energy, 0));
        cases.Add(new("SignalFilterBankSquareRoot", "uint64 → uint32", SquareRoot, 0));
        cases.Add(new("SignalFftAutoScale", "int16", AutoScale, 0));
        cases.Add(new("SignalFilterBank", "uint32 → uint64", FilterBank, 0));
        // TFLM's logarithm reads log2's fraction from a 128-segment table whose interpolation term is shifted by 16 bits
        // instead of the segment's 9, so it is nearly a step function: up to 0.0035 in log2 (the correction's slope 0.44
        // times a segment, 1/128), 0.0024 in ln, ~4.1 output steps at output_scale 1,700 (the largest the cases use).
        // The kernel keeps TFLM's arithmetic (worked through by hand at x = 4,226,886: TFLM and the kernel give 24,407).
        cases.Add(new("SignalFilterBankLog", "uint32 → int16", FilterBankLog, 5));
        cases.Add(new("SignalDelay", "int16", Delay, 0));
        cases.Add(new("SignalOverlapAdd", "int16", r => OverlapAdd(r, TensorType.INT16), 0));
        cases.Add(new("SignalOverlapAdd", "float32", r => OverlapAdd(r, TensorType.FLOAT32), OperatorCases.FloatTolerance));
        cases.Add(new("SignalFramer", "int16", Framer, 0));
        cases.Add(new("SignalStacker", "int16", Stacker, 0));
        cases.Add(new("SignalFilterBankSpectralSubtraction", "uint32", SpectralSubtraction, 0));
        cases.Add(new("SignalRfft", "float32", r => Fft(r, TensorType.FLOAT32, inverse: false), OperatorCases.FloatTolerance));
        // KISS FFT's Q15 butterflies halve and round at every stage: a few steps from the exact transform / n.
        cases.Add(new("SignalRfft", "int16", r => Fft(r, TensorType.INT16, inverse: false), 4));
        cases.Add(new("SignalIrfft", "float32", r => Fft(r, TensorType.FLOAT32, inverse: true), OperatorCases.FloatTolerance));
    }

    private static (Model, TensorData[]) CircularBuffer(Random r)
    {
        var m = new SingleOpModels(r);
        int slots = r.Next(2, 8), width = r.Next(1, 3), depth = r.Next(1, 12);
        var q = Quant.Of(0.05, r.Next(-20, 21));
        int x = m.Input(TensorType.INT8, [1, 1, width, depth], q);
        int buffer = m.Variable(TensorType.INT8, [1, slots, width, depth], q);
        return m.BuildCustom("CIRCULAR_BUFFER", [x], [buffer], FlexBufferEncoder.Map(1, ("cycles_max", r.Next(1, 3))));
    }

    /// <summary>
    /// A TFLM_DECODE pair: random values (int8 per channel on the first or last axis, or float32 / int16 per tensor)
    /// encoded by this test — LUT indices bit-packed most significant bit first, or a prune mask with the kept values.
    /// </summary>
    private static (Model, TensorData[]) Decode(Random r, TensorType type, bool prune)
    {
        var m = new SingleOpModels(r);
        int rows = r.Next(1, 6), columns = r.Next(1, 9), count = rows * columns, size = TensorTypes.ElementSize(type);
        bool perChannel = type == TensorType.INT8 && r.Next(2) == 0;
        bool lastAxis = perChannel && r.Next(2) == 0;
        int channels = perChannel ? (lastAxis ? columns : rows) : 1;
        var zeroPoints = Enumerable.Range(0, channels).Select(_ => type == TensorType.INT8 ? (long)r.Next(-5, 6) : 0L).ToArray();
        // One scale is read on axis 0 (TFLM refuses any other axis unless there are several channels on the last).
        var quant = type == TensorType.FLOAT32 ? null : new Quant(Enumerable.Repeat(0.02f, channels).ToArray(), zeroPoints, lastAxis && channels > 1 ? 1 : 0);
        byte[] RandomValue() => type switch
        {
            TensorType.FLOAT32 => BitConverter.GetBytes((float)(r.NextDouble() * 4 - 2)),
            TensorType.INT16 => BitConverter.GetBytes((short)r.Next(short.MinValue, short.MaxValue + 1)),
            _ => [(byte)(sbyte)r.Next(-127, 128)],
        };
        byte[] header;
        var indices = new List<int>();
        var table = new List<byte>();
        int width = 1;
        if (prune)
        {
            header = DecodeEncoder.Header(DecodeEncoder.Prune);
            for (int e = 0; e < count; e++)
            {
                bool kept = r.Next(3) != 0;
                indices.Add(kept ? 1 : 0);
                if (kept) table.AddRange(RandomValue());
            }
        }
        else
        {
            width = r.Next(1, 8);
            int stride = r.Next(1, (1 << width) + 1);
            header = DecodeEncoder.Header(DecodeEncoder.Lut, (byte)width, (byte)stride);
            for (int c = 0; c < channels * stride; c++) table.AddRange(RandomValue());
            for (int e = 0; e < count; e++) indices.Add(r.Next(stride));
        }
        var packed = DecodeEncoder.Pack(indices, width);
        int encoded = m.Constant(TensorType.UINT8, [packed.Length], packed);
        int ancillary = m.Constant(TensorType.UINT8, [16 + table.Count], header.Concat(table).ToArray());
        int output = m.Output(type, [rows, columns], quant);
        return m.BuildCustom("TFLM_DECODE", [encoded, ancillary], [output], []);
    }

    private static (Model, TensorData[]) Window(Random r)
    {
        var m = new SingleOpModels(r);
        // Window coefficients within ±1.0 in Q(shift), as audio front ends write them (micro_speech: Q12), so few outputs saturate.
        int n = r.Next(1, 65), frames = r.Next(1, 4), shift = r.Next(4, 15);
        int x = m.Input(TensorType.INT16, [frames, n]);
        int w = m.Constant(TensorType.INT16, [n], Enumerable.Range(0, n).Select(_ => (short)r.Next(-(1 << shift), (1 << shift) + 1)).ToArray());
        return m.BuildCustom("SignalWindow", [x, w], [m.Output(TensorType.INT16, [frames, n])], FlexBufferEncoder.Map(1, ("shift", shift)));
    }

    private static (Model, TensorData[]) AutoScale(Random r)
    {
        var m = new SingleOpModels(r);
        int n = r.Next(1, 64), magnitude = 1 << r.Next(0, 15);
        int x = m.Input(TensorType.INT16, [n], range: (-magnitude + 1, magnitude - 1));
        return m.BuildCustom("SignalFftAutoScale", [x], [m.Output(TensorType.INT16, [n]), m.Output(TensorType.INT32, [])], []);
    }

    /// <summary>Random bands over a spectrum: each channel's start, weight start and width inside the tables, Q12 weights.</summary>
    private static (Model, TensorData[]) FilterBank(Random r)
    {
        var m = new SingleOpModels(r);
        int channels = r.Next(1, 12), bins = r.Next(8, 64), weightCount = r.Next(8, 64);
        var widths = Enumerable.Range(0, channels + 1).Select(_ => (short)r.Next(0, Math.Min(bins, weightCount) / 2)).ToArray();
        var starts = widths.Select(w => (short)r.Next(0, bins - w + 1)).ToArray();
        var weightStarts = widths.Select(w => (short)r.Next(0, weightCount - w + 1)).ToArray();
        var weights = Enumerable.Range(0, weightCount).Select(_ => (short)r.Next(0, 4097)).ToArray();
        var spectrum = Enumerable.Range(0, bins).Select(_ => (uint)r.Next()).ToArray();
        int x = m.Input(TensorType.UINT32, [bins], spectrum.SelectMany(BitConverter.GetBytes).ToArray());
        int[] tables =
        [
            m.Constant(TensorType.INT16, [weightCount], weights),
            m.Constant(TensorType.INT16, [weightCount], weights.Select(w => (short)(4096 - w)).ToArray()),
            m.Constant(TensorType.INT16, [channels + 1], starts),
            m.Constant(TensorType.INT16, [channels + 1], weightStarts),
            m.Constant(TensorType.INT16, [channels + 1], widths),
        ];
        return m.BuildCustom("SignalFilterBank", [x, .. tables], [m.Output(TensorType.UINT64, [channels])], FlexBufferEncoder.Map(4, ("num_channels", channels)));
    }

    private static (Model, TensorData[]) FilterBankLog(Random r)
    {
        var m = new SingleOpModels(r);
        int channels = r.Next(1, 40), correction = r.Next(0, 4);
        // Inputs below 2^(32 − correction) so the correction shift cannot wrap; output_scale as micro_speech's (1600) or near.
        var values = Enumerable.Range(0, channels).Select(_ => (uint)(r.NextDouble() * Math.Pow(2, r.Next(0, 32 - correction)))).ToArray();
        int x = m.Input(TensorType.UINT32, [channels], values.SelectMany(BitConverter.GetBytes).ToArray());
        return m.BuildCustom("SignalFilterBankLog", [x], [m.Output(TensorType.INT16, [channels])],
            FlexBufferEncoder.Map(4, ("input_correction_bits", correction), ("output_scale", r.Next(200, 1700))));
    }

    private static (Model, TensorData[]) Delay(Random r)
    {
        var m = new SingleOpModels(r);
        int rows = r.Next(1, 4), frame = r.Next(1, 20), delay = r.Next(0, 25);
        int x = m.Input(TensorType.INT16, [rows, frame]);
        return m.BuildCustom("SignalDelay", [x], [m.Output(TensorType.INT16, [rows, frame])], FlexBufferEncoder.Map(4, ("delay_length", delay)));
    }

    private static (Model, TensorData[]) OverlapAdd(Random r, TensorType type)
    {
        var m = new SingleOpModels(r);
        int rows = r.Next(1, 3), frames = r.Next(1, 5), step = r.Next(1, 9), size = step * r.Next(1, 5);
        // int16 samples within ±8,000: at most four overlapping frames never saturate.
        int x = m.Input(type, [rows, frames, size], range: type == TensorType.INT16 ? (-8000, 8000) : (-1, 1));
        return m.BuildCustom("SignalOverlapAdd", [x], [m.Output(type, [rows, frames * step])], FlexBufferEncoder.Map(4, ("T", (int)type), ("frame_step", step)));
    }

    private static (Model, TensorData[]) Framer(Random r)
    {
        var m = new SingleOpModels(r);
        int rows = r.Next(1, 3), step = r.Next(1, 9), size = step + r.Next(0, 3 * step), frames = r.Next(1, 6);
        bool prefill = r.Next(2) == 0;
        int x = m.Input(TensorType.INT16, [rows, frames * step]);
        return m.BuildCustom("SignalFramer", [x], [m.Output(TensorType.INT16, [rows, frames, size]), m.Output(TensorType.BOOL, [])],
            FlexBufferEncoder.Map(4, ("frame_size", size), ("frame_step", step), ("prefill", prefill)));
    }

    private static (Model, TensorData[]) Stacker(Random r)
    {
        var m = new SingleOpModels(r);
        int channels = r.Next(1, 10), left = r.Next(0, 4), right = r.Next(0, 2), step = r.Next(1, left + right + 2);
        int x = m.Input(TensorType.INT16, [channels]);
        return m.BuildCustom("SignalStacker", [x], [m.Output(TensorType.INT16, [channels * (left + right + 1)]), m.Output(TensorType.BOOL, [])],
            FlexBufferEncoder.Map(4, ("num_channels", channels), ("stacker_left_context", left), ("stacker_right_context", right), ("stacker_step", step)));
    }

    private static (Model, TensorData[]) SpectralSubtraction(Random r)
    {
        var m = new SingleOpModels(r);
        int channels = r.Next(1, 40), bits = r.Next(0, 8);
        // Inputs below 2^(32 − smoothing_bits): the scaled-up signal stays in 32 bits, as in a front end.
        var values = Enumerable.Range(0, channels).Select(_ => (uint)(r.NextDouble() * Math.Pow(2, r.Next(0, 32 - bits)))).ToArray();
        int x = m.Input(TensorType.UINT32, [channels], values.SelectMany(BitConverter.GetBytes).ToArray());
        int smoothing = r.Next(1, 16384), alternate = r.Next(1, 16384);
        return m.BuildCustom("SignalFilterBankSpectralSubtraction", [x], [m.Output(TensorType.UINT32, [channels]), m.Output(TensorType.UINT32, [channels])],
            FlexBufferEncoder.Map(4, ("num_channels", channels), ("smoothing", smoothing), ("one_minus_smoothing", 16384 - smoothing),
                ("alternate_smoothing", alternate), ("alternate_one_minus_smoothing", 16384 - alternate), ("min_signal_remaining", r.Next(0, 16384)),
                ("smoothing_bits", bits), ("spectral_subtraction_bits", 14), ("clamping", r.Next(2) == 0)));
    }

    private static (Model, TensorData[]) Energy(Random r)
    {
        var m = new SingleOpModels(r);
        int bins = r.Next(1, 40);
        int x = m.Input(TensorType.INT16, [2 * bins]);
        return m.BuildCustom("SignalEnergy", [x], [m.Output(TensorType.UINT32, [bins])], FlexBufferEncoder.Map(1, ("end_index", bins), ("start_index", 0)));
    }

    private static (Model, TensorData[]) SquareRoot(Random r)
    {
        var m = new SingleOpModels(r);
        int channels = r.Next(1, 40);
        // Up to 2^50, where float64's square root still rounds to the right integer.
        var values = Enumerable.Range(0, channels).Select(_ => (ulong)(r.NextDouble() * Math.Pow(2, r.Next(1, 51)))).ToArray();
        int x = m.Input(TensorType.UINT64, [channels], values.SelectMany(BitConverter.GetBytes).ToArray());
        int scaleBits = m.Constant(TensorType.INT32, [], new[] { r.Next(0, 9) });
        return m.BuildCustom("SignalFilterBankSquareRoot", [x, scaleBits], [m.Output(TensorType.UINT32, [channels])], []);
    }

    private static (Model, TensorData[]) Fft(Random r, TensorType type, bool inverse)
    {
        var m = new SingleOpModels(r);
        int n = new[] { 8, 16, 32, 48, 60, 64, 128, 256, 512 }[r.Next(9)], frames = r.Next(1, 4), bins = n / 2 + 1;
        int length = inverse ? 2 * bins : r.Next(1, n + 1);
        // int16 frames at a quarter of full scale, as audio front ends feed them.
        int x = m.Input(type, [frames, length], range: type == TensorType.INT16 ? (-8192, 8192) : (-1, 1));
        int y = m.Output(type, [frames, inverse ? n : 2 * bins]);
        return m.BuildCustom(inverse ? "SignalIrfft" : "SignalRfft", [x], [y], FlexBufferEncoder.Map(4, ("T", (int)type), ("fft_length", n)));
    }

    private static (Model, TensorData[]) DetectionPostProcess(Random r, bool regular)
    {
        var m = new SingleOpModels(r);
        int boxes = r.Next(4, 60), classes = r.Next(1, 7), background = r.Next(2), maxDetections = r.Next(1, 12);
        int encodingWidth = 4 + r.Next(2);
        // Anchors spread over the unit square with sizes 0.05–0.35: enough overlap for suppression to matter.
        var anchors = new float[boxes * 4];
        for (int i = 0; i < boxes; i++)
        {
            anchors[i * 4] = (float)r.NextDouble();
            anchors[i * 4 + 1] = (float)r.NextDouble();
            anchors[i * 4 + 2] = 0.05f + 0.3f * (float)r.NextDouble();
            anchors[i * 4 + 3] = 0.05f + 0.3f * (float)r.NextDouble();
        }
        int encodings = m.Input(TensorType.FLOAT32, [1, boxes, encodingWidth], range: (-2, 2));
        int scores = m.Input(TensorType.FLOAT32, [1, boxes, classes + background], range: (0, 1));
        int anchorTensor = m.Constant(TensorType.FLOAT32, [boxes, 4], anchors);
        int outBoxes = m.Output(TensorType.FLOAT32, [1, maxDetections, 4]);
        int outClasses = m.Output(TensorType.FLOAT32, [1, maxDetections]);
        int outScores = m.Output(TensorType.FLOAT32, [1, maxDetections]);
        int count = m.Output(TensorType.FLOAT32, [1]);
        var options = FlexBufferEncoder.Map(4,
            ("max_detections", maxDetections), ("max_classes_per_detection", 1), ("detections_per_class", r.Next(1, 8)),
            ("use_regular_nms", regular), ("nms_score_threshold", 0.05 + 0.5 * r.NextDouble()), ("nms_iou_threshold", 0.2 + 0.6 * r.NextDouble()),
            ("num_classes", classes), ("y_scale", 10.0), ("x_scale", 10.0), ("h_scale", 5.0), ("w_scale", 5.0));
        return m.BuildCustom("TFLite_Detection_PostProcess", [encodings, scores, anchorTensor], [outBoxes, outClasses, outScores, count], options);
    }
}
