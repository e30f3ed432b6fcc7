using System.Buffers.Binary;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// TFLM_DECODE (TFLM custom op): expands compressed constant tensors before the operators that read them. Inputs
/// come in pairs — the encoded data and an "ancillary" byte tensor whose 16-byte header names the method — and
/// each pair fills one output, every Invoke, as TFLM does. Three methods, in TFLM's formats:
/// <list type="bullet">
/// <item>LUT (type 0): bit-packed indices (1–7 bits, most significant bit first) into a value table of
/// <c>stride</c> entries per channel;</item>
/// <item>Huffman (type 1): a big-endian bit stream walked through TFLM's nested lookup tables (16- or 32-bit
/// entries);</item>
/// <item>Prune (type 2): one bit per element (most significant first) — set: the next stored value; clear: the
/// channel's zero point.</item>
/// </list>
/// Channels follow the output's quantization (axis 0, or the last axis when it has several scales). Every index,
/// table entry and bit the data refers to is checked at Prepare (the data is constant), so a malformed
/// compression is a clear error before any Invoke, and Invoke never reads outside its tensors.
/// </summary>
internal sealed class DecodeKernel : OperatorKernel
{
    private const int HeaderBytes = 16;
    private enum Method : byte { Lut = 0, Huffman = 1, Prune = 2, Custom = 127 }

