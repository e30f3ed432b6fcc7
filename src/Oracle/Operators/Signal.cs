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
/// the integer types, as TFLM's KISS FFT; the forward int16 transform is scaled by 1/n, Q15).
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
