using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TinyMl.Interpreter.Kernels.Optimized;

/// <summary>
/// CONV_2D in float32, bit-identical with the reference: sixteen output channels per pass, each lane summing
/// its own channel's products in the reference's order (filter row, column, input channel) with a separate
/// multiply and add — no fused multiply-add, whose single rounding would change the bits — over the in-bounds
/// taps only. Weights are packed once in Prepare as [channel block][tap][input channel][16].
/// </summary>
internal sealed partial class FastConvKernel
{
    private const int FloatBlock = 16;

    private sealed class FloatPlan
    {
        public required TapRanges Taps;
        public required ConvKernel.OpData Reference;
        public required float[] Weights;
        public required float[] Bias;                 // zero-padded to whole blocks; 0 when the model has none
        public required bool HasBias;
        public FloatRows? Split;                      // set when the layer is worth spreading over the workers
    }

    /// <summary>A large float layer's output rows in chunks for <see cref="KernelContext.RunParallel"/>.</summary>
    private sealed class FloatRows(FloatPlan plan, Node node, int chunkRows) : IParallelWork
    {
        public int Chunks(int rows) => (rows + chunkRows - 1) / chunkRows;

        public void Run(int item, int worker)
        {
            int rows = plan.Reference.Batches * plan.Reference.Window.OutputHeight;
            RunFloat(plan, node, item * chunkRows, Math.Min(rows, (item + 1) * chunkRows));
        }
    }

    private static void PrepareFloat(KernelContext context, Node node, ConvKernel.OpData d)
    {
        int taps = d.FilterHeight * d.FilterWidth, blocks = (d.OutputDepth + FloatBlock - 1) / FloatBlock;
        var source = node.Input(1).AsReadOnlySpan<float>();
        var weights = new float[(long)blocks * taps * d.FilterDepth * FloatBlock];
        for (int oc = 0; oc < d.OutputDepth; oc++)
            for (int t = 0; t < taps; t++)
                for (int ic = 0; ic < d.FilterDepth; ic++)
                    weights[(((long)(oc / FloatBlock) * taps + t) * d.FilterDepth + ic) * FloatBlock + oc % FloatBlock] =
                        source[(oc * taps + t) * d.FilterDepth + ic];
        var bias = new float[blocks * FloatBlock];
        var biasTensor = node.OptionalInput(2);
        biasTensor?.AsReadOnlySpan<float>().CopyTo(bias);
        var plan = new FloatPlan { Reference = d, Weights = weights, Bias = bias, HasBias = biasTensor is not null, Taps = TapRanges.Of(d.Window, d.FilterHeight, d.FilterWidth, d.InputHeight, d.InputWidth) };
        int rows = d.Batches * d.Window.OutputHeight;
        long macs = (long)rows * d.Window.OutputWidth * d.OutputDepth * taps * d.FilterDepth;
        if (context.Workers > 1 && macs >= ParallelMacs && rows > 1)
            plan.Split = new FloatRows(plan, node, (rows + 4 * context.Workers - 1) / (4 * context.Workers));
        node.Data = plan;
        context.AddPackedWeightBytes((weights.Length + bias.Length) * sizeof(float));
    }

    private static void RunFloat(FloatPlan plan, Node node, KernelContext context)
    {
        int rows = plan.Reference.Batches * plan.Reference.Window.OutputHeight;
        if (plan.Split is { } split)
            context.RunParallel(split, split.Chunks(rows));
        else
            RunFloat(plan, node, 0, rows);
    }

    /// <summary>Output rows (over batches) <paramref name="firstRow"/> up to <paramref name="endRow"/>.</summary>
    private static unsafe void RunFloat(FloatPlan plan, Node node, int firstRow, int endRow)
    {
        var d = plan.Reference;
        var w = d.Window;
        var input = node.Inputs[0]!.AsReadOnlySpan<float>();
        var output = node.Outputs[0].AsSpan<float>();
        var lo = Vector256.Create(d.FloatMin);
        var hi = Vector256.Create(d.FloatMax);
        fixed (float* inBase = input)
        fixed (float* weightBase = plan.Weights)
        fixed (float* biasBase = plan.Bias)
        fixed (float* outBase = output)
        {
            for (int outRow = firstRow; outRow < endRow; outRow++)
            {
                int b = outRow / w.OutputHeight, oy = outRow % w.OutputHeight, pixel = outRow * w.OutputWidth;
                int inY0 = oy * w.StrideHeight - w.PadHeight;
                int fy0 = plan.Taps.RowStart[oy], fy1 = plan.Taps.RowEnd[oy];
                for (int ox = 0; ox < w.OutputWidth;)
                {
                    // Four neighbours whose windows use the same filter columns run together: four pixels' sums are
                    // independent chains, so the adds overlap instead of waiting on each other (each lane still sums
                    // in the reference's order).
                    int count = ox + PixelTile <= w.OutputWidth && plan.Taps.ColumnStart[ox] == plan.Taps.ColumnStart[ox + PixelTile - 1]
                        && plan.Taps.ColumnEnd[ox] == plan.Taps.ColumnEnd[ox + PixelTile - 1] ? PixelTile : 1;
                    FloatPixels(plan, inBase, weightBase, biasBase, outBase, b, inY0, fy0, fy1, ox, pixel, count, lo, hi);
                    ox += count;
                    pixel += count;
                }
            }
        }
    }

