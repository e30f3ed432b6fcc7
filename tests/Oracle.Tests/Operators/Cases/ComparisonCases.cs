using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Tensors;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Oracle.Tests.Operators;

/// <summary>
/// EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL with broadcasting, to bool: exact (allowed 0).
/// Values come from a few levels so that equal pairs occur; int8 operands share their quantization, as a model
/// comparing a tensor with a threshold in its own scale does (TFLM rescales each side to 8 more bits, so values
/// from different scales closer than 1/256 compare equal there but not in exact arithmetic).
/// </summary>
public static class ComparisonCases
{
    public static void Add(List<OperatorCase> cases)
    {
        var ops = new[] { BuiltinOperator.EQUAL, BuiltinOperator.NOT_EQUAL, BuiltinOperator.LESS, BuiltinOperator.LESS_EQUAL, BuiltinOperator.GREATER, BuiltinOperator.GREATER_EQUAL };
        foreach (var op in ops)
            foreach (var t in new[] { TensorType.FLOAT32, TensorType.INT32, TensorType.INT64, TensorType.INT8 })
                cases.Add(new(op.ToString(), TensorTypes.Name(t), r => Compare(r, t, op), 0));
        foreach (var op in new[] { BuiltinOperator.EQUAL, BuiltinOperator.NOT_EQUAL })
            cases.Add(new(op.ToString(), "bool", r => Compare(r, TensorType.BOOL, op), 0));
    }

    private static (Model, TensorData[]) Compare(Random r, TensorType t, BuiltinOperator op)
    {
        var m = new SingleOpModels(r);
        var (sa, sb, so) = OperatorCases.BroadcastShapes(r);
        var q = t == TensorType.INT8 ? Quant.Of(0.005 + r.NextDouble() * 0.05, r.Next(-40, 41)) : null;
        // Few levels: floats on a grid of quarters, integers in a small range, int8 over a small span.
        (double, double)? range = t switch { TensorType.BOOL => (0, 1), TensorType.FLOAT32 => null, _ => (-3, 3) };
        int a = t == TensorType.FLOAT32 ? m.Input(t, sa, Grid(r, sa)) : m.Input(t, sa, q, range);
        int b = t == TensorType.FLOAT32 ? m.Input(t, sb, Grid(r, sb)) : m.Input(t, sb, q, range);
        int output = m.Output(TensorType.BOOL, so);
        return m.Build(op, [a, b], output);
    }

    private static byte[] Grid(Random r, int[] shape) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(
        Enumerable.Range(0, shape.Aggregate(1, (n, d) => n * d)).Select(_ => r.Next(-4, 5) / 4f).ToArray().AsSpan()).ToArray();
}
