using TinyMl.Interpreter;
using TinyMl.Oracle.Operators;
using TinyMl.Workbench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using Padding = TinyMl.Interpreter.Schema.Padding;

namespace TinyMl.Oracle.Running;

/// <summary>
/// Runs a subgraph's operators in order through the <see cref="OperatorTable"/>. Each operator reads its
/// inputs from <c>source</c> (the oracle's own earlier results, or another run's tensors) and model
/// constants; its outputs are stored in the output tensors' types and collected as a <see cref="TensorSet"/>.
/// </summary>
internal static class OracleRun
{
    private static readonly Lock Start = new();
    private static bool _started;

    /// <summary>One thread in torch, so results and timing do not depend on the machine's core count.</summary>
    private static void EnsureStarted()
    {
        lock (Start)
        {
            if (_started) return;
            Native.TorchSharpLoader.Preload();
            torch.set_num_threads(1);
            _started = true;
        }
    }

    /// <param name="feed">Values for non-constant inputs of operators: null means the oracle's own results.</param>
    public static TensorSet Run(Model model, IReadOnlyList<TensorData> inputs, Func<int, TensorData?>? feed, string label)
    {
        EnsureStarted();
        var graph = model.MainSubgraph;
        CheckInputs(model, graph, inputs);
        var values = new Dictionary<int, TensorData>();
        var tensors = new List<TensorData>();
        var origins = new List<TensorOrigin>();
        for (int i = 0; i < graph.Inputs.Length; i++)
        {
            values[graph.Inputs[i]] = inputs[i];
            tensors.Add(inputs[i]);
            origins.Add(TensorOrigin.ModelInput(i));
        }

        TensorData Value(int index)
        {
            var info = graph.Tensors[index];
            if (info.IsConstant) return TensorData.From(info);
            if (feed?.Invoke(index) is { } fed) return fed;
            return values.TryGetValue(index, out var v) ? v
                : throw new OracleException($"tensor {info} is read before any operator wrote it" + (feed is null ? "" : " and the run given has no such tensor"));
        }

        foreach (var op in graph.Operators)
        {
            var call = new OperatorCall(op, graph, Value);
            if (!OperatorTable.Default.TryGet(op.Code.Builtin, out var compute))
                throw new OracleException($"the oracle has no torch computation for {call.Where} yet; it covers " +
                    string.Join(", ", OperatorTable.Default.Operators.Select(o => o.ToString()).Order()));
            using var scope = torch.NewDisposeScope();
            Tensor[] results;
            try
            {
                results = compute(call);
            }
            catch (Exception e) when (e is not OracleException)
            {
                throw new OracleException($"torch failed on {call.Where}: {e.Message}", e);
            }
            if (results.Length != op.Outputs.Length)
                throw new OracleException($"{call.Where}: the oracle made {results.Length} outputs, the model has {op.Outputs.Length}");
            for (int slot = 0; slot < results.Length; slot++)
            {
                var output = Store(call, slot, results[slot]);
                values[output.Index] = output;
                tensors.Add(output);
                origins.Add(new TensorOrigin(op.Index, op.Name, slot));
            }
        }
        return new TensorSet { Label = label, Tensors = tensors, Origins = origins, ModelSource = model.Source };
    }

    private static TensorData Store(OperatorCall call, int slot, Tensor result)
    {
        var info = call.Output(slot);
        var real = result.to(ScalarType.Float64).contiguous().cpu();
        var shape = real.shape.Select(d => (int)d).ToArray();
        if (real.numel() != info.ElementCount)
            throw new OracleException($"{call.Where}: the oracle's output {slot} has shape [{string.Join(",", shape)}], " +
                $"the model declares {info} ({info.ElementCount} elements)");
        var bytes = TypedValues.ToBytes(real.data<double>().ToArray(), info.Type, info.Quantization);
        return new TensorData
        {
            Index = info.Index, Name = info.Name, Type = info.Type, Shape = info.Shape.ToArray(),
            Quantization = info.Quantization, IsConstant = false, Bytes = bytes,
        };
    }

    private static void CheckInputs(Model model, SubGraphInfo graph, IReadOnlyList<TensorData> inputs)
    {
        if (inputs.Count != graph.Inputs.Length)
            throw new OracleException($"{model.Source} has {graph.Inputs.Length} inputs; {inputs.Count} were given");
        for (int i = 0; i < inputs.Count; i++)
        {
            var info = graph.Tensors[graph.Inputs[i]];
            if (inputs[i].Bytes.Length != info.ByteCount)
                throw new OracleException($"input {i} of {model.Source} ({info}) needs {info.ByteCount} bytes; {inputs[i].Bytes.Length} were given");
        }
    }
}
