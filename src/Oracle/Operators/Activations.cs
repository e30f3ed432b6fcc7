using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using Padding = TinyMl.Interpreter.Schema.Padding;

namespace TinyMl.Oracle.Operators;

/// <summary>Activation functions, standalone and fused into other operators, computed on real values.</summary>
internal static class Activations
{
    public static Tensor Fused(Tensor x, ActivationFunctionType activation) => activation switch
    {
        ActivationFunctionType.NONE => x,
        ActivationFunctionType.RELU => x.clamp_min(0),
        ActivationFunctionType.RELU6 => x.clamp(0, 6),
        ActivationFunctionType.RELU_N1_TO_1 => x.clamp(-1, 1),
        ActivationFunctionType.TANH => x.tanh(),
        ActivationFunctionType.SIGN_BIT => x.signbit().to(x.dtype), // TFLite: 1 where the sign bit is set, else 0
        _ => throw new OracleException($"unknown fused activation {(int)activation}"),
    };

    public static void Register(OperatorTable table)
    {
        table.Unary(BuiltinOperator.RELU, x => x.clamp_min(0));
        table.Unary(BuiltinOperator.RELU6, x => x.clamp(0, 6));
        table.Unary(BuiltinOperator.RELU_N1_TO_1, x => x.clamp(-1, 1));
        table.Unary(BuiltinOperator.RELU_0_TO_1, x => x.clamp(0, 1));
        table.Unary(BuiltinOperator.LOGISTIC, x => x.sigmoid());
        table.Unary(BuiltinOperator.TANH, x => x.tanh());
        table.Unary(BuiltinOperator.HARD_SWISH, x => x * (x + 3).clamp(0, 6) / 6);
        table.Unary(BuiltinOperator.ELU, x => torch.where(x > 0, x, x.exp() - 1));
        table.Unary(BuiltinOperator.L2_NORMALIZATION, x => x / x.square().sum(-1, keepdim: true).sqrt().clamp_min(1e-6));
        table.Add(BuiltinOperator.LEAKY_RELU, call =>
        {
            double alpha = call.OptionalOptions<LeakyReluOptions>()?.Alpha ?? 0.2;
            var x = call.Real(0);
            return [torch.where(x >= 0, x, x * alpha)];
        });
        table.Add(BuiltinOperator.PRELU, call =>
        {
            var x = call.Real(0);
            return [torch.where(x >= 0, x, x * call.Real(1))];
        });
        table.Add(BuiltinOperator.SOFTMAX, call =>
        {
            double beta = call.OptionalOptions<SoftmaxOptions>()?.Beta ?? 1.0;
            return [(call.Real(0) * beta).softmax(-1)];
        });
        table.Add(BuiltinOperator.LOG_SOFTMAX, call => [call.Real(0).log_softmax(-1)]);
    }
}
