using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// EMBEDDING_LOOKUP: row ids[i] of the value table for each of the int32 ids; float32 → float32,
/// int8 → int8 (a copy), and TFLM's hybrid int8 → float32, which dequantizes each row with the table's
/// per-tensor scale (zero point 0) in float32. Ids are checked against the rows: in Prepare when
/// constant, before any write in Invoke otherwise (TFLM returns an error from Invoke).
/// </summary>
internal sealed class EmbeddingLookupKernel : OperatorKernel
{
    private sealed class OpData
    {
        public bool Hybrid;
        public float Scale;
        public int Rows, Columns, RowBytes;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var ids = node.Input(0);
        var value = node.Input(1);
        var output = node.Output(0);
        node.RequireTensor(ids, "ids", 1, TensorType.INT32);
        node.RequireType(value, "value", TensorType.FLOAT32, TensorType.INT8);
        node.Require(value.Rank >= 2, $"value tensor {value.Index} has shape {KernelChecks.ShapeText(value)}; at least 2 dimensions expected");
        if (value.Type == TensorType.FLOAT32) node.RequireType(output, "output", TensorType.FLOAT32);
        else node.RequireType(output, "output", TensorType.FLOAT32, TensorType.INT8);
        var expected = new[] { ids.Dim(0) }.Concat(value.ShapeArray()[1..]).ToArray();
        node.Require(output.Shape.SequenceEqual(expected),
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; looking up {ids.Dim(0)} rows of {KernelChecks.ShapeText(value)} gives {IndexTensors.ShapeText(expected)}");
        var d = new OpData
        {
            Hybrid = value.Type == TensorType.INT8 && output.Type == TensorType.FLOAT32,
            Rows = value.Dim(0),
            Columns = IndexTensors.Product(value.Shape, 1, value.Rank),
        };
        d.RowBytes = d.Columns * TensorTypes.ElementSize(value.Type);
        if (d.Hybrid)
        {
            node.RequirePerTensorQuantization(value, "value");
            node.Require(value.ZeroPoint == 0, $"value tensor {value.Index} has zero point {value.ZeroPoint}; the hybrid lookup needs 0");
            d.Scale = value.Scale;
        }
        if (ids.IsConstant && FirstOutOfRange(ids, d.Rows) is int bad and >= 0)
            throw node.Unsupported($"ids tensor {ids.Index} holds {ids.AsReadOnlySpan<int>()[bad]} at element {bad}, outside the {d.Rows} rows of value tensor {value.Index}");
        node.Data = d;
    }

    private static int FirstOutOfRange(Tensor ids, int rows)
    {
        var values = ids.AsReadOnlySpan<int>();
        for (int i = 0; i < values.Length; i++)
            if ((uint)values[i] >= (uint)rows) return i;
        return -1;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var idTensor = node.Inputs[0]!;
        var value = node.Inputs[1]!;
        var output = node.Outputs[0];
        if (!idTensor.IsConstant && FirstOutOfRange(idTensor, d.Rows) is int bad and >= 0)
            throw IndexTensors.OutOfRange(node, "ids", idTensor, $"holds {idTensor.AsReadOnlySpan<int>()[bad]} at element {bad}, outside [0, {d.Rows})");
        var ids = idTensor.AsReadOnlySpan<int>();
        if (d.Hybrid)
        {
            var table = value.AsReadOnlySpan<sbyte>();
            var to = output.AsSpan<float>();
            for (int i = 0; i < ids.Length; i++)
            {
                var row = table.Slice(ids[i] * d.Columns, d.Columns);
                var outRow = to.Slice(i * d.Columns, d.Columns);
                for (int c = 0; c < row.Length; c++) outRow[c] = row[c] * d.Scale;
            }
            return;
        }
        var bytes = value.Bytes;
        var outBytes = output.AsSpan<byte>();
        for (int i = 0; i < ids.Length; i++)
            bytes.Slice(ids[i] * d.RowBytes, d.RowBytes).CopyTo(outBytes.Slice(i * d.RowBytes, d.RowBytes));
    }
}
