using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// PRELU: x where x ≥ 0, alpha · x elsewhere, alpha broadcast against the input (usually one value per channel).
/// float32; int8 with TFLM's two multipliers (input/output, and input·alpha/output, formed in double).
/// </summary>
internal sealed class PreluKernel : OperatorKernel
{
    private sealed class OpData
    {
        public required BroadcastPlan Plan;
        public required TensorType Type;
        public Params Quantized;
    }

    private readonly record struct Params(int InputOffset, int AlphaOffset, int OutputOffset, int Multiplier1, int Shift1, int Multiplier2, int Shift2);

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var input = node.Input(0);
        var alpha = node.Input(1);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8);
        node.RequireSameType(input, alpha);
        node.RequireSameType(input, output);
        var d = new OpData { Plan = BroadcastPlan.Create(node, input, alpha, output), Type = input.Type };
        if (input.Type == TensorType.INT8)
        {
            node.RequirePerTensorQuantization(input, "input");
            node.RequirePerTensorQuantization(alpha, "alpha");
            node.RequirePerTensorQuantization(output, "output");
            var q1 = QuantizedMultiplier.FromDouble((double)input.Scale / output.Scale);
            var q2 = QuantizedMultiplier.FromDouble((double)input.Scale * alpha.Scale / output.Scale);
            d.Quantized = new Params(-input.ZeroPoint, -alpha.ZeroPoint, output.ZeroPoint, q1.Multiplier, q1.Shift, q2.Multiplier, q2.Shift);
        }
        node.Data = d;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var alpha = node.Inputs[1]!;
        var output = node.Outputs[0];
        if (d.Type == TensorType.FLOAT32)
            d.Plan.Run(input.AsReadOnlySpan<float>(), alpha.AsReadOnlySpan<float>(), output.AsSpan<float>(), default(FloatPrelu));
        else
            d.Plan.Run(input.AsReadOnlySpan<sbyte>(), alpha.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(), new Int8Prelu(d.Quantized));
    }

    private readonly struct FloatPrelu : IBinaryOp<float>
    {
        public float Apply(float x, float alpha) => x >= 0f ? x : x * alpha;
    }

    private readonly struct Int8Prelu(Params p) : IBinaryOp<sbyte>
    {
        public sbyte Apply(sbyte x, sbyte alpha)
        {
            int value = p.InputOffset + x;
            int output = value >= 0
                ? FixedPoint.MultiplyByQuantizedMultiplier(value, p.Multiplier1, p.Shift1)
                : FixedPoint.MultiplyByQuantizedMultiplier(value * (p.AlphaOffset + alpha), p.Multiplier2, p.Shift2);
            return (sbyte)Math.Clamp(output + p.OutputOffset, sbyte.MinValue, sbyte.MaxValue);
        }
    }
}
