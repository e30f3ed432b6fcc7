using TinyMl.Interpreter.Schema;
using TinyMl.Interpreter.Tests.Kernels;

namespace TinyMl.Interpreter.Tests.Fuzzing;

/// <summary>
/// Index tensors a mutant or a careless caller could give the data-movement kernels: runtime ones filled
/// by the reference-input rule (huge, negative) must fail Invoke with a typed data error before any read
/// outside a buffer; constant ones at the extremes of int32/int64 must be refused by Prepare, naming the problem.
/// </summary>
public class HostileIndexTests
{
    private const TensorType F = TensorType.FLOAT32, I32 = TensorType.INT32, I64 = TensorType.INT64;

    public static TheoryData<string> RuntimeCases() => new(
        "SLICE", "GATHER", "GATHER_ND", "SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND", "MIRROR_PAD", "REVERSE_V2",
        "EMBEDDING_LOOKUP", "CUMSUM", "ARG_MAX", "BROADCAST_ARGS");

    private static MicroInterpreter Runtime(string name)
    {
        var m = new ElementwiseOpModel();
        var op = Enum.Parse<BuiltinOperator>(name);
        switch (op)
        {
            case BuiltinOperator.SLICE:
            {
                int x = m.Input(F, [4, 4]), b = m.Input(I64, [2]), s = m.Input(I64, [2]);
                m.Output(F, [2, 2]);
                return m.Build(op, [x, b, s]);
            }
            case BuiltinOperator.GATHER or BuiltinOperator.GATHER_ND:
            {
                int x = m.Input(F, [4, 4]), i = m.Input(I32, [3, op == BuiltinOperator.GATHER ? 1 : 2]);
                m.Output(F, op == BuiltinOperator.GATHER ? [3, 1, 4] : [3]);
                return m.Build(op, [x, i]);
            }
            case BuiltinOperator.SPACE_TO_BATCH_ND or BuiltinOperator.BATCH_TO_SPACE_ND:
            {
                int x = m.Input(F, [4, 2, 2, 1]), b = m.Input(I32, [2]), p = m.Input(I32, [2, 2]);
                m.Output(F, op == BuiltinOperator.SPACE_TO_BATCH_ND ? [16, 1, 1, 1] : [1, 4, 4, 1]);
                return m.Build(op, [x, b, p]);
            }
            case BuiltinOperator.MIRROR_PAD:
            {
                int x = m.Input(F, [3, 3]), p = m.Input(I64, [2, 2]);
                m.Output(F, [5, 5]);
                return m.Build(op, [x, p], BuiltinOptionsUnion.FromMirrorPadOptions(new MirrorPadOptionsT { Mode = MirrorPadMode.SYMMETRIC }));
            }
            case BuiltinOperator.REVERSE_V2:
            {
                int x = m.Input(F, [2, 3]), a = m.Input(I32, [1]);
                m.Output(F, [2, 3]);
                return m.Build(op, [x, a]);
            }
            case BuiltinOperator.EMBEDDING_LOOKUP:
            {
                int ids = m.Input(I32, [2]);
                int table = m.Constant(F, [3, 2], new float[6]);
                m.Output(F, [2, 2]);
                return m.Build(op, [ids, table]);
            }
            case BuiltinOperator.CUMSUM or BuiltinOperator.ARG_MAX:
            {
                int x = m.Input(F, [3, 4]), a = m.Input(I32, [1]);
                m.Output(op == BuiltinOperator.CUMSUM ? F : I32, op == BuiltinOperator.CUMSUM ? [3, 4] : [3]);
                return m.Build(op, [x, a]);
            }
            default:
            {
                int a = m.Input(I32, [3]), b = m.Input(I32, [3]);
                m.Output(I32, [3]);
                return m.Build(op, [a, b]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(RuntimeCases))]
    public void Reference_inputs_as_indices_fail_invoke_with_a_data_error(string name)
    {
        using var interpreter = Runtime(name);
        ReferenceInputs.Fill(interpreter);
        var e = Assert.Throws<KernelInvokeException>(interpreter.Invoke);
        Assert.IsType<TensorDataException>(e.InnerException);
        Assert.Null(e.InnerException!.InnerException);
        Assert.StartsWith($"operator 0 ({name}) failed: ", e.Message);
    }

    [Fact]
    public void Extreme_constant_indices_are_refused_in_prepare()
    {
        var slice = new ElementwiseOpModel();
        int x = slice.Input(F, [4]);
        int b = slice.Constant(I64, [1], new[] { long.MaxValue });
        int s = slice.Constant(I64, [1], new[] { 2L });
        slice.Output(F, [2]);
        Assert.Contains("dimension 0 is out of range", slice.Rejects(BuiltinOperator.SLICE, [x, b, s]).Message);

        var pad = new ElementwiseOpModel();
        int y = pad.Input(F, [3]);
        int p = pad.Constant(I64, [1, 2], new[] { long.MinValue, 1L });
        pad.Output(F, [4]);
        Assert.Contains("SYMMETRIC allows 0 to 3", pad.Rejects(BuiltinOperator.MIRROR_PAD, [y, p],
            BuiltinOptionsUnion.FromMirrorPadOptions(new MirrorPadOptionsT { Mode = MirrorPadMode.SYMMETRIC })).Message);

        var batch = new ElementwiseOpModel();
        int z = batch.Input(F, [4, 1, 1, 1]);
        int block = batch.Constant(I32, [2], new[] { 65536, 65536 });
        int crops = batch.Constant(I32, [2, 2], new int[4]);
        batch.Output(F, [1, 2, 2, 1]);
        Assert.Contains("is not a multiple of the block's 4294967296", batch.Rejects(BuiltinOperator.BATCH_TO_SPACE_ND, [z, block, crops]).Message);

        var nd = new ElementwiseOpModel();
        int w = nd.Input(F, [2, 2]);
        int idx = nd.Constant(I32, [1, 2], new[] { int.MaxValue, int.MaxValue });
        nd.Output(F, [1]);
        Assert.Contains("points outside params tensor 0 [2,2]", nd.Rejects(BuiltinOperator.GATHER_ND, [w, idx]).Message);
    }
}
