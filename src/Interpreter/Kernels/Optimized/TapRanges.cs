namespace TinyMl.Interpreter.Kernels.Optimized;

/// <summary>
/// The in-bounds filter taps of every output row and column, worked out once in Prepare: per output pixel
/// the reference computes them with two 64-bit divisions, which cost more than a thin layer's arithmetic.
/// </summary>
internal sealed class TapRanges
{
    public required int[] RowStart, RowEnd, ColumnStart, ColumnEnd;

    public static TapRanges Of(WindowGeometry w, int filterHeight, int filterWidth, int inputHeight, int inputWidth)
    {
        var taps = new TapRanges
        {
            RowStart = new int[w.OutputHeight], RowEnd = new int[w.OutputHeight],
            ColumnStart = new int[w.OutputWidth], ColumnEnd = new int[w.OutputWidth],
        };
        for (int oy = 0; oy < w.OutputHeight; oy++)
            (taps.RowStart[oy], taps.RowEnd[oy]) = WindowGeometry.InBoundsTaps(oy * w.StrideHeight - w.PadHeight, w.DilationHeight, filterHeight, inputHeight);
        for (int ox = 0; ox < w.OutputWidth; ox++)
            (taps.ColumnStart[ox], taps.ColumnEnd[ox]) = WindowGeometry.InBoundsTaps(ox * w.StrideWidth - w.PadWidth, w.DilationWidth, filterWidth, inputWidth);
        return taps;
    }

    public long Bytes => 4L * (RowStart.Length + RowEnd.Length + ColumnStart.Length + ColumnEnd.Length);
}
