using System.Runtime.InteropServices;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// The reductions over constant axes, keep_dims or not (TFLM's reduce.cc). MEAN and SUM: float32 sums in input
/// order (MEAN then divides by the count); int8/int16 sum the stored values in int32 (wrapping, as TFLM), remove
/// count * input zero point, and requantize with input_scale / output_scale — for MEAN folded with 1 / count the
/// way TFLM's QuantizedMeanOrSum does (the multiplier shifted up by floor(log2 count), at most 32 bits, then
/// divided). REDUCE_MAX / REDUCE_MIN: float32 and int8 (input and output quantized alike), starting from the
/// type's lowest / highest value. REDUCE_ALL: bool, starting from true.
/// </summary>
internal sealed class ReduceKernel(ReduceKernel.Kind kind) : OperatorKernel
{
    public enum Kind { Mean, Sum, Max, Min, All }

    private const int MaxRank = StridedWalk.MaxRank;

    private sealed class OpData
    {
        public TensorType Type;
        public int Count, OutputCount;
        public readonly int[] Dims = new int[MaxRank];
        public readonly int[] OutputStrides = new int[MaxRank];
        public int InputZeroPoint, OutputZeroPoint, Multiplier, Shift, ScratchIndex = -1;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var input = node.Input(0);
        var axes = node.Input(1);
        var output = node.Output(0);
        TensorType[] types = kind switch
        {
            Kind.Max or Kind.Min => [TensorType.FLOAT32, TensorType.INT8],
            Kind.All => [TensorType.BOOL],
            _ => [TensorType.FLOAT32, TensorType.INT8, TensorType.INT16],
        };
        node.RequireType(input, "input", types);
        node.RequireSameType(input, output);
        node.RequireType(axes, "axis", TensorType.INT32);
        node.RequireData(axes, "axis");
        int rank = input.Rank;
        node.Require(rank <= MaxRank, $"input tensor {input.Index} has shape {KernelChecks.ShapeText(input)}; at most {MaxRank} dimensions are supported");
        bool keepDims = node.Operator.Options<ReducerOptions>()?.KeepDims ?? false;

