using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// ADD with broadcasting: float32 (fused activation), int32 (plain wrap-around sum), and int8/int16
/// with TFLM's general rescaling: both inputs are brought to a common scale (twice the larger input
/// scale) with 20 (int8) or 15 (int16) bits of headroom, summed, then requantized to the output.
/// </summary>
internal sealed class AddKernel : OperatorKernel
{
    private sealed class OpData
    {
        public required BroadcastPlan Plan;
        public TensorType Type;
        public float FloatMin, FloatMax;
        public QuantizedAdd Quantized;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var input1 = node.Input(0);
        var input2 = node.Input(1);
        var output = node.Output(0);
        var activation = node.Operator.Options<AddOptions>()?.FusedActivationFunction ?? ActivationFunctionType.NONE;
        var type = ElementwiseSupport.RequireSameTypes(node, input1, input2, output,
            TensorType.FLOAT32, TensorType.INT32, TensorType.INT8, TensorType.INT16);
        var data = new OpData { Plan = BroadcastPlan.Create(node, input1, input2, output), Type = type };

        switch (type)
        {
            case TensorType.FLOAT32:
                (data.FloatMin, data.FloatMax) = ElementwiseSupport.FloatActivation(node, activation);
                break;
            case TensorType.INT32:
                // TFLM's int32 ADD clamps to the full int32 range whatever the fused activation says.
                ElementwiseSupport.RequireUnquantized(node, input1, "input");
                ElementwiseSupport.RequireUnquantized(node, input2, "input");
                break;
            default:
                data.Quantized = QuantizedAdd.Create(node, input1, input2, output, activation);
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
                    new AddFloat(data.FloatMin, data.FloatMax));
                break;
            case TensorType.INT32:
                data.Plan.Run(input1.AsReadOnlySpan<int>(), input2.AsReadOnlySpan<int>(), output.AsSpan<int>(), default(AddInt32));
                break;
            case TensorType.INT8:
                data.Plan.Run(input1.AsReadOnlySpan<sbyte>(), input2.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(),
                    new AddInt8(data.Quantized));
                break;
            case TensorType.INT16:
                data.Plan.Run(input1.AsReadOnlySpan<short>(), input2.AsReadOnlySpan<short>(), output.AsSpan<short>(),
                    new AddInt16(data.Quantized));
                break;
        }
    }

    private readonly struct AddFloat(float min, float max) : IBinaryOp<float>
    {
        public float Apply(float a, float b) => ActivationRange.Clamp(a + b, min, max);
    }

    private readonly struct AddInt32 : IBinaryOp<int>
    {
        public int Apply(int a, int b) => unchecked(a + b);
    }

    private readonly struct AddInt8(QuantizedAdd p) : IBinaryOp<sbyte>
    {
        public sbyte Apply(sbyte a, sbyte b) => (sbyte)p.Compute(a, b);
    }

    private readonly struct AddInt16(QuantizedAdd p) : IBinaryOp<short>
    {
        public short Apply(short a, short b) => (short)p.Compute(a, b);
    }
}

