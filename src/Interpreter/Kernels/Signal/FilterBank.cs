using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>
/// SignalFilterBank: mel-style triangular filters over a uint32 energy spectrum, accumulated in
/// uint64. Inputs: spectrum, weights, unweights (1 − weight, for the falling edge carried into the
/// next channel), channel frequency starts, channel weight starts, channel widths (all int16, the
/// per-channel arrays with num_channels + 1 entries); output [num_channels] uint64.
/// </summary>
internal sealed class FilterBankKernel : OperatorKernel
{
    private sealed class OpData { public int Channels; public Memory<byte> Accumulators; }

    public override object? Init(KernelContext context, Node node)
    {
        int channels = CustomOptions.Read(node, o => o.Int32("num_channels"));
        node.Require(channels is > 0 and < 1 << 20, $"num_channels {channels} is not a positive channel count");
        return new OpData { Channels = channels, Accumulators = context.AllocatePersistentBuffer((channels + 1) * sizeof(ulong)) };
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(6, 1);
        var d = node.DataAs<OpData>();
        var input = node.Input(0);
        node.RequireTensor(input, "input", 1, TensorType.UINT32);
        string[] roles = ["", "weights", "unweights", "channel frequency starts", "channel weight starts", "channel widths"];
        for (int i = 1; i < 6; i++)
        {
            node.RequireTensor(node.Input(i), roles[i], 1, TensorType.INT16);
        }
        var output = node.Output(0);
        node.RequireTensor(output, "output", 1, TensorType.UINT64);
        node.Require(output.ElementCount <= d.Channels, $"output has {output.ElementCount} elements, more than num_channels {d.Channels}");
        for (int i = 3; i < 6; i++)
            node.Require(node.Input(i).ElementCount >= d.Channels + 1, $"{roles[i]} has {node.Input(i).ElementCount} entries, num_channels + 1 = {d.Channels + 1} needed");
        node.Require(node.Input(2).ElementCount == node.Input(1).ElementCount, "weights and unweights differ in length");

        // Every index the accumulation reads must lie inside its tensor; checked once here when the
        // tables are constants, so Invoke cannot read out of bounds.
        if (node.Input(3).IsConstant && node.Input(4).IsConstant && node.Input(5).IsConstant)
        {
            var freqStarts = node.Input(3).AsReadOnlySpan<short>();
            var weightStarts = node.Input(4).AsReadOnlySpan<short>();
            var widths = node.Input(5).AsReadOnlySpan<short>();
            for (int c = 0; c <= d.Channels; c++)
            {
                node.Require(freqStarts[c] >= 0 && weightStarts[c] >= 0 && widths[c] >= 0
                    && freqStarts[c] + widths[c] <= input.ElementCount && weightStarts[c] + widths[c] <= node.Input(1).ElementCount,
                    $"channel {c} (start {freqStarts[c]}, weight start {weightStarts[c]}, width {widths[c]}) reads outside its tensors");
            }
        }
        else
        {
            throw node.Unsupported("channel tables must be constants of the model");
        }
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!.AsReadOnlySpan<uint>();
        var weights = node.Inputs[1]!.AsReadOnlySpan<short>();
        var unweights = node.Inputs[2]!.AsReadOnlySpan<short>();
        var freqStarts = node.Inputs[3]!.AsReadOnlySpan<short>();
        var weightStarts = node.Inputs[4]!.AsReadOnlySpan<short>();
        var widths = node.Inputs[5]!.AsReadOnlySpan<short>();
        var work = MemoryMarshal.Cast<byte, ulong>(d.Accumulators.Span);

        // Channel i's rising edge (weights) and the falling edge carried from channel i-1
        // (unweights) are one sum; channel 0 only seeds the first falling edge and is dropped.
        ulong weighted = 0, unweighted = 0;
        for (int c = 0; c <= d.Channels; c++)
        {
            int freqStart = freqStarts[c], weightStart = weightStarts[c];
            for (int j = 0; j < widths[c]; j++)
            {
                // int16 weight times uint64: a negative weight wraps as it does in C.
                weighted += (ulong)(long)weights[weightStart + j] * input[freqStart + j];
                unweighted += (ulong)(long)unweights[weightStart + j] * input[freqStart + j];
            }
            work[c] = weighted;
            weighted = unweighted;
            unweighted = 0;
        }
        work.Slice(1, node.Outputs[0].ElementCount).CopyTo(node.Outputs[0].AsSpan<ulong>());
    }
}

/// <summary>SignalFilterBankSquareRoot: rounded integer square root of each uint64 channel, shifted down by a runtime int32 scalar.</summary>
internal sealed class FilterBankSquareRootKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var input = node.Input(0);
        var scaleBits = node.Input(1);
        var output = node.Output(0);
        node.RequireTensor(input, "input", 1, TensorType.UINT64);
        node.RequireTensor(scaleBits, "scale bits", 0, TensorType.INT32);
        node.RequireTensor(output, "output", 1, TensorType.UINT32);
        node.Require(output.ElementCount >= input.ElementCount, $"output has {output.ElementCount} elements, fewer than the input's {input.ElementCount}");
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var input = node.Inputs[0]!.AsReadOnlySpan<ulong>();
        // C shifts by the low 5 bits on x86; the FFT's auto-scale gives 0..15 in practice.
        int scaleBits = node.Inputs[1]!.AsReadOnlySpan<int>()[0];
        var output = node.Outputs[0].AsSpan<uint>();
        for (int i = 0; i < input.Length; i++)
            output[i] = SignalArithmetic.Sqrt64(input[i]) >> scaleBits;
    }
}

