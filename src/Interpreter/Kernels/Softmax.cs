using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// SOFTMAX over the last dimension: output = exp(beta * (x - max)) / sum(exp(beta * (x - max))).
/// float32; int8 -> int8 and int8 -> int16 with gemmlowp's fixed-point exp and reciprocal (Q5.26
/// scaled differences, Q12.19 accumulation); int16 -> int16 with TFLM's interpolated exp and
/// 1/(1+x) lookup tables, built in Prepare into the arena tail.
/// </summary>
internal sealed class SoftmaxKernel : OperatorKernel
{
    // Integer bits of the scaled input differences fed to exp (differences down to -32 are representable).
    private const int ScaledDiffIntegerBits = 5;
    // Integer bits of the sum of exps: room for 4096 terms of at most 1.
    private const int AccumulationIntegerBits = 12;

    private enum Path { Float, Int8ToInt8, Int8ToInt16, Int16ToInt16 }

    private sealed class OpData
    {
        public Path Path;
        public int OuterSize, Depth;
        public float Beta;
        public int InputMultiplier, InputShift, DiffMin;
        public Memory<byte> ExpTable, ReciprocalTable;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.InputCount == 1 && node.OutputCount == 1,
            $"needs 1 input and 1 output, the model gives {node.InputCount} and {node.OutputCount}");
        var input = node.Input(0);
        var output = node.Output(0);
        node.Require(input.Rank >= 1, "input must have at least one dimension");
        node.Require(output.Rank == input.Rank && output.Dim(output.Rank - 1) == input.Dim(input.Rank - 1)
                     && output.ElementCount == input.ElementCount,
            $"output {KernelChecks.ShapeText(output)} does not match input {KernelChecks.ShapeText(input)}");
        // Without options TFLM's parser leaves beta at 0 (a uniform output); so does this.
        float beta = node.Operator.Options<SoftmaxOptions>()?.Beta ?? 0f;

        var data = new OpData
        {
            Depth = input.Dim(input.Rank - 1),
            Beta = beta,
        };
        data.OuterSize = data.Depth == 0 ? 0 : input.ElementCount / data.Depth;

