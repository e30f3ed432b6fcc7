using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>
/// SignalWindow: multiplies each frame of int16 samples by an int16 window (Q shift), saturating
/// to int16. Inputs: samples (any rank, innermost frames of the window's length), window [n];
/// option 'shift'.
/// </summary>
internal sealed class WindowKernel : OperatorKernel
{
    private sealed class OpData { public int Shift; }

    public override object? Init(KernelContext context, Node node) =>
        CustomOptions.Read(node, o => new OpData { Shift = o.Int32("shift") });

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var input = node.Input(0);
        var weights = node.Input(1);
        var output = node.Output(0);
        node.Require(input.Rank >= 1, "input needs at least one dimension");
        node.RequireTensor(weights, "window", 1, TensorType.INT16);
        node.Require(output.Rank == input.Rank, $"output rank {output.Rank} differs from input rank {input.Rank}");
        node.RequireType(input, "input", TensorType.INT16);
        node.RequireType(output, "output", TensorType.INT16);
        node.RequireSameElementCount(input, output);
        int n = weights.ElementCount;
        node.Require(n > 0 && input.ElementCount % n == 0, $"input of {input.ElementCount} samples is not a whole number of {n}-sample windows");
        int shift = node.DataAs<OpData>().Shift;
        node.Require(shift is >= 0 and < 32, $"shift {shift} is outside 0..31");
    }

    public override void Invoke(KernelContext context, Node node)
    {
        int shift = node.DataAs<OpData>().Shift;
        var input = node.Inputs[0]!.AsReadOnlySpan<short>();
        var window = node.Inputs[1]!.AsReadOnlySpan<short>();
        var output = node.Outputs[0].AsSpan<short>();
        for (int start = 0; start < input.Length; start += window.Length)
            for (int i = 0; i < window.Length; i++)
                output[start + i] = (short)Math.Clamp((input[start + i] * window[i]) >> shift, short.MinValue, short.MaxValue);
    }
}
