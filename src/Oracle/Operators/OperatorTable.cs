using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using Padding = TinyMl.Interpreter.Schema.Padding;

namespace TinyMl.Oracle.Operators;

/// <summary>
/// The torch computation of each builtin operator: given the operator's inputs it returns each output's
/// values (real values where the output is quantized; the runner stores them with the output's type).
/// </summary>
internal sealed class OperatorTable
{
    private readonly Dictionary<BuiltinOperator, Func<OperatorCall, Tensor[]>> _ops = [];
    private readonly Dictionary<string, Func<OperatorCall, Tensor[]>> _customs = new(StringComparer.Ordinal);

    public static OperatorTable Default { get; } = Build();

    private static OperatorTable Build()
    {
        var table = new OperatorTable();
        Activations.Register(table);
        Convolutions.Register(table);
        Pooling.Register(table);
        Elementwise.Register(table);
        Shapes.Register(table);
        Reductions.Register(table);
        Conversions.Register(table);
        Resize.Register(table);
        MatMul.Register(table);
        Rearrangements.Register(table);
        Detection.Register(table);
        Recurrent.Register(table);
        Signal.Register(table);
        Compression.Register(table);
        return table;
    }

    public IReadOnlyCollection<BuiltinOperator> Operators => _ops.Keys;

    public IReadOnlyCollection<string> CustomOperators => _customs.Keys;

    /// <summary>Every operator the oracle computes: builtins by name, then custom operators.</summary>
    public IEnumerable<string> Names => _ops.Keys.Select(o => o.ToString()).Order().Concat(_customs.Keys.Order());

    public bool TryGet(OperatorCodeInfo code, out Func<OperatorCall, Tensor[]> compute) =>
        code.Builtin == BuiltinOperator.CUSTOM
            ? _customs.TryGetValue(code.CustomName ?? "", out compute!)
            : _ops.TryGetValue(code.Builtin, out compute!);

    public void Add(BuiltinOperator op, Func<OperatorCall, Tensor[]> compute) => _ops.Add(op, compute);

    public void AddCustom(string name, Func<OperatorCall, Tensor[]> compute) => _customs.Add(name, compute);

    public void Unary(BuiltinOperator op, Func<Tensor, Tensor> f) => Add(op, call => [f(call.Real(0))]);

    /// <summary>An elementwise binary operator with numpy broadcasting (TFLite broadcasts the same way).</summary>
    public void Binary(BuiltinOperator op, Func<Tensor, Tensor, Tensor> f, Func<OperatorCall, ActivationFunctionType>? activation = null) =>
        Add(op, call => [Activations.Fused(f(call.Real(0), call.Real(1)), activation?.Invoke(call) ?? ActivationFunctionType.NONE)]);
}