/// <summary>
/// SignalFilterBankSpectralSubtraction: per-channel noise estimate (exponential smoothing, alternate
/// coefficients on odd channels) subtracted from the signal with a floor. The estimate is state
/// kept in the arena across invocations (zeroed by Prepare and Reset) and also copied to output 1.
/// </summary>
internal sealed class FilterBankSpectralSubtractionKernel : OperatorKernel
{
    private sealed class OpData
    {
        public int Channels, SmoothingBits, SpectralSubtractionBits;
        public uint Smoothing, OneMinusSmoothing, AlternateSmoothing, AlternateOneMinusSmoothing, MinSignalRemaining;
        public bool Clamping;
        public Memory<byte> NoiseEstimate;
    }

    public override object? Init(KernelContext context, Node node)
    {
        var d = CustomOptions.Read(node, o => new OpData
        {
            Channels = o.Int32("num_channels"),
            Smoothing = (uint)o.Int32("smoothing"),
            OneMinusSmoothing = (uint)o.Int32("one_minus_smoothing"),
            AlternateSmoothing = (uint)o.Int32("alternate_smoothing"),
            AlternateOneMinusSmoothing = (uint)o.Int32("alternate_one_minus_smoothing"),
            MinSignalRemaining = (uint)o.Int32("min_signal_remaining"),
            SmoothingBits = o.Int32("smoothing_bits"),
            SpectralSubtractionBits = o.Int32("spectral_subtraction_bits"),
            Clamping = o.Bool("clamping"),
        });
        node.Require(d.Channels is > 0 and < 1 << 20, $"num_channels {d.Channels} is not a positive channel count");
        node.Require(d.SmoothingBits is >= 0 and < 32 && d.SpectralSubtractionBits is >= 0 and < 64,
            $"smoothing_bits {d.SmoothingBits} or spectral_subtraction_bits {d.SpectralSubtractionBits} is out of range");
        d.NoiseEstimate = context.AllocatePersistentBuffer(d.Channels * sizeof(uint));
        return d;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 2);
        var d = node.DataAs<OpData>();
        var input = node.Input(0);
        var output = node.Output(0);
        var noise = node.Output(1);
        node.RequireTensor(input, "input", 1, TensorType.UINT32);
        node.RequireTensor(output, "output", 1, TensorType.UINT32);
        node.RequireTensor(noise, "noise estimate", 1, TensorType.UINT32);
        node.Require(input.ElementCount >= d.Channels && output.ElementCount >= d.Channels,
            $"input ({input.ElementCount}) and output ({output.ElementCount}) need num_channels = {d.Channels} elements");
        node.Require(noise.ElementCount <= d.Channels, $"noise estimate output has {noise.ElementCount} elements, more than num_channels {d.Channels}");
        Reset(node);
    }

    public override void Reset(Node node) => node.DataAs<OpData>().NoiseEstimate.Span.Clear();

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!.AsReadOnlySpan<uint>();
        var output = node.Outputs[0].AsSpan<uint>();
        var noise = MemoryMarshal.Cast<byte, uint>(d.NoiseEstimate.Span);
        for (int i = 0; i < d.Channels; i++)
        {
            bool even = (i & 1) == 0;
            uint smoothing = even ? d.Smoothing : d.AlternateSmoothing;
            uint oneMinusSmoothing = even ? d.OneMinusSmoothing : d.AlternateOneMinusSmoothing;
            uint signalScaledUp = input[i] << d.SmoothingBits;
            noise[i] = (uint)(((ulong)signalScaledUp * smoothing + (ulong)noise[i] * oneMinusSmoothing) >> d.SpectralSubtractionBits);
            uint estimate = noise[i];
            if (estimate > signalScaledUp)
            {
                estimate = signalScaledUp;
                if (d.Clamping) noise[i] = estimate;
            }
            uint floor = (uint)(((ulong)input[i] * d.MinSignalRemaining) >> d.SpectralSubtractionBits);
            uint subtracted = (signalScaledUp - estimate) >> d.SmoothingBits;
            output[i] = subtracted > floor ? subtracted : floor;
        }
        var noiseOut = node.Outputs[1].AsSpan<uint>();
        noise[..noiseOut.Length].CopyTo(noiseOut);
    }
}

/// <summary>SignalFilterBankLog: Q-scaled natural log of each uint32 channel (after a correction shift), saturating to int16; 0 for inputs ≤ 1.</summary>
internal sealed class FilterBankLogKernel : OperatorKernel
{
    private sealed class OpData { public int CorrectionBits, OutputScale; }

    public override object? Init(KernelContext context, Node node) =>
        CustomOptions.Read(node, o => new OpData { CorrectionBits = o.Int32("input_correction_bits"), OutputScale = o.Int32("output_scale") });

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireTensor(input, "input", 1, TensorType.UINT32);
        node.RequireTensor(output, "output", 1, TensorType.INT16);
        node.Require(output.ElementCount >= input.ElementCount, $"output has {output.ElementCount} elements, fewer than the input's {input.ElementCount}");
        int bits = node.DataAs<OpData>().CorrectionBits;
        node.Require(bits is >= 0 and < 32, $"input_correction_bits {bits} is outside 0..31");
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!.AsReadOnlySpan<uint>();
        var output = node.Outputs[0].AsSpan<short>();
        for (int i = 0; i < input.Length; i++)
        {
            uint scaled = input[i] << d.CorrectionBits;
            output[i] = scaled > 1 ? (short)Math.Min(SignalArithmetic.Log32(scaled, (uint)d.OutputScale), (uint)short.MaxValue) : (short)0;
        }
    }
}
