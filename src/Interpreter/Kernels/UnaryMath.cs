using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// The one-input elementwise operators of TFLM's elementwise.cc, exp.cc, neg.cc, floor.cc, ceil.cc and round.cc,
/// in float32 through the C library's single-precision functions as TFLM calls them (sinf, expf, ...); ABS also
/// for int8 and int16 (|q − zero point|, rescaled when the scales differ, as TFLM does); LOGICAL_NOT on bool.
/// </summary>
internal sealed class UnaryMathKernel(BuiltinOperator op) : OperatorKernel
{
    private sealed class OpData
    {
        public required TensorType Type;
        public required int Count;
        public int InputZeroPoint, OutputZeroPoint, Multiplier, Shift;
        public bool Rescale;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        TensorType[] types = op switch
        {
            BuiltinOperator.ABS => [TensorType.FLOAT32, TensorType.INT8, TensorType.INT16],
            BuiltinOperator.LOGICAL_NOT => [TensorType.BOOL],
            BuiltinOperator.RSQRT => [TensorType.FLOAT32, TensorType.INT8],
            _ => [TensorType.FLOAT32],
        };
        var (input, output) = node.RequireElementwiseUnary(types);
        var data = new OpData { Type = input.Type, Count = input.ElementCount };
        bool quantized = input.Type == TensorType.INT8 || (input.Type == TensorType.INT16 && input.Quantization is not null);
        if (quantized)
        {
            data.InputZeroPoint = input.ZeroPoint;
            data.OutputZeroPoint = output.ZeroPoint;
            if (input.Type == TensorType.INT16)
                node.Require(input.ZeroPoint == 0 && output.ZeroPoint == 0, $"int16 zero points are {input.ZeroPoint} and {output.ZeroPoint}; 0 expected");
            if (op == BuiltinOperator.RSQRT)
            {
                // TFLM's SetRsqrtOutputMultiplier: 1 / (√input_scale · output_scale), the product in float.
                var q = QuantizedMultiplier.FromDouble(1.0 / (double)(MathF.Sqrt(input.Scale) * output.Scale));
                (data.Multiplier, data.Shift) = (q.Multiplier, q.Shift);
                node.Data = data;
                return;
            }
            data.Rescale = input.Scale != output.Scale;
            if (data.Rescale)
            {
                // TFLM divides the scales in float and widens the quotient to double.
                var q = QuantizedMultiplier.FromDouble(input.Scale / output.Scale);
                (data.Multiplier, data.Shift) = (q.Multiplier, q.Shift);
            }
        }
        node.Data = data;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        switch (d.Type)
        {
            case TensorType.FLOAT32:
            {
                var x = input.AsReadOnlySpan<float>()[..d.Count];
                var y = output.AsSpan<float>()[..d.Count];
                for (int i = 0; i < x.Length; i++) y[i] = Apply(x[i]);
                break;
            }
            case TensorType.BOOL:
            {
                var x = input.AsReadOnlySpan<bool>()[..d.Count];
                var y = output.AsSpan<bool>()[..d.Count];
                for (int i = 0; i < x.Length; i++) y[i] = !x[i];
                break;
            }
            case TensorType.INT8:
            {
                var x = input.AsReadOnlySpan<sbyte>()[..d.Count];
                var y = output.AsSpan<sbyte>()[..d.Count];
                if (op == BuiltinOperator.RSQRT)
                    for (int i = 0; i < x.Length; i++) y[i] = QuantizedRsqrt(node, d, x[i]);
                else
                    for (int i = 0; i < x.Length; i++) y[i] = (sbyte)QuantizedAbs(d, x[i], sbyte.MinValue, sbyte.MaxValue);
                break;
            }
            case TensorType.INT16:
            {
                var x = input.AsReadOnlySpan<short>()[..d.Count];
                var y = output.AsSpan<short>()[..d.Count];
                for (int i = 0; i < x.Length; i++) y[i] = (short)QuantizedAbs(d, x[i], short.MinValue, short.MaxValue);
                break;
            }
        }
    }

