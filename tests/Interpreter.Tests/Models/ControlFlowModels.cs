using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Models;

/// <summary>
/// Small models with several subgraphs, built in code: the interpreter's control-flow tests and the TorchSharp
/// oracle's tests (which link this file) run the same ones.
/// </summary>
public static class ControlFlowModels
{
    private const TensorType F = TensorType.FLOAT32;

    /// <summary>Subgraph 1: a + 1; subgraph 2: a · 2; the main graph picks one with IF.</summary>
    public static Model IfModel()
    {
        var b = new ModelBuilder();
        int cond = b.AddTensor("cond", TensorType.BOOL, [1]);
        int x = b.AddTensor("x", F, [4]);
        int y = b.AddTensor("y", F, [4]);
        b.AddOperator(BuiltinOperator.IF, [cond, x], [y], BuiltinOptionsUnion.FromIfOptions(new IfOptionsT { ThenSubgraphIndex = 1, ElseSubgraphIndex = 2 }));
        b.SetInputs(cond, x).SetOutputs(y);
        foreach (var (op, constant) in new[] { (BuiltinOperator.ADD, 1f), (BuiltinOperator.MUL, 2f) })
        {
            b.AddSubgraph(op == BuiltinOperator.ADD ? "then" : "else");
            int a = b.AddTensor("a", F, [4]);
            int c = b.AddConstant("c", F, [1], new[] { constant });
            int r = b.AddTensor("r", F, [4]);
            b.AddOperator(op, [a, c], [r]);
            b.SetInputs(a).SetOutputs(r);
        }
        return b.ToModel("if model");
    }

    /// <summary>WHILE (i, acc): cond i &gt; <paramref name="stop"/>; body (i − 1, acc · 2), or (i + 0, acc) when <paramref name="forever"/>.</summary>
    public static Model WhileModel(int stop = 0, bool forever = false)
    {
        var b = new ModelBuilder();
        int i = b.AddTensor("i", TensorType.INT32, [1]);
        int acc = b.AddTensor("acc", F, [2]);
        int iOut = b.AddTensor("i_out", TensorType.INT32, [1]);
        int accOut = b.AddTensor("acc_out", F, [2]);
        b.AddOperator(BuiltinOperator.WHILE, [i, acc], [iOut, accOut], BuiltinOptionsUnion.FromWhileOptions(new WhileOptionsT { CondSubgraphIndex = 1, BodySubgraphIndex = 2 }));
        b.SetInputs(i, acc).SetOutputs(iOut, accOut);

        b.AddSubgraph("cond");
        int ci = b.AddTensor("ci", TensorType.INT32, [1]);
        int cacc = b.AddTensor("cacc", F, [2]);
        int limit = b.AddConstant("limit", TensorType.INT32, [1], new[] { stop });
        int more = b.AddTensor("more", TensorType.BOOL, [1]);
        b.AddOperator(BuiltinOperator.GREATER, [ci, limit], [more]);
        b.SetInputs(ci, cacc).SetOutputs(more);

        b.AddSubgraph("body");
        int bi = b.AddTensor("bi", TensorType.INT32, [1]);
        int bacc = b.AddTensor("bacc", F, [2]);
        int one = b.AddConstant("step", TensorType.INT32, [1], new[] { forever ? 0 : 1 });
        int two = b.AddConstant("factor", F, [1], new[] { forever ? 1f : 2f });
        int nextI = b.AddTensor("next_i", TensorType.INT32, [1]);
        int nextAcc = b.AddTensor("next_acc", F, [2]);
        b.AddOperator(BuiltinOperator.SUB, [bi, one], [nextI]);
        b.AddOperator(BuiltinOperator.MUL, [bacc, two], [nextAcc]);
        b.SetInputs(bi, bacc).SetOutputs(nextI, nextAcc);
        return b.ToModel("while model");
    }

    /// <summary>
    /// CALL_ONCE runs subgraph 1, which assigns [10, 20] to variable "acc"; the main graph then reads acc, adds x,
    /// stores the sum back and outputs it: a running total across invocations.
    /// </summary>
    public static Model AccumulatorModel()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", F, [2]);
        int handle = b.AddTensor("handle", TensorType.RESOURCE, []);
        int value = b.AddTensor("value", F, [2]);
        int sum = b.AddTensor("sum", F, [2]);
        var accVariable = BuiltinOptionsUnion.FromVarHandleOptions(new VarHandleOptionsT { Container = "", SharedName = "acc" });
        b.AddOperator(BuiltinOperator.CALL_ONCE, [], [], BuiltinOptionsUnion.FromCallOnceOptions(new CallOnceOptionsT { InitSubgraphIndex = 1 }));
        b.AddOperator(BuiltinOperator.VAR_HANDLE, [], [handle], accVariable);
        b.AddOperator(BuiltinOperator.READ_VARIABLE, [handle], [value]);
        b.AddOperator(BuiltinOperator.ADD, [value, x], [sum]);
        b.AddOperator(BuiltinOperator.ASSIGN_VARIABLE, [handle, sum], []);
        b.SetInputs(x).SetOutputs(sum);

        b.AddSubgraph("init");
        int initHandle = b.AddTensor("init_handle", TensorType.RESOURCE, []);
        int start = b.AddConstant("start", F, [2], new[] { 10f, 20f });
        b.AddOperator(BuiltinOperator.VAR_HANDLE, [], [initHandle], accVariable);
        b.AddOperator(BuiltinOperator.ASSIGN_VARIABLE, [initHandle, start], []);
        return b.ToModel("accumulator");
    }
}
