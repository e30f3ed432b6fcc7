using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using Padding = TinyMl.Interpreter.Schema.Padding;

namespace TinyMl.Oracle.Operators;

/// <summary>QUANTIZE and DEQUANTIZE pass real values (the runner stores them in the output's type); CAST converts stored values.</summary>
internal static class Conversions
{
    public static void Register(OperatorTable table)
    {
        table.Unary(BuiltinOperator.QUANTIZE, x => x);
        table.Unary(BuiltinOperator.DEQUANTIZE, x => x);
        // CAST ignores quantization and truncates toward zero to integer types, as C++'s static_cast does.
        table.Add(BuiltinOperator.CAST, call =>
        {
            var x = call.Raw(0);
            var to = call.Output(0).Type;
            return [to is TensorType.FLOAT32 or TensorType.FLOAT64 or TensorType.FLOAT16 ? x
                : to == TensorType.BOOL ? x.ne(0).to(ScalarType.Float64) : x.trunc()];
        });
    }
}
