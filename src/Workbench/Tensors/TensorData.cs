using System.Buffers.Binary;
using TinyMl.Interpreter;
using TensorType = TinyMl.Interpreter.Schema.TensorType;

namespace TinyMl.Workbench.Tensors;

/// <summary>
/// A snapshot of one tensor: its description and a copy of its bytes. Views hold snapshots, not live
/// tensors, because the interpreter reuses arena bytes on the next Invoke (or the next operator).
/// Every view, the parity report and the saved reference sets read tensor values through this type.
/// </summary>
public sealed class TensorData
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required TensorType Type { get; init; }
    public required int[] Shape { get; init; }
    public required QuantizationParams? Quantization { get; init; }
    public required bool IsConstant { get; init; }
    /// <summary>A variable tensor (state kept across Invoke, e.g. an SVDF or LSTM state).</summary>
    public bool IsVariable { get; init; }
    /// <summary>
    /// For a tensor taken from a running interpreter: the first operator whose buffer reuses its arena bytes
    /// (see <see cref="Tensor.BytesReusedFromOperator"/>); after an Invoke the copied bytes are that buffer's.
    /// </summary>
    public int? BytesReusedFromOperator { get; init; }
    /// <summary>The raw little-endian bytes (empty when the tensor had no memory).</summary>
    public required byte[] Bytes { get; init; }

    public string TypeName => TensorTypes.Name(Type);
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * Math.Max(d, 0));
    public bool IsQuantized => Quantization is { Scales.Length: > 0 } q && q.Scales.Any(s => s != 0f);
    public bool HasValues => Bytes.Length > 0 && ElementCount > 0 &&
        Bytes.Length >= (Type == TensorType.INT4 ? (ElementCount + 1) / 2 : ElementCount * ElementBytes(Type));

    /// <summary>
    /// A copy of a running interpreter's tensor as it is now. If the arena has since handed its bytes to a
    /// later buffer, the copy says so (<see cref="BytesReusedFromOperator"/>) and the views warn.
    /// </summary>
    public static TensorData From(Tensor tensor) => Copy(tensor, tensor.BytesReusedFromOperator);

    /// <summary>A copy taken while the tensor's bytes are known to be its own (before an Invoke for an input, right after its operator for an output).</summary>
    public static TensorData Snapshot(Tensor tensor) => Copy(tensor, null);

    private static TensorData Copy(Tensor tensor, int? reusedFrom) => new()
    {
        Index = tensor.Index,
        Name = tensor.Name,
        Type = tensor.Type,
        Shape = tensor.ShapeArray(),
        Quantization = tensor.Quantization,
        IsConstant = tensor.IsConstant,
        IsVariable = tensor.IsVariable,
        BytesReusedFromOperator = reusedFrom,
        Bytes = tensor.HasData ? tensor.Bytes.ToArray() : [],
    };

    /// <summary>A tensor as the model file describes it; constants carry their data, others none.</summary>
    public static TensorData From(TensorInfo tensor) => new()
    {
        Index = tensor.Index,
        Name = tensor.Name,
        Type = tensor.Type,
        Shape = tensor.Shape.ToArray(),
        Quantization = tensor.Quantization,
        IsConstant = tensor.IsConstant,
        IsVariable = tensor.IsVariable,
        Bytes = tensor.Data.ToArray(),
    };

    /// <summary>Bytes per stored element (types of no fixed size count as 1, so their bytes are at least there).</summary>
    private static int ElementBytes(TensorType type) => Math.Max(TensorTypes.ElementSize(type), 1);

    /// <summary>The stored values as doubles (no dequantization); NaN where the type has no numeric reading.</summary>
    public double[] RawValues()
    {
        if (!HasValues) return [];
        long count = ElementCount;
        var values = new double[count];
        var b = Bytes.AsSpan();
        // int4 lives unpacked (one value a byte) in the arena but packed in the model file, low nibble first.
        bool packedInt4 = Type == TensorType.INT4 && b.Length < count;
        for (long i = 0; i < count; i++)
        {
            int k = (int)i;
            values[i] = Type switch
            {
                TensorType.INT8 => (sbyte)b[k],
                TensorType.UINT8 => b[k],
                TensorType.BOOL => b[k] != 0 ? 1 : 0,
                TensorType.INT4 when packedInt4 => (sbyte)(k % 2 == 0 ? b[k / 2] << 4 : b[k / 2] & 0xF0) >> 4,
                TensorType.INT4 => (sbyte)b[k],
                TensorType.INT16 => BinaryPrimitives.ReadInt16LittleEndian(b[(2 * k)..]),
                TensorType.UINT16 => BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * k)..]),
                TensorType.INT32 => BinaryPrimitives.ReadInt32LittleEndian(b[(4 * k)..]),
                TensorType.UINT32 => BinaryPrimitives.ReadUInt32LittleEndian(b[(4 * k)..]),
                TensorType.INT64 => BinaryPrimitives.ReadInt64LittleEndian(b[(8 * k)..]),
                TensorType.UINT64 => BinaryPrimitives.ReadUInt64LittleEndian(b[(8 * k)..]),
                TensorType.FLOAT32 => BinaryPrimitives.ReadSingleLittleEndian(b[(4 * k)..]),
                TensorType.FLOAT16 => (double)BinaryPrimitives.ReadHalfLittleEndian(b[(2 * k)..]),
                TensorType.BFLOAT16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * k)..]) << 16),
                TensorType.FLOAT64 => BinaryPrimitives.ReadDoubleLittleEndian(b[(8 * k)..]),
                _ => double.NaN,
            };
        }
        return values;
    }

    /// <summary>
    /// Real values: scale * (q - zero_point), per channel along the quantized dimension where the
    /// tensor is per-channel quantized; unquantized tensors give their raw values.
    /// </summary>
    public double[] RealValues()
    {
        var values = RawValues();
        if (!IsQuantized || values.Length == 0) return values;
        var q = Quantization!;
        if (!q.IsPerChannel)
        {
            for (int i = 0; i < values.Length; i++) values[i] = q.Scale * (values[i] - q.ZeroPoint);
            return values;
        }
        for (long i = 0; i < values.Length; i++)
        {
            int c = ChannelOf(i);
            float scale = c < q.Scales.Length ? q.Scales[c] : q.Scale;
            int zero = c < q.ZeroPoints.Length ? q.ZeroPoints[c] : q.ZeroPoint;
            values[i] = scale * (values[i] - zero);
        }
        return values;
    }

    /// <summary>The channel (along the quantized dimension) of the element at <paramref name="flatIndex"/>; 0 for per-tensor quantization.</summary>
    private int ChannelOf(long flatIndex)
    {
        if (Quantization is not { IsPerChannel: true } q) return 0;
        int dim = q.QuantizedDimension;
        int channels = dim < Shape.Length ? Shape[dim] : 1;
        long inner = 1;
        for (int d = dim + 1; d < Shape.Length; d++) inner *= Math.Max(Shape[d], 1);
        return (int)(flatIndex / inner % Math.Max(channels, 1));
    }

    /// <summary>The scale of the element at <paramref name="flatIndex"/> (its channel's when per-channel): one LSB in real units; 0 when not quantized.</summary>
    public double ScaleAt(long flatIndex)
    {
        if (!IsQuantized) return 0;
        var q = Quantization!;
        int c = ChannelOf(flatIndex);
        return c < q.Scales.Length ? q.Scales[c] : q.Scale;
    }

    /// <summary>The smallest and largest value the type can hold (for counting saturated elements); null for float types.</summary>
    public (double Min, double Max)? TypeLimits => Type switch
    {
        TensorType.INT8 => (sbyte.MinValue, sbyte.MaxValue),
        TensorType.UINT8 => (byte.MinValue, byte.MaxValue),
        TensorType.INT16 => (short.MinValue, short.MaxValue),
        TensorType.UINT16 => (ushort.MinValue, ushort.MaxValue),
        TensorType.INT32 => (int.MinValue, int.MaxValue),
        TensorType.INT4 => (-8, 7),
        _ => null,
    };

    public override string ToString() => $"{Index} '{Name}' {TypeName}[{string.Join(",", Shape)}]";
}
