using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Optimized;

/// <summary>
/// DEPTHWISE_CONV_2D for int8 activations on AVX2, bit-exact with <see cref="DepthwiseConvKernel"/>.
/// Output channels go in register blocks over the in-bounds taps (out-of-image taps skipped, as the
/// reference does): with depth multiplier 1, sixteen at a time — (x + offset) lies in [−255, 255] and the
/// weights in [−128, 127], so each product fits int16 (VPMULLW) before it is widened into int32 sums; any
/// other channels eight at a time in int32, the input channel of each lane broadcast (multiplier a multiple
/// of 8) or gathered; the last few channels with the reference arithmetic. Weights are widened once in Prepare.
/// MobileNet's 3×3 layers run their interior pixels (most of them) through <see cref="InteriorRun"/>, a pixel
/// run per row with two taps per multiply-add and no per-pixel bounds work: on person_detect's thin first
/// layers (8 channels) the per-pixel overhead, not the arithmetic, was the cost.
/// </summary>
internal sealed partial class FastDepthwiseConvKernel : OperatorKernel
{
    private const int Block = 16;
    private readonly DepthwiseConvKernel _reference = new();

    private sealed class Plan
    {
        public required TapRanges Taps;
        public required DepthwiseConvKernel.OpData Reference;
        public required short[] Weights;            // [tap][channel], int16
        public required Requantize.Lanes[] Lanes;   // per 8 channels of the vector part
        public required int VectorChannels;         // channels handled 16 at a time (multiplier 1)
        public required int LaneChannels;           // channels up to here handled 8 at a time
        public required LaneSource Source;          // how an 8-channel block finds its input values
        // Interior pixels of 3×3 filters (all nine taps in the image), eight channels at a time: taps go in pairs
        // through VPMADDWD, weights [block][tap pair][channel][2] with a zero tenth tap, and the input offset's
        // share Σ w·offset folded into the bias once, so inputs are used as they are. Null where not used.
        public required short[]? InteriorWeights;
        public required int[]? InteriorBias;        // bias + input offset × Σ taps' weights, per channel
        public required int[]? BlockSource;         // input channel each 8-channel block reads first
        public int InteriorStart, InteriorEnd;      // output columns whose three filter columns all lie in the image
    }

    /// <summary>Where output channels c … c+7 read their input: consecutive channels (multiplier 1), one channel broadcast (a multiple of 8), or gathered.</summary>
    private enum LaneSource { Consecutive, Broadcast, Gathered }

