using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using Model = TinyMl.Interpreter.Model;
using TinyMl.Oracle.Operators;
using TinyMl.Oracle.Running;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Oracle;

/// <summary>
/// An independent reference for a model's numerics: every operator computed by torch (TorchSharp, float64)
/// instead of the runtime's kernels. Float operators are their torch equivalents; quantized operators run
/// in the real domain on dequantized inputs (integer-valued sums in float64 are exact accumulators) and
/// their results are quantized with the output's parameters, rounding half away from zero as TFLite does.
/// The result is a <see cref="TensorSet"/> in the runtime's order, ready for <c>ParityReport.Compare</c>.
/// </summary>
public static class TorchOracle
{
    public const string DefaultLabel = "TorchSharp oracle";

    /// <summary>The builtin operators the oracle can compute.</summary>
    public static IReadOnlyCollection<BuiltinOperator> Operators => OperatorTable.Default.Operators;

    /// <summary>The custom operators (by their custom_code) the oracle can compute.</summary>
    public static IReadOnlyCollection<string> CustomOperators => OperatorTable.Default.CustomOperators;

    /// <summary>Runs the whole model in torch from <paramref name="inputs"/> (one per model input, in order): a second, independent run of it.</summary>
    public static TensorSet Run(Model model, IReadOnlyList<TensorData> inputs, string label = DefaultLabel)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        return OracleRun.Run(model, inputs, feed: null, label);
    }

    /// <summary>Runs the model in torch on the inputs <paramref name="interpreter"/> holds now (it is not invoked).</summary>
    public static TensorSet Run(MicroInterpreter interpreter, string label = DefaultLabel)
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        if (!interpreter.IsAllocated)
            throw new InterpreterStateException("the oracle reads the interpreter's inputs: call AllocateTensors and set them first");
        var inputs = Enumerable.Range(0, interpreter.Inputs.Count).Select(i => TensorData.Snapshot(interpreter.Input(i))).ToList();
        return Run(interpreter.Model, inputs, label);
    }

    /// <summary>
    /// Computes each operator in torch on <paramref name="run"/>'s own tensors (a run captured with
    /// <c>TensorSet.Capture</c>), so each layer's difference is that kernel's alone, not carried from earlier layers.
    /// </summary>
    public static TensorSet RunEachOperator(Model model, TensorSet run, string label = DefaultLabel + ", operator by operator")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(run);
        var byIndex = new Dictionary<int, TensorData>();
        foreach (var t in run.Tensors) byIndex.TryAdd(t.Index, t);
        var inputs = model.MainSubgraph.Inputs.Select(i => byIndex.TryGetValue(i, out var t) ? t
            : throw new OracleException($"the run '{run.Label}' has no tensor {i}, input of {model.Source}")).ToList();
        return OracleRun.Run(model, inputs, index => byIndex.GetValueOrDefault(index), label);
    }
}
