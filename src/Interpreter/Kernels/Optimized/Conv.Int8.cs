using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Optimized;

/// <summary>
/// CONV_2D for int8 activations as a GEMM on AVX2, bit-exact with <see cref="ConvKernel"/>. Prepare packs
/// the weights once (widened to int16, interleaved in pairs of K for VPMADDWD, 16 output channels a block)
/// and folds the input offset into the bias: Σ(x + offset)·w = Σx·w + offset·Σw, exactly in int32, when
/// padding taps read the input's zero point (they then add 0, as the reference skips them). Invoke gathers
/// four output pixels' windows into an int16 row each (im2col, in rows kept with the packed weights, so the
/// arena stays exactly the reference kernels'), multiplies them
/// with every channel block, and requantizes eight channels at a time. Other types, grouped convolutions
/// and machines without AVX2 run the reference kernel; float32 is in Conv.Float.cs.
/// </summary>
internal sealed partial class FastConvKernel : OperatorKernel
{
    private const int PixelTile = 4;
    private const int ChannelBlock = 16;

    private readonly ConvKernel _reference = new();

    private sealed class Plan
    {
        public required ConvKernel.OpData Reference;
        public required int Depth;                  // K: filter height · width · input depth
        public required int PairedDepth;            // K rounded up to even
        public required short[] PackedWeights;      // [block][K/2][16 channels][2]
        public required int[] Bias;                 // bias + offset · Σw, per channel (padded to blocks)
        public required Requantize.Lanes[] Lanes;   // per 8 channels
        public required short[] Rows;              // im2col rows of one pixel tile, per worker
        public required bool PointwiseUnpadded;     // 1×1, stride 1: the input rows are the GEMM rows
        public Parallel? Split;                     // set when the layer is worth spreading over the workers
    }

    /// <summary>A large layer's pixel tiles in chunks for <see cref="KernelContext.RunParallel"/>; worker w gathers into its own rows.</summary>
    private sealed class Parallel(Plan plan, Node node, int chunkPixels) : IParallelWork
    {
        public int Chunks(int pixels) => (pixels + chunkPixels - 1) / chunkPixels;

        public void Run(int item, int worker)
        {
            int pixels = plan.Reference.Batches * plan.Reference.Window.OutputHeight * plan.Reference.Window.OutputWidth;
            int first = item * chunkPixels, end = Math.Min(pixels, first + chunkPixels);
            int rowsLength = PixelTile * plan.PairedDepth;
            FastConvKernel.Run(plan, node.Inputs[0]!.AsReadOnlySpan<sbyte>(), node.Outputs[0].AsSpan<sbyte>(),
                plan.Rows.AsSpan(worker * rowsLength, rowsLength), first, end);
        }
    }

    // Below this many multiply-accumulates a layer runs on the calling thread: waking workers costs more.
    private const long ParallelMacs = 1_000_000;

    public static bool Supported => Avx2.IsSupported;

    public override void Prepare(KernelContext context, Node node)
    {
        _reference.Prepare(context, node);
        var d = node.DataAs<ConvKernel.OpData>();
        var input = node.Input(0);
        var filter = node.Input(1);
        bool grouped = d.FilterDepth != d.InputDepth;
        if (!Supported || grouped || !filter.IsConstant)
            return;
        if (input.Type == TensorType.FLOAT32)
        {
            PrepareFloat(context, node, d);
            return;
        }
        if (input.Type != TensorType.INT8)
            return;

        int depth = d.FilterHeight * d.FilterWidth * d.FilterDepth;
        int paired = (depth + 1) & ~1;
        int blocks = (d.OutputDepth + ChannelBlock - 1) / ChannelBlock;
        var weights = filter.AsReadOnlySpan<sbyte>();
        var packed = new short[blocks * ChannelBlock * paired];
        var bias = new int[blocks * ChannelBlock];
        var biasTensor = node.OptionalInput(2);
        var biasValues = biasTensor is null ? default : biasTensor.AsReadOnlySpan<int>();
        for (int oc = 0; oc < d.OutputDepth; oc++)
        {
            int block = oc / ChannelBlock, lane = oc % ChannelBlock;
            var row = weights.Slice(oc * depth, depth);
            int sum = 0;
            for (int k = 0; k < depth; k++)
            {
                sum += row[k];
                // Block layout: for each pair of K, 16 channels × (w[k], w[k+1]).
                packed[((block * (paired / 2) + k / 2) * ChannelBlock + lane) * 2 + (k & 1)] = row[k];
            }
            bias[oc] = unchecked((biasValues.IsEmpty ? 0 : biasValues[oc]) + d.InputOffset * sum);
        }
        var multipliers = MemoryMarshal.Cast<byte, int>(d.Multipliers.Span);
        var shifts = MemoryMarshal.Cast<byte, int>(d.Shifts.Span);
        var lanes = new Requantize.Lanes[blocks * 2];
        for (int g = 0; g < lanes.Length; g++)
        {
            int first = Math.Min(g * 8, d.OutputDepth), count = Math.Min(d.OutputDepth - first, 8);
            lanes[g] = new Requantize.Lanes(multipliers.Slice(first, count), shifts.Slice(first, count));
        }
        var w = d.Window;
        bool pointwise = d.FilterHeight == 1 && d.FilterWidth == 1 && w.StrideHeight == 1 && w.StrideWidth == 1
            && w.PadHeight == 0 && w.PadWidth == 0 && depth % 2 == 0;
        int pixels = d.Batches * w.OutputHeight * w.OutputWidth;
        long macs = (long)pixels * d.OutputDepth * depth;
        int workers = macs >= ParallelMacs ? context.Workers : 1;
        var plan = new Plan
        {
            Reference = d, Depth = depth, PairedDepth = paired, PackedWeights = packed, Bias = bias, Lanes = lanes,
            Rows = new short[workers * PixelTile * paired],
            PointwiseUnpadded = pointwise,
        };
        if (workers > 1)
        {
            // Four chunks per worker evens out uneven progress; a chunk is a whole number of tiles.
            int perChunk = (pixels + 4 * workers - 1) / (4 * workers);
            int chunk = (perChunk + PixelTile - 1) / PixelTile * PixelTile;
            plan.Split = new Parallel(plan, node, chunk);
        }
        node.Data = plan;
        context.AddPackedWeightBytes(packed.Length * sizeof(short) + bias.Length * sizeof(int) + plan.Rows.Length * sizeof(short));
    }

