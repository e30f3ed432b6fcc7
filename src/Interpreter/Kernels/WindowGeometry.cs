using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// Geometry of a 2-D sliding window (convolution or pooling) over NHWC data: the output size the
/// padding mode implies and the padding before the first row/column. The window for output (y, x)
/// starts at input (y * StrideHeight - PadHeight, x * StrideWidth - PadWidth); positions outside
/// the input are skipped, which is how TFLM's reference kernels realise zero padding.
/// </summary>
internal readonly record struct WindowGeometry(
    int OutputHeight, int OutputWidth,
    int PadHeight, int PadWidth,
    int PadHeightOffset, int PadWidthOffset,
    int StrideHeight, int StrideWidth,
    int DilationHeight, int DilationWidth)
{
    /// <summary>
    /// Filter taps [start, end) along one axis whose input coordinate origin + dilation * tap lies
    /// in [0, size). Integer-only, so Invoke can use it per output row/column. The ceiling divisions
    /// run in 64 bits: with a dilation near int.MaxValue, "-origin + dilation - 1" does not fit an int.
    /// </summary>
    public static (int Start, int End) InBoundsTaps(int origin, int dilation, int filterSize, int inputSize)
    {
        long start = origin >= 0 ? 0 : (-(long)origin + dilation - 1) / dilation;
        long limit = (long)inputSize - origin; // taps need dilation * tap < limit
        long end = limit <= 0 ? 0 : Math.Min(filterSize, (limit + dilation - 1) / dilation);
        start = Math.Min(start, filterSize);
        return ((int)start, (int)Math.Max(start, end));
    }
}

/// <summary>
/// TFLM's padding arithmetic (ComputePaddingHeightWidth and friends), shared by CONV_2D,
/// DEPTHWISE_CONV_2D and the pooling kernels.
/// </summary>
internal static class WindowPadding
{
    /// <summary>
    /// Output size along one axis, as TensorFlow's GetWindowedOutputSize: SAME gives ceil(in / stride),
    /// VALID gives the number of whole (dilated) windows.
    /// </summary>
    public static long OutputSize(Padding padding, int inputSize, int filterSize, int stride, int dilation)
    {
        long effectiveFilter = (long)(filterSize - 1) * dilation + 1;
        return padding == Padding.SAME
            ? ((long)inputSize + stride - 1) / stride
            : ((long)inputSize + stride - effectiveFilter) / stride;
    }

    /// <summary>
    /// Padding before the first element along one axis, and the extra element that goes after the
    /// last one when the total is odd. TFLM puts the smaller half first (total / 2); kernels that
    /// need both sides use the offset.
    /// </summary>
    public static (long Before, int Offset) PaddingFor(int stride, int dilation, int inputSize, int filterSize, long outputSize)
    {
        long effectiveFilter = (long)(filterSize - 1) * dilation + 1;
        long total = (outputSize - 1) * stride + effectiveFilter - inputSize;
        if (total < 0) total = 0;
        return (total / 2, (int)(total % 2));
    }

    /// <summary>
    /// Validates the window parameters of <paramref name="node"/> against an input of
    /// <paramref name="inputHeight"/> x <paramref name="inputWidth"/> and returns the geometry.
    /// </summary>
    public static WindowGeometry Compute(Node node, Padding padding,
        int strideHeight, int strideWidth, int dilationHeight, int dilationWidth,
        int inputHeight, int inputWidth, int filterHeight, int filterWidth)
    {
        node.Require(padding is Padding.SAME or Padding.VALID, $"padding {(int)padding} is neither SAME nor VALID");
        node.Require(strideHeight > 0 && strideWidth > 0, $"stride {strideHeight}x{strideWidth} must be positive");
        node.Require(dilationHeight > 0 && dilationWidth > 0, $"dilation {dilationHeight}x{dilationWidth} must be positive");
        node.Require(filterHeight > 0 && filterWidth > 0, $"filter {filterHeight}x{filterWidth} must be positive");
        node.Require(inputHeight > 0 && inputWidth > 0, $"input {inputHeight}x{inputWidth} must not be empty");

        long outHeight = OutputSize(padding, inputHeight, filterHeight, strideHeight, dilationHeight);
        long outWidth = OutputSize(padding, inputWidth, filterWidth, strideWidth, dilationWidth);
        node.Require(outHeight > 0 && outWidth > 0,
            $"a {filterHeight}x{filterWidth} filter (dilation {dilationHeight}x{dilationWidth}) does not fit a {inputHeight}x{inputWidth} input with {padding} padding");
        node.Require(outHeight <= int.MaxValue && outWidth <= int.MaxValue, "output size overflows");

        var (padHeight, heightOffset) = PaddingFor(strideHeight, dilationHeight, inputHeight, filterHeight, outHeight);
        var (padWidth, widthOffset) = PaddingFor(strideWidth, dilationWidth, inputWidth, filterWidth, outWidth);
        node.Require(padHeight <= int.MaxValue && padWidth <= int.MaxValue, "padding overflows");

        // Window origins are computed in int at Invoke: make sure the last one cannot overflow.
        node.Require((outHeight - 1) * strideHeight + (long)(filterHeight - 1) * dilationHeight <= int.MaxValue
                     && (outWidth - 1) * strideWidth + (long)(filterWidth - 1) * dilationWidth <= int.MaxValue,
            "window coordinates overflow");

        return new WindowGeometry((int)outHeight, (int)outWidth, (int)padHeight, (int)padWidth, heightOffset, widthOffset,
            strideHeight, strideWidth, dilationHeight, dilationWidth);
    }

    /// <summary>
    /// TFLM takes the output tensor's spatial size on trust; we require the one the padding implies,
    /// so that Invoke never reads a window the geometry did not account for.
    /// </summary>
    public static void RequireOutputShape(Node node, Tensor output, int batches, WindowGeometry geometry, int depth)
    {
        node.RequireRank(output, "output", 4);
        if (output.Dim(0) != batches || output.Dim(1) != geometry.OutputHeight || output.Dim(2) != geometry.OutputWidth || output.Dim(3) != depth)
            throw node.Unsupported(
                $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; the window arithmetic gives [{batches},{geometry.OutputHeight},{geometry.OutputWidth},{depth}]");
    }
}
