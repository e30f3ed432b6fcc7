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

    /// <summary>Row-major element strides of <paramref name="shape"/>.</summary>
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
