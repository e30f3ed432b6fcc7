using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class EmbeddingLookupTests
{
    [Fact]
    public void Looks_up_rows_by_id()
    {
        var m = new ElementwiseOpModel();
        int ids = m.Input(TensorType.INT32, [3]);
        int table = m.Constant(TensorType.FLOAT32, [3, 2], new[] { 0f, 0.1f, 1f, 1.1f, 2f, 2.1f });
        m.Output(TensorType.FLOAT32, [3, 2]);
        using var interpreter = m.Build(BuiltinOperator.EMBEDDING_LOOKUP, [ids, table]);
        Assert.Equal(new[] { 1f, 1.1f, 0f, 0.1f, 2f, 2.1f }, ElementwiseOpModel.Run<float>(interpreter, new[] { 1, 0, 2 }));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Hybrid_int8_rows_are_dequantized_with_the_table_scale_in_float32()
    {
        // value · scale in float32: 100 · 0.0125f, −128 · 0.0125f, 3 · 0.0125f.
        var m = new ElementwiseOpModel();
        int ids = m.Input(TensorType.INT32, [2]);
        int table = m.Constant(TensorType.INT8, [2, 3], new sbyte[] { 1, 2, 3, 100, -128, 3 }, scale: 0.0125f, zeroPoint: 0);
        m.Output(TensorType.FLOAT32, [2, 3]);
        using var interpreter = m.Build(BuiltinOperator.EMBEDDING_LOOKUP, [ids, table]);
        Assert.Equal(new[] { 100 * 0.0125f, -128 * 0.0125f, 3 * 0.0125f, 1 * 0.0125f, 2 * 0.0125f, 3 * 0.0125f },
            ElementwiseOpModel.Run<float>(interpreter, new[] { 1, 0 }));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
        var e = Assert.Throws<KernelInvokeException>(() => ElementwiseOpModel.Run<float>(interpreter, new[] { 2, 0 }));
        Assert.IsType<TensorDataException>(e.InnerException);
        Assert.Equal("operator 0 (EMBEDDING_LOOKUP) failed: ids tensor 0 ('in0') holds 2 at element 0, outside [0, 2)", e.Message);
    }

    [Fact]
    public void A_hybrid_table_with_a_zero_point_is_refused()
    {
        var m = new ElementwiseOpModel();
        int ids = m.Input(TensorType.INT32, [1]);
        int table = m.Constant(TensorType.INT8, [2, 1], new sbyte[] { 1, 2 }, scale: 0.5f, zeroPoint: 3);
        m.Output(TensorType.FLOAT32, [1, 1]);
        Assert.Equal("operator 0 (EMBEDDING_LOOKUP) value tensor 1 has zero point 3; the hybrid lookup needs 0",
            m.Rejects(BuiltinOperator.EMBEDDING_LOOKUP, [ids, table]).Message);
    }
}