    public override void Prepare(KernelContext context, Node node)
    {
        _reference.Prepare(context, node);
        var d = node.DataAs<DepthwiseConvKernel.OpData>();
        var input = node.Input(0);
        var filter = node.Input(1);
        if (!Avx2.IsSupported || !filter.IsConstant || d.OutputDepth < 8)
            return;
        if (input.Type == TensorType.FLOAT32)
        {
            PrepareFloat(context, node, d);
            return;
        }
        if (input.Type != TensorType.INT8)
            return;
        var source = filter.AsReadOnlySpan<sbyte>();
        var weights = new short[source.Length];
        for (int i = 0; i < source.Length; i++) weights[i] = source[i];
        int vectorChannels = d.DepthMultiplier == 1 ? d.OutputDepth / Block * Block : 0;
        int laneChannels = d.OutputDepth / 8 * 8;
        var multipliers = MemoryMarshal.Cast<byte, int>(d.Multipliers.Span);
        var shifts = MemoryMarshal.Cast<byte, int>(d.Shifts.Span);
        var lanes = new Requantize.Lanes[laneChannels / 8];
        for (int g = 0; g < lanes.Length; g++)
            lanes[g] = new Requantize.Lanes(multipliers.Slice(g * 8, 8), shifts.Slice(g * 8, 8));
        var laneSource = d.DepthMultiplier == 1 ? LaneSource.Consecutive : d.DepthMultiplier % 8 == 0 ? LaneSource.Broadcast : LaneSource.Gathered;
        short[]? interiorWeights = null;
        int[]? interiorBias = null, blockSource = null;
        if (d.FilterHeight == 3 && d.FilterWidth == 3 && laneChannels == d.OutputDepth && laneSource != LaneSource.Gathered)
        {
            int blocks = laneChannels / 8;
            interiorWeights = new short[blocks * 5 * 16];
            interiorBias = new int[laneChannels];
            blockSource = new int[blocks];
            var biasTensor = node.OptionalInput(2);
            var bias = biasTensor is null ? default : biasTensor.AsReadOnlySpan<int>();
            for (int c = 0; c < laneChannels; c++)
            {
                int block = c / 8, lane = c % 8, sum = 0;
                for (int tap = 0; tap < 9; tap++)
                {
                    interiorWeights[((block * 5 + tap / 2) * 8 + lane) * 2 + tap % 2] = weights[tap * d.OutputDepth + c];
                    sum += weights[tap * d.OutputDepth + c];
                }
                interiorBias[c] = unchecked((bias.IsEmpty ? 0 : bias[c]) + d.InputOffset * sum);
            }
            for (int block = 0; block < blocks; block++)
                blockSource[block] = block * 8 / d.DepthMultiplier;
        }
        var taps = TapRanges.Of(d.Window, d.FilterHeight, d.FilterWidth, d.InputHeight, d.InputWidth);
        node.Data = new Plan
        {
            Reference = d, Weights = weights, Lanes = lanes, VectorChannels = vectorChannels, LaneChannels = laneChannels,
            Source = laneSource, InteriorWeights = interiorWeights, InteriorBias = interiorBias, BlockSource = blockSource, Taps = taps,
        };
        // Interior columns are one run: a column's window only leaves the image at the left or right edge.
        var plan = (Plan)node.Data;
        plan.InteriorStart = plan.InteriorEnd = 0;
        for (int ox = 0; ox < d.Window.OutputWidth; ox++)
        {
            if (taps.ColumnEnd[ox] - taps.ColumnStart[ox] != 3) continue;
            if (plan.InteriorEnd == 0) plan.InteriorStart = ox;
            plan.InteriorEnd = ox + 1;
        }
        context.AddPackedWeightBytes((weights.Length + (interiorWeights?.Length ?? 0)) * sizeof(short)
            + ((interiorBias?.Length ?? 0) + (blockSource?.Length ?? 0)) * sizeof(int) + taps.Bytes);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        if (node.Data is FloatPlan floatPlan)
        {
            RunFloat(floatPlan, node);
            return;
        }
        if (node.Data is not Plan plan)
        {
            _reference.Invoke(context, node);
            return;
        }
        var bias = node.OptionalInput(2);
        Run(plan, node.Inputs[0]!.AsReadOnlySpan<sbyte>(), bias is null ? default : bias.AsReadOnlySpan<int>(), node.Outputs[0].AsSpan<sbyte>());
    }