        var reduced = new bool[rank];
        foreach (int a in axes.AsReadOnlySpan<int>())
        {
            node.Require(a >= -rank && a < rank, $"axis {a} is outside input tensor {input.Index} {KernelChecks.ShapeText(input)}");
            reduced[a < 0 ? a + rank : a] = true;
        }
        var expected = new List<int>();
        for (int i = 0; i < rank; i++)
            if (!reduced[i]) expected.Add(input.Dim(i));
            else if (keepDims) expected.Add(1);
        node.Require(output.Shape.SequenceEqual(expected.ToArray()),
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; reducing {KernelChecks.ShapeText(input)} over axes [{string.Join(",", axes.ToArray<int>())}] is [{string.Join(",", expected)}]");

        var d = new OpData { Type = input.Type, OutputCount = output.ElementCount, Count = 1 };
        Array.Fill(d.Dims, 1);
        int offset = MaxRank - rank;
        for (int i = rank - 1, stride = 1; i >= 0; i--)
        {
            d.Dims[offset + i] = input.Dim(i);
            if (reduced[i]) { d.Count *= input.Dim(i); continue; }
            d.OutputStrides[offset + i] = stride;
            stride *= input.Dim(i);
        }

        if (kind is Kind.Max or Kind.Min && input.Type == TensorType.INT8)
        {
            // TFLM compares stored values, which needs the output to share the input's quantization.
            node.RequirePerTensorQuantization(input, "input");
            node.RequirePerTensorQuantization(output, "output");
            node.Require(input.Scale == output.Scale && input.ZeroPoint == output.ZeroPoint,
                $"input tensor {input.Index} (scale {input.Scale:G9}, zero point {input.ZeroPoint}) and output tensor {output.Index} (scale {output.Scale:G9}, zero point {output.ZeroPoint}) must share their quantization");
        }
        else if (input.Type is TensorType.INT8 or TensorType.INT16)
        {
            node.RequirePerTensorQuantization(input, "input");
            node.RequirePerTensorQuantization(output, "output");
            d.InputZeroPoint = input.ZeroPoint;
            d.OutputZeroPoint = output.ZeroPoint;
            var q = QuantizedMultiplier.FromDouble((double)input.Scale / output.Scale);
            (d.Multiplier, d.Shift) = (q.Multiplier, q.Shift);
            if (d.Count > 0 && kind == Kind.Mean)
            {
                int shift = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)d.Count);
                shift = Math.Min(shift, 32);
                shift = Math.Min(shift, 31 + d.Shift);
                d.Multiplier = (int)(((long)d.Multiplier << shift) / d.Count);
                d.Shift -= shift;
            }
            d.ScratchIndex = context.RequestScratchBuffer(d.OutputCount * sizeof(int));
        }
        node.Data = d;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        switch (kind)
        {
            case Kind.Max or Kind.Min when d.Type == TensorType.FLOAT32:
                Extreme(d, input.AsReadOnlySpan<float>(), output.AsSpan<float>()[..d.OutputCount], kind == Kind.Max ? float.MinValue : float.MaxValue);
                return;
            case Kind.Max or Kind.Min:
                Extreme(d, input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>()[..d.OutputCount], kind == Kind.Max ? sbyte.MinValue : sbyte.MaxValue);
                return;
            case Kind.All:
            {
                var y = output.AsSpan<bool>()[..d.OutputCount];
                y.Fill(true);
                var all = new ScatterAll { Input = input.AsReadOnlySpan<bool>(), Results = y };
                StridedWalk.Run(d.Dims, d.OutputStrides, ref all);
                return;
            }
        }
        switch (d.Type)
        {
            case TensorType.FLOAT32:
            {
                var y = output.AsSpan<float>()[..d.OutputCount];
                y.Clear();
                Sum(d, input.AsReadOnlySpan<float>(), y);
                if (d.Count > 0 && kind == Kind.Mean)
                    for (int i = 0; i < y.Length; i++) y[i] /= d.Count;
                break;
            }
            case TensorType.INT8:
            {
                var sums = MemoryMarshal.Cast<byte, int>(context.GetScratchBuffer(d.ScratchIndex))[..d.OutputCount];
                sums.Clear();
                Sum(d, input.AsReadOnlySpan<sbyte>(), sums);
                var y = output.AsSpan<sbyte>();
                for (int i = 0; i < sums.Length; i++) y[i] = (sbyte)Requantize(d, sums[i], sbyte.MinValue, sbyte.MaxValue);
                break;
            }
            case TensorType.INT16:
            {
                var sums = MemoryMarshal.Cast<byte, int>(context.GetScratchBuffer(d.ScratchIndex))[..d.OutputCount];
                sums.Clear();
                Sum(d, input.AsReadOnlySpan<short>(), sums);
                var y = output.AsSpan<short>();
                for (int i = 0; i < sums.Length; i++) y[i] = (short)Requantize(d, sums[i], short.MinValue, short.MaxValue);
                break;
            }
        }
    }

    private static int Requantize(OpData d, int sum, int min, int max)
    {
        if (d.Count == 0) return 0; // TFLM leaves the zeroed output when nothing is averaged
        int shifted = unchecked(sum - d.InputZeroPoint * d.Count);
        return Math.Clamp(FixedPoint.MultiplyByQuantizedMultiplier(shifted, d.Multiplier, d.Shift) + d.OutputZeroPoint, min, max);
    }

    /// <summary>REDUCE_MAX / REDUCE_MIN: each output starts from <paramref name="start"/> and keeps the larger (smaller) value, in input order.</summary>
    private void Extreme<T>(OpData d, ReadOnlySpan<T> input, Span<T> output, T start) where T : unmanaged, System.Numerics.INumber<T>
    {
        output.Fill(start);
        var walk = new ScatterExtreme<T> { Input = input, Results = output, Max = kind == Kind.Max };
        StridedWalk.Run(d.Dims, d.OutputStrides, ref walk);
    }

    private ref struct ScatterExtreme<T> : IStridedVisitor where T : unmanaged, System.Numerics.INumber<T>
    {
        public ReadOnlySpan<T> Input;
        public Span<T> Results;
        public bool Max;
        // As TFLM's comparison: take the input only when strictly beyond the current value (NaN never wins).
        public void Visit(int index, int offset)
        {
            var x = Input[index];
            if (Max ? x > Results[offset] : x < Results[offset]) Results[offset] = x;
        }
    }

    private ref struct ScatterAll : IStridedVisitor
    {
        public ReadOnlySpan<bool> Input;
        public Span<bool> Results;
        public void Visit(int index, int offset) => Results[offset] = Input[index] && Results[offset];
    }

    // Input in row-major order; each element adds into the output it reduces to (stride 0 on reduced axes).
    private static void Sum<TIn, TAcc>(OpData d, ReadOnlySpan<TIn> input, Span<TAcc> sums)
        where TIn : unmanaged, System.Numerics.INumberBase<TIn>
        where TAcc : unmanaged, System.Numerics.INumberBase<TAcc>
    {
        var scatter = new ScatterAdd<TIn, TAcc> { Input = input, Sums = sums };
        StridedWalk.Run(d.Dims, d.OutputStrides, ref scatter);
    }

    private ref struct ScatterAdd<TIn, TAcc> : IStridedVisitor
        where TIn : unmanaged, System.Numerics.INumberBase<TIn>
        where TAcc : unmanaged, System.Numerics.INumberBase<TAcc>
    {
        public ReadOnlySpan<TIn> Input;
        public Span<TAcc> Sums;
        public void Visit(int index, int offset) => Sums[offset] = unchecked(Sums[offset] + TAcc.CreateTruncating(Input[index]));
    }
}
