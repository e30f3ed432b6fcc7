using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// LOGISTIC and TANH, the sigmoid family, as TFLM's reference kernels compute them:
/// <list type="bullet">
/// <item>float32: the C library's exp / tanh (logistic with TFLM's cut-offs at -9 and 16.62);</item>
/// <item>int8: the input rescaled to Q4.27 by a multiplier found in Prepare, gemmlowp's fixed-point
/// logistic / tanh, and a rounding shift to the output (1/256 with zero point -128 for logistic,
/// 1/128 with zero point 0 for tanh); inputs beyond the range radius saturate;</item>
/// <item>int16 (zero points 0, output scale 2^-15): the sigmoid-table interpolation, which the int8
/// LSTM also uses for its gates (<see cref="LogisticKernel.EvalInt16"/>, <see cref="TanhKernel.EvalInt16"/>).</item>
/// </list>
/// </summary>
internal static class SigmoidFamily
{
    // gemmlowp's int8 logistic and tanh take their input in Q4.27; the int16 table wants Q3.12-like scaling.
    private const int Int8InputIntegerBits = 4;
    private const int Int16InputIntegerBits = 3;
    private const int Int16OutputFractionalBits = 15;

    internal sealed class OpData
    {
        public int InputZeroPoint, InputRangeRadius, InputMultiplier, InputShift;
    }

    /// <summary>Common checks, then the quantization parameters of the input's type.</summary>
    public static OpData Prepare(Node node, bool isTanh)
    {
        node.Require(node.InputCount == 1 && node.OutputCount == 1,
            $"needs 1 input and 1 output, the model gives {node.InputCount} and {node.OutputCount}");
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8, TensorType.INT16);
        node.RequireSameType(input, output);
        node.RequireSameElementCount(input, output);

        var data = new OpData();
        if (input.Type == TensorType.INT8)
            PrepareInt8(node, input, output, isTanh, data);
        else if (input.Type == TensorType.INT16)
            PrepareInt16(node, input, output, isTanh, data);
        return data;
    }

    private static void PrepareInt8(Node node, Tensor input, Tensor output, bool isTanh, OpData data)
    {
        node.RequirePerTensorQuantization(input, "input");
        node.RequirePerTensorQuantization(output, "output");
        // TFLM checks the logistic output zero point only; tanh's output is assumed to be 1/128, zero point 0.
        if (!isTanh)
            node.Require(output.ZeroPoint == sbyte.MinValue,
                $"output tensor {output.Index} has zero point {output.ZeroPoint}; int8 LOGISTIC needs -128");

        // Rescale factor to Q4.27, split as frexp does. Unlike QuantizeMultiplier there is no
        // renormalisation when the mantissa rounds up to 2^31: TFLM does not do it here either.
        double realMultiplier = (double)input.Scale * (1 << (31 - Int8InputIntegerBits));
        double mantissa = QuantizedMultiplier.Frexp(realMultiplier, out int leftShift);
        node.Require(leftShift >= 0 && leftShift <= 30,
            $"input scale {input.Scale} is outside the range the int8 fixed-point path supports");
        data.InputZeroPoint = input.ZeroPoint;
        data.InputMultiplier = unchecked((int)(long)Math.Round(mantissa * (1L << 31), MidpointRounding.AwayFromZero));
        data.InputShift = leftShift;
        data.InputRangeRadius = FixedPoint.InputRangeRadius(Int8InputIntegerBits, leftShift);
    }

    private static void PrepareInt16(Node node, Tensor input, Tensor output, bool isTanh, OpData data)
    {
        node.RequirePerTensorQuantization(input, "input");
        node.RequirePerTensorQuantization(output, "output");
        node.Require(input.ZeroPoint == 0, $"input tensor {input.Index} has zero point {input.ZeroPoint}; int16 needs 0");
        node.Require(output.ZeroPoint == 0, $"output tensor {output.Index} has zero point {output.ZeroPoint}; int16 needs 0");

        bool powerOfTwo = FixedPoint.TryLog2(input.Scale, out int inputLog2);
        int shift = (15 - Int16InputIntegerBits) + inputLog2;
        // A power-of-two scale that lands exactly on the table's Q3.12 (or, for tanh, one bit finer)
        // needs no multiplier; everything else gets a 15-bit multiplier towards 1/(3*4096).
        powerOfTwo &= isTanh ? shift == 0 || shift == 1 : shift == 0;
        if (powerOfTwo)
        {
            data.InputMultiplier = 0;
            data.InputShift = shift;
        }
        else
        {
            double multiplier = (double)input.Scale * 4096.0 * 3.0;
            shift = 0;
            while (multiplier <= 32767.0 / 2.0 && shift <= 30)
            {
                shift++;
                multiplier *= 2.0;
            }
            node.Require(multiplier <= 32767.0,
                $"input scale {input.Scale} is too large for the int16 table (multiplier {multiplier} > 32767)");
            data.InputMultiplier = (int)multiplier;
            data.InputShift = shift;
        }
        node.Require(FixedPoint.TryLog2(output.Scale, out int outputLog2) && outputLog2 == -Int16OutputFractionalBits,
            $"output tensor {output.Index} has scale {output.Scale}; int16 needs 2^-15");
    }
}

/// <summary>LOGISTIC (sigmoid): float32, int8, int16.</summary>
internal sealed class LogisticKernel : OperatorKernel
{
    // Where TFLM's float reference stops computing 1/(1+exp(-x)): above, the float result is 1; below,
    // exp(x) alone (the relative error of dropping the 1+ is below float precision there).
    private const float CutoffUpper = 16.619047164916992188f;
    private const float CutoffLower = -9f;

