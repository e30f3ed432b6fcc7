using TinyMl.Interpreter;
using TinyMl.Oracle.Running;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace TinyMl.Oracle.Operators;

/// <summary>
/// Stateless operators of TFLM's signal library in torch (float64): SignalWindow (x·w shifted right, floored, int16
/// saturated), SignalEnergy (re² + im² of the bins in range), SignalFilterBankSquareRoot (√x rounded to nearest, then
/// shifted right) and SignalRfft / SignalIrfft through torch.fft (the inverse scaled by 1/n for float32, unscaled for
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
