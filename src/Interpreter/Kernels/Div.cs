using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// DIV with broadcasting, for the types TFLM's micro kernel supports: float32 and int32 (C++ integer
/// division, truncating towards zero, then the fused activation's clamp) and int8, where the quotient
/// is formed in fixed point from gemmlowp's reciprocal of the divisor.
/// </summary>
internal sealed class DivKernel : OperatorKernel
{
    private sealed class OpData
    {
        public required BroadcastPlan Plan;
        public TensorType Type;
        public float FloatMin, FloatMax;
        public int IntMin, IntMax;
        public QuantizedDiv Quantized;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var input1 = node.Input(0);
        var input2 = node.Input(1);
        var output = node.Output(0);
        var activation = node.Operator.Options<DivOptions>()?.FusedActivationFunction ?? ActivationFunctionType.NONE;
        var type = ElementwiseSupport.RequireSameTypes(node, input1, input2, output,
            TensorType.FLOAT32, TensorType.INT32, TensorType.INT8);
        var data = new OpData { Plan = BroadcastPlan.Create(node, input1, input2, output), Type = type };

        switch (type)
        {
            case TensorType.FLOAT32:
                (data.FloatMin, data.FloatMax) = ElementwiseSupport.FloatActivation(node, activation);
                break;
            case TensorType.INT32:
                ElementwiseSupport.RequireUnquantized(node, input1, "input");
                ElementwiseSupport.RequireUnquantized(node, input2, "input");
                (data.IntMin, data.IntMax) = ElementwiseSupport.Int32Activation(node, activation);
                if (input2.IsConstant && data.Plan.ElementCount > 0 && input2.AsReadOnlySpan<int>().IndexOf(0) is int zero and >= 0)
                    throw node.Unsupported($"divisor tensor {input2.Index} {KernelChecks.ShapeText(input2)} is a constant holding 0 at element {zero}; int32 division by zero is undefined");
                break;
            default:
                data.Quantized = QuantizedDiv.Create(node, input1, input2, output, activation);
                break;
        }
        node.Data = data;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var data = node.DataAs<OpData>();
        var input1 = node.Inputs[0]!;
        var input2 = node.Inputs[1]!;
        var output = node.Outputs[0];
        switch (data.Type)
        {
            case TensorType.FLOAT32:
                data.Plan.Run(input1.AsReadOnlySpan<float>(), input2.AsReadOnlySpan<float>(), output.AsSpan<float>(),
                    new DivFloat(data.FloatMin, data.FloatMax));
                break;
            case TensorType.INT32:
                // TFLM's build traps on a zero divisor; here it is reported before any element is written.
                var divisors = input2.AsReadOnlySpan<int>();
                if (data.Plan.ElementCount > 0 && divisors.IndexOf(0) is int zero and >= 0)
                    throw ZeroDivisor(node, input2, zero);
                data.Plan.Run(input1.AsReadOnlySpan<int>(), input2.AsReadOnlySpan<int>(), output.AsSpan<int>(),
                    new DivInt32(data.IntMin, data.IntMax));
                break;
            case TensorType.INT8:
                data.Plan.Run(input1.AsReadOnlySpan<sbyte>(), input2.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(),
                    new DivInt8(data.Quantized));
                break;
        }
    }

    private static KernelInvokeException ZeroDivisor(Node node, Tensor divisor, int element) =>
        new(node.Index, node.Name, new TensorDataException(
            $"divisor tensor {divisor.Index} ('{divisor.Name}') holds 0 at element {element}; int32 division by zero is undefined"));

    private readonly struct DivFloat(float min, float max) : IBinaryOp<float>
    {
        public float Apply(float a, float b) => ActivationRange.Clamp(a / b, min, max);
    }

    private readonly struct DivInt32(int min, int max) : IBinaryOp<int>
    {
        // int.MinValue / -1 overflows (C traps, .NET throws); its two's-complement value is the negation, which wraps.
        public int Apply(int a, int b) => ElementwiseSupport.Clamp(b == -1 ? unchecked(-a) : a / b, min, max);
    }

    private readonly struct DivInt8(QuantizedDiv p) : IBinaryOp<sbyte>
    {
        public sbyte Apply(sbyte a, sbyte b) => (sbyte)p.Compute(a, b);
    }
}

/// <summary>The parameters of TFLM's int8 DIV and its per-element fixed-point quotient.</summary>
internal readonly struct QuantizedDiv
{
    public int Input1Offset { get; init; }
    public int Input2Offset { get; init; }
    public int OutputOffset { get; init; }
    public int OutputMultiplier { get; init; }
    public int OutputShift { get; init; }
    public int ActivationMin { get; init; }
    public int ActivationMax { get; init; }

    public static QuantizedDiv Create(Node node, Tensor input1, Tensor input2, Tensor output, ActivationFunctionType activation)
    {
        node.RequirePerTensorQuantization(input1, "input");
        node.RequirePerTensorQuantization(input2, "input");
        node.RequirePerTensorQuantization(output, "output");
        var (min, max) = ElementwiseSupport.QuantizedActivation(node, activation, output);
        // TFLM forms this ratio in float and only then widens it to double.
        float real = input1.Scale / (input2.Scale * output.Scale);
        node.Require(float.IsFinite(real),
            $"input scale {input1.Scale:G9} / (input scale {input2.Scale:G9} x output scale {output.Scale:G9}) is {real} in float; no multiplier represents it");
        var q = QuantizedMultiplier.FromDouble(real);
        return new QuantizedDiv
        {
            Input1Offset = -input1.ZeroPoint, Input2Offset = -input2.ZeroPoint, OutputOffset = output.ZeroPoint,
            OutputMultiplier = q.Multiplier, OutputShift = q.Shift, ActivationMin = min, ActivationMax = max,
        };
    }

    public int Compute(int x, int y)
    {
        int numerator = Input1Offset + x;
        int denominator = Input2Offset + y;
        // The reciprocal is only defined for a positive divisor, so the signs move to the numerator.
        if (denominator < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }
        int reciprocal = FixedPoint.GetReciprocal(denominator, 31, out int reciprocalShift);
        int headroom = FixedPoint.CountLeadingSignBits(numerator);
        int unscaledQuotient = FixedPoint.MultiplyByQuantizedMultiplierGreaterThanOne(numerator, reciprocal, headroom);
        int totalShift = OutputShift - reciprocalShift - headroom;
        int raw = OutputOffset + FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unscaledQuotient, OutputMultiplier, totalShift);
        return ElementwiseSupport.Clamp(raw, ActivationMin, ActivationMax);
    }
}