        switch (input.Type, output.Type)
        {
            case (TensorType.FLOAT32, TensorType.FLOAT32):
                data.Path = Path.Float;
                break;
            case (TensorType.INT8, TensorType.INT8):
                node.RequirePerTensorQuantization(input, "input");
                RequireOutputQuantization(node, output, -128, 1f / 256, exact: true);
                data.Path = Path.Int8ToInt8;
                PrepareInt8(node, data, input, beta);
                break;
            case (TensorType.INT8, TensorType.INT16):
                node.RequirePerTensorQuantization(input, "input");
                RequireOutputQuantization(node, output, -32768, 1f / 65536, exact: false);
                data.Path = Path.Int8ToInt16;
                PrepareInt8(node, data, input, beta);
                break;
            case (TensorType.INT16, TensorType.INT16):
                node.RequirePerTensorQuantization(input, "input");
                RequireOutputQuantization(node, output, 0, 1f / 32768, exact: false);
                data.Path = Path.Int16ToInt16;
                PrepareInt16(context, node, data, input, beta);
                break;
            default:
                throw node.Unsupported(
                    $"input {TensorTypes.Name(input.Type)} with output {TensorTypes.Name(output.Type)} is not supported " +
                    "(float32->float32, int8->int8, int8->int16, int16->int16)");
        }
        node.Data = data;
    }

    // TFLM fixes the output quantization of quantized softmax: probabilities in [0, 1) over the whole type range.
    private static void RequireOutputQuantization(Node node, Tensor output, int zeroPoint, float scale, bool exact)
    {
        node.Require(output.Quantization is { IsPerChannel: false } && output.ZeroPoint == zeroPoint,
            $"output tensor {output.Index} needs zero point {zeroPoint}, has {output.ZeroPoint}");
        float delta = Math.Abs(output.Scale - scale);
        node.Require(exact ? output.Scale == scale : delta <= 0.001f * scale,
            $"output tensor {output.Index} needs scale {scale:G9}, has {output.Scale:G9}");
    }

    private static void PrepareInt8(Node node, OpData data, Tensor input, float beta)
    {
        // TFLM's PreprocessSoftmaxScaling: beta * scale as a Q5.26 multiplier, capped below 2^31.
        double real = Math.Min((double)beta * input.Scale * (1 << (31 - ScaledDiffIntegerBits)), (1L << 31) - 1.0);
        node.Require(real > 1.0, $"beta {beta} times input scale {input.Scale:G9} is too small for the fixed-point softmax");
        var q = QuantizedMultiplier.FromDouble(real);
        data.InputMultiplier = q.Multiplier;
        data.InputShift = q.Shift;
        // The largest difference the left shift cannot overflow; anything further below the maximum counts as exp = 0.
        data.DiffMin = -FixedPoint.InputRangeRadius(ScaledDiffIntegerBits, q.Shift);
    }

    private static void PrepareInt16(KernelContext context, Node node, OpData data, Tensor input, float beta)
    {
        // The input difference is rescaled so that [-65535, 0] covers [-10, 0], the exp table's range.
        // TFLM takes any beta here; a NaN or infinite one has no multiplier (its conversion is undefined).
        node.Require(float.IsFinite(beta), $"beta {beta} is not a finite number; the int16 softmax needs one to scale its input");
        var q = QuantizedMultiplier.FromDouble((double)input.Scale * beta / (10.0 / 65535.0));
        data.InputMultiplier = q.Multiplier;
        data.InputShift = q.Shift;

        data.ExpTable = context.AllocatePersistentBuffer(LookupTable.Int16Size * sizeof(short));
        data.ReciprocalTable = context.AllocatePersistentBuffer(LookupTable.Int16Size * sizeof(short));
        const int range = short.MaxValue - short.MinValue;
        LookupTable.PopulateInt16(10.0f / range, short.MaxValue, 2.0f / range, 0,
            MathF.Exp, MemoryMarshal.Cast<byte, short>(data.ExpTable.Span));
        LookupTable.PopulateInt16(1.0f / range, short.MinValue, 2.0f / range, 0,
            x => 1.0f / (1.0f + x), MemoryMarshal.Cast<byte, short>(data.ReciprocalTable.Span));
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var data = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        switch (data.Path)
        {
            case Path.Float:
                EvalFloat(data, input.AsReadOnlySpan<float>(), output.AsSpan<float>());
                break;
            case Path.Int8ToInt8:
                EvalInt8(data, input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>());
                break;
            case Path.Int8ToInt16:
                EvalInt8(data, input.AsReadOnlySpan<sbyte>(), output.AsSpan<short>());
                break;
            case Path.Int16ToInt16:
                EvalInt16(data, input.AsReadOnlySpan<short>(), output.AsSpan<short>());
                break;
        }
    }

    private static void EvalFloat(OpData d, ReadOnlySpan<float> input, Span<float> output)
    {
        for (int i = 0; i < d.OuterSize; i++)
        {
            var x = input.Slice(i * d.Depth, d.Depth);
            var y = output.Slice(i * d.Depth, d.Depth);
            float max = float.MinValue;
            foreach (float v in x)
                if (max < v) max = v; // std::max's comparison: a NaN element never becomes the maximum
            float sum = 0f;
            for (int c = 0; c < x.Length; c++)
            {
                float e = MathF.Exp((x[c] - max) * d.Beta);
                y[c] = e;
                sum += e;
            }
            for (int c = 0; c < y.Length; c++)
                y[c] /= sum;
        }
    }

    /// <summary>int8 input to an int8 or int16 output; TOut's range is the probability range [0, 1).</summary>
    private static void EvalInt8<TOut>(OpData d, ReadOnlySpan<sbyte> input, Span<TOut> output)
        where TOut : unmanaged, IBinaryInteger<TOut>, IMinMaxValue<TOut>
    {
        int outputMin = int.CreateTruncating(TOut.MinValue);
        int outputMax = int.CreateTruncating(TOut.MaxValue);
        int outputBits = Unsafe.SizeOf<TOut>() * 8;
        for (int i = 0; i < d.OuterSize; i++)
        {
            var x = input.Slice(i * d.Depth, d.Depth);
            var y = output.Slice(i * d.Depth, d.Depth);
            int max = sbyte.MinValue;
            foreach (sbyte v in x)
                if (v > max) max = v;

            int sumOfExps = 0; // Q12.19
            foreach (sbyte v in x)
            {
                int diff = v - max;
                if (diff >= d.DiffMin)
                    sumOfExps += FixedPoint.Rescale(ExpOfScaledDiff(d, diff), 0, AccumulationIntegerBits);
            }

            int scale = FixedPoint.GetReciprocal(sumOfExps, AccumulationIntegerBits, out int bitsOverUnit); // Q0.31
            int exponent = bitsOverUnit + 31 - outputBits;
            for (int c = 0; c < x.Length; c++)
            {
                int diff = x[c] - max;
                int value = outputMin;
                if (diff >= d.DiffMin)
                {
                    int probability = FixedPoint.RoundingDivideByPOT(
                        FixedPoint.SaturatingRoundingDoublingHighMul(scale, ExpOfScaledDiff(d, diff)), exponent);
                    value = Math.Clamp(probability + outputMin, outputMin, outputMax);
                }
                y[c] = TOut.CreateTruncating(value);
            }
        }
    }

    // exp(beta * scale * diff) in Q0.31 for diff <= 0 (Q5.26 after the multiplier).
    private static int ExpOfScaledDiff(OpData d, int diff) =>
        FixedPoint.ExpOnNegativeValues(
            FixedPoint.MultiplyByQuantizedMultiplierGreaterThanOne(diff, d.InputMultiplier, d.InputShift),
            ScaledDiffIntegerBits);

    private static void EvalInt16(OpData d, ReadOnlySpan<short> input, Span<short> output)
    {
        var expTable = MemoryMarshal.Cast<byte, short>(d.ExpTable.Span);
        var reciprocalTable = MemoryMarshal.Cast<byte, short>(d.ReciprocalTable.Span);
        for (int i = 0; i < d.OuterSize; i++)
        {
            var x = input.Slice(i * d.Depth, d.Depth);
            var y = output.Slice(i * d.Depth, d.Depth);
            short max = short.MinValue;
            foreach (short v in x)
                if (v > max) max = v;

            // As TFLM does, the output row holds the Q0.15 exps until they are scaled by the reciprocal.
            int sumOfExps = 0;
            for (int c = 0; c < x.Length; c++)
            {
                int scaledDiff = FixedPoint.MultiplyByQuantizedMultiplier(x[c] - max, d.InputMultiplier, d.InputShift);
                // The table covers [-10, 0] over the whole int16 range, so recentre 0 at 32767.
                short tableInput = (short)Math.Clamp(scaledDiff + 32767, short.MinValue, short.MaxValue);
                y[c] = LookupTable.Lookup(tableInput, expTable);
                sumOfExps += y[c];
            }

            // 1/sum from the 1/(1+x) table: normalise the sum into [1, 2) as Q1.15, take x = sum - 1 and recentre it for the table.
            int headroomPlusOne = FixedPoint.CountLeadingZeros((uint)sumOfExps);
            int shiftedSum = (int)((((long)sumOfExps << (headroomPlusOne - 1)) + (1 << 13)) >> 14);
            short tableSum = (short)Math.Clamp(shiftedSum - ((1 << 15) + (1 << 16)), short.MinValue, short.MaxValue);
            short reciprocal = LookupTable.Lookup(tableSum, reciprocalTable); // Q0.15

            int rightShift = 31 - headroomPlusOne;
            long round = 1 << (rightShift - 1);
            for (int c = 0; c < y.Length; c++)
            {
                int result = (int)(((long)y[c] * reciprocal + round) >> rightShift);
                y[c] = (short)Math.Clamp(result, 0, short.MaxValue);
            }
        }
    }
}
