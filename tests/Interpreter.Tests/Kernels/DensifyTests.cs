using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>Sparse constants (TFLite's sparsity format) are read by their own size rules and expanded by DENSIFY; expected matrices are the dense ones the test started from.</summary>
public class DensifyTests
{
    private static (Model Model, int StoredBytes) DensifyModel<T>(TensorType type, int rows, int columns, T[] dense, int blockColumns = 1,
        float[]? scales = null) where T : unmanaged, IEquatable<T>
    {
        var b = new ModelBuilder();
        int sparse = b.AddSparseConstant("w", type, rows, columns, dense, blockColumns, scales, scales is null ? null : [0]);
        int y = b.AddTensor("y", type, [rows, columns], scales: scales, zeroPoints: scales is null ? null : [0]);
        b.AddOperator(BuiltinOperator.DENSIFY, [sparse], [y]);
        b.SetOutputs(y);
        var model = b.ToModel("densify");
        return (model, model.MainSubgraph.Tensors[sparse].Data.Length);
    }

    private static T[] Run<T>(Model model) where T : unmanaged
    {
        using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Invoke();
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
        return interpreter.Output(0).ToArray<T>();
    }

    [Fact]
    public void Csr_float_weights_keep_only_their_non_zeros_and_expand_to_the_matrix()
    {
        float[] dense = [0, 1.5f, 0, 0, /**/ 0, 0, 0, 0, /**/ 2, 0, 0, -3];
        var (model, stored) = DensifyModel(TensorType.FLOAT32, 3, 4, dense);
        Assert.Equal(3 * sizeof(float), stored);
        Assert.Equal(dense, Run<float>(model));
    }

    [Fact]
    public void Block_sparse_int8_weights_expand_block_by_block()
    {
        sbyte[] dense = [1, 2, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 5, 0, /**/ 0, 0, 0, 0, 0, 0];
        var (model, stored) = DensifyModel(TensorType.INT8, 3, 6, dense, blockColumns: 2, scales: [0.1f]);
        Assert.Equal(4, stored); // two kept blocks of two values
        Assert.Equal(dense, Run<sbyte>(model));
    }

    [Fact]
    public void A_sparse_constant_read_by_any_other_operator_is_refused()
    {
        var b = new ModelBuilder();
        int w = b.AddSparseConstant("w", TensorType.FLOAT32, 2, 2, new[] { 0f, 1f, 0f, 0f });
        int x = b.AddTensor("x", TensorType.FLOAT32, [2, 2]);
        int y = b.AddTensor("y", TensorType.FLOAT32, [2, 2]);
        b.AddOperator(BuiltinOperator.ADD, [x, w], [y]);
        using var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Equal("operator 0 (ADD) reads tensor 0 ('w'), which is stored sparse; a DENSIFY operator must expand it first", e.Message);
    }

    [Fact]
    public void Malformed_sparsity_is_a_format_error_naming_tensor_and_field()
    {
        var b = new ModelBuilder();
        int w = b.AddSparseConstant("w", TensorType.FLOAT32, 2, 3, new[] { 0f, 1f, 0f, 2f, 0f, 3f });
        int y = b.AddTensor("y", TensorType.FLOAT32, [2, 3]);
        b.AddOperator(BuiltinOperator.DENSIFY, [w], [y]);
        b.SetOutputs(y);
        // A column index past the matrix's 3 columns.
        b.Edit(m => m.Subgraphs[0].Tensors[w].Sparsity.DimMetadata[1].ArrayIndices.AsInt32Vector().Values[0] = 7);
        var e = Assert.Throws<ModelFormatException>(() => b.ToModel("bad sparsity"));
        Assert.Equal("bad sparsity: subgraph 0, tensor 0 ('w'), field sparsity: compressed level 1 lists index 7; its dimension has 3 positions", e.Message);
    }
}
