using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>
/// SignalFramer: cuts each row of int16 samples (arriving frame_step at a time) into overlapping
/// frames of frame_size, one per step, carrying the overlap across invocations; 'prefill' starts
/// with frame_size − frame_step zeros. Output 1 (bool) says whether every frame was complete — an
/// incomplete frame leaves its output untouched, as in TFLM.
/// </summary>
internal sealed class FramerKernel : OperatorKernel
{
    private sealed class OpData
    {
        public int FrameSize, FrameStep, Rows, Frames;
        public bool Prefill;
        public SlidingBuffer[] Buffers = [];
    }

    public override object? Init(KernelContext context, Node node)
    {
        var d = CustomOptions.Read(node, o => new OpData { FrameSize = o.Int32("frame_size"), FrameStep = o.Int32("frame_step"), Prefill = o.Bool("prefill") });
        node.Require(d.FrameStep > 0 && d.FrameSize >= d.FrameStep && d.FrameSize <= 1 << 20,
            $"frame_size {d.FrameSize} and frame_step {d.FrameStep} need 0 < frame_step <= frame_size");
        return d;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 2);
        var d = node.DataAs<OpData>();
        var input = node.Input(0);
        var output = node.Output(0);
        var valid = node.Output(1);
        node.Require(input.Rank >= 1 && output.Rank == input.Rank + 1, $"output {KernelChecks.ShapeText(output)} needs one more dimension than input {KernelChecks.ShapeText(input)}");
        node.RequireTensor(valid, "valid flag", 0, TensorType.BOOL);
        node.RequireType(input, "input", TensorType.INT16);
        node.RequireType(output, "output", TensorType.INT16);
        int inner = input.Dim(input.Rank - 1);
        node.Require(inner >= d.FrameStep && inner % d.FrameStep == 0, $"rows of {inner} samples are not a whole number of frame_step {d.FrameStep}");
        d.Rows = input.ElementCount / inner;
        d.Frames = inner / d.FrameStep;
        node.Require(output.ElementCount == d.Rows * d.Frames * d.FrameSize, $"output {KernelChecks.ShapeText(output)} does not hold {d.Rows} x {d.Frames} frames of {d.FrameSize}");
        int capacity = (d.FrameSize + d.FrameStep - 1) / d.FrameStep * d.FrameStep;
        d.Buffers = new SlidingBuffer[d.Rows];
        for (int i = 0; i < d.Rows; i++) d.Buffers[i] = new SlidingBuffer(context, capacity);
        Reset(node);
    }

    public override void Reset(Node node)
    {
        var d = node.DataAs<OpData>();
        foreach (var buffer in d.Buffers)
        {
            buffer.Reset();
            if (d.Prefill) buffer.WriteZeros(d.FrameSize - d.FrameStep);
        }
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!.AsReadOnlySpan<short>();
        var output = node.Outputs[0].AsSpan<short>();
        bool valid = true;
        for (int i = 0; i < d.Rows; i++)
        {
            var buffer = d.Buffers[i];
            for (int frame = 0; frame < d.Frames; frame++)
            {
                int index = i * d.Frames + frame;
                buffer.Write(input.Slice(index * d.FrameStep, d.FrameStep));
                if (buffer.Available >= d.FrameSize)
                {
                    buffer.Peek(output.Slice(index * d.FrameSize, d.FrameSize));
                    buffer.Discard(d.FrameStep);
                }
                else
                {
                    valid = false;
                }
            }
        }
        node.Outputs[1].AsSpan<bool>()[0] = valid;
    }
}

/// <summary>
/// SignalStacker: stacks the last left_context + 1 + right_context int16 feature vectors of
/// num_channels into one output, every stacker_step vectors. The first vector is repeated
/// left_context times so output starts early; output 1 (bool) says whether this call produced one.
/// </summary>
internal sealed class StackerKernel : OperatorKernel
{
    private sealed class OpData
    {
        public int Channels, Left, Right, Step, BufferSize, StepSize;
        public bool HasFirstFrame;
        public SlidingBuffer Buffer = null!;
    }

    public override object? Init(KernelContext context, Node node)
    {
        var d = CustomOptions.Read(node, o => new OpData
        {
            Channels = o.Int32("num_channels"),
            Left = o.Int32("stacker_left_context"),
            Right = o.Int32("stacker_right_context"),
            Step = o.Int32("stacker_step"),
        });
        node.Require(d.Channels is > 0 and <= 1 << 16 && d.Left is >= 0 and <= 1 << 10 && d.Right is >= 0 and <= 1 << 10 && d.Step > 0 && d.Step <= d.Left + d.Right + 1,
            $"num_channels {d.Channels}, contexts {d.Left}/{d.Right} and step {d.Step} are out of range (the step may not pass the {d.Left + d.Right + 1} vectors stacked)");
        d.BufferSize = d.Channels * (d.Left + d.Right + 1);
        d.StepSize = d.Channels * d.Step;
        d.Buffer = new SlidingBuffer(context, d.BufferSize);
        return d;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 2);
        var d = node.DataAs<OpData>();
        var input = node.Input(0);
        var output = node.Output(0);
        var valid = node.Output(1);
        node.RequireTensor(input, "input", 1, TensorType.INT16);
        node.RequireTensor(output, "output", 1, TensorType.INT16);
        node.RequireTensor(valid, "valid flag", 0, TensorType.BOOL);
        node.Require(input.ElementCount >= d.Channels, $"input has {input.ElementCount} values, num_channels {d.Channels} needed");
        node.Require(output.ElementCount >= d.BufferSize, $"output has {output.ElementCount} values, {d.BufferSize} needed");
        Reset(node);
    }

    public override void Reset(Node node)
    {
        var d = node.DataAs<OpData>();
        d.Buffer.Reset();
        d.HasFirstFrame = false;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        d.Buffer.Write(node.Inputs[0]!.AsReadOnlySpan<short>()[..d.Channels]);
        if (!d.HasFirstFrame)
        {
            d.Buffer.RepeatLast(d.Channels, d.Left);
            d.HasFirstFrame = true;
        }
        bool valid = d.Buffer.Available >= d.BufferSize;
        if (valid)
        {
            d.Buffer.Peek(node.Outputs[0].AsSpan<short>()[..d.BufferSize]);
            d.Buffer.Discard(d.StepSize);
        }
        node.Outputs[1].AsSpan<bool>()[0] = valid;
    }
}
