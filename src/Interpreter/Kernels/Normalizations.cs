using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// LOG_SOFTMAX and L2_NORMALIZATION over the last dimension in TFLM's reference order of operations: log-softmax
/// (float32) as x − max − log Σ exp(x − max); L2 as x / max(√Σx², 1e-6) in float32, and in int8 through the
/// fixed-point inverse square root into Q0.7; int8 log-softmax in TFLM's fixed point (below).
/// </summary>
internal sealed class LastAxisNormalizationKernel(bool logSoftmax) : OperatorKernel
{
    private sealed record OpData(int Rows, int Depth, TensorType Type, int InputZeroPoint, LogSoftmaxScaling? LogSoftmax = null);

    /// <summary>
    /// int8 LOG_SOFTMAX's fixed-point parameters (TFLM's PreprocessLogSoftmaxScalingExp): input differences go to
    /// Q5.26 through a multiplier ≥ 1; the reverse multiplier maps a Q5.26 value back to input steps.
    /// </summary>
    private sealed record LogSoftmaxScaling(int InputMultiplier, int InputLeftShift, int ReverseMultiplier, int ReverseShift, int DiffMin);

    // TFLM fixes int8 LOG_SOFTMAX's output: log-probabilities in [-16, 0] as Q4 steps of 1/16, zero point 127.
    private const float LogSoftmaxOutputScale = 16f / 256;
    private const int LogSoftmaxOutputZeroPoint = 127;
    private const int ScaledDiffIntegerBits = 5;

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8);
        node.RequireSameType(input, output);
        LogSoftmaxScaling? scaling = null;
        if (input.Type == TensorType.INT8 && logSoftmax)
        {
            node.RequirePerTensorQuantization(input, "input");
            node.Require(output.Quantization is { IsPerChannel: false } && output.Scale == LogSoftmaxOutputScale && output.ZeroPoint == LogSoftmaxOutputZeroPoint,
                $"output tensor {output.Index} has scale {output.Scale:G9} and zero point {output.ZeroPoint}; TFLM's int8 LOG_SOFTMAX writes scale 0.0625 (16/256), zero point 127");
            scaling = PrepareLogSoftmaxInt8(node, input);
        }
        else if (input.Type == TensorType.INT8)
        {
            // TFLM's int8 L2 normalization writes Q0.7 values whatever the output's parameters say (converters set
            // scale 1/128, zero point 0); so does this kernel.
            node.RequirePerTensorQuantization(input, "input");
        }
        node.Require(input.Rank >= 1 && input.Shape.SequenceEqual(output.Shape),
            $"output tensor {output.Index} {KernelChecks.ShapeText(output)} must have input tensor {input.Index}'s shape {KernelChecks.ShapeText(input)}");
        if (!logSoftmax)
            node.Require((node.Operator.Options<L2NormOptions>()?.FusedActivationFunction ?? ActivationFunctionType.NONE) == ActivationFunctionType.NONE,
                "has a fused activation; TFLM's L2_NORMALIZATION takes none");
        int depth = input.Dim(input.Rank - 1);
        node.Data = new OpData(depth == 0 ? 0 : input.ElementCount / depth, depth, input.Type, input.Type == TensorType.INT8 ? input.ZeroPoint : 0, scaling);
    }

    private static LogSoftmaxScaling PrepareLogSoftmaxInt8(Node node, Tensor input)
    {
        // beta (1) times the input scale as a Q5.26 multiplier, capped below 2^31 (TFLM's PreprocessSoftmaxScaling).
        double real = Math.Min(input.Scale * (double)(1 << (31 - ScaledDiffIntegerBits)), (1L << 31) - 1.0);
        node.Require(real > 1.0, $"input tensor {input.Index}'s scale {input.Scale:G9} is too small for TFLM's fixed-point log-softmax");
        var forward = QuantizedMultiplier.FromDouble(real);
        double reverse = (1L << (31 - forward.Shift)) / (double)forward.Multiplier;
        node.Require(reverse < 1.0, $"input tensor {input.Index}'s scale {input.Scale:G9} gives a reverse scaling of {reverse}, which TFLM requires below 1");
        var back = QuantizedMultiplier.FromDouble(reverse);
        return new LogSoftmaxScaling(forward.Multiplier, forward.Shift, back.Multiplier, back.Shift,
            -FixedPoint.InputRangeRadius(ScaledDiffIntegerBits, forward.Shift));
    }

    /// <summary>
    /// TFLM's int8 log-softmax, row by row: the sum of exp(x − max) in Q12, its log in Q5.26, then each output
    /// (x − max − log Σ) rescaled to Q4 steps; differences too far below the maximum give −128.
    /// </summary>
    private static void LogSoftmaxInt8(ReadOnlySpan<sbyte> input, Span<sbyte> output, int rows, int depth, LogSoftmaxScaling s)
    {
        const int accumulationIntegerBits = 12, outputIntegerBits = 4;
        for (int r = 0; r < rows; r++)
        {
            var x = input.Slice(r * depth, depth);
            var y = output.Slice(r * depth, depth);
            sbyte max = sbyte.MinValue;
            foreach (sbyte v in x) max = Math.Max(max, v);

            int sumOfExps = 0; // Q12.19; 2^12 terms of at most 1 cannot overflow
            foreach (sbyte v in x)
            {
                int diff = v - max;
                if (diff >= s.DiffMin)
                    sumOfExps += FixedPoint.Rescale(FixedPoint.ExpOnNegativeValues(ScaledDiff(diff, s), ScaledDiffIntegerBits), 0, accumulationIntegerBits);
            }
            int logSum = FixedPoint.LogXForXAtLeastOne(sumOfExps, accumulationIntegerBits, ScaledDiffIntegerBits);

            // The smallest difference whose output stays above −128 (TFLM's adjusted_diff_min, compared with >).
            int adjustedDiffMin = Math.Max(s.DiffMin - 1,
                FixedPoint.MultiplyByQuantizedMultiplier(logSum + int.MinValue, s.ReverseMultiplier, s.ReverseShift));
            for (int c = 0; c < depth; c++)
            {
                int diff = x[c] - max;
                if (diff > adjustedDiffMin)
                {
                    int value = FixedPoint.RoundingDivideByPOT(ScaledDiff(diff, s) - logSum, 31 - ScaledDiffIntegerBits - outputIntegerBits) + sbyte.MaxValue;
                    y[c] = (sbyte)Math.Clamp(value, sbyte.MinValue, sbyte.MaxValue);
                }
                else
                {
                    y[c] = sbyte.MinValue;
                }
            }
        }
    }

    private static int ScaledDiff(int diff, LogSoftmaxScaling s) =>
        FixedPoint.MultiplyByQuantizedMultiplier(diff, s.InputMultiplier, s.InputLeftShift);

    /// <summary>TFLM's int8 L2 normalization: Σ(q − zp)² in int32, its fixed-point inverse square root, each value rescaled to Q0.7.</summary>
    private static void L2Int8(ReadOnlySpan<sbyte> input, Span<sbyte> output, int rows, int depth, int zeroPoint)
    {
        const int outputFractionBits = 7;
        for (int r = 0; r < rows; r++)
        {
            var row = input.Slice(r * depth, depth);
            int squares = 0;
            foreach (sbyte q in row) squares += (q - zeroPoint) * (q - zeroPoint);
            var (multiplier, shift) = FixedPoint.InvSqrtQuantizedMultiplier(squares, reverseShift: -1);
            for (int c = 0; c < depth; c++)
            {
                int value = FixedPoint.MultiplyByQuantizedMultiplier(row[c] - zeroPoint, multiplier, shift + outputFractionBits);
                output[r * depth + c] = (sbyte)Math.Clamp(value, sbyte.MinValue, sbyte.MaxValue);
            }
        }
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var (rows, depth, type, zeroPoint, scaling) = node.DataAs<OpData>();
        if (scaling is not null)
        {
            LogSoftmaxInt8(node.Inputs[0]!.AsReadOnlySpan<sbyte>(), node.Outputs[0].AsSpan<sbyte>(), rows, depth, scaling);
            return;
        }
        if (type == TensorType.INT8)
        {
            L2Int8(node.Inputs[0]!.AsReadOnlySpan<sbyte>(), node.Outputs[0].AsSpan<sbyte>(), rows, depth, zeroPoint);
            return;
        }
        var x = node.Inputs[0]!.AsReadOnlySpan<float>();
        var y = node.Outputs[0].AsSpan<float>();
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * depth, depth);
            var result = y.Slice(r * depth, depth);
            if (logSoftmax)
            {
                float max = float.MinValue;
                foreach (float v in row) max = Math.Max(max, v);
                float sum = 0f;
                foreach (float v in row) sum += MathF.Exp(v - max);
                float logSum = MathF.Log(sum);
                for (int c = 0; c < depth; c++) result[c] = row[c] - max - logSum;
            }
            else
            {
                float squares = 0f;
                foreach (float v in row) squares += v * v;
                float norm = Math.Max(MathF.Sqrt(squares), 1e-6f);
                for (int c = 0; c < depth; c++) result[c] = row[c] / norm;
            }
        }
    }
}