/// <summary>The parameters of TFLM's quantized ADD and SUB (CalculateOpDataAdd/Sub) and their per-element arithmetic.</summary>
internal readonly struct QuantizedAdd
{
    public int LeftShift { get; init; }
    public int Input1Offset { get; init; }
    public int Input1Multiplier { get; init; }
    public int Input1Shift { get; init; }
    public int Input2Offset { get; init; }
    public int Input2Multiplier { get; init; }
    public int Input2Shift { get; init; }
    public int OutputOffset { get; init; }
    public int OutputMultiplier { get; init; }
    public int OutputShift { get; init; }
    public int ActivationMin { get; init; }
    public int ActivationMax { get; init; }

    public static QuantizedAdd Create(Node node, Tensor input1, Tensor input2, Tensor output, ActivationFunctionType activation)
    {
        RequireScales(node, input1, input2, output);
        int leftShift = HeadroomShift(output);
        // ADD widens the float scales to double before any arithmetic (TFLM's CalculateOpDataAdd).
        double twiceMaxInputScale = 2 * (double)Math.Max(input1.Scale, input2.Scale);
        return FromRealMultipliers(node, input1, input2, output, activation, leftShift,
            input1.Scale / twiceMaxInputScale, input2.Scale / twiceMaxInputScale,
            twiceMaxInputScale / ((1 << leftShift) * (double)output.Scale));
    }

    /// <summary>SUB's parameters: the same scheme, but TFLM's CalculateOpDataSub divides in float and widens after.</summary>
    public static QuantizedAdd CreateForSub(Node node, Tensor input1, Tensor input2, Tensor output, ActivationFunctionType activation)
    {
        RequireScales(node, input1, input2, output);
        int leftShift = HeadroomShift(output);
        float twiceMaxInputScale = 2 * Math.Max(input1.Scale, input2.Scale);
        return FromRealMultipliers(node, input1, input2, output, activation, leftShift,
            input1.Scale / twiceMaxInputScale, input2.Scale / twiceMaxInputScale,
            twiceMaxInputScale / ((1 << leftShift) * output.Scale));
    }

    private static void RequireScales(Node node, Tensor input1, Tensor input2, Tensor output)
    {
        node.RequirePerTensorQuantization(input1, "input");
        node.RequirePerTensorQuantization(input2, "input");
        node.RequirePerTensorQuantization(output, "output");
    }

    private static int HeadroomShift(Tensor output) => output.Type == TensorType.INT16 ? 15 : 20;

    private static QuantizedAdd FromRealMultipliers(Node node, Tensor input1, Tensor input2, Tensor output,
        ActivationFunctionType activation, int leftShift, double realInput1, double realInput2, double realOutput)
    {
        // TFLM's QuantizeMultiplierSmallerThanOneExp aborts on a multiplier of 1 or more.
        node.Require(realOutput < 1.0,
            $"output tensor {output.Index} scale {output.Scale:G9} is too small for input scales {input1.Scale:G9} and {input2.Scale:G9} (output multiplier {realOutput:G9} must be below 1)");
        var q1 = QuantizedMultiplier.FromDouble(realInput1);
        var q2 = QuantizedMultiplier.FromDouble(realInput2);
        var qo = QuantizedMultiplier.FromDouble(realOutput);
        var (min, max) = ElementwiseSupport.QuantizedActivation(node, activation, output);
        return new QuantizedAdd
        {
            LeftShift = leftShift,
            Input1Offset = -input1.ZeroPoint, Input1Multiplier = q1.Multiplier, Input1Shift = q1.Shift,
            Input2Offset = -input2.ZeroPoint, Input2Multiplier = q2.Multiplier, Input2Shift = q2.Shift,
            OutputOffset = output.ZeroPoint, OutputMultiplier = qo.Multiplier, OutputShift = qo.Shift,
            ActivationMin = min, ActivationMax = max,
        };
    }

    /// <summary>One output value of x + y before the cast to the element type, clamped to the activation range.</summary>
    public int Compute(int x, int y) => Output(unchecked(Scaled1(x) + Scaled2(y)));

    /// <summary>One output value of x - y (SUB), likewise.</summary>
    public int ComputeDifference(int x, int y) => Output(unchecked(Scaled1(x) - Scaled2(y)));

    private int Scaled1(int x) =>
        FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked((Input1Offset + x) * (1 << LeftShift)), Input1Multiplier, Input1Shift);

    private int Scaled2(int y) =>
        FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked((Input2Offset + y) * (1 << LeftShift)), Input2Multiplier, Input2Shift);

    private int Output(int raw) =>
        ElementwiseSupport.Clamp(FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(raw, OutputMultiplier, OutputShift) + OutputOffset,
            ActivationMin, ActivationMax);
}
