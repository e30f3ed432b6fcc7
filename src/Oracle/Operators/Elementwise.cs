using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using Padding = TinyMl.Interpreter.Schema.Padding;

namespace TinyMl.Oracle.Operators;

/// <summary>Elementwise arithmetic, comparisons, logic and math functions on broadcast real values.</summary>
internal static class Elementwise
{
    public static void Register(OperatorTable table)
    {
        table.Binary(BuiltinOperator.ADD, (a, b) => a + b, c => c.OptionalOptions<AddOptions>()?.FusedActivationFunction ?? 0);
        table.Binary(BuiltinOperator.SUB, (a, b) => a - b, c => c.OptionalOptions<SubOptions>()?.FusedActivationFunction ?? 0);
        table.Binary(BuiltinOperator.MUL, (a, b) => a * b, c => c.OptionalOptions<MulOptions>()?.FusedActivationFunction ?? 0);
        table.Add(BuiltinOperator.DIV, Divide);
        table.Binary(BuiltinOperator.MINIMUM, torch.minimum);
        table.Binary(BuiltinOperator.MAXIMUM, torch.maximum);
        table.Binary(BuiltinOperator.SQUARED_DIFFERENCE, (a, b) => (a - b).square());
        table.Binary(BuiltinOperator.FLOOR_DIV, (a, b) => (a / b).floor());
        table.Binary(BuiltinOperator.FLOOR_MOD, (a, b) => a - (a / b).floor() * b);
        table.Binary(BuiltinOperator.POW, torch.pow);
        table.Add(BuiltinOperator.ADD_N, call => [Enumerable.Range(0, call.InputCount).Select(call.Real).Aggregate((a, b) => a + b)]);

        table.Binary(BuiltinOperator.EQUAL, (a, b) => a.eq(b));
        table.Binary(BuiltinOperator.NOT_EQUAL, (a, b) => a.ne(b));
        table.Binary(BuiltinOperator.LESS, (a, b) => a.lt(b));
        table.Binary(BuiltinOperator.LESS_EQUAL, (a, b) => a.le(b));
        table.Binary(BuiltinOperator.GREATER, (a, b) => a.gt(b));
        table.Binary(BuiltinOperator.GREATER_EQUAL, (a, b) => a.ge(b));
        table.Binary(BuiltinOperator.LOGICAL_AND, (a, b) => a.ne(0).logical_and(b.ne(0)));
        table.Binary(BuiltinOperator.LOGICAL_OR, (a, b) => a.ne(0).logical_or(b.ne(0)));
        table.Unary(BuiltinOperator.LOGICAL_NOT, a => a.eq(0));
        table.Add(BuiltinOperator.SELECT_V2, call => [torch.where(call.Real(0).ne(0), call.Real(1), call.Real(2))]);

        table.Unary(BuiltinOperator.ABS, x => x.abs());
        table.Unary(BuiltinOperator.NEG, x => x.neg());
        table.Unary(BuiltinOperator.EXP, x => x.exp());
        table.Unary(BuiltinOperator.LOG, x => x.log());
        table.Unary(BuiltinOperator.SQRT, x => x.sqrt());
        table.Unary(BuiltinOperator.RSQRT, x => x.rsqrt());
        table.Unary(BuiltinOperator.SQUARE, x => x.square());
        table.Unary(BuiltinOperator.SIN, x => x.sin());
        table.Unary(BuiltinOperator.COS, x => x.cos());
        table.Unary(BuiltinOperator.CEIL, x => x.ceil());
        table.Unary(BuiltinOperator.FLOOR, x => x.floor());
        // TFLite's ROUND rounds half to even, as torch does.
        table.Unary(BuiltinOperator.ROUND, x => x.round());
        table.Unary(BuiltinOperator.SIGN, x => x.sign());
        table.Add(BuiltinOperator.ZEROS_LIKE, call => [torch.zeros_like(call.Raw(0))]);
    }

    private static Tensor[] Divide(OperatorCall call)
    {
        var activation = call.OptionalOptions<DivOptions>()?.FusedActivationFunction ?? 0;
        return [Activations.Fused(call.Real(0) / call.Real(1), activation)];
    }
}
