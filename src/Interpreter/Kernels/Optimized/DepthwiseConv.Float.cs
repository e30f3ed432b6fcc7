using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyMl.Interpreter.Kernels.Optimized;

/// <summary>
/// DEPTHWISE_CONV_2D in float32 with depth multiplier 1, bit-identical with the reference: eight channels per
/// lane vector (the last few masked), each summing its taps in the reference's order (filter row, then column)
/// with a separate multiply and add, over the in-bounds taps only; then bias and the reference's clamp. Four
/// neighbouring pixels go together where their windows match, so four sums are in flight instead of one. The
/// filter is used as stored ([1, H, W, C] is already channel-contiguous). Other multipliers run the reference kernel.
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
        var lo = Vector256.Create(d.FloatMin);
        var hi = Vector256.Create(d.FloatMax);
        fixed (float* inBase = node.Inputs[0]!.AsReadOnlySpan<float>())
        fixed (float* filterBase = node.Inputs[1]!.AsReadOnlySpan<float>())
        fixed (float* biasBase = plan.Bias)
        fixed (float* outBase = node.Outputs[0].AsSpan<float>())
        {
            var frame = new FloatFrame(d, inBase, filterBase, biasBase, outBase, lo, hi);
            int pixel = 0;
            for (int b = 0; b < d.Batches; b++)
            for (int oy = 0; oy < w.OutputHeight; oy++)
            {
                int inY0 = oy * w.StrideHeight - w.PadHeight;
                int fy0 = plan.Taps.RowStart[oy], fy1 = plan.Taps.RowEnd[oy];
                float* rows = inBase + (long)(b * d.InputHeight + inY0) * d.InputWidth * d.OutputDepth;
                for (int ox = 0; ox < w.OutputWidth;)
                {
                    // Four neighbours with the same filter columns: four independent sums per lane, so the adds overlap.
                    int n = ox + 4 <= w.OutputWidth && plan.Taps.ColumnStart[ox] == plan.Taps.ColumnStart[ox + 3]
                        && plan.Taps.ColumnEnd[ox] == plan.Taps.ColumnEnd[ox + 3] ? 4 : 1;
                    FloatPixels(frame, rows, fy0, fy1, plan.Taps.ColumnStart[ox], plan.Taps.ColumnEnd[ox], ox * w.StrideWidth - w.PadWidth, pixel, n);
                    ox += n;
                    pixel += n;
                }
            }
        }
    }

    /// <summary>What every pixel of one float depthwise layer shares.</summary>
    private readonly unsafe struct FloatFrame(DepthwiseConvKernel.OpData d, float* input, float* filter, float* bias, float* output,
        Vector256<float> lo, Vector256<float> hi)
    {
        public readonly DepthwiseConvKernel.OpData D = d;
        public readonly float* Input = input, Filter = filter, Bias = bias, Output = output;
        public readonly Vector256<float> Lo = lo, Hi = hi;
    }

    /// <summary>
    /// <paramref name="count"/> (1 or 4) neighbouring output pixels, eight channels a pass; the last channels (fewer
    /// than eight) with masked loads and stores, so no lane reads or writes past the tensors. Each lane sums its taps
    /// in the reference's order (filter row, then column), multiply then add, from zero; then bias and clamp.
    /// </summary>
    private static unsafe void FloatPixels(in FloatFrame f, float* rows, int fy0, int fy1, int fx0, int fx1, int inX0, int pixel, int count)
    {
        var d = f.D;
        var w = d.Window;
        int depth = d.OutputDepth;
        long rowStride = (long)d.InputWidth * depth, step = (long)w.StrideWidth * depth;
        var index = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        for (int c = 0; c < depth; c += 8)
        {
            var mask = Avx2.CompareGreaterThan(Vector256.Create(depth - c), index).AsSingle(); // all lanes but at the end
            bool whole = depth - c >= 8;
            var a0 = Vector256<float>.Zero; var a1 = Vector256<float>.Zero;
            var a2 = Vector256<float>.Zero; var a3 = Vector256<float>.Zero;
            for (int fy = fy0; fy < fy1; fy++)
            {
                float* row = rows + w.DilationHeight * fy * rowStride + c;
                float* taps = f.Filter + (long)fy * d.FilterWidth * depth + c;
                for (int fx = fx0; fx < fx1; fx++)
                {
                    float* x = row + (long)(inX0 + w.DilationWidth * fx) * depth;
                    var weight = whole ? Avx.LoadVector256(taps + (long)fx * depth) : Avx.MaskLoad(taps + (long)fx * depth, mask);
                    a0 = Avx.Add(a0, Avx.Multiply(whole ? Avx.LoadVector256(x) : Avx.MaskLoad(x, mask), weight));
                    if (count == 1) continue;
                    a1 = Avx.Add(a1, Avx.Multiply(whole ? Avx.LoadVector256(x + step) : Avx.MaskLoad(x + step, mask), weight));
                    a2 = Avx.Add(a2, Avx.Multiply(whole ? Avx.LoadVector256(x + 2 * step) : Avx.MaskLoad(x + 2 * step, mask), weight));
                    a3 = Avx.Add(a3, Avx.Multiply(whole ? Avx.LoadVector256(x + 3 * step) : Avx.MaskLoad(x + 3 * step, mask), weight));
                }
            }
            var bias = Avx.LoadVector256(f.Bias + c); // padded to whole vectors in Prepare
            float* o = f.Output + (long)pixel * depth + c;
            StoreDepthwise(o, Avx.Min(f.Hi, Avx.Max(f.Lo, Avx.Add(a0, bias))), mask, whole);
            if (count == 1) continue;
            StoreDepthwise(o + depth, Avx.Min(f.Hi, Avx.Max(f.Lo, Avx.Add(a1, bias))), mask, whole);
            StoreDepthwise(o + 2L * depth, Avx.Min(f.Hi, Avx.Max(f.Lo, Avx.Add(a2, bias))), mask, whole);
            StoreDepthwise(o + 3L * depth, Avx.Min(f.Hi, Avx.Max(f.Lo, Avx.Add(a3, bias))), mask, whole);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreDepthwise(float* target, Vector256<float> value, Vector256<float> mask, bool whole)
    {
        if (whole) Avx.Store(target, value);
        else Avx.MaskStore(target, mask, value);
    }
}
