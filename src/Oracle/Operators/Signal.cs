using TinyMl.Interpreter;
using TinyMl.Oracle.Running;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace TinyMl.Oracle.Operators;

/// <summary>
/// Stateless operators of TFLM's signal library in torch (float64): SignalWindow (x·w shifted right, floored, int16
/// saturated), SignalEnergy (re² + im² of the bins in range), SignalFftAutoScale, SignalFilterBank (triangular bands
/// as sums of weight × bin), SignalFilterBankSquareRoot (√x rounded to nearest, then shifted right),
/// SignalFilterBankLog (ln x · output_scale from the exact logarithm) and SignalRfft / SignalIrfft through torch.fft (the inverse scaled by 1/n for float32, unscaled for
/// the integer types, as TFLM's KISS FFT; the forward int16 transform is scaled by 1/n, Q15). The stateful ones —
/// SignalDelay, SignalOverlapAdd, SignalFramer, SignalStacker, SignalFilterBankSpectralSubtraction — as one call after
/// a reset. (SignalPCAN's gain comes from a table the model carries, so there is nothing independent to compute it from.)
/// </summary>
internal static class Signal
{

    public static void Register(OperatorTable table)
    {
        table.AddCustom("SignalWindow", call =>
        {
            int shift = call.CustomOptions().Int32("shift");
            var x = call.Raw(0);
            var w = call.Raw(1);
            long n = w.shape[0];
            var frames = x.reshape(-1, n);
            return [((frames * w) / Math.Pow(2, shift)).floor().clamp(short.MinValue, short.MaxValue).reshape(x.shape)];
        });
        table.AddCustom("SignalEnergy", call =>
        {
            var o = call.CustomOptions();
            int start = o.Int32("start_index"), end = o.Int32("end_index");
            var bins = call.Raw(0).reshape(-1, 2);
            var energy = bins.square().sum(1);
            // Bins outside [start, end) are not written by TFLM; the cases use the whole range.
            var result = zeros(call.Output(0).ElementCount, dtype: ScalarType.Float64);
            result[start..end] = energy[start..end];
            return [result];
        });
        table.AddCustom("SignalFilterBankSquareRoot", call =>
        {
            int scaleBits = call.Ints(1)[0];
            var roots = call.Raw(0).sqrt().round();
            return [(roots / Math.Pow(2, scaleBits)).floor()];
        });
        table.AddCustom("SignalFftAutoScale", call =>
        {
            var x = call.Raw(0)[..(int)call.Output(0).ElementCount];
            double max = x.numel() == 0 ? 0 : x.abs().max().item<double>();
            // Shift left until the largest magnitude uses bit 14. An all-zero frame shifts by 0: TFLM's most-significant-bit
            // helper returns 32 for 0 on GCC/x86 builds (the build its goldens come from).
            int bits = max == 0 ? 32 : (int)Math.Floor(Math.Log2(max)) + 1;
            int scale = Math.Max(16 - bits - 1, 0);
            return [x * Math.Pow(2, scale), tensor((double)scale)];
        });
        table.AddCustom("SignalFilterBank", call =>
        {
            // Channel c (1 … num_channels) sums the rising edge of its own band (weights) and the falling edge of
            // the band before it (unweights), each over its width of spectrum bins; band 0 only seeds the first edge.
            int channels = call.CustomOptions().Int32("num_channels");
            var spectrum = call.Raw(0);
            var weights = call.Raw(1);
            var unweights = call.Raw(2);
            int[] starts = call.Ints(3), weightStarts = call.Ints(4), widths = call.Ints(5);
            Tensor Band(Tensor w, int c) => widths[c] == 0 ? tensor(0.0)
                : (w[weightStarts[c]..(weightStarts[c] + widths[c])] * spectrum[starts[c]..(starts[c] + widths[c])]).sum();
            var outputs = Enumerable.Range(1, (int)call.Output(0).ElementCount).Select(c => Band(weights, c) + Band(unweights, c - 1)).ToArray();
            return [stack(outputs)];
        });
        table.AddCustom("SignalFilterBankLog", call =>
        {
            var o = call.CustomOptions();
            int correction = o.Int32("input_correction_bits"), outputScale = o.Int32("output_scale");
            var scaled = call.Raw(0) * Math.Pow(2, correction);
            var log = (scaled.log() * outputScale).clamp(0, short.MaxValue);
            return [where(scaled > 1, log, zeros_like(log))];
        });
        table.AddCustom("SignalRfft", call => [Fft(call, inverse: false)]);
        // The stateful operators, one call after a reset (their state starts empty, or as zeros).
        table.AddCustom("SignalDelay", call =>
        {
            int delay = call.CustomOptions().Int32("delay_length");
            var x = call.Raw(0);
            var rows = x.reshape(-1, x.shape[^1]);
            long frame = rows.shape[1];
            var delayed = cat([zeros(rows.shape[0], delay, dtype: ScalarType.Float64), rows], 1)[.., ..(int)frame];
            return [delayed.reshape(x.shape)];
        });
        table.AddCustom("SignalOverlapAdd", call =>
        {
            int step = call.CustomOptions().Int32("frame_step");
            var x = call.Raw(0);
            long frames = x.shape[^2], size = x.shape[^1];
            var rows = x.reshape(-1, frames, size);
            var sum = zeros(rows.shape[0], frames * step + size, dtype: ScalarType.Float64);
            for (long f = 0; f < frames; f++)
                sum[.., (int)(f * step)..(int)(f * step + size)] += rows[.., f, ..];
            var clamped = sum[.., ..(int)(frames * step)];
            if (call.Input(0).Type == Interpreter.Schema.TensorType.INT16) clamped = clamped.clamp(short.MinValue, short.MaxValue);
            return [clamped.reshape(call.Output(0).Shape.Select(d => (long)d).ToArray())];
        });
        table.AddCustom("SignalFramer", call =>
        {
            // Each row's samples arrive frame_step at a time; frame k is the window of frame_size ending at the k-th
            // step (after frame_size − frame_step zeros when prefilled). A slot whose window is not yet full stays 0.
            var o = call.CustomOptions();
            int size = o.Int32("frame_size"), step = o.Int32("frame_step");
            bool prefill = o.Bool("prefill");
            var x = call.Raw(0);
            var rows = x.reshape(-1, x.shape[^1]);
            long frames = rows.shape[1] / step;
            var stream = prefill ? cat([zeros(rows.shape[0], size - step, dtype: ScalarType.Float64), rows], 1) : rows;
            var output = zeros(rows.shape[0], frames, size, dtype: ScalarType.Float64);
            bool valid = true;
            for (long k = 0, start = 0; k < frames; k++)
            {
                long available = (prefill ? size - step : 0) + (k + 1) * step - start;
                if (available < size) { valid = false; continue; }
                output[.., k, ..] = stream[.., (int)start..(int)(start + size)];
                start += step;
            }
            return [output.reshape(call.Output(0).Shape.Select(d => (long)d).ToArray()), tensor(valid ? 1.0 : 0.0)];
        });
        table.AddCustom("SignalStacker", call =>
        {
            // After a reset the first vector is also its own left context: the stack is ready at once unless it needs
            // right context.
            var o = call.CustomOptions();
            int channels = o.Int32("num_channels"), left = o.Int32("stacker_left_context"), right = o.Int32("stacker_right_context");
            var first = call.Raw(0)[..channels];
            var output = zeros(call.Output(0).ElementCount, dtype: ScalarType.Float64);
            if (right == 0) output[..(channels * (left + 1))] = first.repeat(left + 1);
            return [output, tensor(right == 0 ? 1.0 : 0.0)];
        });
        table.AddCustom("SignalFilterBankSpectralSubtraction", call =>
        {
            // From a zero noise estimate: n = (s·2^b · smoothing) >> subtraction_bits (alternate coefficients on odd
            // channels), capped at s·2^b; output max((s·2^b − n) >> b, (s · min_signal_remaining) >> subtraction_bits).
            var o = call.CustomOptions();
            int channels = o.Int32("num_channels"), bits = o.Int32("smoothing_bits"), subtraction = o.Int32("spectral_subtraction_bits");
            double smoothing = o.Int32("smoothing"), alternate = o.Int32("alternate_smoothing"), remaining = o.Int32("min_signal_remaining");
            bool clamping = o.Bool("clamping");
            var s = call.Raw(0)[..channels];
            var scaledUp = s * Math.Pow(2, bits);
            var coefficient = tensor(Enumerable.Range(0, channels).Select(i => i % 2 == 0 ? smoothing : alternate).ToArray());
            var noise = (scaledUp * coefficient / Math.Pow(2, subtraction)).floor();
            var estimate = minimum(noise, scaledUp);
            var floorValue = (s * remaining / Math.Pow(2, subtraction)).floor();
            var output = maximum((scaledUp - estimate) / Math.Pow(2, bits), floorValue).floor();
            return [output, clamping ? estimate : noise];
        });
        table.AddCustom("SignalIrfft", call => [Fft(call, inverse: true)]);
    }

    private static Tensor Fft(OperatorCall call, bool inverse)
    {
        var o = call.CustomOptions();
        var type = (Interpreter.Schema.TensorType)o.Int32("T");
        int n = o.Int32("fft_length");
        var x = call.Raw(0);
        long rowLength = x.shape[^1];
        var rows = x.reshape(-1, rowLength);
        if (!inverse)
        {
            var spectrum = fft.rfft(rows, n);                                     // zero-pads each row to n
            var interleaved = stack([spectrum.real, spectrum.imag], 2).reshape(rows.shape[0], -1);
            if (type == Interpreter.Schema.TensorType.INT16) interleaved = interleaved / n; // Q15 input, scaled by the length
            return interleaved.reshape(call.Output(0).Shape.Select(d => (long)d).ToArray());
        }
        var complexRows = rows.reshape(rows.shape[0], -1, 2);
        var signal = fft.irfft(complex(complexRows[.., .., 0], complexRows[.., .., 1]), n); // scaled by 1/n
        if (type != Interpreter.Schema.TensorType.FLOAT32) signal = signal * n;             // the integer inverses are not
        return signal.reshape(call.Output(0).Shape.Select(d => (long)d).ToArray());
    }
}
