using System.Runtime.InteropServices;
using System.Text;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests;

/// <summary>
/// One test per rule of the model reader: each builds a small valid model, breaks one field (through
/// ModelBuilder.Edit or by patching bytes), and checks the error type and that the message names
/// where the problem is.
/// </summary>
public class ModelValidationTests
{
    // Tensors: 0 x float32[1,3], 1 w float32[2,3] (buffer 1), 2 b float32[2] (buffer 2), 3 y float32[1,2].
    private static ModelBuilder FullyConnected()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.FLOAT32, [1, 3]);
        int w = b.AddConstant("w", TensorType.FLOAT32, [2, 3], new[] { 1f, 2f, 3f, 4f, 5f, 6f });
        int bias = b.AddConstant("b", TensorType.FLOAT32, [2], new[] { 0.5f, -0.5f });
        int y = b.AddTensor("y", TensorType.FLOAT32, [1, 2]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, bias], [y]);
        return b.SetInputs(x).SetOutputs(y);
    }

    private static ModelFormatException Rejects(byte[] bytes) =>
        Assert.Throws<ModelFormatException>(() => Model.FromBytes(bytes, "test.tflite"));

    private static ModelFormatException Rejects(ModelBuilder builder) => Rejects(builder.Build());

    private static SubGraphT Graph(ModelT m) => m.Subgraphs[0];

    [Fact]
    public void The_unbroken_model_loads()
    {
        var model = Model.FromBytes(FullyConnected().Build(), "test.tflite");
        Assert.Equal(4, model.MainSubgraph.Tensors.Count);
        Assert.Equal(BuiltinOperator.FULLY_CONNECTED, model.MainSubgraph.Operators[0].Code.Builtin);
    }

    [Fact]
    public void Wrong_file_identifier_is_rejected_and_shown()
    {
        var bytes = FullyConnected().Build();
        Encoding.ASCII.GetBytes("ONNX").CopyTo(bytes, 4);
        var e = Rejects(bytes);
        Assert.Equal("test.tflite", e.Location);
        Assert.Contains("file identifier is 'ONNX', expected 'TFL3'", e.Message);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(2u)]
    [InlineData(4u)]
    public void Schema_version_other_than_3_is_rejected(uint version)
    {
        var e = Rejects(FullyConnected().Edit(m => m.Version = version));
        Assert.Equal("test.tflite: model, field version", e.Location);
        Assert.Contains($"schema version is {version}, expected 3", e.Message);
    }

    [Fact]
    public void Empty_file_is_rejected()
    {
        var e = Rejects(Array.Empty<byte>());
        Assert.Contains("test.tflite: file is 0 bytes, too short to be a flatbuffer", e.Message);
    }

    [Fact]
    public void Truncated_file_is_rejected_at_every_length()
    {
        var bytes = FullyConnected().Build();
        for (int length = 0; length < bytes.Length; length++)
        {
            var e = Rejects(bytes.AsSpan(0, length).ToArray());
            Assert.StartsWith("test.tflite", e.Message);
        }
        // Cut in the middle, past the header: the error says which field ran out of the file.
        var half = Rejects(bytes.AsSpan(0, bytes.Length / 2).ToArray());
        Assert.Contains("field", half.Location);
        Assert.Contains("outside the file", half.Message);
    }

    [Fact]
    public void Model_without_subgraphs_is_rejected()
    {
        var e = Rejects(FullyConnected().Edit(m => m.Subgraphs.Clear()));
        Assert.Equal("test.tflite: model, field subgraphs", e.Location);
        Assert.Contains("no subgraph 0", e.Message);
    }

    [Fact]
    public void Tensor_buffer_index_out_of_range_is_rejected()
    {
        var e = Rejects(FullyConnected().Edit(m => Graph(m).Tensors[1].Buffer = 99));
        Assert.Equal("test.tflite: subgraph 0, tensor 1 ('w'), field buffer", e.Location);
        Assert.Contains("buffer index 99 is out of range (the model has 3 buffers)", e.Message);
    }

    [Fact]
    public void Constant_buffer_of_the_wrong_size_is_rejected()
    {
        // w is float32[2,3]: 24 bytes; give it 20.
        var e = Rejects(FullyConnected().Edit(m => m.Buffers[1].Data = new byte[20].ToList()));
        Assert.Equal("test.tflite: subgraph 0, tensor 1 ('w'), field buffer", e.Location);
        Assert.Contains("constant buffer 1 holds 20 bytes, but float32[2,3] needs 24", e.Message);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-2)]
    public void Operator_input_index_out_of_range_is_rejected(int index)
    {
        var e = Rejects(FullyConnected().Edit(m => Graph(m).Operators[0].Inputs[1] = index));
        Assert.Equal("test.tflite: subgraph 0, operator 0 (FULLY_CONNECTED), field inputs", e.Location);
        Assert.Contains($"entry 1 is tensor index {index}, outside 0..3", e.Message);
    }

    [Fact]
    public void Omitted_optional_input_is_accepted_but_omitted_output_is_not()
    {
        var model = Model.FromBytes(FullyConnected().Edit(m => Graph(m).Operators[0].Inputs[2] = -1).Build());
        Assert.Equal(-1, model.MainSubgraph.Operators[0].Inputs[2]);

        var e = Rejects(FullyConnected().Edit(m => Graph(m).Operators[0].Outputs[0] = -1));
        Assert.Equal("test.tflite: subgraph 0, operator 0 (FULLY_CONNECTED), field outputs", e.Location);
        Assert.Contains("entry 0 is tensor index -1", e.Message);
    }

    [Fact]
    public void Operator_output_index_out_of_range_is_rejected()
    {
        var e = Rejects(FullyConnected().Edit(m => Graph(m).Operators[0].Outputs[0] = 7));
        Assert.Equal("test.tflite: subgraph 0, operator 0 (FULLY_CONNECTED), field outputs", e.Location);
        Assert.Contains("entry 0 is tensor index 7, outside 0..3", e.Message);
    }

    [Fact]
    public void Subgraph_input_index_out_of_range_is_rejected()
    {
        var e = Rejects(FullyConnected().Edit(m => Graph(m).Inputs[0] = 12));
        Assert.Equal("test.tflite: subgraph 0, field inputs", e.Location);
        Assert.Contains("tensor index 12", e.Message);
    }

    [Fact]
    public void Operator_writing_a_constant_is_rejected()
    {
        var e = Rejects(FullyConnected().Edit(m => Graph(m).Operators[0].Outputs[0] = 1));
        Assert.Equal("test.tflite: subgraph 0, operator 0 (FULLY_CONNECTED), field outputs", e.Location);
        Assert.Contains("output tensor 1 is a constant", e.Message);
    }

    [Fact]
    public void Opcode_index_out_of_range_is_rejected()
    {
        var e = Rejects(FullyConnected().Edit(m => Graph(m).Operators[0].OpcodeIndex = 1));
        Assert.Equal("test.tflite: subgraph 0, operator 0, field opcode_index", e.Location);
        Assert.Contains("opcode index 1 is out of range (the model has 1 operator codes)", e.Message);
    }

    [Fact]
    public void Unknown_builtin_code_is_rejected()
    {
        var e = Rejects(FullyConnected().Edit(m =>
        {
            m.OperatorCodes[0].BuiltinCode = (BuiltinOperator)999;
            m.OperatorCodes[0].DeprecatedBuiltinCode = 127;
        }));
        Assert.Equal("test.tflite: operator_codes 0, field builtin_code", e.Location);
        Assert.Contains("builtin code 999 (builtin_code 999, deprecated_builtin_code 127) is not a known operator", e.Message);
    }

    [Fact]
    public void Negative_deprecated_builtin_code_is_rejected()
    {
        var e = Rejects(FullyConnected().Edit(m => m.OperatorCodes[0].DeprecatedBuiltinCode = -5));
        Assert.Equal("test.tflite: operator_codes 0, field builtin_code", e.Location);
        Assert.Contains("deprecated_builtin_code -5", e.Message);
    }

    [Fact]
    public void Old_models_keep_the_code_in_deprecated_builtin_code()
    {
        // Schema-v3a writers left builtin_code at 0 (ADD); deprecated_builtin_code 3 is CONV_2D.
        var model = Model.FromBytes(FullyConnected().Edit(m =>
        {
            m.OperatorCodes[0].BuiltinCode = BuiltinOperator.ADD;
            m.OperatorCodes[0].DeprecatedBuiltinCode = 3;
        }).Build());
        Assert.Equal(BuiltinOperator.CONV_2D, model.OperatorCodes[0].Builtin);
        Assert.Equal("CONV_2D", model.MainSubgraph.Operators[0].Name);
    }

    [Fact]
    public void Codes_past_127_live_in_builtin_code_with_127_as_the_deprecated_placeholder()
    {
        var model = Model.FromBytes(FullyConnected().Edit(m =>
        {
            m.OperatorCodes[0].BuiltinCode = BuiltinOperator.BROADCAST_ARGS;
            m.OperatorCodes[0].DeprecatedBuiltinCode = 127;
        }).Build());
        Assert.Equal(BuiltinOperator.BROADCAST_ARGS, model.OperatorCodes[0].Builtin);
    }

    [Fact]
    public void Custom_operator_without_a_name_is_rejected()
    {
        var e = Rejects(FullyConnected().Edit(m =>
        {
            m.OperatorCodes[0].BuiltinCode = BuiltinOperator.CUSTOM;
            m.OperatorCodes[0].DeprecatedBuiltinCode = (sbyte)BuiltinOperator.CUSTOM;
            m.OperatorCodes[0].CustomCode = null;
        }));
        Assert.Equal("test.tflite: operator_codes 0, field custom_code", e.Location);
        Assert.Contains("custom operator has no custom_code", e.Message);
    }

    private static ModelBuilder PerChannelWeights(float[] scales, int quantizedDimension, int[]? biasShape = null, int biasDimension = 0)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [1, 4], scales: [0.5f], zeroPoints: [0]);
        int w = b.AddConstant("w", TensorType.INT8, [3, 4], new sbyte[12], scales: scales, quantizedDimension: quantizedDimension);
        int bias = b.AddConstant("bias", TensorType.INT32, biasShape ?? [3], new int[3], scales: [0.1f, 0.1f, 0.1f], quantizedDimension: biasDimension);
        int y = b.AddTensor("y", TensorType.INT8, [1, 3], scales: [1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, bias], [y]);
        return b.SetInputs(x).SetOutputs(y);
    }

    [Fact]
    public void Per_channel_scale_count_must_match_the_quantized_dimension()
    {
        var e = Rejects(PerChannelWeights([0.1f, 0.2f], quantizedDimension: 0));
        Assert.Equal("test.tflite: subgraph 0, tensor 1 ('w'), field quantization", e.Location);
        Assert.Contains("2 per-channel scales for dimension 0 of size 3", e.Message);
    }

    [Fact]
    public void Per_channel_quantized_dimension_must_be_inside_the_rank()
    {
        var e = Rejects(PerChannelWeights([0.1f, 0.2f, 0.3f], quantizedDimension: 2));
        Assert.Equal("test.tflite: subgraph 0, tensor 1 ('w'), field quantization", e.Location);
        Assert.Contains("quantized_dimension 2 is outside the tensor's rank 2", e.Message);
    }

    [Fact]
    public void Rank_one_per_channel_tensor_with_a_stale_quantized_dimension_loads_as_dimension_0()
    {
        // What TOCO wrote into person_detect's biases: the filter's dimension 3 on a rank-1 tensor.
        var model = Model.FromBytes(PerChannelWeights([0.1f, 0.2f, 0.3f], 0, biasShape: [3], biasDimension: 3).Build());
        Assert.Equal(0, model.MainSubgraph.Tensors[2].Quantization!.QuantizedDimension);
    }

    [Fact]
    public void Zero_points_must_be_one_per_scale()
    {
        var e = Rejects(PerChannelWeights([0.1f, 0.2f, 0.3f], 0).Edit(m => Graph(m).Tensors[1].Quantization.ZeroPoint = [0, 0]));
        Assert.Equal("test.tflite: subgraph 0, tensor 1 ('w'), field quantization", e.Location);
        Assert.Contains("3 scales but 2 zero points", e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-1f)]
    public void Scales_must_be_finite_and_not_negative(float scale)
    {
        var e = Rejects(PerChannelWeights([0.1f, scale, 0.3f], 0));
        Assert.Equal("test.tflite: subgraph 0, tensor 1 ('w'), field quantization", e.Location);
        Assert.Contains("scale 1 is", e.Message);
    }

    [Fact]
    public void Negative_dimension_is_rejected()
    {
        var e = Rejects(FullyConnected().Edit(m => Graph(m).Tensors[3].Shape = [1, -2]));
        Assert.Equal("test.tflite: subgraph 0, tensor 3 ('y'), field shape", e.Location);
        Assert.Contains("dimension 1 is -2", e.Message);
    }

    [Fact]
    public void Shapes_past_2_GB_are_rejected()
    {
        var e = Rejects(FullyConnected().Edit(m => Graph(m).Tensors[3].Shape = [65536, 65536]));
        Assert.Equal("test.tflite: subgraph 0, tensor 3 ('y'), field shape", e.Location);
        Assert.Contains("more than", e.Message);
    }

    [Fact]
    public void Unknown_tensor_type_is_rejected()
    {
        var e = Rejects(FullyConnected().Edit(m => Graph(m).Tensors[0].Type = (TensorType)77));
        Assert.Equal("test.tflite: subgraph 0, tensor 0 ('x'), field type", e.Location);
        Assert.Contains("tensor type 77 is not a TFLite type", e.Message);
    }

    private static byte[] OfflinePlan(params int[] words) => MemoryMarshal.AsBytes(words.AsSpan()).ToArray();

    [Fact]
    public void Offline_plan_of_the_right_size_loads()
    {
        var model = Model.FromBytes(FullyConnected().AddMetadata(Model.OfflineMemoryAllocationMetadata, OfflinePlan(1, 0, 4, 0, -1, -1, 16)).Build());
        Assert.Equal(new[] { 0, -1, -1, 16 }, TinyMl.Interpreter.OfflinePlan.ForMainSubgraph(model));
    }

    [Fact]
    public void Offline_plan_listing_the_wrong_tensor_count_is_rejected()
    {
        var e = Rejects(FullyConnected().AddMetadata(Model.OfflineMemoryAllocationMetadata, OfflinePlan(1, 0, 3, 0, -1, -1)));
        Assert.Equal("test.tflite: metadata 0 ('OfflineMemoryAllocation'), field buffer", e.Location);
        Assert.Contains("OfflineMemoryAllocation lists 3 tensor offsets, the model has 4 tensors", e.Message);
    }

    [Fact]
    public void Offline_plan_shorter_than_its_count_is_rejected()
    {
        var e = Rejects(FullyConnected().AddMetadata(Model.OfflineMemoryAllocationMetadata, OfflinePlan(1, 0, 4, 0, -1, -1)));
        Assert.Equal("test.tflite: metadata 0 ('OfflineMemoryAllocation'), field buffer", e.Location);
        Assert.Contains("OfflineMemoryAllocation is 24 bytes, 4 offsets need 28", e.Message);
    }

    [Fact]
    public void Offline_plan_not_made_of_int32_words_is_rejected()
    {
        var e = Rejects(FullyConnected().AddMetadata(Model.OfflineMemoryAllocationMetadata, new byte[30]));
        Assert.Equal("test.tflite: metadata 0 ('OfflineMemoryAllocation'), field buffer", e.Location);
        Assert.Contains("metadata is 30 bytes, not a whole number of int32 words", e.Message);
    }

    [Fact]
    public void Offline_plan_offsets_below_minus_one_are_rejected()
    {
        var e = Rejects(FullyConnected().AddMetadata(Model.OfflineMemoryAllocationMetadata, OfflinePlan(1, 0, 4, 0, -1, -7, 16)));
        Assert.Equal("test.tflite: metadata 0 ('OfflineMemoryAllocation'), field buffer", e.Location);
        Assert.Contains("offset for tensor 2 is -7", e.Message);
    }

    [Fact]
    public void Metadata_buffer_index_out_of_range_is_rejected()
    {
        var e = Rejects(FullyConnected().AddMetadata("min_runtime_version", new byte[4]).Edit(m => m.Metadata[0].Buffer = 40));
        Assert.Equal("test.tflite: metadata 0 ('min_runtime_version'), field buffer", e.Location);
        Assert.Contains("buffer index 40 is out of range", e.Message);
    }

    [Fact]
    public void Vector_length_past_the_end_of_the_file_is_rejected_before_allocating()
    {
        // Point the subgraph's tensor vector length at 2^30 entries: 4 GB of offsets in a tiny file.
        var bytes = FullyConnected().Build();
        var model = Model.FromBytes(bytes);
        int lengthPosition = FindTensorVectorLength(bytes, model.MainSubgraph.Tensors.Count);
        BitConverter.GetBytes(1 << 30).CopyTo(bytes, lengthPosition);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Rejects(bytes);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the reader allocated for the bogus length");
        Assert.Equal("test.tflite: subgraph 0, field tensors", e.Location);
        Assert.Contains($"vector length {1 << 30} does not fit in a {bytes.Length}-byte file", e.Message);
    }

    [Fact]
    public void Vectors_shared_by_many_tables_are_rejected_once_they_add_up_past_the_file()
    {
        // Tensor 0 has a rank-2000 shape of ones (8 KB); point the other 60 tensors' shape at it. Each
        // length alone fits the file, but reading them would cost 60 x 8 KB from a ~12 KB file: the
        // pattern that makes time and memory grow with the square of a crafted file's size.
        var b = new ModelBuilder();
        b.AddTensor("x", TensorType.INT8, Enumerable.Repeat(1, 2000).ToArray());
        for (int t = 1; t <= 60; t++) b.AddTensor($"t{t}", TensorType.INT8, [1]);
        var bytes = b.Build();
        Model.FromBytes(bytes); // intact, it loads

        var sites = Fuzzing.FlatBufferLayout.Of(bytes).Sites;
        int shared = sites.Single(s => s.Label == "subgraph 0 tensor 0 shape length").Position;
        for (int t = 1; t <= 60; t++)
        {
            int field = sites.Single(s => s.Label == $"subgraph 0 tensor {t} shape offset").Position;
            BitConverter.GetBytes(shared - field).CopyTo(bytes, field);
        }
        var e = Rejects(bytes);
        Assert.StartsWith("test.tflite: subgraph 0, tensor ", e.Location);
        Assert.EndsWith("field shape", e.Location);
        Assert.Contains("vector of 2000 entries takes the vectors and strings read so far past the", e.Message);
        Assert.Contains("they overlap", e.Message);
    }

    /// <summary>The position of subgraph 0's tensors vector length, found through the layout walker.</summary>
    private static int FindTensorVectorLength(byte[] bytes, int expected)
    {
        var site = Fuzzing.FlatBufferLayout.Of(bytes).Sites.Single(s => s.Label == "subgraph 0 tensors length");
        Assert.Equal(expected, BitConverter.ToInt32(bytes, site.Position));
        return site.Position;
    }

    [Fact]
    public void Builtin_options_of_another_type_are_reported_when_the_kernel_reads_them()
    {
        var model = FullyConnected().Edit(m => Graph(m).Operators[0].BuiltinOptions =
            BuiltinOptionsUnion.FromConv2DOptions(new Conv2DOptionsT { StrideW = 2, StrideH = 2 })).ToModel("test.tflite");
        var e = Assert.Throws<ModelFormatException>(() => model.MainSubgraph.Operators[0].Options<FullyConnectedOptions>());
        Assert.Equal("test.tflite: subgraph 0, operator 0 (FULLY_CONNECTED), field builtin_options_type", e.Location);
        Assert.Contains("the options are Conv2DOptions, the kernel reads FullyConnectedOptions", e.Message);
        // The interpreter surfaces it as it is, from the kernel's Prepare.
        using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 4096);
        Assert.Throws<ModelFormatException>(interpreter.AllocateTensors);
    }

    [Fact]
    public void Absent_builtin_options_read_as_null()
    {
        var model = FullyConnected().ToModel();
        Assert.Null(model.MainSubgraph.Operators[0].Options<FullyConnectedOptions>());
    }
}
