using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>
/// SignalEnergy: |X|² of int16 complex bins [start_index, end_index) into uint32. Bins outside
/// that range are left as they are, as in TFLM (the micro_speech graph slices them away).
/// </summary>
internal sealed class EnergyKernel : OperatorKernel
{
    private sealed class OpData { public int Start, End; }

    public override object? Init(KernelContext context, Node node) =>
        CustomOptions.Read(node, o => new OpData { Start = o.Int32("start_index"), End = o.Int32("end_index") });

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireTensor(input, "input", 1, TensorType.INT16);
        node.RequireTensor(output, "output", 1, TensorType.UINT32);
        var d = node.DataAs<OpData>();
        int bins = Math.Min(input.ElementCount / 2, output.ElementCount);
        node.Require(d.Start >= 0 && d.Start <= d.End && d.End <= bins,
            $"bins [{d.Start}, {d.End}) do not fit the {input.ElementCount / 2} complex inputs and {output.ElementCount} outputs");
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!.AsReadOnlySpan<short>();
        var output = node.Outputs[0].AsSpan<uint>();
        for (int i = d.Start; i < d.End; i++)
        {
            int real = input[2 * i], imag = input[2 * i + 1];
            output[i] = (uint)(real * real + imag * imag); // int32 sum, reinterpreted as TFLM does
        }
    }
}
