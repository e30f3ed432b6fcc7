using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// CIRCULAR_BUFFER (TFLM custom op) for streaming convolutions: each Invoke shifts the output's slots one step
/// towards the start and writes the new input [1, 1, w, d] into the last slot of the output [1, slots, w, d] (a
/// variable tensor, so it keeps its contents between calls). Only every cycles_max-th call lets the operators after
/// it run; on the others it ends the Invoke early (<see cref="KernelContext.EndInvokeEarly"/>). int8 only, as in TFLM.
/// </summary>
internal sealed class CircularBufferKernel : OperatorKernel
{
    private sealed class OpData
    {
        public int CyclesMax;
        public int CyclesUntilRun;
        public int Slots;
        public int SlotBytes;
    }

    /// <summary>TFLM keeps this count in a static; here it belongs to the interpreter.</summary>
    private sealed class PrepareCount
    {
        public int Value;
    }

    public override object? Init(KernelContext context, Node node) =>
        new OpData { CyclesMax = node.Operator.CustomOptions.IsEmpty ? 0 : CustomOptions.Read(node, o => o.Int32("cycles_max", 0)) };

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.INT8);
        node.RequireSameType(input, output);
        node.Require(input.Rank == 4 && output.Rank == 4,
            $"input tensor {input.Index} {KernelChecks.ShapeText(input)} and output tensor {output.Index} {KernelChecks.ShapeText(output)} must be 4-D ([1, 1, w, d] and [1, slots, w, d])");
        node.Require(input.Dim(0) == output.Dim(0) && input.Dim(1) == 1 && input.Dim(2) == output.Dim(2) && input.Dim(3) == output.Dim(3),
            $"input tensor {input.Index} {KernelChecks.ShapeText(input)} must be one slot of output tensor {output.Index} {KernelChecks.ShapeText(output)}");

        var d = node.DataAs<OpData>();
        if (d.CyclesMax <= 0)
        {
            // No cycles_max in the options: TFLM tells its two published streaming models' layers apart by shape and by
            // how many such buffers it has prepared (period 1 for the last layer of each, 2 for the others). Kept as is.
            var count = context.InterpreterState<PrepareCount>();
            count.Value++;
            if (output.Dim(1) is 5 or 13 or 25 || (count.Value == 5 && output.Dim(2) == 2 && output.Dim(3) == 96))
            {
                d.CyclesMax = 1;
                count.Value = 0;
            }
            else
            {
                d.CyclesMax = 2;
            }
        }
        d.CyclesUntilRun = d.CyclesMax;
        d.Slots = output.Dim(1);
        d.SlotBytes = output.Dim(2) * output.Dim(3);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var buffer = node.Outputs[0].AsSpan<byte>();
        int kept = (d.Slots - 1) * d.SlotBytes;
        buffer.Slice(d.SlotBytes, kept).CopyTo(buffer); // overlapping: Span.CopyTo moves like memmove
        node.Inputs[0]!.AsReadOnlySpan<byte>()[..d.SlotBytes].CopyTo(buffer[kept..]);
        if (--d.CyclesUntilRun != 0)
        {
            context.EndInvokeEarly();
            return;
        }
        d.CyclesUntilRun = d.CyclesMax;
    }

    public override void Reset(Node node)
    {
        if (node.Data is OpData d) d.CyclesUntilRun = d.CyclesMax;
    }
}