    public override void Invoke(KernelContext context, Node node)
    {
        if (node.Data is FloatPlan floatPlan)
        {
            RunFloat(floatPlan, node, context);
            return;
        }
        if (node.Data is not Plan plan)
        {
            _reference.Invoke(context, node);
            return;
        }
        var d = plan.Reference;
        int pixels = d.Batches * d.Window.OutputHeight * d.Window.OutputWidth;
        if (plan.Split is { } split)
            context.RunParallel(split, split.Chunks(pixels));
        else
            Run(plan, node.Inputs[0]!.AsReadOnlySpan<sbyte>(), node.Outputs[0].AsSpan<sbyte>(), plan.Rows, 0, pixels);
    }

    /// <summary>Output pixels <paramref name="first"/> up to <paramref name="end"/>, a tile of four at a time, gathered into <paramref name="rows"/>.</summary>
    private static void Run(Plan plan, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<short> rows, int first, int end)
    {
        var d = plan.Reference;
        var w = d.Window;
        // The next pixel to gather, as coordinates stepped along (no divisions per pixel).
        int ox = first % w.OutputWidth, oy = first / w.OutputWidth % w.OutputHeight, b = first / (w.OutputWidth * w.OutputHeight);
        for (int p0 = first; p0 < end; p0 += PixelTile)
        {
            int count = Math.Min(PixelTile, end - p0);
            for (int i = 0; i < PixelTile; i++)
            {
                var row = rows.Slice(i * plan.PairedDepth, plan.PairedDepth);
                if (i >= count)
                    row.Clear();                                   // past the last pixel: computed, never stored
                else if (plan.PointwiseUnpadded)
                    Widen(input.Slice((p0 + i) * d.InputDepth, d.InputDepth), row);
                else
                    Gather(plan, input, b, oy, ox, row);
                if (++ox == w.OutputWidth) { ox = 0; if (++oy == w.OutputHeight) { oy = 0; b++; } }
            }
            Multiply(plan, rows, output.Slice(p0 * d.OutputDepth), count);
        }
    }

