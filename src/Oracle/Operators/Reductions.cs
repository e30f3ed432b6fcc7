using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using Padding = TinyMl.Interpreter.Schema.Padding;

namespace TinyMl.Oracle.Operators;

/// <summary>MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, REDUCE_ALL over the axes in input 1; ARG_MAX / ARG_MIN.</summary>
internal static class Reductions
{
    public static void Register(OperatorTable table)
    {
        table.Add(BuiltinOperator.MEAN, call => [Reduce(call, (x, axes, keep) => x.mean(axes, keep))]);
        table.Add(BuiltinOperator.SUM, call => [Reduce(call, (x, axes, keep) => x.sum(axes, keep))]);
        table.Add(BuiltinOperator.REDUCE_PROD, call => [Reduce(call, (x, axes, keep) => axes.Aggregate(x, (t, a) => t.prod(a, keep)))]);
        table.Add(BuiltinOperator.REDUCE_MAX, call => [Reduce(call, (x, axes, keep) => x.amax(axes, keep))]);
        table.Add(BuiltinOperator.REDUCE_MIN, call => [Reduce(call, (x, axes, keep) => x.amin(axes, keep))]);
        // keep dims while reducing axis by axis (indices stay valid); Reduce reshapes to the declared output.
        table.Add(BuiltinOperator.REDUCE_ALL, call => [Reduce(call, (x, axes, _) => axes.Aggregate(x.ne(0), (t, a) => t.all(a, true)).to(ScalarType.Float64))]);
        table.Add(BuiltinOperator.ARG_MAX, call => [call.Real(0).argmax(call.Ints(1)[0]).to(ScalarType.Float64)]);
        table.Add(BuiltinOperator.ARG_MIN, call => [call.Real(0).argmin(call.Ints(1)[0]).to(ScalarType.Float64)]);
    }

    private static Tensor Reduce(OperatorCall call, Func<Tensor, long[], bool, Tensor> reduce)
    {
        var x = call.Real(0);
        bool keep = call.OptionalOptions<ReducerOptions>()?.KeepDims ?? false;
        // Axes may repeat or be negative; each counts once.
        var axes = call.Ints(1).Select(a => (long)(a < 0 ? a + x.dim() : a)).Distinct().OrderBy(a => a).ToArray();
        var y = reduce(x, axes, keep);
        return y.reshape(call.Output(0).Shape.Select(d => (long)d).ToArray());
    }
}
