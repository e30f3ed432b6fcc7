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
        CheckInputs(model, model.MainSubgraph, inputs);
        var tensors = new List<TensorData>();
        var origins = new List<TensorOrigin>();
        new Session(model, feed).RunGraph(0, inputs, tensors, origins);
        return new TensorSet { Label = label, Tensors = tensors, Origins = origins, ModelSource = model.Source };
    }

    // A loop the oracle follows must end too: past this, the model (or the oracle) is broken.
    private const long MaxWhileIterations = 1_000_000;

    /// <summary>
    /// One run of a model: subgraph 0 recorded tensor by tensor, subgraphs run by IF, WHILE and CALL_ONCE computed
    /// the same way on values copied in and out (as TFLM does), resource variables held as the bytes last assigned.
    /// </summary>
    private sealed class Session(Model model, Func<int, TensorData?>? feed)
    {
        private readonly List<(string Container, string Name)> _variableNames = [];
        private readonly Dictionary<int, byte[]> _variables = [];
        private readonly HashSet<int> _calledOnce = [];

        /// <summary>Runs subgraph <paramref name="s"/> on <paramref name="inputs"/>; returns its outputs. Records the tensors of subgraph 0 only.</summary>
        public TensorData[] RunGraph(int s, IReadOnlyList<TensorData> inputs, List<TensorData>? tensors = null, List<TensorOrigin>? origins = null)
        {
            var graph = model.Subgraphs[s];
            var values = new Dictionary<int, TensorData>();
            for (int i = 0; i < graph.Inputs.Length; i++)
            {
                values[graph.Inputs[i]] = s == 0 ? inputs[i] : Relabel(graph.Tensors[graph.Inputs[i]], inputs[i].Bytes);
                tensors?.Add(inputs[i]);
                origins?.Add(TensorOrigin.ModelInput(i));
            }

            TensorData Value(int index)
            {
                var info = graph.Tensors[index];
                if (info.IsConstant) return TensorData.From(info);
                if (s == 0 && feed?.Invoke(index) is { } fed) return fed;
                if (info.IsVariable && !values.ContainsKey(index)) return values[index] = InitialState(info);
                return values.TryGetValue(index, out var v) ? v
                    : throw new OracleException($"tensor {info} of subgraph {s} is read before any operator wrote it" + (feed is null ? "" : " and the run given has no such tensor"));
            }

            foreach (var op in graph.Operators)
            {
                var call = new OperatorCall(op, graph, Value);
                var outputs = ControlFlow(call, s, Value) ?? Compute(call);
                for (int slot = 0; slot < outputs.Length; slot++)
                {
                    values[outputs[slot].Index] = outputs[slot];
                    tensors?.Add(outputs[slot]);
                    origins?.Add(new TensorOrigin(op.Index, op.Name, slot));
                }
            }
            return graph.Outputs.Select(Value).ToArray();
        }

        private static TensorData[] Compute(OperatorCall call)
        {
            var op = call.Operator;
            if (!OperatorTable.Default.TryGet(op.Code, out var compute))
                throw new OracleException($"the oracle has no torch computation for {call.Where} yet; it covers " +
                    string.Join(", ", OperatorTable.Default.Names));
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
            return results.Select((r, slot) => Store(call, slot, r)).ToArray();
        }

        /// <summary>The outputs of a control-flow or resource-variable operator, or null for any other (torch computes those).</summary>
        private TensorData[]? ControlFlow(OperatorCall call, int s, Func<int, TensorData> value)
        {
            var op = call.Operator;
            TensorData[] Inputs(int skip) => op.Inputs.Skip(skip).Select(value).ToArray();
            TensorData[] AsOutputs(IEnumerable<TensorData> results) =>
                results.Select((r, slot) => Relabel(call.Output(slot), r.Bytes)).ToArray();
            switch (op.Code.Builtin)
            {
                case Interpreter.Schema.BuiltinOperator.IF:
                {
                    var o = call.Options<Interpreter.Schema.IfOptions>();
                    bool condition = value(op.Inputs[0]).Bytes[0] != 0;
                    return AsOutputs(RunGraph(condition ? o.ThenSubgraphIndex : o.ElseSubgraphIndex, Inputs(1)));
                }
                case Interpreter.Schema.BuiltinOperator.WHILE:
                {
                    var o = call.Options<Interpreter.Schema.WhileOptions>();
                    var loop = Inputs(0);
                    for (long i = 0; RunGraph(o.CondSubgraphIndex, loop)[0].Bytes[0] != 0; i++)
                    {
                        if (i == MaxWhileIterations)
                            throw new OracleException($"{call.Where} still loops after {MaxWhileIterations:N0} iterations");
                        loop = RunGraph(o.BodySubgraphIndex, loop);
                    }
                    return AsOutputs(loop);
                }
                case Interpreter.Schema.BuiltinOperator.CALL_ONCE:
                {
                    int init = call.OptionalOptions<Interpreter.Schema.CallOnceOptions>()?.InitSubgraphIndex ?? 0;
                    if (_calledOnce.Add(init)) RunGraph(init, []);
                    return [];
                }
                case Interpreter.Schema.BuiltinOperator.VAR_HANDLE:
                {
                    var o = call.OptionalOptions<Interpreter.Schema.VarHandleOptions>();
                    var key = (o?.Container ?? "", o?.SharedName ?? "");
                    int id = _variableNames.IndexOf(key);
                    if (id < 0) { _variableNames.Add(key); id = _variableNames.Count - 1; }
                    return [Relabel(call.Output(0), BitConverter.GetBytes(id))];
                }
                case Interpreter.Schema.BuiltinOperator.ASSIGN_VARIABLE:
                    _variables[BitConverter.ToInt32(value(op.Inputs[0]).Bytes)] = value(op.Inputs[1]).Bytes.ToArray();
                    return [];
                case Interpreter.Schema.BuiltinOperator.READ_VARIABLE:
                {
                    int id = BitConverter.ToInt32(value(op.Inputs[0]).Bytes);
                    return _variables.TryGetValue(id, out var bytes)
                        ? [Relabel(call.Output(0), bytes)]
                        : throw new OracleException($"{call.Where} reads a resource variable no ASSIGN_VARIABLE has set");
                }
                default:
                    return null;
            }
        }

        /// <summary>A variable tensor as the runtime starts it: its data if the model has some, else the zero point (int8) or zeros.</summary>
        private static TensorData InitialState(TensorInfo info)
        {
            var bytes = new byte[info.ByteCount];
            if (info.Type == Interpreter.Schema.TensorType.INT8 && info.Quantization is { Count: > 0 } q)
                Array.Fill(bytes, (byte)(sbyte)q.ZeroPoint);
            return Relabel(info, bytes);
        }

        private static TensorData Relabel(TensorInfo info, byte[] bytes) => new()
        {
            Index = info.Index, Name = info.Name, Type = info.Type, Shape = info.Shape.ToArray(),
            Quantization = info.Quantization, IsConstant = false, Bytes = bytes.ToArray(),
        };
    }

    private static TensorData Store(OperatorCall call, int slot, Tensor result)
    {
        var info = call.Output(slot);
        var real = result.to(ScalarType.Float64).contiguous().cpu();
        var shape = real.shape.Select(d => (int)d).ToArray();
        if (real.numel() != info.ElementCount)
            throw new OracleException($"{call.Where}: the oracle's output {slot} has shape [{string.Join(",", shape)}], " +
                $"the model declares {info} ({info.ElementCount} elements)");
        var bytes = TypedValues.ToBytes(real.data<double>().ToArray(), info.Type, info.Quantization, info.Shape.ToArray());
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
