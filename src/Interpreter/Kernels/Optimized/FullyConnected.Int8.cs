using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Optimized;

/// <summary>
/// FULLY_CONNECTED for int8 activations on AVX2, bit-exact with <see cref="FullyConnectedKernel"/>: the
/// weights plus their offset are widened to int16 once in Prepare, each input row plus its offset once per
/// Invoke; both offsets keep values in [−255, 255], so VPMADDWD's pairwise int32 sums are exact. Four
/// outputs share each loaded stretch of the row; requantization is the reference's, per output.
/// </summary>
internal sealed class FastFullyConnectedKernel : OperatorKernel
{
    private const int Lanes = 16;
    private readonly FullyConnectedKernel _reference = new();

    private sealed class Plan
    {
        public required FullyConnectedKernel.OpData Reference;
        public required int PaddedDepth;        // accumulation depth rounded up to 16
        public required short[] Weights;        // [output][PaddedDepth]: w + filter offset, zero-padded
        public required short[] Row;            // one input row + input offset, zero-padded
    }

    public override void Prepare(KernelContext context, Node node)
    {
        _reference.Prepare(context, node);
        var d = node.DataAs<FullyConnectedKernel.OpData>();
        var filter = node.Input(1);
        if (!Avx2.IsSupported || node.Input(0).Type != TensorType.INT8 || !filter.IsConstant)
            return;
        int padded = (d.AccumDepth + Lanes - 1) / Lanes * Lanes;
        var source = filter.AsReadOnlySpan<sbyte>();
        var weights = new short[(long)d.OutputDepth * padded];
        for (int o = 0; o < d.OutputDepth; o++)
            for (int k = 0; k < d.AccumDepth; k++)
                weights[o * padded + k] = (short)(source[o * d.AccumDepth + k] + d.FilterOffset);
        node.Data = new Plan { Reference = d, PaddedDepth = padded, Weights = weights, Row = new short[padded] };
        context.AddPackedWeightBytes((weights.Length + padded) * sizeof(short));
    }

    public override void Invoke(KernelContext context, Node node)
    {
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
        var multipliers = MemoryMarshal.Cast<byte, int>(d.Multipliers.Span);
        var shifts = MemoryMarshal.Cast<byte, int>(d.Shifts.Span);
        bool perChannel = multipliers.Length > 1;
        int padded = plan.PaddedDepth;
        var offset = Vector256.Create((short)d.InputOffset);
        fixed (short* row = plan.Row)
        fixed (short* weightBase = plan.Weights)
        fixed (sbyte* inBase = input)
        {
            for (int b = 0; b < d.Batches; b++)
            {
                sbyte* x = inBase + (long)b * d.AccumDepth;
                int k = 0;
                for (; k + Lanes <= d.AccumDepth; k += Lanes)
                    Avx.Store(row + k, Avx2.Add(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(x + k)), offset));
                for (; k < d.AccumDepth; k++) row[k] = (short)(x[k] + d.InputOffset);
                for (; k < padded; k++) row[k] = 0;

                int o = 0;
                for (; o + 4 <= d.OutputDepth; o += 4)
                {
                    short* w0 = weightBase + (long)o * padded;
                    var a0 = Vector256<int>.Zero; var a1 = Vector256<int>.Zero; var a2 = Vector256<int>.Zero; var a3 = Vector256<int>.Zero;
                    for (int i = 0; i < padded; i += Lanes)
                    {
                        var r = Avx.LoadVector256(row + i);
                        a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(r, Avx.LoadVector256(w0 + i)));
                        a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(r, Avx.LoadVector256(w0 + padded + i)));
                        a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(r, Avx.LoadVector256(w0 + 2 * padded + i)));
                        a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(r, Avx.LoadVector256(w0 + 3 * padded + i)));
                    }
                    Write(d, output, b, o, Vector256.Sum(a0), bias, multipliers, shifts, perChannel);
                    Write(d, output, b, o + 1, Vector256.Sum(a1), bias, multipliers, shifts, perChannel);
                    Write(d, output, b, o + 2, Vector256.Sum(a2), bias, multipliers, shifts, perChannel);
                    Write(d, output, b, o + 3, Vector256.Sum(a3), bias, multipliers, shifts, perChannel);
                }
                for (; o < d.OutputDepth; o++)
                {
                    short* w = weightBase + (long)o * padded;
                    var a = Vector256<int>.Zero;
                    for (int i = 0; i < padded; i += Lanes)
                        a = Avx2.Add(a, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(row + i), Avx.LoadVector256(w + i)));
                    Write(d, output, b, o, Vector256.Sum(a), bias, multipliers, shifts, perChannel);
                }
            }
        }
    }

    private static void Write(FullyConnectedKernel.OpData d, Span<sbyte> output, int b, int o, int acc, ReadOnlySpan<int> bias,
        ReadOnlySpan<int> multipliers, ReadOnlySpan<int> shifts, bool perChannel)
    {
        if (!bias.IsEmpty) acc += bias[o];
        int c = perChannel ? o : 0;
        int value = FixedPoint.MultiplyByQuantizedMultiplier(acc, multipliers[c], shifts[c]) + d.OutputOffset;
        output[b * d.OutputDepth + o] = (sbyte)Math.Clamp(value, d.ActivationMin, d.ActivationMax);
    }
}
