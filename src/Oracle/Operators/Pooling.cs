using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using Padding = TinyMl.Interpreter.Schema.Padding;
using F = TorchSharp.torch.nn.functional;

namespace TinyMl.Oracle.Operators;

/// <summary>AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D; TFLite's averages count only the window's pixels inside the input.</summary>
internal static class Pooling
{
    public static void Register(OperatorTable table)
    {
        table.Add(BuiltinOperator.AVERAGE_POOL_2D, call => [Pool(call, (x, k, s) => Average(x, k, s))]);
        table.Add(BuiltinOperator.MAX_POOL_2D, call => [Pool(call, (x, k, s) => F.max_pool2d(x, k, s), padValue: double.NegativeInfinity)]);
        table.Add(BuiltinOperator.L2_POOL_2D, call => [Pool(call, (x, k, s) => Average(x * x, k, s).sqrt())]);
    }

    private static Tensor Average(Tensor padded, long[] kernel, long[] stride)
    {
        // Padded cells are NaN: their sum and count are taken without them.
        var inside = padded.isnan().logical_not().to(ScalarType.Float64);
        var sum = F.avg_pool2d(padded.nan_to_num(0), kernel, stride, divisor_override: 1);
        var count = F.avg_pool2d(inside, kernel, stride, divisor_override: 1);
        return sum / count;
    }

    private static Tensor Pool(OperatorCall call, Func<Tensor, long[], long[], Tensor> pool, double padValue = double.NaN)
    {
        var o = call.Options<Pool2DOptions>();
        var x = call.Real(0).permute(0, 3, 1, 2);
        var (top, bottom) = Convolutions.Pad(o.Padding, x.shape[2], o.FilterHeight, o.StrideH);
        var (left, right) = Convolutions.Pad(o.Padding, x.shape[3], o.FilterWidth, o.StrideW);
        x = F.pad(x, [left, right, top, bottom], value: padValue);
        var y = pool(x, [o.FilterHeight, o.FilterWidth], [o.StrideH, o.StrideW]);
        return Activations.Fused(y.permute(0, 2, 3, 1), o.FusedActivationFunction);
    }
}