    public override void Prepare(KernelContext context, Node node) => node.Data = SigmoidFamily.Prepare(node, isTanh: false);

    public override void Invoke(KernelContext context, Node node)
    {
        var data = node.DataAs<SigmoidFamily.OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        switch (input.Type)
        {
            case TensorType.FLOAT32:
                EvalFloat(input.AsReadOnlySpan<float>(), output.AsSpan<float>());
                break;
            case TensorType.INT8:
                EvalInt8(data, input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>());
                break;
            case TensorType.INT16:
                EvalInt16(input.AsReadOnlySpan<short>(), output.AsSpan<short>(), data.InputMultiplier, data.InputShift);
                break;
        }
    }

    /// <summary>Float logistic, element by element; <paramref name="output"/> may be <paramref name="input"/>.</summary>
    internal static void EvalFloat(ReadOnlySpan<float> input, Span<float> output)
    {
        for (int i = 0; i < output.Length; i++)
        {
            float x = input[i];
            output[i] = x > CutoffUpper ? 1.0f
                : x < CutoffLower ? MathF.Exp(x)
                : 1.0f / (1.0f + MathF.Exp(-x));
        }
    }

    private static void EvalInt8(SigmoidFamily.OpData d, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        for (int i = 0; i < output.Length; i++)
        {
            int x = input[i] - d.InputZeroPoint;
            if (x <= -d.InputRangeRadius)
            {
                output[i] = sbyte.MinValue;
            }
            else if (x >= d.InputRangeRadius)
            {
                output[i] = sbyte.MaxValue;
            }
            else
            {
                int inputQ4 = FixedPoint.MultiplyByQuantizedMultiplier(x, d.InputMultiplier, d.InputShift);
                int outputQ0 = FixedPoint.Logistic(inputQ4, 4);
                // Q0.31 to 1/256 steps, then the fixed output zero point -128.
                int value = FixedPoint.RoundingDivideByPOT(outputQ0, 31 - 8) - 128;
                output[i] = (sbyte)Math.Clamp(value, sbyte.MinValue, sbyte.MaxValue);
            }
        }
    }

    /// <summary>
    /// TFLM's int16 logistic, Q0.15 out; <paramref name="output"/> may be <paramref name="input"/>.
    /// The LSTM calls it with multiplier 0 and shift 0 for its Q3.12 gate inputs.
    /// </summary>
    internal static void EvalInt16(ReadOnlySpan<short> input, Span<short> output, int multiplier, int shift)
    {
        FixedPoint.NormalizeInt16ActivationScale(ref multiplier, ref shift);
        int round = shift > 0 ? 1 << (shift - 1) : 0;
        for (int i = 0; i < output.Length; i++)
            output[i] = FixedPoint.LogisticInt16Scaled((input[i] * multiplier + round) >> shift);
    }
}

/// <summary>TANH: float32, int8, int16.</summary>
internal sealed class TanhKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node) => node.Data = SigmoidFamily.Prepare(node, isTanh: true);

    public override void Invoke(KernelContext context, Node node)
    {
        var data = node.DataAs<SigmoidFamily.OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        switch (input.Type)
        {
            case TensorType.FLOAT32:
                EvalFloat(input.AsReadOnlySpan<float>(), output.AsSpan<float>());
                break;
            case TensorType.INT8:
                EvalInt8(data, input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>());
                break;
            case TensorType.INT16:
                EvalInt16(input.AsReadOnlySpan<short>(), output.AsSpan<short>(), data.InputMultiplier, data.InputShift);
                break;
        }
    }

    /// <summary>Float tanh (the C library's tanhf), element by element; <paramref name="output"/> may be <paramref name="input"/>.</summary>
    internal static void EvalFloat(ReadOnlySpan<float> input, Span<float> output)
    {
        for (int i = 0; i < output.Length; i++)
            output[i] = MathF.Tanh(input[i]);
    }

    private static void EvalInt8(SigmoidFamily.OpData d, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        for (int i = 0; i < output.Length; i++)
        {
            int x = input[i] - d.InputZeroPoint;
            if (x <= -d.InputRangeRadius)
            {
                output[i] = sbyte.MinValue;
            }
            else if (x >= d.InputRangeRadius)
            {
                output[i] = sbyte.MaxValue;
            }
            else
            {
                int inputQ4 = FixedPoint.MultiplyByQuantizedMultiplier(x, d.InputMultiplier, d.InputShift);
                int outputQ0 = FixedPoint.Tanh(inputQ4, 4);
                // Q0.31 to 1/128 steps; TFLM adds no output zero point for tanh.
                int value = FixedPoint.RoundingDivideByPOT(outputQ0, 31 - 7);
                output[i] = (sbyte)Math.Clamp(value, sbyte.MinValue, sbyte.MaxValue);
            }
        }
    }

    /// <summary>
    /// TFLM's int16 tanh, Q0.15 out; <paramref name="output"/> may be <paramref name="input"/>. The LSTM
    /// calls it with multiplier 0 and shift 0 for Q3.12 gate inputs, and with a shift derived from the
    /// cell-state scale for tanh(cell).
    /// </summary>
    internal static void EvalInt16(ReadOnlySpan<short> input, Span<short> output, int multiplier, int shift)
    {
        FixedPoint.NormalizeInt16ActivationScale(ref multiplier, ref shift);
        int round = shift > 0 ? 1 << (shift - 1) : 0;
        for (int i = 0; i < output.Length; i++)
            output[i] = FixedPoint.TanhInt16Scaled((input[i] * multiplier + round) >> shift);
    }
}
