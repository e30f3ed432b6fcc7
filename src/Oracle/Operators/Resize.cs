using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace TinyMl.Oracle.Operators;

/// <summary>
/// RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR in float64 on real values: TFLite's source coordinates for each
/// mode (asymmetric, align_corners, half_pixel_centers) computed here, then rows and columns gathered and blended
/// with torch. TFLite's default asymmetric mapping has no torch interpolate mode, hence the explicit form.
/// </summary>
internal static class Resize
{
    public static void Register(OperatorTable table)
    {
        table.Add(BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, Nearest);
        table.Add(BuiltinOperator.RESIZE_BILINEAR, Bilinear);
    }

    private static double Scale(long input, long output, bool align) => align && output > 1 ? (input - 1.0) / (output - 1.0) : (double)input / output;

    private static Tensor[] Nearest(OperatorCall call)
    {
        var o = call.OptionalOptions<ResizeNearestNeighborOptions>();
        bool align = o?.AlignCorners ?? false, half = o?.HalfPixelCenters ?? false;
        var x = call.Real(0);
        var size = call.Ints(1);
        long Pick(long i, long input, long output)
        {
            double source = (i + (half ? 0.5 : 0.0)) * Scale(input, output, align);
            long index = Math.Min(align ? (long)Math.Round(source, MidpointRounding.AwayFromZero) : (long)Math.Floor(source), input - 1);
            return half ? Math.Max(0, index) : index;
        }
        var rows = torch.tensor(Enumerable.Range(0, size[0]).Select(i => Pick(i, x.shape[1], size[0])).ToArray());
        var columns = torch.tensor(Enumerable.Range(0, size[1]).Select(i => Pick(i, x.shape[2], size[1])).ToArray());
        return [x.index_select(1, rows).index_select(2, columns)];
    }

    private static Tensor[] Bilinear(OperatorCall call)
    {
        var o = call.OptionalOptions<ResizeBilinearOptions>();
        bool align = o?.AlignCorners ?? false, half = o?.HalfPixelCenters ?? false;
        var x = call.Real(0);
        var size = call.Ints(1);
        (Tensor Low, Tensor High, Tensor Fraction) Axis(long input, long output)
        {
            double scale = Scale(input, output, align);
            var sources = Enumerable.Range(0, (int)output).Select(i => half ? (i + 0.5) * scale - 0.5 : i * scale).ToArray();
            var low = sources.Select(s => Math.Max((long)Math.Floor(s), 0)).ToArray();
            var high = sources.Select(s => Math.Min((long)Math.Ceiling(s), input - 1)).ToArray();
            // The weight of the upper neighbour is the distance from the (unclamped-at-0) lower one, as in TFLite.
            var fraction = sources.Select((s, i) => s - low[i]).ToArray();
            return (torch.tensor(low), torch.tensor(high), torch.tensor(fraction, ScalarType.Float64));
        }
        var (y0, y1, fy) = Axis(x.shape[1], size[0]);
        var (x0, x1, fx) = Axis(x.shape[2], size[1]);
        var top = x.index_select(1, y0);
        var bottom = x.index_select(1, y1);
        var wy = fy.reshape(1, -1, 1, 1);
        var wx = fx.reshape(1, 1, -1, 1);
        var result = top.index_select(2, x0) * (1 - wy) * (1 - wx) + bottom.index_select(2, x0) * wy * (1 - wx)
                   + top.index_select(2, x1) * (1 - wy) * wx + bottom.index_select(2, x1) * wy * wx;
        return [result];
    }
}
