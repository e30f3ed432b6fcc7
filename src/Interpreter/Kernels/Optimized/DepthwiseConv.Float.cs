using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TinyMl.Interpreter.Quantization;

namespace TinyMl.Interpreter.Kernels.Optimized;

/// <summary>
/// DEPTHWISE_CONV_2D in float32 with depth multiplier 1, bit-identical with the reference: eight channels per
/// lane vector, each summing its taps in the reference's order (filter row, then column) with a separate
/// multiply and add, over the in-bounds taps only; then bias and the reference's clamp. The filter is used as
/// stored ([1, H, W, C] is already channel-contiguous). Other multipliers run the reference kernel.
/// </summary>
internal sealed partial class FastDepthwiseConvKernel
{
    private sealed class FloatPlan
    {
        public required TapRanges Taps;
        public required DepthwiseConvKernel.OpData Reference;
        public required float[] Bias;     // zero-padded to a multiple of 8; 0 when the model has none
    }

    private static void PrepareFloat(KernelContext context, Node node, DepthwiseConvKernel.OpData d)
    {
        if (d.DepthMultiplier != 1) return;
        var bias = new float[(d.OutputDepth + 7) / 8 * 8];
        node.OptionalInput(2)?.AsReadOnlySpan<float>().CopyTo(bias);
        node.Data = new FloatPlan { Reference = d, Bias = bias, Taps = TapRanges.Of(d.Window, d.FilterHeight, d.FilterWidth, d.InputHeight, d.InputWidth) };
        context.AddPackedWeightBytes(bias.Length * sizeof(float));
    }

    private static unsafe void RunFloat(FloatPlan plan, Node node)
    {
        var d = plan.Reference;
        var w = d.Window;
        int depth = d.OutputDepth, full = depth / 8 * 8;
        var lo = Vector256.Create(d.FloatMin);
        var hi = Vector256.Create(d.FloatMax);
        fixed (float* inBase = node.Inputs[0]!.AsReadOnlySpan<float>())
        fixed (float* filterBase = node.Inputs[1]!.AsReadOnlySpan<float>())
        fixed (float* biasBase = plan.Bias)
        fixed (float* outBase = node.Outputs[0].AsSpan<float>())
        {
            int pixel = 0;
            for (int b = 0; b < d.Batches; b++)
            for (int oy = 0; oy < w.OutputHeight; oy++)
            {
                int inY0 = oy * w.StrideHeight - w.PadHeight;
                int fy0 = plan.Taps.RowStart[oy], fy1 = plan.Taps.RowEnd[oy];
                for (int ox = 0; ox < w.OutputWidth; ox++, pixel++)
                {
                    int inX0 = ox * w.StrideWidth - w.PadWidth;
                    int fx0 = plan.Taps.ColumnStart[ox], fx1 = plan.Taps.ColumnEnd[ox];
                    float* outPixel = outBase + (long)pixel * depth;
                    for (int c = 0; c < full; c += 8)
                    {
                        var acc = Vector256<float>.Zero;
                        for (int fy = fy0; fy < fy1; fy++)
                        {
                            float* row = inBase + ((long)(b * d.InputHeight + inY0 + w.DilationHeight * fy) * d.InputWidth) * depth + c;
                            float* taps = filterBase + (long)fy * d.FilterWidth * depth + c;
                            for (int fx = fx0; fx < fx1; fx++)
                                acc = Avx.Add(acc, Avx.Multiply(Avx.LoadVector256(row + (long)(inX0 + w.DilationWidth * fx) * depth), Avx.LoadVector256(taps + (long)fx * depth)));
                        }
                        Avx.Store(outPixel + c, Avx.Min(hi, Avx.Max(lo, Avx.Add(acc, Avx.LoadVector256(biasBase + c)))));
                    }
                    // The last channels (fewer than eight), one at a time in the same order.
                    for (int c = full; c < depth; c++)
                    {
                        float total = 0f;
                        for (int fy = fy0; fy < fy1; fy++)
                            for (int fx = fx0; fx < fx1; fx++)
                                total += inBase[(((long)(b * d.InputHeight + inY0 + w.DilationHeight * fy) * d.InputWidth) + inX0 + w.DilationWidth * fx) * depth + c]
                                         * filterBase[(fy * d.FilterWidth + fx) * depth + c];
                        outPixel[c] = ActivationRange.Clamp(total + biasBase[c], d.FloatMin, d.FloatMax);
                    }
                }
            }
        }
    }
}
