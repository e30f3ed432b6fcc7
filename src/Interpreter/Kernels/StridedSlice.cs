using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// STRIDED_SLICE with constant int32 begin/end/strides, for any fixed-size element type (elements
/// are copied, never converted). Per axis, start and stop follow TFLM's index rules: negative indices
/// count from the end, begin_mask/end_mask select the whole axis in the stride's direction, the
/// values are clamped to [0, size] (or [-1, size-1] for a negative stride), and a shrunk axis takes
/// exactly the element at begin. ellipsis_mask, new_axis_mask and offset, which TFLM's micro kernel
/// does not read, are given TensorFlow Lite's meaning (an ellipsis spans the axes the spec does not
/// name, a new axis is a size-1 axis of the output, offset makes end relative to begin).
/// </summary>
internal sealed class StridedSliceKernel : OperatorKernel
{
    private const int MaxRank = 6;

    private sealed class OpData
    {
        public int ElementSize;
        public int Base;
        public bool Empty; // some axis selects nothing: the other axes, however long, are not walked
        public readonly int[] Counts = new int[MaxRank];
        public readonly int[] Steps = new int[MaxRank];
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.InputCount == 4 && node.OutputCount == 1,
            $"needs 4 inputs (input, begin, end, strides) and 1 output, the model gives {node.InputCount} and {node.OutputCount}");
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireSameType(input, output);
        node.Require(TensorTypes.ElementSize(input.Type) > 0, $"input tensor {input.Index} has type {TensorTypes.Name(input.Type)}, which has no fixed element size");
        // An int4 constant may be packed two values to a byte; the copy reads one element per byte.
        node.Require(input.Type != TensorType.INT4, $"input tensor {input.Index} is int4, which is not supported");
        var begin = IndexVector(node, 1, "begin");
        var end = IndexVector(node, 2, "end");
        var strides = IndexVector(node, 3, "strides");
        node.Require(begin.Length == end.Length && begin.Length == strides.Length,
            $"begin, end and strides have {begin.Length}, {end.Length} and {strides.Length} entries; they must match");

        var options = node.Operator.Options<StridedSliceOptions>();
        var spec = new SliceSpec
        {
            BeginMask = options?.BeginMask ?? 0, EndMask = options?.EndMask ?? 0,
            EllipsisMask = options?.EllipsisMask ?? 0, NewAxisMask = options?.NewAxisMask ?? 0,
            ShrinkAxisMask = options?.ShrinkAxisMask ?? 0, Offset = options?.Offset ?? false,
        };
        node.Require((spec.EllipsisMask & (spec.EllipsisMask - 1)) == 0,
            $"ellipsis_mask {spec.EllipsisMask} has more than one bit set; a slice has at most one ellipsis");

