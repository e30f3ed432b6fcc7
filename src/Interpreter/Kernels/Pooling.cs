using System.Numerics;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// AVERAGE_POOL_2D and MAX_POOL_2D over NHWC data, float32, int8 and int16. Windows at the edge
/// only cover in-bounds elements (the average divides by how many there are). Quantized pooling
/// needs the output to share the input's scale and zero point, so values pass through unscaled;
/// the integer average rounds half away from zero, as TFLM's reference does.
/// </summary>
internal sealed class PoolingKernel : OperatorKernel
{
    public enum PoolKind { Average, Max, L2 }

    private readonly PoolKind _kind;

    public PoolingKernel(PoolKind kind) => _kind = kind;

    private sealed class OpData
    {
        public int Batches, InputHeight, InputWidth, Depth, FilterHeight, FilterWidth;
        public WindowGeometry Window;
        public float FloatMin, FloatMax;
        public int ActivationMin, ActivationMax;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var input = node.Input(0);
        var output = node.Output(0);
        node.Require(node.OutputCount == 1, $"has {node.OutputCount} outputs; 1 expected");
        var options = node.Operator.Options<Pool2DOptions>() ?? throw node.Unsupported("has no Pool2DOptions");
        var activation = options.FusedActivationFunction;
        ConvQuantization.RequireSupportedActivation(node, activation);

        node.RequireRank(input, "input", 4);
        node.RequireSameType(input, output);
        var d = new OpData
        {
            Batches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), Depth = input.Dim(3),
            FilterHeight = options.FilterHeight, FilterWidth = options.FilterWidth,
        };
        node.Require(d.Batches > 0 && d.Depth > 0, $"input tensor {input.Index} has shape {KernelChecks.ShapeText(input)}");
        // Pooling has no dilation; with SAME or VALID padding every window then holds at least one
        // in-bounds element, so the average never divides by zero.
        d.Window = WindowPadding.Compute(node, options.Padding, options.StrideH, options.StrideW, 1, 1,
            d.InputHeight, d.InputWidth, d.FilterHeight, d.FilterWidth);
        WindowPadding.RequireOutputShape(node, output, d.Batches, d.Window, d.Depth);

