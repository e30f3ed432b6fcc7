using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace TinyMl.Oracle.Operators;

/// <summary>BATCH_MATMUL as torch.matmul (which broadcasts batch dimensions the same way), sides transposed by adj_x / adj_y.</summary>
internal static class MatMul
{
    public static void Register(OperatorTable table) => table.Add(BuiltinOperator.BATCH_MATMUL, call =>
    {
        var o = call.OptionalOptions<BatchMatMulOptions>();
        var lhs = call.Real(0);
        var rhs = call.Real(1);
        if (o?.AdjX ?? false) lhs = lhs.transpose(-1, -2);
        if (o?.AdjY ?? false) rhs = rhs.transpose(-1, -2);
        return [lhs.matmul(rhs)];
    });
}
