using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using Padding = TinyMl.Interpreter.Schema.Padding;

namespace TinyMl.Oracle.Operators;

/// <summary>QUANTIZE and DEQUANTIZE pass real values (the runner stores them in the output's type); CAST converts stored values.</summary>
internal static class Conversions
{
    public static void Register(OperatorTable table)
    {
        table.Unary(BuiltinOperator.QUANTIZE, x => x);
        table.Unary(BuiltinOperator.DEQUANTIZE, x => x);
        table.Add(BuiltinOperator.DENSIFY, Densify);
        // CAST ignores quantization and truncates toward zero to integer types, as C++'s static_cast does.
        table.Add(BuiltinOperator.CAST, call =>
        {
            var x = call.Raw(0);
            var to = call.Output(0).Type;
            return [to is TensorType.FLOAT32 or TensorType.FLOAT64 or TensorType.FLOAT16 ? x
                : to == TensorType.BOOL ? x.ne(0).to(ScalarType.Float64) : x.trunc()];
        });
    }

    /// <summary>
    /// DENSIFY through torch's own sparse (COO) tensors, for rows dense and columns compressed, with or without
    /// blocks of columns. Other layouts the oracle does not cover.
    /// </summary>
    private static Tensor[] Densify(OperatorCall call)
    {
        var info = call.Input(0);
        var sparsity = info.Sparsity ?? throw call.Unsupported("its input is not sparse");
        var levels = sparsity.Levels;
        bool csr = info.Shape.Length == 2 && levels.Length == 2 && levels[0].Dense && !levels[1].Dense && sparsity.TraversalOrder.SequenceEqual([0, 1]);
        bool bsr = info.Shape.Length == 2 && levels.Length == 3 && levels[0].Dense && !levels[1].Dense && levels[2].Dense
            && sparsity.TraversalOrder.SequenceEqual([0, 1, 2]) && sparsity.BlockMap.SequenceEqual([1]);
        if (!csr && !bsr) throw call.Unsupported("only 2-D row-dense, column-compressed layouts (with or without column blocks) are covered");
        var stored = new Workbench.Tensors.TensorData
        {
            Index = info.Index, Name = info.Name, Type = info.Type, Shape = [sparsity.StoredValues], Quantization = info.Quantization,
            IsConstant = true, Bytes = info.Data.ToArray(),
        };
        // Coordinates of every stored value in torch's COO form: row from the segments, column from the indices
        // (times the block width, plus the place inside the block).
        int width = csr ? 1 : sparsity.BlockSizes[0];
        var rows = new List<long>();
        var columns = new List<long>();
        var segments = levels[1].Segments;
        for (int r = 0; r + 1 < segments.Length; r++)
            for (int e = segments[r]; e < segments[r + 1]; e++)
                for (int j = 0; j < width; j++)
                {
                    rows.Add(r);
                    columns.Add((long)levels[1].Indices[e] * width + j);
                }
        var coordinates = torch.tensor(rows.Concat(columns).ToArray(), [2, rows.Count]);
        var sparse = torch.sparse_coo_tensor(coordinates, torch.tensor(stored.RealValues(), ScalarType.Float64), [info.Shape[0], info.Shape[1]]);
        return [sparse.to_dense()];
    }
}
