using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>
/// SignalFftAutoScale: shifts an int16 frame left as far as its largest magnitude allows, so the
/// fixed-point FFT keeps the most precision; outputs the frame and the shift (int32 scalar).
/// </summary>
internal sealed class FftAutoScaleKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 2);
        var input = node.Input(0);
        var output = node.Output(0);
        var scaleBits = node.Output(1);
        node.RequireTensor(input, "input", 1, TensorType.INT16);
        node.RequireTensor(output, "output", 1, TensorType.INT16);
        node.RequireTensor(scaleBits, "scale bits", 0, TensorType.INT32);
        node.Require(output.ElementCount <= input.ElementCount, $"output has {output.ElementCount} elements, more than the input's {input.ElementCount}");
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var output = node.Outputs[0].AsSpan<short>();
        var input = node.Inputs[0]!.AsReadOnlySpan<short>()[..output.Length];
        // TFLM's MaxAbs16 keeps the maximum in int16, so |-32768| wraps back to -32768; its MSB is
        // then 32 and the scale 0 — the same as for any full-scale frame.
        short max = 0;
        foreach (short value in input)
        {
            if (value > max) max = value;
            else if (-value > max) max = (short)-value;
        }
        int scaleBits = Math.Max(16 - SignalArithmetic.MostSignificantBit32((uint)max) - 1, 0);
        for (int i = 0; i < input.Length; i++)
            output[i] = (short)(input[i] << scaleBits);
        node.Outputs[1].AsSpan<int>()[0] = scaleBits;
    }
}