    /// <summary><paramref name="count"/> (1 or 4) neighbouring output pixels with the same filter columns, sixteen channels a pass.</summary>
    private static unsafe void FloatPixels(FloatPlan plan, float* inBase, float* weightBase, float* biasBase, float* outBase,
        int b, int inY0, int fy0, int fy1, int ox, int pixel, int count, Vector256<float> lo, Vector256<float> hi)
    {
        var d = plan.Reference;
        var w = d.Window;
        int taps = d.FilterHeight * d.FilterWidth;
        int inX0 = ox * w.StrideWidth - w.PadWidth;
        int fx0 = plan.Taps.ColumnStart[ox], fx1 = plan.Taps.ColumnEnd[ox];
        long pixelStep = (long)w.StrideWidth * d.InputDepth;
        for (int block = 0; block * FloatBlock < d.OutputDepth; block++)
        {
            var l0 = Vector256<float>.Zero; var h0 = Vector256<float>.Zero;
            var l1 = Vector256<float>.Zero; var h1 = Vector256<float>.Zero;
            var l2 = Vector256<float>.Zero; var h2 = Vector256<float>.Zero;
            var l3 = Vector256<float>.Zero; var h3 = Vector256<float>.Zero;
            float* blockWeights = weightBase + (long)block * taps * d.FilterDepth * FloatBlock;
            for (int fy = fy0; fy < fy1; fy++)
            {
                float* row = inBase + ((long)(b * d.InputHeight + inY0 + w.DilationHeight * fy) * d.InputWidth) * d.InputDepth;
                for (int fx = fx0; fx < fx1; fx++)
                {
                    float* x = row + (long)(inX0 + w.DilationWidth * fx) * d.InputDepth;
                    float* f = blockWeights + (long)(fy * d.FilterWidth + fx) * d.FilterDepth * FloatBlock;
                    for (int ic = 0; ic < d.FilterDepth; ic++, f += FloatBlock)
                    {
                        var wl = Avx.LoadVector256(f);
                        var wh = Avx.LoadVector256(f + 8);
                        var x0 = Vector256.Create(x[ic]);
                        l0 = Avx.Add(l0, Avx.Multiply(x0, wl)); h0 = Avx.Add(h0, Avx.Multiply(x0, wh));
                        if (count == 1) continue;
                        var x1 = Vector256.Create(x[ic + pixelStep]);
                        var x2 = Vector256.Create(x[ic + 2 * pixelStep]);
                        var x3 = Vector256.Create(x[ic + 3 * pixelStep]);
                        l1 = Avx.Add(l1, Avx.Multiply(x1, wl)); h1 = Avx.Add(h1, Avx.Multiply(x1, wh));
                        l2 = Avx.Add(l2, Avx.Multiply(x2, wl)); h2 = Avx.Add(h2, Avx.Multiply(x2, wh));
                        l3 = Avx.Add(l3, Avx.Multiply(x3, wl)); h3 = Avx.Add(h3, Avx.Multiply(x3, wh));
                    }
                }
            }
            int channel = block * FloatBlock;
            float* outPixel = outBase + (long)pixel * d.OutputDepth;
            StoreFloat(plan, outPixel, channel, l0, h0, biasBase, lo, hi);
            if (count == 1) continue;
            StoreFloat(plan, outPixel + d.OutputDepth, channel, l1, h1, biasBase, lo, hi);
            StoreFloat(plan, outPixel + 2L * d.OutputDepth, channel, l2, h2, biasBase, lo, hi);
            StoreFloat(plan, outPixel + 3L * d.OutputDepth, channel, l3, h3, biasBase, lo, hi);
        }
    }

    /// <summary>Bias, clamp and store of one pixel's sixteen channels (fewer in the last block, through masked stores).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreFloat(FloatPlan plan, float* outPixel, int channel, Vector256<float> low, Vector256<float> high,
        float* biasBase, Vector256<float> lo, Vector256<float> hi)
    {
        // The reference adds the bias (or 0) after the sum, then clamps: x < lo ? lo : x, then hi < y ? hi : y.
        low = Clamp(Avx.Add(low, Avx.LoadVector256(biasBase + channel)), lo, hi);
        high = Clamp(Avx.Add(high, Avx.LoadVector256(biasBase + channel + 8)), lo, hi);
        int n = Math.Min(FloatBlock, plan.Reference.OutputDepth - channel);
        if (n == FloatBlock)
        {
            Avx.Store(outPixel + channel, low);
            Avx.Store(outPixel + channel + 8, high);
            return;
        }
        // A partial block: masked stores write only the lanes that are channels.
        var index = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        Avx.MaskStore(outPixel + channel, Avx2.CompareGreaterThan(Vector256.Create(n), index).AsSingle(), low);
        Avx.MaskStore(outPixel + channel + 8, Avx2.CompareGreaterThan(Vector256.Create(n - 8), index).AsSingle(), high);
    }

    /// <summary>VMAXPS/VMINPS return their second operand when either is NaN or both are equal: in this order they match the reference's clamp exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Clamp(Vector256<float> x, Vector256<float> lo, Vector256<float> hi) =>
        Avx.Min(hi, Avx.Max(lo, x));
}
