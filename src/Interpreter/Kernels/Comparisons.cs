using System.Numerics;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL with broadcasting, to a bool tensor: float32,
/// int32 and int64 compared as they are (bool too for the two equalities); int8 as TFLM does it — each side
/// offset by its zero point, shifted left by 8 and scaled by its own scale in fixed point, then compared.
/// </summary>
internal sealed class ComparisonKernel(ComparisonKernel.Relation relation) : OperatorKernel
{
    public enum Relation { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual }

    private const int LeftShift = 8;

    private sealed class OpData
    {
        public required BroadcastPlan Plan;
        public required TensorType Type;
        public Scaled Scaling;
    }

    /// <summary>The int8 sides' fixed-point rescaling (TFLM's ComparisonParams).</summary>
    private readonly record struct Scaled(int Offset1, int Multiplier1, int Shift1, int Offset2, int Multiplier2, int Shift2)
    {
        public int First(int x) => FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked((x + Offset1) * (1 << LeftShift)), Multiplier1, Shift1);
        public int Second(int x) => FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked((x + Offset2) * (1 << LeftShift)), Multiplier2, Shift2);
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var input1 = node.Input(0);
        var input2 = node.Input(1);
        var output = node.Output(0);
        TensorType[] types = relation is Relation.Equal or Relation.NotEqual
            ? [TensorType.BOOL, TensorType.FLOAT32, TensorType.INT32, TensorType.INT64, TensorType.INT8]
            : [TensorType.FLOAT32, TensorType.INT32, TensorType.INT64, TensorType.INT8];
        node.RequireType(input1, "input", types);
        node.RequireSameType(input1, input2);
        node.RequireType(output, "output", TensorType.BOOL);
        var data = new OpData { Plan = BroadcastPlan.Create(node, input1, input2, output), Type = input1.Type };
        if (input1.Type == TensorType.INT8)
        {
            node.RequirePerTensorQuantization(input1, "input");
            node.RequirePerTensorQuantization(input2, "input");
            var q1 = SmallerThanOne(node, input1);
            var q2 = SmallerThanOne(node, input2);
            data.Scaling = new Scaled(-input1.ZeroPoint, q1.Multiplier, q1.Shift, -input2.ZeroPoint, q2.Multiplier, q2.Shift);
        }
        node.Data = data;
    }

    /// <summary>TFLM's QuantizeMultiplierSmallerThanOneExp of the scale itself, which stops the program on a scale of 1 or more.</summary>
    private static QuantizedMultiplier SmallerThanOne(Node node, Tensor input)
    {
        node.Require(input.Scale < 1, $"input tensor {input.Index} has scale {input.Scale:G9}; quantized comparisons need scales below 1");
        return QuantizedMultiplier.FromDouble(input.Scale);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var a = node.Inputs[0]!;
        var b = node.Inputs[1]!;
        var output = node.Outputs[0].AsSpan<bool>();
        switch (d.Type)
        {
            case TensorType.FLOAT32: d.Plan.Run(a.AsReadOnlySpan<float>(), b.AsReadOnlySpan<float>(), output, new Compare<float>(relation)); break;
            case TensorType.INT32: d.Plan.Run(a.AsReadOnlySpan<int>(), b.AsReadOnlySpan<int>(), output, new Compare<int>(relation)); break;
            case TensorType.INT64: d.Plan.Run(a.AsReadOnlySpan<long>(), b.AsReadOnlySpan<long>(), output, new Compare<long>(relation)); break;
            case TensorType.BOOL: d.Plan.Run(a.AsReadOnlySpan<bool>(), b.AsReadOnlySpan<bool>(), output, new CompareBool(relation)); break;
            case TensorType.INT8: d.Plan.Run(a.AsReadOnlySpan<sbyte>(), b.AsReadOnlySpan<sbyte>(), output, new CompareScaled(relation, d.Scaling)); break;
        }
    }

    private static bool Holds(Relation relation, int order) => relation switch
    {
        Relation.Equal => order == 0,
        Relation.NotEqual => order != 0,
        Relation.Less => order < 0,
        Relation.LessEqual => order <= 0,
        Relation.Greater => order > 0,
        _ => order >= 0,
    };

    private readonly struct Compare<T>(Relation relation) : IBinaryOp<T, bool> where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        // Written with the operators (not CompareTo) so that NaN compares false, as in C.
        public bool Apply(T a, T b) => relation switch
        {
            Relation.Equal => a == b,
            Relation.NotEqual => a != b,
            Relation.Less => a < b,
            Relation.LessEqual => a <= b,
            Relation.Greater => a > b,
            _ => a >= b,
        };
    }

    private readonly struct CompareBool(Relation relation) : IBinaryOp<bool, bool>
    {
        public bool Apply(bool a, bool b) => Holds(relation, a == b ? 0 : 1);
    }

    private readonly struct CompareScaled(Relation relation, Scaled scaling) : IBinaryOp<sbyte, bool>
    {
        public bool Apply(sbyte a, sbyte b) => Holds(relation, scaling.First(a).CompareTo(scaling.Second(b)));
    }
}
