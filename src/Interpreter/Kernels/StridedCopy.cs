using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>The element types a pure element move (SQUEEZE, BROADCAST_TO, REVERSE_V2) serves: every fixed-size type TFLM copies.</summary>
internal static class MoveTypes
{
    public static readonly TensorType[] Any =
        [TensorType.FLOAT32, TensorType.INT8, TensorType.UINT8, TensorType.INT16, TensorType.INT32, TensorType.INT64, TensorType.BOOL];
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
