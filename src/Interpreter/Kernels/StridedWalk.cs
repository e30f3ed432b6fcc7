namespace TinyMl.Interpreter.Kernels;

/// <summary>What to do at each step of a <see cref="StridedWalk"/>: the element's row-major index and its strided offset.</summary>
internal interface IStridedVisitor
{
    void Visit(int index, int offset);
}

/// <summary>
/// Row-major walk over up to <see cref="MaxRank"/> dimensions (padded with leading 1s) that also
/// tracks a second, strided offset — TRANSPOSE reads its input at permuted strides, MEAN adds into
/// its output with stride 0 on the reduced axes. The visitor is a (ref) struct, so the walk
/// specialises and allocates nothing.
/// </summary>
internal static class StridedWalk
{
    public const int MaxRank = 6;

    public static void Run<TVisitor>(int[] dims, int[] strides, ref TVisitor visitor)
        where TVisitor : IStridedVisitor, allows ref struct
    {
        int[] n = dims, s = strides;
        int index = 0;
        for (int i0 = 0, a0 = 0; i0 < n[0]; i0++, a0 += s[0])
        for (int i1 = 0, a1 = a0; i1 < n[1]; i1++, a1 += s[1])
        for (int i2 = 0, a2 = a1; i2 < n[2]; i2++, a2 += s[2])
        for (int i3 = 0, a3 = a2; i3 < n[3]; i3++, a3 += s[3])
        for (int i4 = 0, a4 = a3; i4 < n[4]; i4++, a4 += s[4])
        for (int i5 = 0, a5 = a4; i5 < n[5]; i5++, a5 += s[5])
            visitor.Visit(index++, a5);
    }
}