    private static unsafe void Run(Plan plan, ReadOnlySpan<sbyte> input, ReadOnlySpan<int> bias, Span<sbyte> output)
    {
        var d = plan.Reference;
        var w = d.Window;
        int depth = d.OutputDepth;
        var multipliers = MemoryMarshal.Cast<byte, int>(d.Multipliers.Span);
        var shifts = MemoryMarshal.Cast<byte, int>(d.Shifts.Span);
        var offset = Vector256.Create((short)d.InputOffset);
        var offset32 = Vector256.Create(d.InputOffset);
        int inputDepth = d.InputDepth, multiplier = d.DepthMultiplier, dilationWidth = d.Window.DilationWidth, dilationHeight = d.Window.DilationHeight;
        bool full3x3 = d.FilterHeight == 3 && d.FilterWidth == 3;
        var outOffset = Vector256.Create(d.OutputOffset);
        var min = Vector256.Create(d.ActivationMin);
        var max = Vector256.Create(d.ActivationMax);
        // Border pixels of the 3×3 path: their window is copied into a 3×3×depth block, the taps outside the image
        // holding the input's zero point (which adds w·(zp + offset) = 0, as the reference's skipped taps add nothing).
        int windowBytes = 9 * inputDepth;
        sbyte* border = stackalloc sbyte[plan.InteriorWeights is not null && windowBytes <= MaxBorderWindow ? windowBytes : 0];
        long borderColumn = inputDepth, borderRow = 3L * inputDepth;
        long interiorColumn = (long)dilationWidth * inputDepth, interiorRow = (long)dilationHeight * d.InputWidth * inputDepth;
        long interiorStep = (long)w.StrideWidth * inputDepth;
        fixed (sbyte* inBase = input)
        fixed (short* weightBase = plan.Weights)
        fixed (sbyte* outBase = output)
        {
            int outPixel = 0;
            for (int b = 0; b < d.Batches; b++)
            for (int oy = 0; oy < w.OutputHeight; oy++)
            {
                int inY0 = oy * w.StrideHeight - w.PadHeight;
                int fy0 = plan.Taps.RowStart[oy], fy1 = plan.Taps.RowEnd[oy];
                for (int ox = 0; ox < w.OutputWidth; ox++, outPixel++)
                {
                    int inX0 = ox * w.StrideWidth - w.PadWidth;
                    int fx0 = plan.Taps.ColumnStart[ox], fx1 = plan.Taps.ColumnEnd[ox];
                    sbyte* outRow = outBase + (long)outPixel * depth;
                    if (plan.InteriorWeights is not null && fy1 - fy0 == 3 && ox == plan.InteriorStart && plan.InteriorEnd > ox)
                    {
                        int count = plan.InteriorEnd - ox;
                        InteriorRun(plan, inBase + ((long)(b * d.InputHeight + inY0) * d.InputWidth + inX0) * inputDepth, outRow, count,
                            interiorStep, interiorColumn, interiorRow, outOffset, min, max);
                        ox += count - 1;
                        outPixel += count - 1;
                        continue;
                    }
                    if (plan.InteriorWeights is not null && windowBytes <= MaxBorderWindow)
                    {
                        GatherBorderWindow(d, input, b, inY0, inX0, new Span<sbyte>(border, windowBytes));
                        InteriorRun(plan, border, outRow, 1, 0, borderColumn, borderRow, outOffset, min, max);
                        continue;
                    }
                    for (int c = 0; c < plan.VectorChannels; c += Block)
                    {
                        var low = Vector256<int>.Zero;
                        var high = Vector256<int>.Zero;
                        bool unrolled = full3x3 && fy1 - fy0 == 3 && fx1 - fx0 == 3;
                        for (int fy = fy0; fy < fy1; fy++)
                        {
                            int y = inY0 + w.DilationHeight * fy;
                            sbyte* inRow = inBase + ((long)(b * d.InputHeight + y) * d.InputWidth) * depth + c;
                            short* weightRow = weightBase + (long)fy * d.FilterWidth * depth + c;
                            if (unrolled)
                            {
                                // The three taps of an interior row, unrolled.
                                sbyte* p = inRow + (long)inX0 * depth;
                                long step = (long)dilationWidth * depth;
                                var p0 = Avx2.MultiplyLow(Avx2.Add(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(p)), offset), Avx.LoadVector256(weightRow));
                                var p1 = Avx2.MultiplyLow(Avx2.Add(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(p + step)), offset), Avx.LoadVector256(weightRow + depth));
                                var p2 = Avx2.MultiplyLow(Avx2.Add(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(p + 2 * step)), offset), Avx.LoadVector256(weightRow + 2 * depth));
                                low = Avx2.Add(Avx2.Add(low, Avx2.ConvertToVector256Int32(p0.GetLower())), Avx2.Add(Avx2.ConvertToVector256Int32(p1.GetLower()), Avx2.ConvertToVector256Int32(p2.GetLower())));
                                high = Avx2.Add(Avx2.Add(high, Avx2.ConvertToVector256Int32(p0.GetUpper())), Avx2.Add(Avx2.ConvertToVector256Int32(p1.GetUpper()), Avx2.ConvertToVector256Int32(p2.GetUpper())));
                                continue;
                            }
                            for (int fx = fx0; fx < fx1; fx++)
                            {
                                int x = inX0 + w.DilationWidth * fx;
                                var pixels = Avx2.Add(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(inRow + (long)x * depth)), offset);
                                var products = Avx2.MultiplyLow(pixels, Avx.LoadVector256(weightRow + (long)fx * depth));
                                low = Avx2.Add(low, Avx2.ConvertToVector256Int32(products.GetLower()));
                                high = Avx2.Add(high, Avx2.ConvertToVector256Int32(products.GetUpper()));
                            }
                        }
                        if (!bias.IsEmpty)
                        {
                            fixed (int* biasBase = bias)
                            {
                                low = Avx2.Add(low, Avx.LoadVector256(biasBase + c));
                                high = Avx2.Add(high, Avx.LoadVector256(biasBase + c + 8));
                            }
                        }
                        low = Requantize.ToOutput(low, plan.Lanes[c / 8], outOffset, min, max);
                        high = Requantize.ToOutput(high, plan.Lanes[c / 8 + 1], outOffset, min, max);
                        Sse2.Store(outRow + c, Narrow.Sixteen(low, high));
                    }
                    for (int c = plan.VectorChannels; c < plan.LaneChannels; c += 8)
                    {
                        var acc = Vector256<int>.Zero;
                        int source = plan.Source == LaneSource.Broadcast ? c / multiplier : c;
                        // Interior pixels of a 3×3 filter: the nine taps unrolled (short variable loops cost more than their work here).
                        if (full3x3 && fy1 - fy0 == 3 && fx1 - fx0 == 3)
                        {
                            for (int fy = 0; fy < 3; fy++)
                            {
                                sbyte* p = inBase + ((long)(b * d.InputHeight + inY0 + dilationHeight * fy) * d.InputWidth + inX0) * inputDepth;
                                short* wr = weightBase + (long)fy * 3 * depth + c;
                                acc = Avx2.Add(acc, Avx2.MultiplyLow(Avx2.Add(InputLanes(p, c, source, plan.Source, multiplier), offset32), Avx2.ConvertToVector256Int32(Sse2.LoadVector128(wr))));
                                acc = Avx2.Add(acc, Avx2.MultiplyLow(Avx2.Add(InputLanes(p + (long)dilationWidth * inputDepth, c, source, plan.Source, multiplier), offset32), Avx2.ConvertToVector256Int32(Sse2.LoadVector128(wr + depth))));
                                acc = Avx2.Add(acc, Avx2.MultiplyLow(Avx2.Add(InputLanes(p + 2L * dilationWidth * inputDepth, c, source, plan.Source, multiplier), offset32), Avx2.ConvertToVector256Int32(Sse2.LoadVector128(wr + 2 * depth))));
                            }
                        }
                        else
                        for (int fy = fy0; fy < fy1; fy++)
                        {
                            int y = inY0 + w.DilationHeight * fy;
                            sbyte* inRow = inBase + ((long)(b * d.InputHeight + y) * d.InputWidth) * d.InputDepth;
                            short* weightRow = weightBase + (long)fy * d.FilterWidth * depth + c;
                            for (int fx = fx0; fx < fx1; fx++)
                            {
                                int x = inX0 + w.DilationWidth * fx;
                                var pixels = Avx2.Add(InputLanes(inRow + (long)x * d.InputDepth, c, source, plan.Source, multiplier), offset32);
                                var weights = Avx2.ConvertToVector256Int32(Sse2.LoadVector128(weightRow + (long)fx * depth));
                                acc = Avx2.Add(acc, Avx2.MultiplyLow(pixels, weights));
                            }
                        }
                        if (!bias.IsEmpty)
                            fixed (int* biasBase = bias)
                                acc = Avx2.Add(acc, Avx.LoadVector256(biasBase + c));
                        acc = Requantize.ToOutput(acc, plan.Lanes[c / 8], outOffset, min, max);
                        *(long*)(outRow + c) = Narrow.Eight(acc);
                    }
                    // The last channels (fewer than eight), with the reference arithmetic.
                    for (int c = plan.LaneChannels; c < depth; c++)
                    {
                        int acc = 0;
                        for (int fy = fy0; fy < fy1; fy++)
                        {
                            int y = inY0 + w.DilationHeight * fy;
                            for (int fx = fx0; fx < fx1; fx++)
                            {
                                int x = inX0 + w.DilationWidth * fx;
                                acc += plan.Weights[(fy * d.FilterWidth + fx) * depth + c] *
                                       (input[((b * d.InputHeight + y) * d.InputWidth + x) * d.InputDepth + c / d.DepthMultiplier] + d.InputOffset);
                            }
                        }
                        if (!bias.IsEmpty) acc += bias[c];
                        acc = FixedPoint.MultiplyByQuantizedMultiplier(acc, multipliers[c], shifts[c]) + d.OutputOffset;
                        outRow[c] = (sbyte)Math.Clamp(acc, d.ActivationMin, d.ActivationMax);
                    }
                }
            }
        }
    }

    /// <summary>
    /// A run of <paramref name="count"/> output pixels of one row whose 3×3 windows lie inside the image, eight
    /// channels at a time: two taps per VPMADDWD (input bytes interleaved tap by tap, sign-extended to int16),
    /// summed from the interior bias in int32 — the same integer sum as the reference's Σ w·(x + offset) + bias
    /// (int32 addition wraps, so the order of the terms does not change the bits). Channel blocks are the outer
    /// loop, so a block's weights and bias stay in registers over the whole run.
    /// <paramref name="window"/> points at the first pixel's top-left tap; <paramref name="step"/>,
    /// <paramref name="column"/> and <paramref name="row"/> lead to the next pixel's window, filter column and filter row.
    /// </summary>
    private static unsafe void InteriorRun(Plan plan, sbyte* window, sbyte* outRow, int count, long step, long column, long row,
        Vector256<int> outOffset, Vector256<int> min, Vector256<int> max)
    {
        if (plan.Source == LaneSource.Consecutive)
            InteriorRun<ConsecutiveChannels>(plan, window, outRow, count, step, column, row, outOffset, min, max);
        else
            InteriorRun<SharedChannel>(plan, window, outRow, count, step, column, row, outOffset, min, max);
    }

    // The generic parameter picks how a block reads its pair of taps; the JIT compiles one loop for each, with no
    // branch per pixel.
    private static unsafe void InteriorRun<TTaps>(Plan plan, sbyte* window, sbyte* outRow, int count, long step, long column, long row,
        Vector256<int> outOffset, Vector256<int> min, Vector256<int> max) where TTaps : struct, ITapPairs
    {
        var d = plan.Reference;
        int blocks = plan.LaneChannels / 8, depth = d.OutputDepth;
        fixed (short* weightBase = plan.InteriorWeights)
        fixed (int* biasBase = plan.InteriorBias)
        fixed (int* sourceBase = plan.BlockSource)
        fixed (Requantize.Lanes* lanesBase = plan.Lanes)
        {
            for (int block = 0; block < blocks; block++)
            {
                short* weights = weightBase + block * 80;
                var w0 = Avx.LoadVector256(weights);
                var w1 = Avx.LoadVector256(weights + 16);
                var w2 = Avx.LoadVector256(weights + 32);
                var w3 = Avx.LoadVector256(weights + 48);
                var w4 = Avx.LoadVector256(weights + 64);
                var bias = Avx.LoadVector256(biasBase + block * 8);
                Requantize.Lanes* lanes = lanesBase + block;
                sbyte* r0 = window + sourceBase[block];
                sbyte* o = outRow + block * 8;
                for (int p = 0; p < count; p++, r0 += step, o += depth)
                {
                    sbyte* r1 = r0 + row, r2 = r1 + row;
                    var acc = Avx2.Add(bias, Avx2.MultiplyAddAdjacent(TTaps.Pair(r0, r0 + column), w0));
                    acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(TTaps.Pair(r0 + 2 * column, r1), w1));
                    acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(TTaps.Pair(r1 + column, r1 + 2 * column), w2));
                    acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(TTaps.Pair(r2, r2 + column), w3));
                    acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(TTaps.Pair(r2 + 2 * column, r2 + 2 * column), w4)); // tenth weight is 0
                    *(long*)o = Narrow.Eight(Requantize.ToOutput(acc, *lanes, outOffset, min, max));
                }
            }
        }
    }

    // Border windows up to this size (1,024 input channels) are gathered on the stack; wider layers take the general path.
    private const int MaxBorderWindow = 9 * 1024;

    /// <summary>A 3×3 window at (<paramref name="inY0"/>, <paramref name="inX0"/>) as a compact 3×3×depth block; taps outside the image get the zero point.</summary>
    private static void GatherBorderWindow(DepthwiseConvKernel.OpData d, ReadOnlySpan<sbyte> input, int b, int inY0, int inX0, Span<sbyte> window)
    {
        int depth = d.InputDepth;
        sbyte zeroPoint = (sbyte)-d.InputOffset;
        for (int fy = 0; fy < 3; fy++)
        {
            int y = inY0 + fy * d.Window.DilationHeight;
            for (int fx = 0; fx < 3; fx++)
            {
                int x = inX0 + fx * d.Window.DilationWidth;
                var target = window.Slice((fy * 3 + fx) * depth, depth);
                if ((uint)y < (uint)d.InputHeight && (uint)x < (uint)d.InputWidth)
                    input.Slice(((b * d.InputHeight + y) * d.InputWidth + x) * depth, depth).CopyTo(target);
                else
                    target.Fill(zeroPoint);
            }
        }
    }

    /// <summary>How an 8-channel block reads the input values of two taps, as interleaved int16 pairs for VPMADDWD.</summary>
    private interface ITapPairs
    {
        static abstract unsafe Vector256<short> Pair(sbyte* a, sbyte* b);
    }

    /// <summary>Eight consecutive channels of two taps, interleaved (a0, b0, a1, b1, …) and widened to int16 (multiplier 1).</summary>
    private readonly struct ConsecutiveChannels : ITapPairs
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<short> Pair(sbyte* a, sbyte* b) =>
            Avx2.ConvertToVector256Int16(Sse2.UnpackLow(Vector128.CreateScalar(*(long*)a).AsSByte(), Vector128.CreateScalar(*(long*)b).AsSByte()));
    }

    /// <summary>One input channel of two taps (a multiplier of 8 or more): the pair (a, b) in every lane.</summary>
    private readonly struct SharedChannel : ITapPairs
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<short> Pair(sbyte* a, sbyte* b) =>
            Vector256.Create((int)(((uint)*b << 16) | ((uint)*a & 0xFFFF))).AsInt16();
    }

    /// <summary>The input value of output channels c … c+7 of one pixel, widened: channel c reads input channel c / multiplier (<paramref name="source"/> when broadcast).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<int> InputLanes(sbyte* pixel, int c, int source, LaneSource how, int multiplier)
    {
        if (how == LaneSource.Consecutive)
            return Avx2.ConvertToVector256Int32(pixel + c);                   // eight consecutive channels
        if (how == LaneSource.Broadcast)
            return Vector256.Create((int)pixel[source]);                      // one input channel feeds all eight
        return Vector256.Create(pixel[c / multiplier], pixel[(c + 1) / multiplier], pixel[(c + 2) / multiplier], pixel[(c + 3) / multiplier],
            pixel[(c + 4) / multiplier], pixel[(c + 5) / multiplier], pixel[(c + 6) / multiplier], pixel[(c + 7) / multiplier]);
    }
}
