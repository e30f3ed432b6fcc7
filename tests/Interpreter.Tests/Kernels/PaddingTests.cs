using TinyMl.Interpreter.Kernels;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>
/// TFLM's window arithmetic, worked by hand: output = ceil(in / stride) for SAME and
/// (in - effective_filter) / stride + 1 for VALID; total padding = (out - 1) * stride +
/// effective_filter - in (at least 0), of which total / 2 goes before and the odd one after.
/// </summary>
public class PaddingTests
{
    [Theory]
    //          padding       in  filter stride dilation  out  before offset
    [InlineData(Padding.SAME,   4,  3,   2,     1,          2,   0,     1)] // total 1: the odd pad goes after
    [InlineData(Padding.SAME,   5,  3,   2,     1,          3,   1,     0)] // total 2: one each side
    [InlineData(Padding.SAME,  96,  3,   2,     1,         48,   0,     1)] // person_detect's first layer
    [InlineData(Padding.SAME,  49, 10,   2,     1,         25,   4,     1)] // micro_speech, height: total 9
    [InlineData(Padding.SAME,  40,  8,   2,     1,         20,   3,     0)] // micro_speech, width: total 6
    [InlineData(Padding.SAME,   7,  3,   1,     2,          7,   2,     0)] // dilated filter spans 5: total 4
    [InlineData(Padding.SAME,   1,  1,   2,     1,          1,   0,     0)] // stride larger than the input
    [InlineData(Padding.VALID,  5,  3,   2,     1,          2,   0,     0)]
    [InlineData(Padding.VALID,  6,  3,   2,     1,          2,   0,     0)] // one column never covered, no padding
    [InlineData(Padding.VALID,  7,  3,   1,     3,          1,   0,     0)] // dilation 3 spans all 7
    public void Output_size_and_padding_follow_TFLM(Padding padding, int input, int filter, int stride, int dilation,
        int output, int before, int offset)
    {
        Assert.Equal(output, WindowPadding.OutputSize(padding, input, filter, stride, dilation));
        var (padBefore, padOffset) = WindowPadding.PaddingFor(stride, dilation, input, filter, output);
        Assert.Equal(before, padBefore);
        Assert.Equal(offset, padOffset);
    }

    [Theory]
    //          origin dilation filter input  start end
    [InlineData(-1,    1,       3,     5,     1,    3)] // first tap falls in the padding
    [InlineData( 3,    1,       3,     5,     0,    2)] // last tap falls off the end
    [InlineData(-2,    2,       3,     5,     1,    3)] // dilated: taps at -2, 0, 2
    [InlineData( 2,    2,       3,     5,     0,    2)] // dilated: taps at 2, 4, 6
    [InlineData(-3,    2,       2,     5,     2,    2)] // taps at -3, -1: none inside
    [InlineData( 0,    1,       3,     2,     0,    2)]
    public void In_bounds_taps_skip_the_padding(int origin, int dilation, int filter, int input, int start, int end)
    {
        Assert.Equal((start, end), WindowGeometry.InBoundsTaps(origin, dilation, filter, input));
    }
}