    private static int QuantizedAbs(OpData d, int q, int min, int max)
    {
        int value = Math.Abs(q - d.InputZeroPoint);
        int result = d.Rescale ? FixedPoint.MultiplyByQuantizedMultiplier(value, d.Multiplier, d.Shift) + d.OutputZeroPoint : value + d.OutputZeroPoint;
        return Math.Clamp(result, min, max);
    }

    /// <summary>
    /// TFLM's RsqrtEvalQuantized: 1/√(q − zero point) from the fixed-point inverse square root, held with 20 extra
    /// bits, then rescaled to the output; 0 gives int8 max. A value below the zero point is an error there, and here.
    /// </summary>
    private static sbyte QuantizedRsqrt(Node node, OpData d, sbyte q)
    {
        const int extraBits = 20;
        int value = q - d.InputZeroPoint;
        if (value == 0) return sbyte.MaxValue;
        if (value < 0)
            throw node.Unsupported($"computes RSQRT of a negative value (stored {q}, zero point {d.InputZeroPoint}); TFLM stops there too");
        var (multiplier, shift) = FixedPoint.InvSqrtQuantizedMultiplier(value, reverseShift: -1);
        int scaled = FixedPoint.MultiplyByQuantizedMultiplier(1, multiplier, shift + extraBits);
        int output = FixedPoint.MultiplyByQuantizedMultiplier(scaled, d.Multiplier, d.Shift - extraBits) + d.OutputZeroPoint;
        return (sbyte)Math.Clamp(output, sbyte.MinValue, sbyte.MaxValue);
    }

    private float Apply(float x) => op switch
    {
        BuiltinOperator.ABS => MathF.Abs(x),
        BuiltinOperator.NEG => -x,
        BuiltinOperator.SQRT => MathF.Sqrt(x),
        BuiltinOperator.RSQRT => 1f / MathF.Sqrt(x),
        BuiltinOperator.SQUARE => x * x,
        BuiltinOperator.EXP => MathF.Exp(x),
        BuiltinOperator.LOG => MathF.Log(x),
        BuiltinOperator.SIN => MathF.Sin(x),
        BuiltinOperator.COS => MathF.Cos(x),
        BuiltinOperator.CEIL => MathF.Ceiling(x),
        BuiltinOperator.FLOOR => MathF.Floor(x),
        // TFLM's RoundToNearest: half to even.
        _ => MathF.Round(x, MidpointRounding.ToEven),
    };
}

/// <summary>LOGICAL_AND and LOGICAL_OR on bool tensors, with broadcasting.</summary>
internal sealed class LogicalKernel(bool and) : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var a = node.Input(0);
        var b = node.Input(1);
        var output = node.Output(0);
        foreach (var (t, role) in new[] { (a, "input"), (b, "input"), (output, "output") })
            node.RequireType(t, role, TensorType.BOOL);
        node.Data = BroadcastPlan.Create(node, a, b, output);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var plan = node.DataAs<BroadcastPlan>();
        var a = node.Inputs[0]!.AsReadOnlySpan<bool>();
        var b = node.Inputs[1]!.AsReadOnlySpan<bool>();
        var y = node.Outputs[0].AsSpan<bool>();
        if (and) plan.Run(a, b, y, default(And));
        else plan.Run(a, b, y, default(Or));
    }

    private readonly struct And : IBinaryOp<bool> { public bool Apply(bool x, bool y) => x && y; }
    private readonly struct Or : IBinaryOp<bool> { public bool Apply(bool x, bool y) => x || y; }
}

/// <summary>ZEROS_LIKE: zeros of the input's shape and type (float32, int8, int32, int64), the stored value 0 as TFLM writes it.</summary>
internal sealed class ZerosLikeKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var input = node.Input(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8, TensorType.INT32, TensorType.INT64);
        node.RequireSameType(input, node.Output(0));
        node.RequireSameElementCount(input, node.Output(0));
    }

    public override void Invoke(KernelContext context, Node node) => node.Outputs[0].AsSpan<byte>().Clear();
}
