using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>SignalDelay: each row of int16 samples comes out delay_length samples later (zeros first), across invocations.</summary>
internal sealed class DelayKernel : OperatorKernel
{
    private sealed class OpData
    {
        public int DelayLength, FrameSize, Rows;
        public SlidingBuffer[] Buffers = [];
    }

    public override object? Init(KernelContext context, Node node)
    {
        var d = CustomOptions.Read(node, o => new OpData { DelayLength = o.Int32("delay_length") });
        node.Require(d.DelayLength is >= 0 and <= 1 << 20, $"delay_length {d.DelayLength} is out of range");
        return d;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var d = node.DataAs<OpData>();
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.INT16);
        node.RequireType(output, "output", TensorType.INT16);
        node.Require(input.Rank >= 1, "input needs at least one dimension");
        node.RequireSameElementCount(input, output);
        d.FrameSize = input.Dim(input.Rank - 1);
        d.Rows = d.FrameSize == 0 ? 0 : input.ElementCount / d.FrameSize;
        d.Buffers = new SlidingBuffer[d.Rows];
        for (int i = 0; i < d.Rows; i++) d.Buffers[i] = new SlidingBuffer(context, d.FrameSize + d.DelayLength);
        Reset(node);
    }

    public override void Reset(Node node)
    {
        var d = node.DataAs<OpData>();
        foreach (var buffer in d.Buffers)
        {
            buffer.Reset();
            buffer.WriteZeros(d.DelayLength);
        }
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!.AsReadOnlySpan<short>();
        var output = node.Outputs[0].AsSpan<short>();
        for (int i = 0; i < d.Rows; i++)
        {
            var buffer = d.Buffers[i];
            buffer.Write(input.Slice(i * d.FrameSize, d.FrameSize));
            buffer.Peek(output.Slice(i * d.FrameSize, d.FrameSize));
            buffer.Discard(d.FrameSize);
        }
    }
}