    private sealed record Part(Method Method, int ElementSize, int Count, int Channels, bool ChannelLast,
        int BitWidth, int Stride, bool WideTable, int InitialBits, sbyte[] ZeroPoints);

    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.OutputCount > 0 && node.InputCount == 2 * node.OutputCount,
            $"has {node.InputCount} inputs and {node.OutputCount} outputs; TFLM_DECODE takes an (encoded, ancillary) pair per output");
        var parts = new Part[node.OutputCount];
        for (int i = 0; i < parts.Length; i++)
        {
            var encoded = node.Input(2 * i);
            var ancillary = node.Input(2 * i + 1);
            var output = node.Output(i);
            node.Require(encoded.IsConstant && ancillary.IsConstant,
                $"pair {i}: encoded tensor {encoded.Index} and ancillary tensor {ancillary.Index} must be constants");
            var dcm = ancillary.AsReadOnlySpan<byte>();
            node.Require(dcm.Length >= HeaderBytes, $"pair {i}: ancillary tensor {ancillary.Index} holds {dcm.Length} bytes, fewer than the 16-byte header");
            node.Require(dcm[1] == 1, $"pair {i}: ancillary tensor {ancillary.Index} has header version {dcm[1]}; TFLM reads version 1");
            node.Require(dcm[4] == 1, $"pair {i}: ancillary tensor {ancillary.Index} has method version {dcm[4]}; TFLM reads version 1");
            var method = (Method)dcm[0];
            parts[i] = method switch
            {
                Method.Lut => PrepareLut(node, i, output, dcm),
                Method.Prune => PreparePrune(node, i, output),
                Method.Huffman => PrepareHuffman(node, i, output, dcm),
                Method.Custom => throw node.Unsupported($"pair {i}: custom decode methods (type 127) are not supported (nor are they by TFLM)"),
                _ => throw node.Unsupported($"pair {i}: decode type {dcm[0]} is unknown (0 LUT, 1 Huffman, 2 prune)"),
            };
            // The data is constant: decode it once here, so any index, table entry or bit out of range is the model's error now.
            string? problem = Decode(parts[i], encoded.AsReadOnlySpan<byte>(), dcm[HeaderBytes..], new byte[output.ByteCount]);
            node.Require(problem is null, $"pair {i}: {problem}");
        }
        node.Data = parts;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var parts = node.DataAs<Part[]>();
        for (int i = 0; i < parts.Length; i++)
            Decode(parts[i], node.Inputs[2 * i]!.AsReadOnlySpan<byte>(), node.Inputs[2 * i + 1]!.AsReadOnlySpan<byte>()[HeaderBytes..],
                node.Outputs[i].AsSpan<byte>());
    }

    /// <summary>Channel count and layout from the output's quantization, as TFLM resolves them (axis 0 or the last axis).</summary>
    private static (int Channels, bool Last) ChannelsOf(Node node, int pair, Tensor output)
    {
        var q = output.Quantization;
        if (q is null || q.Count == 0) return (1, false);
        bool last = q.QuantizedDimension == output.Rank - 1 && q.Count > 1;
        node.Require(last || q.QuantizedDimension == 0,
            $"pair {pair}: output tensor {output.Index} is quantized along axis {q.QuantizedDimension}; TFLM decodes channels on the first or last axis");
        node.Require(output.ElementCount % q.Count == 0,
            $"pair {pair}: output tensor {output.Index} has {output.ElementCount} elements, not a whole number of its {q.Count} channels");
        return (q.Count, last);
    }

    private static Part PrepareLut(Node node, int pair, Tensor output, ReadOnlySpan<byte> dcm)
    {
        node.RequireType(output, $"pair {pair} output", TensorType.BOOL, TensorType.FLOAT32, TensorType.INT8, TensorType.INT16, TensorType.INT32, TensorType.INT64);
        var (channels, last) = ChannelsOf(node, pair, output);
        int width = dcm[5] & 0x07;
        node.Require(width is >= 1 and <= 7, $"pair {pair}: LUT index width is {width} bits; TFLM reads 1 to 7");
        return new Part(Method.Lut, TensorTypes.ElementSize(output.Type), output.ElementCount, channels, last, width, dcm[6], false, 0, []);
    }

    private static Part PreparePrune(Node node, int pair, Tensor output)
    {
        node.RequireType(output, $"pair {pair} output", TensorType.BOOL, TensorType.FLOAT32, TensorType.INT8, TensorType.INT16, TensorType.INT32, TensorType.INT64);
        var (channels, last) = ChannelsOf(node, pair, output);
        var zeroPoints = new sbyte[channels];
        if (output.Quantization is { Count: > 0 } q)
        {
            var zeros = q.ZeroPoints;
            bool anyNonZero = zeros.Any(z => z != 0);
            node.Require(!anyNonZero || output.Type == TensorType.INT8,
                $"pair {pair}: output tensor {output.Index} is {TensorTypes.Name(output.Type)} with a nonzero zero point; TFLM's prune decoding needs all zero points 0 there");
            // TFLM keeps per-channel zero points only when there are several channels and one is nonzero; else channel 0's.
            for (int c = 0; c < channels; c++)
                zeroPoints[c] = (sbyte)(channels > 1 && anyNonZero ? zeros[c] : zeros[0]);
        }
        return new Part(Method.Prune, TensorTypes.ElementSize(output.Type), output.ElementCount, channels, last, 1, 0, false, 0, zeroPoints);
    }

    private static Part PrepareHuffman(Node node, int pair, Tensor output, ReadOnlySpan<byte> dcm)
    {
        bool wide = (dcm[5] & 0x01) != 0;
        int initialBits = ((dcm[5] & 0xF0) >> 4) + 1;
        if (wide)
            node.RequireType(output, $"pair {pair} output", TensorType.INT8, TensorType.INT16);
        else
            node.RequireType(output, $"pair {pair} output (16-bit Huffman table)", TensorType.INT8);
        return new Part(Method.Huffman, TensorTypes.ElementSize(output.Type), output.ElementCount, 1, false, 0, 0, wide, initialBits, []);
    }

    /// <summary>Fills <paramref name="output"/>; returns what is out of range, or null. Allocates nothing.</summary>
    private static string? Decode(Part p, ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> table, Span<byte> output) => p.Method switch
    {
        Method.Lut => DecodeLut(p, encoded, table, output),
        Method.Prune => DecodePrune(p, encoded, table, output),
        _ => DecodeHuffman(p, encoded, table, output),
    };

    /// <summary>Element i's channel: consecutive elements share one (first axis) or cycle through them (last axis).</summary>
    private static int ChannelOf(Part p, int i) => p.ChannelLast ? i % p.Channels : i / (p.Count / p.Channels);

    private static string? DecodeLut(Part p, ReadOnlySpan<byte> indices, ReadOnlySpan<byte> table, Span<byte> output)
    {
        long bits = (long)p.Count * p.BitWidth;
        if (bits > (long)indices.Length * 8)
            return $"{p.Count} indices of {p.BitWidth} bits need {(bits + 7) / 8} bytes; the encoded tensor holds {indices.Length}";
        int entries = table.Length / p.ElementSize, size = p.ElementSize;
        long position = 0;
        for (int i = 0; i < p.Count; i++)
        {
            int entry = ChannelOf(p, i) * p.Stride + ReadBits(indices, ref position, p.BitWidth);
            if (entry >= entries)
                return $"index {i} selects value-table entry {entry}; the table holds {entries}";
            table.Slice(entry * size, size).CopyTo(output.Slice(i * size, size));
        }
        return null;
    }

    private static string? DecodePrune(Part p, ReadOnlySpan<byte> mask, ReadOnlySpan<byte> values, Span<byte> output)
    {
        if (p.Count > (long)mask.Length * 8)
            return $"{p.Count} elements need a {(p.Count + 7) / 8}-byte mask; the encoded tensor holds {mask.Length}";
        int size = p.ElementSize, next = 0, stored = values.Length / size;
        long position = 0;
        for (int i = 0; i < p.Count; i++)
        {
            var target = output.Slice(i * size, size);
            if (ReadBits(mask, ref position, 1) != 0)
            {
                if (next >= stored)
                    return $"the mask keeps more than the {stored} values stored";
                values.Slice(next++ * size, size).CopyTo(target);
            }
            else
            {
                // Pruned: the zero point (nonzero only for int8, checked at Prepare); float zero is all-zero bits.
                target.Clear();
                if (size == 1) target[0] = (byte)p.ZeroPoints[ChannelOf(p, i)];
            }
        }
        return null;
    }

    /// <summary>
    /// TFLM's table-driven Huffman walk: look up the next <c>initial</c> bits; an entry without the "symbol" flag
    /// names how many more bits to read and where the next table starts; a symbol entry says how many of the bits
    /// read it did not use, which go back to the stream.
    /// </summary>
    private static string? DecodeHuffman(Part p, ReadOnlySpan<byte> stream, ReadOnlySpan<byte> tables, Span<byte> output)
    {
        int entrySize = p.WideTable ? 4 : 2;
        uint symbolFlag = p.WideTable ? 0x8000_0000u : 0x8000u, countMask = p.WideTable ? 0x7800_0000u : 0x7800u, valueMask = p.WideTable ? 0x07FF_FFFFu : 0x07FFu;
        int countShift = p.WideTable ? 27 : 11;
        int entries = tables.Length / entrySize;
        long position = 0;
        for (int i = 0; i < p.Count; i++)
        {
            int used = p.InitialBits;
            long offset = ReadBits(stream, ref position, used);
            if (offset >= entries) return $"symbol {i} reaches table entry {offset}; the tables hold {entries}";
            uint value = Entry(tables, (int)offset, p.WideTable);
            while ((value & symbolFlag) == 0)
            {
                used = (int)((value & countMask) >> countShift) + 1;
                offset += (value & valueMask) + ReadBits(stream, ref position, used);
                if (offset >= entries) return $"symbol {i} reaches table entry {offset}; the tables hold {entries}";
                value = Entry(tables, (int)offset, p.WideTable);
            }
            if (p.ElementSize == 1) output[i] = (byte)value;
            else BinaryPrimitives.WriteInt16LittleEndian(output.Slice(i * 2, 2), (short)value);
            int unused = (int)((value & countMask) >> countShift);
            if (used > unused) position -= used - unused;
            if (position > (long)stream.Length * 8) return $"symbol {i} ends past the {stream.Length}-byte stream";
        }
        return null;
    }

    private static uint Entry(ReadOnlySpan<byte> tables, int index, bool wide) =>
        wide ? BinaryPrimitives.ReadUInt32LittleEndian(tables[(index * 4)..]) : BinaryPrimitives.ReadUInt16LittleEndian(tables[(index * 2)..]);

    /// <summary>
    /// <paramref name="count"/> bits from bit <paramref name="position"/> on (advanced past them), most significant bit
    /// of each byte first — the order of LUT indices and prune masks, and of Huffman codes (TFLM stores those in
    /// big-endian 32-bit words, the same order byte by byte). Bits past the end read as 0: the Huffman decoder looks
    /// ahead by a whole table index at the last symbol and puts back what it did not use; LUT and prune data are
    /// checked long enough before they are read.
    /// </summary>
    private static int ReadBits(ReadOnlySpan<byte> data, ref long position, int count)
    {
        int value = 0;
        for (int k = 0; k < count; k++, position++)
        {
            long byteIndex = position >> 3;
            int bit = byteIndex < data.Length ? (data[(int)byteIndex] >> (7 - (int)(position & 7))) & 1 : 0;
            value = (value << 1) | bit;
        }
        return value;
    }
}
