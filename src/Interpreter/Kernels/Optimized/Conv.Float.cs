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
        int taps = d.FilterHeight * d.FilterWidth;
        var lo = Vector256.Create(d.FloatMin);
        var hi = Vector256.Create(d.FloatMax);
        Span<float> lanes = stackalloc float[FloatBlock];
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
                for (int ox = 0; ox < w.OutputWidth; ox++, pixel++)
                {
                    int inX0 = ox * w.StrideWidth - w.PadWidth;
                    int fx0 = plan.Taps.ColumnStart[ox], fx1 = plan.Taps.ColumnEnd[ox];
                    float* outPixel = outBase + (long)pixel * d.OutputDepth;
                    for (int block = 0; block * FloatBlock < d.OutputDepth; block++)
                    {
                        var low = Vector256<float>.Zero;
                        var high = Vector256<float>.Zero;
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
                                    var xi = Vector256.Create(x[ic]);
                                    low = Avx.Add(low, Avx.Multiply(xi, Avx.LoadVector256(f)));
                                    high = Avx.Add(high, Avx.Multiply(xi, Avx.LoadVector256(f + 8)));
                                }
                            }
                        }
                        int channel = block * FloatBlock;
                        // The reference adds the bias (or 0) after the sum, then clamps: x < lo ? lo : x, then hi < y ? hi : y.
                        low = Clamp(Avx.Add(low, Avx.LoadVector256(biasBase + channel)), lo, hi);
                        high = Clamp(Avx.Add(high, Avx.LoadVector256(biasBase + channel + 8)), lo, hi);
                        int n = Math.Min(FloatBlock, d.OutputDepth - channel);
                        if (n == FloatBlock)
                        {
                            Avx.Store(outPixel + channel, low);
                            Avx.Store(outPixel + channel + 8, high);
                        }
                        else
                        {
                            low.CopyTo(lanes);
                            high.CopyTo(lanes[8..]);
                            for (int i = 0; i < n; i++) outPixel[channel + i] = lanes[i];
                        }
                    }
                }
            }
        }
    }

    /// <summary>VMAXPS/VMINPS return their second operand when either is NaN or both are equal: in this order they match the reference's clamp exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Clamp(Vector256<float> x, Vector256<float> lo, Vector256<float> hi) =>
        Avx.Min(hi, Avx.Max(lo, x));
}