        // TFLM's L2_POOL_2D is float32 only.
        if (_kind == PoolKind.L2) node.RequireType(input, "input", TensorType.FLOAT32);
        switch (input.Type)
        {
            case TensorType.FLOAT32:
                (d.FloatMin, d.FloatMax) = ActivationRange.Float(activation);
                break;
            case TensorType.INT8:
            case TensorType.INT16:
                node.RequirePerTensorQuantization(input, "input");
                node.RequirePerTensorQuantization(output, "output");
                node.Require(Math.Abs((double)input.Scale - output.Scale) <= 1e-6 && input.ZeroPoint == output.ZeroPoint,
                    $"input (scale {input.Scale:G9}, zero point {input.ZeroPoint}) and output (scale {output.Scale:G9}, zero point {output.ZeroPoint}) quantization differ");
                var (typeMin, typeMax) = ActivationRange.ForType(output.Type);
                (d.ActivationMin, d.ActivationMax) = ActivationRange.Quantized(activation, output.Scale, output.ZeroPoint, typeMin, typeMax);
                break;
            default:
                throw node.Unsupported($"input type {TensorTypes.Name(input.Type)} is not supported");
        }
        node.Data = d;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        switch (input.Type)
        {
            case TensorType.FLOAT32 when _kind != PoolKind.Max:
                AverageFloat(d, input.AsReadOnlySpan<float>(), output.AsSpan<float>(), squares: _kind == PoolKind.L2);
                break;
            case TensorType.FLOAT32:
                MaxFloat(d, input.AsReadOnlySpan<float>(), output.AsSpan<float>());
                break;
            case TensorType.INT8 when _kind == PoolKind.Average:
                AverageInteger(d, input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>());
                break;
            case TensorType.INT8:
                MaxInteger(d, input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>());
                break;
            case TensorType.INT16 when _kind == PoolKind.Average:
                AverageInteger(d, input.AsReadOnlySpan<short>(), output.AsSpan<short>());
                break;
            case TensorType.INT16:
                MaxInteger(d, input.AsReadOnlySpan<short>(), output.AsSpan<short>());
                break;
        }
    }

    /// <summary>The integer average: half away from zero, with C's truncating division.</summary>
    private static int RoundedAverage(int sum, int count) =>
        sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;

    /// <summary>The average of each window, or with <paramref name="squares"/> the root of the mean square (L2_POOL_2D).</summary>
    private static void AverageFloat(OpData d, ReadOnlySpan<float> input, Span<float> output, bool squares)
    {
        var w = d.Window;
        int outIndex = 0;
        for (int b = 0; b < d.Batches; b++)
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            int inY0 = oy * w.StrideHeight - w.PadHeight;
            var (fy0, fy1) = WindowGeometry.InBoundsTaps(inY0, 1, d.FilterHeight, d.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                int inX0 = ox * w.StrideWidth - w.PadWidth;
                var (fx0, fx1) = WindowGeometry.InBoundsTaps(inX0, 1, d.FilterWidth, d.InputWidth);
                for (int c = 0; c < d.Depth; c++, outIndex++)
                {
                    float total = 0f;
                    float count = 0f;
                    for (int fy = fy0; fy < fy1; fy++)
                    {
                        int inRow = (b * d.InputHeight + inY0 + fy) * d.InputWidth;
                        for (int fx = fx0; fx < fx1; fx++)
                        {
                            float v = input[(inRow + inX0 + fx) * d.Depth + c];
                            total += squares ? v * v : v;
                            count++;
                        }
                    }
                    float pooled = squares ? MathF.Sqrt(total / count) : total / count;
                    output[outIndex] = ActivationRange.Clamp(pooled, d.FloatMin, d.FloatMax);
                }
            }
        }
    }

    private static void MaxFloat(OpData d, ReadOnlySpan<float> input, Span<float> output)
    {
        var w = d.Window;
        int outIndex = 0;
        for (int b = 0; b < d.Batches; b++)
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            int inY0 = oy * w.StrideHeight - w.PadHeight;
            var (fy0, fy1) = WindowGeometry.InBoundsTaps(inY0, 1, d.FilterHeight, d.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                int inX0 = ox * w.StrideWidth - w.PadWidth;
                var (fx0, fx1) = WindowGeometry.InBoundsTaps(inX0, 1, d.FilterWidth, d.InputWidth);
                for (int c = 0; c < d.Depth; c++, outIndex++)
                {
                    float max = float.MinValue;
                    for (int fy = fy0; fy < fy1; fy++)
                    {
                        int inRow = (b * d.InputHeight + inY0 + fy) * d.InputWidth;
                        for (int fx = fx0; fx < fx1; fx++)
                        {
                            // std::max(max, v) keeps max unless max < v (so a NaN input is skipped).
                            float v = input[(inRow + inX0 + fx) * d.Depth + c];
                            if (max < v) max = v;
                        }
                    }
                    output[outIndex] = ActivationRange.Clamp(max, d.FloatMin, d.FloatMax);
                }
            }
        }
    }

    // int8 and int16 share one body each: the JIT compiles a separate copy per element type, so the
    // generic form costs nothing and the two paths cannot drift apart.
    private static void AverageInteger<T>(OpData d, ReadOnlySpan<T> input, Span<T> output) where T : unmanaged, IBinaryInteger<T>
    {
        var w = d.Window;
        int outIndex = 0;
        for (int b = 0; b < d.Batches; b++)
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            int inY0 = oy * w.StrideHeight - w.PadHeight;
            var (fy0, fy1) = WindowGeometry.InBoundsTaps(inY0, 1, d.FilterHeight, d.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                int inX0 = ox * w.StrideWidth - w.PadWidth;
                var (fx0, fx1) = WindowGeometry.InBoundsTaps(inX0, 1, d.FilterWidth, d.InputWidth);
                int count = (fy1 - fy0) * (fx1 - fx0);
                for (int c = 0; c < d.Depth; c++, outIndex++)
                {
                    int sum = 0;
                    for (int fy = fy0; fy < fy1; fy++)
                    {
                        int inRow = (b * d.InputHeight + inY0 + fy) * d.InputWidth;
                        for (int fx = fx0; fx < fx1; fx++)
                            sum += int.CreateTruncating(input[(inRow + inX0 + fx) * d.Depth + c]);
                    }
                    output[outIndex] = T.CreateTruncating(Math.Clamp(RoundedAverage(sum, count), d.ActivationMin, d.ActivationMax));
                }
            }
        }
    }

    private static void MaxInteger<T>(OpData d, ReadOnlySpan<T> input, Span<T> output) where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        var w = d.Window;
        int outIndex = 0;
        for (int b = 0; b < d.Batches; b++)
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            int inY0 = oy * w.StrideHeight - w.PadHeight;
            var (fy0, fy1) = WindowGeometry.InBoundsTaps(inY0, 1, d.FilterHeight, d.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                int inX0 = ox * w.StrideWidth - w.PadWidth;
                var (fx0, fx1) = WindowGeometry.InBoundsTaps(inX0, 1, d.FilterWidth, d.InputWidth);
                for (int c = 0; c < d.Depth; c++, outIndex++)
                {
                    int max = int.CreateTruncating(T.MinValue);
                    for (int fy = fy0; fy < fy1; fy++)
                    {
                        int inRow = (b * d.InputHeight + inY0 + fy) * d.InputWidth;
                        for (int fx = fx0; fx < fx1; fx++)
                            max = Math.Max(max, int.CreateTruncating(input[(inRow + inX0 + fx) * d.Depth + c]));
                    }
                    output[outIndex] = T.CreateTruncating(Math.Clamp(max, d.ActivationMin, d.ActivationMax));
                }
            }
        }
    }
}
