using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// MUL with broadcasting: float32 and int32 with the fused activation's clamp, int8 and int16 as
/// TFLM computes them: (x1 - zp1) * (x2 - zp2) requantized by input1_scale * input2_scale / output_scale.
/// </summary>
internal sealed class MulKernel : OperatorKernel
{
    private sealed class OpData
    {
        public required BroadcastPlan Plan;
        public TensorType Type;
        public float FloatMin, FloatMax;
        public int IntMin, IntMax;
        public QuantizedMul Quantized;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var input1 = node.Input(0);
        var input2 = node.Input(1);
        var output = node.Output(0);
        var activation = node.Operator.Options<MulOptions>()?.FusedActivationFunction ?? ActivationFunctionType.NONE;
        var type = ElementwiseSupport.RequireSameTypes(node, input1, input2, output,
            TensorType.FLOAT32, TensorType.INT32, TensorType.INT8, TensorType.INT16);
        var data = new OpData { Plan = BroadcastPlan.Create(node, input1, input2, output), Type = type };

        switch (type)
        {
            case TensorType.FLOAT32:
                (data.FloatMin, data.FloatMax) = ElementwiseSupport.FloatActivation(node, activation);
                break;
            case TensorType.INT32:
                (data.IntMin, data.IntMax) = ElementwiseSupport.Int32Activation(node, activation);
                break;
            default:
                data.Quantized = QuantizedMul.Create(node, input1, input2, output, activation);
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
                    new MulFloat(data.FloatMin, data.FloatMax));
                break;
            case TensorType.INT32:
                data.Plan.Run(input1.AsReadOnlySpan<int>(), input2.AsReadOnlySpan<int>(), output.AsSpan<int>(),
                    new MulInt32(data.IntMin, data.IntMax));
                break;
            case TensorType.INT8:
                data.Plan.Run(input1.AsReadOnlySpan<sbyte>(), input2.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(),
                    new MulInt8(data.Quantized));
                break;
            case TensorType.INT16:
                data.Plan.Run(input1.AsReadOnlySpan<short>(), input2.AsReadOnlySpan<short>(), output.AsSpan<short>(),
                    new MulInt16(data.Quantized));
                break;
        }
    }

    private readonly struct MulFloat(float min, float max) : IBinaryOp<float>
    {
        public float Apply(float a, float b) => ActivationRange.Clamp(a * b, min, max);
    }

    private readonly struct MulInt32(int min, int max) : IBinaryOp<int>
    {
        public int Apply(int a, int b) => ElementwiseSupport.Clamp(unchecked(a * b), min, max);
    }

    private readonly struct MulInt8(QuantizedMul p) : IBinaryOp<sbyte>
    {
        public sbyte Apply(sbyte a, sbyte b) => (sbyte)p.Compute(a, b);
    }

    private readonly struct MulInt16(QuantizedMul p) : IBinaryOp<short>
    {
        public short Apply(short a, short b) => (short)p.Compute(a, b);
    }
}

/// <summary>The parameters of TFLM's quantized MUL and its per-element arithmetic.</summary>
internal readonly struct QuantizedMul
{
    public int Input1Offset { get; init; }
    public int Input2Offset { get; init; }
    public int OutputOffset { get; init; }
    public int OutputMultiplier { get; init; }
    public int OutputShift { get; init; }
    public int ActivationMin { get; init; }
    public int ActivationMax { get; init; }

    public static QuantizedMul Create(Node node, Tensor input1, Tensor input2, Tensor output, ActivationFunctionType activation)
    {
        node.RequirePerTensorQuantization(input1, "input");
        node.RequirePerTensorQuantization(input2, "input");
        node.RequirePerTensorQuantization(output, "output");
        if (output.Type == TensorType.INT16)
            node.Require(input1.ZeroPoint == 0 && input2.ZeroPoint == 0 && output.ZeroPoint == 0,
                $"int16 MUL needs zero points of 0; tensors {input1.Index}, {input2.Index}, {output.Index} have {input1.ZeroPoint}, {input2.ZeroPoint}, {output.ZeroPoint}");
        var (min, max) = ElementwiseSupport.QuantizedActivation(node, activation, output);
        // Double product of the float scales, then one multiplier (which may exceed 1) for the output.
        var q = QuantizedMultiplier.FromDouble((double)input1.Scale * input2.Scale / output.Scale);
        return new QuantizedMul
        {
            Input1Offset = -input1.ZeroPoint, Input2Offset = -input2.ZeroPoint, OutputOffset = output.ZeroPoint,
            OutputMultiplier = q.Multiplier, OutputShift = q.Shift, ActivationMin = min, ActivationMax = max,
        };
    }

    public int Compute(int x, int y)
    {
        int product = unchecked((Input1Offset + x) * (Input2Offset + y));
        int raw = OutputOffset + FixedPoint.MultiplyByQuantizedMultiplier(product, OutputMultiplier, OutputShift);
        return ElementwiseSupport.Clamp(raw, ActivationMin, ActivationMax);
    }
}
