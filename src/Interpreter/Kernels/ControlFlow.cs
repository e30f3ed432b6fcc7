using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// IF, WHILE and CALL_ONCE: operators that run other subgraphs of the model, as TFLM's MicroGraph does — values
/// are copied into the called subgraph's input tensors and back out of its outputs (shapes are static, so every
/// pair must agree in bytes, checked in Prepare).
/// </summary>
internal static class ControlFlow
{
    /// <summary>The subgraph an option names, which the interpreter must have loaded (the reader has checked it exists).</summary>
    public static int RequireSubgraph(KernelContext context, Node node, int index, string role)
    {
        var host = context.Subgraphs!;
        node.Require(index >= 0 && index < host.Count && index != 0 && host.IsLoaded(index),
            $"names subgraph {index} as its {role}; the model's callable subgraphs are 1 to {host.Count - 1}");
        return index;
    }

    /// <summary>Each tensor of <paramref name="from"/> (skipping the first <paramref name="skip"/>) pairs with one of <paramref name="to"/> of the same byte size.</summary>
    public static void RequirePairs(Node node, IReadOnlyList<Tensor?> from, int skip, Tensor[] to, string what)
    {
        node.Require(from.Count - skip == to.Length, $"passes {from.Count - skip} tensors to {what}, which has {to.Length}");
        for (int i = 0; i < to.Length; i++)
        {
            var source = from[i + skip] ?? throw node.Unsupported($"tensor {i + skip} for {what} is omitted");
            node.Require(source.ByteCount == to[i].ByteCount,
                $"tensor {source.Index} {KernelChecks.ShapeText(source)} ({TensorTypes.Name(source.Type)}) and {what}'s tensor {to[i].Index} {KernelChecks.ShapeText(to[i])} ({TensorTypes.Name(to[i].Type)}) differ in size");
        }
    }

    public static void Copy(IReadOnlyList<Tensor?> from, int skip, Tensor[] to)
    {
        for (int i = 0; i < to.Length; i++)
            from[i + skip]!.Bytes.CopyTo(to[i].AsSpan<byte>());
    }

    public static void Copy(Tensor[] from, Tensor[] to)
    {
        for (int i = 0; i < to.Length; i++)
            from[i].Bytes.CopyTo(to[i].AsSpan<byte>());
    }

    /// <summary>A condition tensor's truth: TFLM reads its first byte as a bool.</summary>
    public static bool IsTrue(Tensor condition) => condition.Bytes[0] != 0;

    public static void RequireCondition(Node node, Tensor condition, string role)
    {
        node.Require(condition.Type == TensorType.BOOL && condition.ElementCount == 1,
            $"{role} tensor {condition.Index} is {TensorTypes.Name(condition.Type)}{KernelChecks.ShapeText(condition)}; a single bool is required");
    }
}

/// <summary>IF: runs the then or the else subgraph on inputs 1…n, by the bool in input 0.</summary>
internal sealed class IfKernel : OperatorKernel
{
    private sealed record OpData(int Then, int Else);

    public override void Prepare(KernelContext context, Node node)
    {
        var options = node.Operator.Options<IfOptions>() ?? throw node.Unsupported("has no IfOptions");
        node.Require(node.InputCount > 0, "has no condition input");
        ControlFlow.RequireCondition(node, node.Input(0), "condition");
        var host = context.Subgraphs!;
        int then = ControlFlow.RequireSubgraph(context, node, options.ThenSubgraphIndex, "then branch");
        int otherwise = ControlFlow.RequireSubgraph(context, node, options.ElseSubgraphIndex, "else branch");
        foreach (int branch in new[] { then, otherwise })
        {
            ControlFlow.RequirePairs(node, node.Inputs, 1, host.Inputs(branch), $"subgraph {branch}");
            ControlFlow.RequirePairs(node, host.Outputs(branch), 0, node.Outputs, $"the outputs of subgraph {branch}");
        }
        node.Data = new OpData(then, otherwise);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var host = context.Subgraphs!;
        int branch = ControlFlow.IsTrue(node.Inputs[0]!) ? d.Then : d.Else;
        ControlFlow.Copy(node.Inputs, 1, host.Inputs(branch));
        if (!host.Invoke(branch)) return;
        ControlFlow.Copy(host.Outputs(branch), node.Outputs);
    }
}

