using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>
/// SignalOverlapAdd: the inverse of framing. Input [..., frames, frame_size]; each frame is added
/// into a running buffer of frame_size (int16 saturating, or float), whose first frame_step values
/// are emitted and shifted out; output [..., frames * frame_step]. Option 'T' names the type.
/// </summary>
internal sealed class OverlapAddKernel : OperatorKernel
{
    private sealed class OpData
    {
        public TensorType Type;
        public int FrameStep, FrameSize, Frames, Rows;
        public Memory<byte> State;
    }

    public override object? Init(KernelContext context, Node node)
    {
        var d = CustomOptions.Read(node, o => new OpData { Type = (TensorType)o.Int32("T"), FrameStep = o.Int32("frame_step") });
        node.Require(d.Type is TensorType.INT16 or TensorType.FLOAT32, $"option T = {TensorTypes.Name(d.Type)} is not supported (int16, float32)");
        node.Require(d.FrameStep > 0, $"frame_step {d.FrameStep} is not positive");
        return d;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var d = node.DataAs<OpData>();
        var input = node.Input(0);
        var output = node.Output(0);
        node.Require(input.Rank >= 2 && input.Rank == output.Rank + 1, $"input {KernelChecks.ShapeText(input)} needs rank 2 or more and one more dimension than output {KernelChecks.ShapeText(output)}");
        node.RequireType(input, "input", d.Type);
        node.RequireType(output, "output", d.Type);
        d.FrameSize = input.Dim(input.Rank - 1);
        d.Frames = input.Dim(input.Rank - 2);
        node.Require(d.FrameSize >= d.FrameStep, $"frame size {d.FrameSize} is smaller than frame_step {d.FrameStep}");
        d.Rows = d.Frames == 0 ? 0 : input.ElementCount / (d.FrameSize * d.Frames);
        node.Require(output.ElementCount == d.Rows * d.Frames * d.FrameStep, $"output {KernelChecks.ShapeText(output)} does not hold {d.Rows} x {d.Frames} steps of {d.FrameStep}");
        d.State = context.AllocatePersistentBuffer(d.Rows * d.FrameSize * TensorTypes.ElementSize(d.Type));
        Reset(node);
    }

    public override void Reset(Node node) => node.DataAs<OpData>().State.Span.Clear();

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        if (d.Type == TensorType.INT16)
            Run(d, node.Inputs[0]!.AsReadOnlySpan<short>(), node.Outputs[0].AsSpan<short>(), MemoryMarshal.Cast<byte, short>(d.State.Span));
        else
            Run(d, node.Inputs[0]!.AsReadOnlySpan<float>(), node.Outputs[0].AsSpan<float>(), MemoryMarshal.Cast<byte, float>(d.State.Span));
    }

    private static void Run<T>(OpData d, ReadOnlySpan<T> input, Span<T> output, Span<T> state) where T : unmanaged
    {
        for (int r = 0; r < d.Rows; r++)
        {
            var buffer = state.Slice(r * d.FrameSize, d.FrameSize);
            for (int f = 0; f < d.Frames; f++)
            {
                int index = r * d.Frames + f;
                var frame = input.Slice(index * d.FrameSize, d.FrameSize);
                if (typeof(T) == typeof(short))
                {
                    var b = MemoryMarshal.Cast<T, short>(buffer);
                    var x = MemoryMarshal.Cast<T, short>(frame);
                    for (int i = 0; i < b.Length; i++)
                        b[i] = (short)Math.Clamp(b[i] + x[i], short.MinValue, short.MaxValue);
                }
                else
                {
                    var b = MemoryMarshal.Cast<T, float>(buffer);
                    var x = MemoryMarshal.Cast<T, float>(frame);
                    for (int i = 0; i < b.Length; i++)
                        b[i] += x[i];
                }
                buffer[..d.FrameStep].CopyTo(output.Slice(index * d.FrameStep, d.FrameStep));
                buffer[d.FrameStep..].CopyTo(buffer);
                buffer[(d.FrameSize - d.FrameStep)..].Clear();
            }
        }
    }
}
