using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// Reading the small integer tensors that steer data-movement kernels (axes, begins, sizes, paddings,
/// block shapes, indices), and the error for an index only Invoke can see to be out of range.
/// </summary>
internal static class IndexTensors
{
    /// <summary>Element <paramref name="i"/> of an int32 or int64 tensor.</summary>
    public static long Read(Tensor t, int i) =>
        t.Type == TensorType.INT64 ? t.AsReadOnlySpan<long>()[i] : t.AsReadOnlySpan<int>()[i];

    public static string Text(Tensor t)
    {
        var values = new long[t.ElementCount];
        for (int i = 0; i < values.Length; i++) values[i] = Read(t, i);
        return $"[{string.Join(",", values)}]";
    }

    /// <summary>
    /// A runtime index tensor holds a value the operator cannot use: TFLM returns an error from Invoke
    /// (or, for its DCHECKs, reads out of bounds); here the operator fails before writing anything.
    /// </summary>
    public static KernelInvokeException OutOfRange(Node node, string role, Tensor t, string problem) =>
        new(node.Index, node.Name, new TensorDataException($"{role} tensor {t.Index} ('{t.Name}') {problem}"));

    /// <summary>Row-major strides of <paramref name="t"/>'s shape.</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        for (int i = shape.Length - 1, s = 1; i >= 0; i--) { strides[i] = s; s *= shape[i]; }
        return strides;
    }

    public static int Product(ReadOnlySpan<int> shape, int from, int to)
    {
        int n = 1;
        for (int i = from; i < to; i++) n *= shape[i];
        return n;
    }

    public static string ShapeText(ReadOnlySpan<int> shape) => $"[{string.Join(",", shape.ToArray())}]";
}

/// <summary>
/// Copies elements in the output's row-major order from strided input offsets (a slice, a flip, a
/// broadcast, a block permutation); one loop per element width serves every type.
/// </summary>
internal static class StridedCopy
{
    /// <param name="dims">Output dims padded to <see cref="StridedWalk.MaxRank"/> with leading 1s.</param>
    /// <param name="strides">Input stride (in elements, may be 0 or negative) each output axis walks.</param>
    /// <param name="start">Input element offset of output element 0.</param>
    public static void Run(int elementSize, ReadOnlySpan<byte> input, Span<byte> output, int[] dims, int[] strides, int start)
    {
        switch (elementSize)
        {
            case 1: Run(input, output, dims, strides, start); break;
            case 2: Run(MemoryMarshal.Cast<byte, short>(input), MemoryMarshal.Cast<byte, short>(output), dims, strides, start); break;
            case 4: Run(MemoryMarshal.Cast<byte, int>(input), MemoryMarshal.Cast<byte, int>(output), dims, strides, start); break;
            case 8: Run(MemoryMarshal.Cast<byte, long>(input), MemoryMarshal.Cast<byte, long>(output), dims, strides, start); break;
            default: throw new InvalidOperationException($"element size {elementSize}");
        }
    }

    private static void Run<T>(ReadOnlySpan<T> input, Span<T> output, int[] dims, int[] strides, int start) where T : unmanaged
    {
        var gather = new Gather<T> { Input = input, Output = output, Start = start };
        StridedWalk.Run(dims, strides, ref gather);
    }

    /// <summary>Pads <paramref name="values"/> to <see cref="StridedWalk.MaxRank"/> entries with leading <paramref name="fill"/>.</summary>
    public static int[] Padded(ReadOnlySpan<int> values, int fill)
    {
        var padded = new int[StridedWalk.MaxRank];
        Array.Fill(padded, fill);
        values.CopyTo(padded.AsSpan(StridedWalk.MaxRank - values.Length));
        return padded;
    }

    private ref struct Gather<T> : IStridedVisitor where T : unmanaged
    {
        public ReadOnlySpan<T> Input;
        public Span<T> Output;
        public int Start;
        public void Visit(int index, int offset) => Output[index] = Input[Start + offset];
    }
}