    /// <summary>One output pixel's receptive field as an int16 row of K values; taps outside the image hold the input's zero point.</summary>
    private static void Gather(Plan plan, ReadOnlySpan<sbyte> input, int b, int oy, int ox, Span<short> row)
    {
        var d = plan.Reference;
        var w = d.Window;
        short zeroPoint = (short)-d.InputOffset;
        int inY0 = oy * w.StrideHeight - w.PadHeight, inX0 = ox * w.StrideWidth - w.PadWidth;
        int k = 0;
        for (int fy = 0; fy < d.FilterHeight; fy++)
        {
            int y = inY0 + fy * w.DilationHeight;
            for (int fx = 0; fx < d.FilterWidth; fx++, k += d.InputDepth)
            {
                int x = inX0 + fx * w.DilationWidth;
                var target = row.Slice(k, d.InputDepth);
                if ((uint)y < (uint)d.InputHeight && (uint)x < (uint)d.InputWidth)
                    Widen(input.Slice(((b * d.InputHeight + y) * d.InputWidth + x) * d.InputDepth, d.InputDepth), target);
                else
                    target.Fill(zeroPoint);
            }
        }
        if (plan.PairedDepth > plan.Depth) row[plan.Depth] = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Widen(ReadOnlySpan<sbyte> from, Span<short> to)
    {
        int i = 0;
        for (; i <= from.Length - 16; i += 16)
            Avx2.ConvertToVector256Int16(Vector128.Create<sbyte>(from.Slice(i))).CopyTo(to.Slice(i));
        if (i <= from.Length - 8)
        {
            // Eight more (thin layers have 8-channel rows): one 64-bit load widened to eight shorts.
            var eight = Vector128.CreateScalar(MemoryMarshal.Read<long>(MemoryMarshal.AsBytes(from.Slice(i, 8)))).AsSByte();
            Sse41.ConvertToVector128Int16(eight).CopyTo(to.Slice(i));
            i += 8;
        }
        for (; i < from.Length; i++)
            to[i] = from[i];
    }

    /// <summary>Four rows × every channel block: int32 sums by VPMADDWD on K pairs, then bias, requantization, clamp.</summary>
    private static unsafe void Multiply(Plan plan, ReadOnlySpan<short> rows, Span<sbyte> output, int count)
    {
        var d = plan.Reference;
        int pairs = plan.PairedDepth / 2;
        var min = Vector256.Create(d.ActivationMin);
        var max = Vector256.Create(d.ActivationMax);
        var offset = Vector256.Create(d.OutputOffset);
        Span<int> lane = stackalloc int[8];
        fixed (short* rowBase = rows)
        fixed (short* weightBase = plan.PackedWeights)
        fixed (int* biasBase = plan.Bias)
        {
            int* r0 = (int*)rowBase, r1 = (int*)(rowBase + plan.PairedDepth), r2 = (int*)(rowBase + 2 * plan.PairedDepth), r3 = (int*)(rowBase + 3 * plan.PairedDepth);
            for (int block = 0; block * ChannelBlock < d.OutputDepth; block++)
            {
                short* wp = weightBase + block * pairs * ChannelBlock * 2;
                var a0 = Vector256<int>.Zero; var b0 = Vector256<int>.Zero;
                var a1 = Vector256<int>.Zero; var b1 = Vector256<int>.Zero;
                var a2 = Vector256<int>.Zero; var b2 = Vector256<int>.Zero;
                var a3 = Vector256<int>.Zero; var b3 = Vector256<int>.Zero;
                for (int k = 0; k < pairs; k++, wp += ChannelBlock * 2)
                {
                    var wLow = Avx.LoadVector256(wp);
                    var wHigh = Avx.LoadVector256(wp + 16);
                    var x0 = Vector256.Create(r0[k]).AsInt16();
                    var x1 = Vector256.Create(r1[k]).AsInt16();
                    var x2 = Vector256.Create(r2[k]).AsInt16();
                    var x3 = Vector256.Create(r3[k]).AsInt16();
                    a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(x0, wLow)); b0 = Avx2.Add(b0, Avx2.MultiplyAddAdjacent(x0, wHigh));
                    a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(x1, wLow)); b1 = Avx2.Add(b1, Avx2.MultiplyAddAdjacent(x1, wHigh));
                    a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(x2, wLow)); b2 = Avx2.Add(b2, Avx2.MultiplyAddAdjacent(x2, wHigh));
                    a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(x3, wLow)); b3 = Avx2.Add(b3, Avx2.MultiplyAddAdjacent(x3, wHigh));
                }
                int channel = block * ChannelBlock;
                var biasLow = Avx.LoadVector256(biasBase + channel);
                var biasHigh = Avx.LoadVector256(biasBase + channel + 8);
                ref readonly var lanesLow = ref plan.Lanes[2 * block];
                ref readonly var lanesHigh = ref plan.Lanes[2 * block + 1];
                Store(output, 0, channel, d.OutputDepth, count, Finish(a0, biasLow, lanesLow, offset, min, max), Finish(b0, biasHigh, lanesHigh, offset, min, max), lane);
                Store(output, 1, channel, d.OutputDepth, count, Finish(a1, biasLow, lanesLow, offset, min, max), Finish(b1, biasHigh, lanesHigh, offset, min, max), lane);
                Store(output, 2, channel, d.OutputDepth, count, Finish(a2, biasLow, lanesLow, offset, min, max), Finish(b2, biasHigh, lanesHigh, offset, min, max), lane);
                Store(output, 3, channel, d.OutputDepth, count, Finish(a3, biasLow, lanesLow, offset, min, max), Finish(b3, biasHigh, lanesHigh, offset, min, max), lane);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Finish(Vector256<int> acc, Vector256<int> bias, in Requantize.Lanes lanes, Vector256<int> offset, Vector256<int> min, Vector256<int> max) =>
        Requantize.ToOutput(Avx2.Add(acc, bias), lanes, offset, min, max);

    /// <summary>Writes pixel <paramref name="pixel"/>'s sixteen channels (fewer at the last block), if the tile has that pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<sbyte> output, int pixel, int channel, int depth, int count, Vector256<int> low, Vector256<int> high, Span<int> lane)
    {
        if (pixel >= count) return;
        var target = output.Slice(pixel * depth + channel);
        if (depth - channel >= ChannelBlock)
        {
            Narrow.Sixteen(low, high).CopyTo(target);
            return;
        }
        int n = depth - channel;
        low.CopyTo(lane);
        for (int i = 0; i < Math.Min(n, 8); i++) target[i] = (sbyte)lane[i];
        if (n > 8)
        {
            high.CopyTo(lane);
            for (int i = 8; i < n; i++) target[i] = (sbyte)lane[i - 8];
        }
    }
}