        var axes = Densify(node, input, spec, begin, end, strides);
        node.Data = Plan(node, input, output, axes);
    }

    private static int[] IndexVector(Node node, int i, string role)
    {
        var t = node.Input(i);
        node.RequireType(t, role, TensorType.INT32);
        node.RequireData(t, role);
        node.RequireRank(t, role, 1);
        return t.ToArray<int>();
    }

    private readonly record struct SliceSpec
    {
        public int BeginMask { get; init; }
        public int EndMask { get; init; }
        public int EllipsisMask { get; init; }
        public int NewAxisMask { get; init; }
        public int ShrinkAxisMask { get; init; }
        public bool Offset { get; init; }
    }

    /// <summary>One axis of the slice once the ellipsis is expanded and new axes are inserted.</summary>
    private struct Axis
    {
        public int Size, Begin, End, Stride;
        public bool BeginMasked, EndMasked, Shrink, New;
    }

    /// <summary>
    /// Turns the sparse spec (with ellipsis and new axes) into one entry per axis of the input with
    /// the new size-1 axes inserted, the way TensorFlow Lite's BuildStridedSliceParams does: entries
    /// consume input axes in order, an ellipsis stands for the input axes the entries after it do not
    /// consume (possibly none), and input axes no entry reaches are taken whole. Without those two
    /// masks and with one entry per input axis this is the identity, which is all TFLM reads.
    /// </summary>
    private static Axis[] Densify(Node node, Tensor input, SliceSpec spec, int[] begin, int[] end, int[] strides)
    {
        int specCount = begin.Length;
        // Mask bits name spec entries; one past the entries would make the spec address axes it does not describe.
        foreach (var (mask, name) in new[] { (spec.EllipsisMask, "ellipsis_mask"), (spec.NewAxisMask, "new_axis_mask") })
            node.Require(specCount >= 32 || (uint)mask >> specCount == 0,
                $"{name} {mask} names entries beyond the {specCount} of begin, end and strides");

        int ellipsis = -1, added = 0, consuming = 0;
        for (int i = 0; i < specCount; i++)
        {
            if (Bit(spec.EllipsisMask, i)) ellipsis = i;
            else if (Bit(spec.NewAxisMask, i)) added++;
            else consuming++;
        }
        int rank = input.Rank;
        node.Require(consuming <= rank,
            $"begin, end and strides slice {consuming} axes, but input tensor {input.Index} has shape {KernelChecks.ShapeText(input)}");
        int dims = rank + added;
        node.Require(dims <= MaxRank,
            $"slices input {KernelChecks.ShapeText(input)} with {added} new axes into {dims} dimensions; at most {MaxRank} are supported");

        var axes = new Axis[dims];
        int dense = 0, inputAxis = 0, consumedSoFar = 0;
        for (int i = 0; i < specCount; i++)
        {
            if (i == ellipsis)
            {
                int covered = rank - inputAxis - (consuming - consumedSoFar);
                for (int k = 0; k < covered; k++)
                    axes[dense++] = WholeAxis(input.Dim(inputAxis++));
            }
            else if (Bit(spec.NewAxisMask, i))
            {
                axes[dense++] = new Axis { Size = 1, Begin = 0, End = 1, Stride = 1, New = true };
            }
            else
            {
                axes[dense++] = new Axis
                {
                    Size = input.Dim(inputAxis++), Begin = begin[i], End = end[i], Stride = strides[i],
                    BeginMasked = Bit(spec.BeginMask, i), EndMasked = Bit(spec.EndMask, i), Shrink = Bit(spec.ShrinkAxisMask, i),
                };
                consumedSoFar++;
            }
        }
        // Axes the spec does not reach are taken whole.
        while (inputAxis < rank)
            axes[dense++] = WholeAxis(input.Dim(inputAxis++));

        if (spec.Offset)
        {
            // end is relative to begin; saturated so that a huge end still means "to the end of the axis".
            for (int i = 0; i < dims; i++)
                axes[i] = axes[i] with { End = (int)Math.Clamp((long)axes[i].End + StartOf(axes[i]), int.MinValue, int.MaxValue) };
        }
        return axes;
    }

    private static bool Bit(int mask, int i) => i < 32 && (mask & (1 << i)) != 0;

    private static Axis WholeAxis(int size) => new() { Size = size, Stride = 1, BeginMasked = true, EndMasked = true };

    /// <summary>TFLM's StridedSliceStartForAxis: index of the first element read along the axis.</summary>
    private static int StartOf(Axis a)
    {
        int start = a.Begin;
        if (start < 0) start += a.Size;
        start = a.Stride > 0 ? Math.Clamp(start, 0, a.Size) : ClampLoose(start, -1, a.Size - 1);
        if (a.BeginMasked) start = a.Stride > 0 ? 0 : a.Size - 1;
        return start;
    }

    /// <summary>TFLM's StridedSliceEndForAxis: one past the last element read, in the stride's direction.</summary>
    private static int StopOf(Axis a, int start)
    {
        if (a.Shrink) return start >= a.Size ? start : start + 1;
        int stop = a.End;
        if (stop < 0) stop += a.Size;
        stop = a.Stride > 0 ? Math.Clamp(stop, 0, a.Size) : ClampLoose(stop, -1, a.Size - 1);
        if (a.EndMasked) stop = a.Stride > 0 ? a.Size : -1;
        return stop;
    }

    /// <summary>Clamp that tolerates hi &lt; lo (an empty axis with a negative stride), like TFLM's own.</summary>
    private static int ClampLoose(int v, int lo, int hi) => hi < v ? hi : v < lo ? lo : v;

    private static OpData Plan(Node node, Tensor input, Tensor output, Axis[] axes)
    {
        int dims = axes.Length;
        var data = new OpData { ElementSize = TensorTypes.ElementSize(input.Type) };
        var outShape = new List<int>(dims);
        int pad = MaxRank - dims;
        for (int d = 0; d < pad; d++) data.Counts[d] = 1;

        int inputStride = 1;
        var strideOf = new int[dims];
        for (int i = dims - 1; i >= 0; i--)
        {
            strideOf[i] = inputStride;
            inputStride *= axes[i].Size;
        }

        for (int i = 0; i < dims; i++)
        {
            var a = axes[i];
            node.Require(a.Stride != 0, $"stride of axis {i} is 0");
            int start = StartOf(a);
            int stop = StopOf(a, start);
            if (a.Shrink)
            {
                // TFLM would write nothing for these yet still report a size-1 axis; TensorFlow rejects them.
                node.Require(a.Stride > 0, $"axis {i} is shrunk with stride {a.Stride}; a shrunk axis needs a positive stride");
                node.Require(start < a.Size && start >= 0,
                    $"axis {i} is shrunk at index {a.Begin}, outside the input's {a.Size} elements along it");
            }
            long span = a.Stride > 0 ? (long)stop - start : (long)start - stop;
            long step = Math.Abs((long)a.Stride);
            int count = span <= 0 ? 0 : (int)((span + step - 1) / step);
            if (!a.Shrink) outShape.Add(count);
            data.Counts[pad + i] = count;
            data.Steps[pad + i] = a.Stride * strideOf[i];
            data.Base += count > 0 ? start * strideOf[i] : 0;
        }

        data.Empty = Array.IndexOf(data.Counts, 0) >= 0;
        if (!output.Shape.SequenceEqual(outShape.ToArray()))
            throw node.Unsupported(
                $"slicing input {KernelChecks.ShapeText(input)} gives [{string.Join(",", outShape)}], but output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}");
        return data;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var data = node.DataAs<OpData>();
        if (data.Empty) return;
        var source = node.Inputs[0]!.Bytes;
        var target = node.Outputs[0].AsSpan<byte>();
        switch (data.ElementSize)
        {
            case 1: Copy(data, source, target); break;
            case 2: Copy(data, MemoryMarshal.Cast<byte, short>(source), MemoryMarshal.Cast<byte, short>(target)); break;
            case 4: Copy(data, MemoryMarshal.Cast<byte, int>(source), MemoryMarshal.Cast<byte, int>(target)); break;
            case 8: Copy(data, MemoryMarshal.Cast<byte, long>(source), MemoryMarshal.Cast<byte, long>(target)); break;
            case 16: Copy(data, MemoryMarshal.Cast<byte, Int128>(source), MemoryMarshal.Cast<byte, Int128>(target)); break;
        }
    }

    private static void Copy<T>(OpData d, ReadOnlySpan<T> input, Span<T> output) where T : unmanaged
    {
        int[] c = d.Counts, s = d.Steps;
        int o = 0;
        for (int i0 = 0, p0 = d.Base; i0 < c[0]; i0++, p0 += s[0])
        for (int i1 = 0, p1 = p0; i1 < c[1]; i1++, p1 += s[1])
        for (int i2 = 0, p2 = p1; i2 < c[2]; i2++, p2 += s[2])
        for (int i3 = 0, p3 = p2; i3 < c[3]; i3++, p3 += s[3])
        for (int i4 = 0, p4 = p3; i4 < c[4]; i4++, p4 += s[4])
        {
            int inner = c[5], step = s[5];
            if (step == 1)
            {
                input.Slice(p4, inner).CopyTo(output.Slice(o, inner));
                o += inner;
                continue;
            }
            for (int i5 = 0, p5 = p4; i5 < inner; i5++, p5 += step)
                output[o++] = input[p5];
        }
    }
}
