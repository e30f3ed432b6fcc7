using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>
/// SignalPCAN: per-channel energy normalisation (PCAN auto gain control, fixed point). Each
/// channel's gain comes from a piecewise-quadratic lookup of its noise estimate; the normalised
/// SNR is then compressed. Inputs: filterbank output, noise estimate (uint32), gain LUT (int16);
/// option 'snr_shift'.
/// </summary>
internal sealed class PcanKernel : OperatorKernel
{
    private const int SnrBits = 12, OutputBits = 6;

    private sealed class OpData { public int SnrShift; }

    public override object? Init(KernelContext context, Node node) =>
        CustomOptions.Read(node, o => new OpData { SnrShift = o.Int32("snr_shift") });

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(3, 1);
        var input = node.Input(0);
        var noise = node.Input(1);
        var lut = node.Input(2);
        var output = node.Output(0);
        node.RequireTensor(input, "input", 1, TensorType.UINT32);
        node.RequireTensor(noise, "noise estimate", 1, TensorType.UINT32);
        node.RequireTensor(lut, "gain LUT", 1, TensorType.INT16);
        node.RequireTensor(output, "output", 1, TensorType.UINT32);
        node.Require(output.ElementCount == input.ElementCount && noise.ElementCount >= input.ElementCount,
            $"input ({input.ElementCount}), noise estimate ({noise.ElementCount}) and output ({output.ElementCount}) do not match");
        // The lookup reads lut[4 * msb(x) - 6 + 0..2] for msb(x) up to 32.
        node.Require(lut.ElementCount >= 4 * 32 - 6 + 3, $"gain LUT has {lut.ElementCount} entries, {4 * 32 - 3} needed");
        int shift = node.DataAs<OpData>().SnrShift;
        node.Require(shift is >= 0 and < 64, $"snr_shift {shift} is outside 0..63");
    }

    public override void Invoke(KernelContext context, Node node)
    {
        int snrShift = node.DataAs<OpData>().SnrShift;
        var input = node.Inputs[0]!.AsReadOnlySpan<uint>();
        var noise = node.Inputs[1]!.AsReadOnlySpan<uint>();
        var lut = node.Inputs[2]!.AsReadOnlySpan<short>();
        var output = node.Outputs[0].AsSpan<uint>();
        for (int i = 0; i < input.Length; i++)
        {
            uint gain = (uint)(int)WideDynamicFunction(noise[i], lut); // int16 → uint32 sign-extends, as in C
            uint snr = (uint)(((ulong)input[i] * gain) >> snrShift);
            output[i] = Shrink(snr);
        }
    }

    private static short WideDynamicFunction(uint x, ReadOnlySpan<short> lut)
    {
        if (x <= 2) return lut[(int)x];
        int interval = SignalArithmetic.MostSignificantBit32(x);
        var segment = lut[(4 * interval - 6)..];
        short frac = (short)((interval < 11 ? x << (11 - interval) : x >> (interval - 11)) & 0x3FF);
        int result = (segment[2] * frac) >> 5;
        result += (int)((uint)segment[1] << 5);
        result *= frac;
        result = (result + (1 << 14)) >> 15;
        result += segment[0];
        return (short)result;
    }

    private static uint Shrink(uint x) => x < 2 << SnrBits
        ? (x * x) >> (2 + 2 * SnrBits - OutputBits)
        : (x >> (SnrBits - OutputBits)) - (1 << OutputBits);
}
