using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// SQUARED_DIFFERENCE (x − y)², broadcasting: float32 and int32 directly; int8 and int16 as TFLM: both sides to a
/// common scale (twice the larger input scale, 7 bits of headroom for int8, none for int16), the difference
/// squared in int32, requantized to the output.
/// </summary>
internal sealed class SquaredDifferenceKernel : OperatorKernel
{
    private sealed class OpData
    {
        public required BroadcastPlan Plan;
        public required TensorType Type;
        public Params Quantized;
    }

    private readonly record struct Params(int LeftShift, int Offset1, int Multiplier1, int Shift1, int Offset2, int Multiplier2, int Shift2,
        int OutputOffset, int OutputMultiplier, int OutputShift, int Min, int Max)
    {
        public int Apply(int x, int y)
        {
            int a = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked((Offset1 + x) * (1 << LeftShift)), Multiplier1, Shift1);
            int b = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked((Offset2 + y) * (1 << LeftShift)), Multiplier2, Shift2);
            int diff = a - b;
            int output = FixedPoint.MultiplyByQuantizedMultiplier(unchecked(diff * diff), OutputMultiplier, OutputShift) + OutputOffset;
            return Math.Clamp(output, Min, Max);
        }
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var a = node.Input(0);
        var b = node.Input(1);
        var output = node.Output(0);
        var type = ElementwiseSupport.RequireSameTypes(node, a, b, output, TensorType.FLOAT32, TensorType.INT32, TensorType.INT8, TensorType.INT16);
        var d = new OpData { Plan = BroadcastPlan.Create(node, a, b, output), Type = type };
        if (type is TensorType.INT8 or TensorType.INT16)
        {
            foreach (var (t, role) in new[] { (a, "input"), (b, "input"), (output, "output") })
                node.RequirePerTensorQuantization(t, role);
            if (type == TensorType.INT16)
                node.Require(a.ZeroPoint == 0 && b.ZeroPoint == 0 && output.ZeroPoint == 0, "int16 zero points must be 0");
            int leftShift = type == TensorType.INT8 ? 7 : 0;
            double twiceMax = 2.0 * Math.Max(a.Scale, b.Scale);
            var q1 = QuantizedMultiplier.FromDouble(a.Scale / twiceMax);
            var q2 = QuantizedMultiplier.FromDouble(b.Scale / twiceMax);
            var qo = QuantizedMultiplier.FromDouble(twiceMax * twiceMax / ((1 << leftShift * 2) * (double)output.Scale));
            var (min, max) = type == TensorType.INT8 ? (sbyte.MinValue, sbyte.MaxValue) : (short.MinValue, (int)short.MaxValue);
            d.Quantized = new Params(leftShift, -a.ZeroPoint, q1.Multiplier, q1.Shift, -b.ZeroPoint, q2.Multiplier, q2.Shift,
                output.ZeroPoint, qo.Multiplier, qo.Shift, min, max);
        }
        node.Data = d;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var a = node.Inputs[0]!;
        var b = node.Inputs[1]!;
        var y = node.Outputs[0];
        switch (d.Type)
        {
            case TensorType.FLOAT32: d.Plan.Run(a.AsReadOnlySpan<float>(), b.AsReadOnlySpan<float>(), y.AsSpan<float>(), default(FloatSquare)); break;
            case TensorType.INT32: d.Plan.Run(a.AsReadOnlySpan<int>(), b.AsReadOnlySpan<int>(), y.AsSpan<int>(), default(IntSquare)); break;
            case TensorType.INT8: d.Plan.Run(a.AsReadOnlySpan<sbyte>(), b.AsReadOnlySpan<sbyte>(), y.AsSpan<sbyte>(), new Int8Square(d.Quantized)); break;
            case TensorType.INT16: d.Plan.Run(a.AsReadOnlySpan<short>(), b.AsReadOnlySpan<short>(), y.AsSpan<short>(), new Int16Square(d.Quantized)); break;
        }
    }

    private readonly struct FloatSquare : IBinaryOp<float> { public float Apply(float x, float y) => (x - y) * (x - y); }
    private readonly struct IntSquare : IBinaryOp<int> { public int Apply(int x, int y) => unchecked((x - y) * (x - y)); }
    private readonly struct Int8Square(Params p) : IBinaryOp<sbyte> { public sbyte Apply(sbyte x, sbyte y) => (sbyte)p.Apply(x, y); }
    private readonly struct Int16Square(Params p) : IBinaryOp<short> { public short Apply(short x, short y) => (short)p.Apply(x, y); }
}

/// <summary>FLOOR_DIV and FLOOR_MOD in float32, as TFLM's reference: floor of the quotient taken in double; the truncated remainder (fmod) moved to the divisor's sign.</summary>
internal sealed class FloorDivModKernel(bool modulo) : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var a = node.Input(0);
        var b = node.Input(1);
        var output = node.Output(0);
        ElementwiseSupport.RequireSameTypes(node, a, b, output, TensorType.FLOAT32);
        node.Data = BroadcastPlan.Create(node, a, b, output);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var plan = node.DataAs<BroadcastPlan>();
        var a = node.Inputs[0]!.AsReadOnlySpan<float>();
        var b = node.Inputs[1]!.AsReadOnlySpan<float>();
        var y = node.Outputs[0].AsSpan<float>();
        if (modulo) plan.Run(a, b, y, default(FloorMod));
        else plan.Run(a, b, y, default(FloorDiv));
    }

    private readonly struct FloorDiv : IBinaryOp<float> { public float Apply(float x, float y) => (float)Math.Floor((double)x / y); }

    private readonly struct FloorMod : IBinaryOp<float>
    {
        public float Apply(float x, float y)
        {
            float truncated = x % y;
            return truncated != 0 && (y < 0) != (truncated < 0) ? truncated + y : truncated;
        }
    }
}