/// <summary>
/// ADD_N: the elementwise sum of any number of same-shaped tensors. float32 adds in input order from 0. int8 (all
/// inputs sharing one quantization, as TFLM requires) takes TFLM's rescaling — each value offset, shifted left 20
/// bits and halved in fixed point, summed, then rescaled to the output — including a quirk of TFLM's reference: the
/// sum starts from the rescaled input offset (−zero point), not from 0, so a nonzero zero point shifts the result.
/// </summary>
internal sealed class AddNKernel : OperatorKernel
{
    private const int LeftShift = 20;

    private sealed record Int8Params(int InputOffset, int InputMultiplier, int InputShift, int OutputOffset, int OutputMultiplier, int OutputShift)
    {
        public int Scaled(int stored) =>
            FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked((InputOffset + stored) * (1 << LeftShift)), InputMultiplier, InputShift);
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.InputCount >= 1 && node.OutputCount == 1, $"has {node.InputCount} inputs and {node.OutputCount} outputs; at least 1 and 1 expected");
        var output = node.Output(0);
        var first = node.Input(0);
        node.RequireType(output, "output", TensorType.FLOAT32, TensorType.INT8);
        for (int i = 0; i < node.InputCount; i++)
        {
            var input = node.Input(i);
            node.RequireSameType(input, output);
            node.Require(input.Shape.SequenceEqual(output.Shape),
                $"input tensor {input.Index} {KernelChecks.ShapeText(input)} and output tensor {output.Index} {KernelChecks.ShapeText(output)} differ in shape");
            if (output.Type == TensorType.INT8)
            {
                node.RequirePerTensorQuantization(input, "input");
                node.Require(input.Scale == first.Scale && input.ZeroPoint == first.ZeroPoint,
                    $"input tensor {input.Index} (scale {input.Scale:G9}, zero point {input.ZeroPoint}) must share input tensor {first.Index}'s quantization (scale {first.Scale:G9}, zero point {first.ZeroPoint})");
            }
        }
        if (output.Type != TensorType.INT8) return;
        node.RequirePerTensorQuantization(output, "output");
        double twiceScale = 2 * (double)first.Scale;
        var inputQ = Quantization.QuantizedMultiplier.FromDouble(first.Scale / twiceScale);
        double realOutput = twiceScale / ((1 << LeftShift) * (double)output.Scale);
        node.Require(realOutput < 1, $"output tensor {output.Index} scale {output.Scale:G9} is too small for input scale {first.Scale:G9}");
        var outputQ = Quantization.QuantizedMultiplier.FromDouble(realOutput);
        node.Data = new Int8Params(-first.ZeroPoint, inputQ.Multiplier, inputQ.Shift, output.ZeroPoint, outputQ.Multiplier, outputQ.Shift);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        if (node.Data is Int8Params p)
        {
            var y8 = node.Outputs[0].AsSpan<sbyte>();
            int start = p.Scaled(0); // TFLM's reference seeds the sum with the offset itself (its "x = 0" is −zero point)
            for (int i = 0; i < y8.Length; i++)
            {
                int sum = start;
                foreach (var input in node.Inputs) sum += p.Scaled(input!.AsReadOnlySpan<sbyte>()[i]);
                int output = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(sum, p.OutputMultiplier, p.OutputShift) + p.OutputOffset;
                y8[i] = (sbyte)Math.Clamp(output, sbyte.MinValue, sbyte.MaxValue);
            }
            return;
        }
        // Input by input into the output: each element still sums 0 + x₀ + x₁ + … in TFLM's order.
        var y = node.Outputs[0].AsSpan<float>();
        y.Clear();
        foreach (var input in node.Inputs)
        {
            var x = input!.AsReadOnlySpan<float>()[..y.Length];
            for (int i = 0; i < y.Length; i++) y[i] += x[i];
        }
    }
}