/// <summary>
/// WHILE: runs the body subgraph on the loop values for as long as the cond subgraph says so, in TFLM's order
/// (inputs to cond and to the outputs; then body, outputs, cond again), and stops with
/// <see cref="LoopLimitException"/> past <see cref="InterpreterOptions.MaxWhileIterations"/>.
/// </summary>
internal sealed class WhileKernel : OperatorKernel
{
    private sealed record OpData(int Cond, int Body, long Limit);

    public override void Prepare(KernelContext context, Node node)
    {
        var options = node.Operator.Options<WhileOptions>() ?? throw node.Unsupported("has no WhileOptions");
        var host = context.Subgraphs!;
        int cond = ControlFlow.RequireSubgraph(context, node, options.CondSubgraphIndex, "condition");
        int body = ControlFlow.RequireSubgraph(context, node, options.BodySubgraphIndex, "body");
        node.Require(node.InputCount == node.OutputCount, $"has {node.InputCount} inputs and {node.OutputCount} outputs; a loop carries the same values through");
        ControlFlow.RequirePairs(node, node.Inputs, 0, node.Outputs, "its outputs");
        ControlFlow.RequirePairs(node, node.Inputs, 0, host.Inputs(cond), $"subgraph {cond}");
        ControlFlow.RequirePairs(node, node.Inputs, 0, host.Inputs(body), $"subgraph {body}");
        ControlFlow.RequirePairs(node, host.Outputs(body), 0, node.Outputs, $"the outputs of subgraph {body}");
        node.Require(host.Outputs(cond).Length >= 1, $"condition subgraph {cond} has no output");
        ControlFlow.RequireCondition(node, host.Outputs(cond)[0], $"subgraph {cond}'s output");
        node.Data = new OpData(cond, body, host.MaxWhileIterations);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var host = context.Subgraphs!;
        var condInputs = host.Inputs(d.Cond);
        var condOutput = host.Outputs(d.Cond)[0];
        var bodyInputs = host.Inputs(d.Body);
        var bodyOutputs = host.Outputs(d.Body);
        ControlFlow.Copy(node.Inputs, 0, condInputs);
        ControlFlow.Copy(node.Inputs, 0, node.Outputs);
        if (!host.Invoke(d.Cond)) return;
        for (long iteration = 0; ControlFlow.IsTrue(condOutput); iteration++)
        {
            if (iteration == d.Limit)
                throw new LoopLimitException(node.Index, node.Name, d.Limit);
            ControlFlow.Copy(node.Outputs, bodyInputs);
            if (!host.Invoke(d.Body)) return;
            ControlFlow.Copy(bodyOutputs, node.Outputs);
            ControlFlow.Copy(node.Outputs, condInputs);
            if (!host.Invoke(d.Cond)) return;
        }
    }
}

/// <summary>CALL_ONCE: runs its init subgraph on the first Invoke only (again after the interpreter's Reset), e.g. to assign resource variables.</summary>
internal sealed class CallOnceKernel : OperatorKernel
{
    private sealed class OpData
    {
        public required int Init;
        public bool HasRun;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var options = node.Operator.Options<CallOnceOptions>();
        node.Require(node.InputCount == 0 && node.OutputCount == 0, $"has {node.InputCount} inputs and {node.OutputCount} outputs; CALL_ONCE takes none");
        node.Data = new OpData { Init = ControlFlow.RequireSubgraph(context, node, options?.InitSubgraphIndex ?? 0, "init subgraph") };
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        if (d.HasRun) return;
        if (!context.Subgraphs!.Invoke(d.Init)) return; // TFLM marks it run only when the subgraph finished
        d.HasRun = true;
    }

    public override void Reset(Node node)
    {
        if (node.Data is OpData d) d.HasRun = false;
    }
}
