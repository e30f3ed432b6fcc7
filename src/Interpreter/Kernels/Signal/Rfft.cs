using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>
/// SignalRfft / SignalIrfft: real FFT of each innermost frame (zero-padded to fft_length) into
/// fft_length/2 + 1 interleaved complex bins, and back — KISS FFT as TFLM builds it, for int16
/// (Q15, scaled down by the FFT length), int32 and float32. Option 'T' names the type, 'fft_length' the size.
/// </summary>
internal abstract class RealFftKernelBase : OperatorKernel
{
    private protected sealed class OpData
    {
        public TensorType Type;
        public int FftLength;
        public int InputLength, InputSize, OutputLength;
        public int PaddedHandle, WorkHandle;
        public object Fft = null!;
    }

    private protected abstract bool Inverse { get; }

    public override object? Init(KernelContext context, Node node)
    {
        var (type, length) = CustomOptions.Read(node, o => ((TensorType)o.Int32("T"), o.Int32("fft_length")));
        node.Require(type is TensorType.INT16 or TensorType.INT32 or TensorType.FLOAT32, $"option T = {TensorTypes.Name(type)} is not supported (int16, int32, float32)");
        node.Require(length is >= 2 and <= 1 << 20 && length % 2 == 0, $"fft_length {length} is not an even length of 2 or more");
        return new OpData
        {
            Type = type,
            FftLength = length,
            Fft = type switch
            {
                TensorType.INT16 => new KissFft<short, Fixed16>(length, Inverse),
                TensorType.INT32 => new KissFft<int, Fixed32>(length, Inverse),
                _ => new KissFft<float, Float32>(length, Inverse),
            },
        };
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var d = node.DataAs<OpData>();
        var input = node.Input(0);
        var output = node.Output(0);
        node.Require(input.Rank >= 1 && input.Rank == output.Rank, $"input {KernelChecks.ShapeText(input)} and output {KernelChecks.ShapeText(output)} need the same rank");
        node.RequireType(input, "input", d.Type);
        node.RequireType(output, "output", d.Type);
        int bins = d.FftLength / 2 + 1;
        d.InputLength = input.Dim(input.Rank - 1);
        d.InputSize = input.ElementCount;
        d.OutputLength = output.Dim(output.Rank - 1);
        int frames = d.InputLength == 0 ? 0 : d.InputSize / d.InputLength;
        int elementSize = TensorTypes.ElementSize(d.Type);
        if (!Inverse)
        {
            // Output rows are complex: the innermost dimension counts reals, two per bin.
            node.Require(d.InputLength <= d.FftLength, $"frames of {d.InputLength} samples are longer than fft_length {d.FftLength}");
            node.Require(d.OutputLength == 2 * bins, $"output rows hold {d.OutputLength} values; fft_length {d.FftLength} gives {bins} complex bins = {2 * bins}");
            node.Require(output.ElementCount == frames * d.OutputLength, $"output {KernelChecks.ShapeText(output)} does not hold {frames} frames");
        }
        else
        {
            node.Require(d.InputLength == 2 * bins, $"input rows hold {d.InputLength} values; fft_length {d.FftLength} needs {bins} complex bins = {2 * bins}");
            // TFLM writes fft_length samples per frame, so output rows must be that long.
            node.Require(d.OutputLength == d.FftLength && output.ElementCount == frames * d.OutputLength,
                $"output {KernelChecks.ShapeText(output)} does not hold {frames} frames of fft_length {d.FftLength}");
        }
        int maxRadix = d.Type switch
        {
            TensorType.INT16 => ((KissFft<short, Fixed16>)d.Fft).MaxRadix,
            TensorType.INT32 => ((KissFft<int, Fixed32>)d.Fft).MaxRadix,
            _ => ((KissFft<float, Float32>)d.Fft).MaxRadix,
        };
        if (!Inverse) d.PaddedHandle = context.RequestScratchBuffer(d.FftLength * elementSize);
        d.WorkHandle = context.RequestScratchBuffer((d.FftLength / 2 + maxRadix) * 2 * elementSize);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        switch (d.Type)
        {
            case TensorType.INT16: Run((KissFft<short, Fixed16>)d.Fft, context, node, d); break;
            case TensorType.INT32: Run((KissFft<int, Fixed32>)d.Fft, context, node, d); break;
            default: Run((KissFft<float, Float32>)d.Fft, context, node, d); break;
        }
    }

    private void Run<T, TMath>(KissFft<T, TMath> fft, KernelContext context, Node node, OpData d)
        where T : unmanaged where TMath : IKissArithmetic<T>
    {
        var input = node.Inputs[0]!.AsReadOnlySpan<T>();
        var output = node.Outputs[0].AsSpan<T>();
        var padded = MemoryMarshal.Cast<byte, T>(context.GetScratchBuffer(d.PaddedHandle));
        var work = MemoryMarshal.Cast<byte, Cpx<T>>(context.GetScratchBuffer(d.WorkHandle));
        int bins = d.FftLength / 2 + 1;
        for (int i = 0, o = 0; i < d.InputSize; i += d.InputLength, o += d.OutputLength)
        {
            if (!Inverse)
            {
                input.Slice(i, d.InputLength).CopyTo(padded);
                padded[d.InputLength..].Clear();
                fft.Forward(padded, MemoryMarshal.Cast<T, Cpx<T>>(output.Slice(o, 2 * bins)), work);
            }
            else
            {
                var frame = output.Slice(o, d.FftLength);
                fft.Inverse(MemoryMarshal.Cast<T, Cpx<T>>(input.Slice(i, 2 * bins)), frame, work);
                // KISS FFT's inverse is unscaled; TFLM's float IRFFT divides by the real length, its integer ones do not.
                if (typeof(T) == typeof(float))
                {
                    var values = MemoryMarshal.Cast<T, float>(frame);
                    for (int j = 0; j < values.Length; j++) values[j] /= d.FftLength;
                }
            }
        }
    }
}

internal sealed class RfftKernel : RealFftKernelBase
{
    private protected override bool Inverse => false;
}

internal sealed class IrfftKernel : RealFftKernelBase
{
    private protected override bool Inverse => true;
}
