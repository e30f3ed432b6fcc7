using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels.Custom;

/// <summary>
/// TFLM_DECODE: LUT and prune encodings written by this test's own packer, decoded in front of a FULLY_CONNECTED
/// layer, give the bytes of the same layer with plain int8 weights; Huffman decodes TFLM's own test stream (its
/// decode_state_huffman_test: 64 letters from a 16-symbol code) with 16- and 32-bit tables.
/// </summary>
public class DecodeTests
{
    private const int Units = 6, Depth = 10;

    /// <summary>x [1,10] → FULLY_CONNECTED with weights [6,10] (per-channel int8), given plainly or through TFLM_DECODE.</summary>
    private static MicroInterpreter Layer(sbyte[] weights, float[] scales, Func<ModelBuilder, int, int>? decoded)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [1, Depth], scales: [0.05f], zeroPoints: [3]);
        int w = decoded is null
            ? b.AddConstant("w", TensorType.INT8, [Units, Depth], weights, scales, new long[Units])
            : b.AddTensor("w", TensorType.INT8, [Units, Depth], scales: scales, zeroPoints: new long[Units]);
        if (decoded is not null) decoded(b, w);
        int y = b.AddTensor("y", TensorType.INT8, [1, Units], scales: [0.1f], zeroPoints: [-2]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, -1], [y], BuiltinOptionsUnion.FromFullyConnectedOptions(new FullyConnectedOptionsT()));
        b.SetInputs(x).SetOutputs(y);
        var interpreter = new MicroInterpreter(b.ToModel(), OpResolver.WithAllBuiltins(), 64 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(Enumerable.Range(0, Depth).Select(i => (sbyte)(i * 23 - 100)).ToArray());
        return interpreter;
    }

    private static void Decoded(ModelBuilder b, int output, byte[] encoded, byte[] ancillary)
    {
        int data = b.AddConstant("encoded", TensorType.UINT8, [encoded.Length], encoded);
        int aux = b.AddConstant("ancillary", TensorType.UINT8, [ancillary.Length], ancillary);
        b.AddOperator(BuiltinOperator.CUSTOM, [data, aux], [output], customCode: "TFLM_DECODE");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    public void Lut_weights_give_the_plain_layers_bytes(int width)
    {
        var r = new Random(width);
        int stride = 1 << width;
        // A value table per output channel; each weight is an index into its channel's table.
        var tables = Enumerable.Range(0, Units * stride).Select(_ => (sbyte)r.Next(-127, 128)).ToArray();
        var indices = Enumerable.Range(0, Units * Depth).Select(_ => r.Next(stride)).ToArray();
        var weights = indices.Select((index, i) => tables[i / Depth * stride + index]).ToArray();
        var scales = Enumerable.Range(0, Units).Select(u => 0.01f + 0.002f * u).ToArray();
        var ancillary = DecodeEncoder.Header(DecodeEncoder.Lut, (byte)width, (byte)stride).Concat(tables.Select(v => (byte)v)).ToArray();

        using var plain = Layer(weights, scales, null);
        using var decoded = Layer(weights, scales, (b, w) => { Decoded(b, w, DecodeEncoder.Pack(indices, width), ancillary); return w; });
        plain.Invoke();
        decoded.Invoke();
        Assert.Equal(plain.Output(0).ToArray<sbyte>(), decoded.Output(0).ToArray<sbyte>());
        Assert.Equal(weights, decoded.Tensors[1].ToArray<sbyte>()); // the decoded weights themselves
        Assert.Equal(0, InvokeAllocations.Measure(decoded));
    }

    [Fact]
    public void Pruned_weights_give_the_plain_layers_bytes()
    {
        var r = new Random(5);
        var weights = Enumerable.Range(0, Units * Depth).Select(_ => r.Next(3) == 0 ? (sbyte)r.Next(-127, 128) : (sbyte)0).ToArray();
        var kept = weights.Select(v => v != 0 ? 1 : 0).ToArray();
        var scales = Enumerable.Range(0, Units).Select(u => 0.02f).ToArray();
        var ancillary = DecodeEncoder.Header(DecodeEncoder.Prune).Concat(weights.Where(v => v != 0).Select(v => (byte)v)).ToArray();

        using var plain = Layer(weights, scales, null);
        using var decoded = Layer(weights, scales, (b, w) => { Decoded(b, w, DecodeEncoder.Pack(kept, 1), ancillary); return w; });
        plain.Invoke();
        decoded.Invoke();
        Assert.Equal(plain.Output(0).ToArray<sbyte>(), decoded.Output(0).ToArray<sbyte>());
    }

    // TFLM's decode_state_huffman_test data: an 8-entry first table (3 bits) and six nested ones.
    private static readonly byte[] HuffmanStream =
    [
        0xF0, 0x0D, 0x79, 0xFC, 0x9C, 0x1A, 0x6E, 0x4C, 0x32, 0xAF, 0x29, 0xB3, 0x5D, 0xF6, 0x36, 0x02,
        0x50, 0x15, 0x8C, 0xA7, 0x95, 0xDB, 0x29, 0x68, 0x3F, 0xBA, 0xB7, 0xED, 0xB1, 0x19, 0xE2, 0xE0,
    ];

    private static readonly ushort[] HuffmanTable16 =
    [
        0x986D, 0x9861, 0x986A, 0x0005, 0x0806, 0x0809, 0x000E, 0x000F, 0x886F, 0x8868, 0x8864, 0x8864,
        0x9069, 0x9066, 0x8863, 0x8863, 0x0002, 0x906B, 0x8867, 0x886C, 0x8865, 0x8862, 0x8870, 0x886E,
    ];

    private const string HuffmanText = "nmmacnanefdacopjomeckifookhbdbdmjjdmjgojfecpbiibmanbbjbnlgjafejp";

    [Theory]
    [InlineData(TensorType.INT8, false)]
    [InlineData(TensorType.INT8, true)]
    [InlineData(TensorType.INT16, true)]
    public void Huffman_decodes_tflms_test_stream(TensorType type, bool wideTable)
    {
        // The 32-bit table holds the same entries: flag, count and value moved to bits 31, 27–30 and 0–26.
        var table = wideTable
            ? HuffmanTable16.SelectMany(e => BitConverter.GetBytes(((e & 0x8000u) << 16) | ((e & 0x7800u) << 16) | (e & 0x07FFu))).ToArray()
            : HuffmanTable16.SelectMany(e => BitConverter.GetBytes(e)).ToArray();
        var ancillary = DecodeEncoder.Header(DecodeEncoder.Huffman, (byte)((2 << 4) | (wideTable ? 1 : 0))).Concat(table).ToArray();
        var b = new ModelBuilder();
        int stream = b.AddConstant("encoded", TensorType.UINT8, [HuffmanStream.Length], HuffmanStream);
        int aux = b.AddConstant("ancillary", TensorType.UINT8, [ancillary.Length], ancillary);
        int output = b.AddTensor("decoded", type, [1, 64]);
        b.AddOperator(BuiltinOperator.CUSTOM, [stream, aux], [output], customCode: "TFLM_DECODE");
        b.SetOutputs(output);
        using var interpreter = new MicroInterpreter(b.ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Invoke();
        var letters = type == TensorType.INT8
            ? interpreter.Output(0).ToArray<sbyte>().Select(v => (char)v)
            : interpreter.Output(0).ToArray<short>().Select(v => (char)v);
        Assert.Equal(HuffmanText, new string(letters.ToArray()));
    }

    [Fact]
    public void An_index_past_the_value_table_is_refused_at_prepare()
    {
        var ancillary = DecodeEncoder.Header(DecodeEncoder.Lut, 4, 16).Concat(new byte[Units * 16 - 1]).ToArray(); // one entry short
        var indices = Enumerable.Repeat(15, Units * Depth).ToArray();
        var e = Assert.ThrowsAny<TinyMlException>(() => Layer(new sbyte[Units * Depth], Enumerable.Repeat(0.01f, Units).ToArray(),
            (b, w) => { Decoded(b, w, DecodeEncoder.Pack(indices, 4), ancillary); return w; }));
        Assert.Contains("TFLM_DECODE", e.Message);
        Assert.Contains("value-table entry 95", e.Message);
    }
}
