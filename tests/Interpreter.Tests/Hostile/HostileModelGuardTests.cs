using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Hostile;

/// <summary>
/// The guards against models built to hurt the runtime, one test each, with the exact error a user
/// sees: sizes that overflow, impossible dimensions, buffers shorter than their shape, arenas the
/// process cannot give, and subgraph calls that recurse.
/// </summary>
public class HostileModelGuardTests
{
    private static ModelBuilder Relu(TensorType type, int[] inputShape, int[] outputShape)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", type, inputShape);
        int y = b.AddTensor("y", type, outputShape);
        b.AddOperator(BuiltinOperator.RELU, [x], [y]);
        return b.SetInputs(x).SetOutputs(y);
    }

    private static ModelFormatException Rejects(ModelBuilder builder) =>
        Assert.Throws<ModelFormatException>(() => Model.FromBytes(builder.Build(), "hostile.tflite"));

    [Fact]
    public void Element_count_past_2_to_the_31_is_refused_before_it_overflows()
    {
        // 65536 × 65536 × 65536 wraps a 32-bit product to 0 and a 64-bit one soon after: the reader stops at the first excess.
        var e = Rejects(Relu(TensorType.INT8, [1, 4], [65536, 65536, 65536]));
        Assert.Equal("hostile.tflite: subgraph 0, tensor 1 ('y'), field shape: shape [65536,65536...] has more than 2147483647 elements", e.Message);
    }

    [Fact]
    public void Byte_count_past_2_GB_is_refused_even_when_the_element_count_fits()
    {
        // 2^29 float32 elements fit an int; their 2^31 bytes do not.
        var e = Rejects(Relu(TensorType.FLOAT32, [1, 4], [32768, 16384]));
        Assert.Equal("hostile.tflite: subgraph 0, tensor 1 ('y'), field shape: shape [32768,16384] of float32 exceeds 2 GB", e.Message);
    }

    [Fact]
    public void Negative_dimension_is_refused()
    {
        var e = Rejects(Relu(TensorType.FLOAT32, [1, -1], [1, 4]));
        Assert.Equal("hostile.tflite: subgraph 0, tensor 0 ('x'), field shape: dimension 1 is -1 (dynamic shapes are not supported)", e.Message);
    }

    [Fact]
    public void Zero_sized_tensor_runs_empty_and_refuses_data()
    {
        // A zero dimension is legal TFLite (an empty tensor); writing data into one is the caller's mistake.
        using var interpreter = new MicroInterpreter(Relu(TensorType.FLOAT32, [0, 4], [0, 4]).ToModel("hostile.tflite"), OpResolver.WithAllBuiltins(), 1024);
        interpreter.AllocateTensors();
        var e = Assert.Throws<TensorDataException>(() => interpreter.Input(0).CopyFrom(new float[4]));
        Assert.Equal("tensor 0 ('x') is float32[0,4] = 0 bytes; 16 bytes given", e.Message);
        // Running the empty tensors is fine: nothing to read, nothing written.
        interpreter.Invoke();
        Assert.Equal(0, interpreter.Output(0).ByteCount);
    }

    [Fact]
    public void Constant_buffer_shorter_than_its_shape_is_refused()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.FLOAT32, [1, 3]);
        int w = b.AddConstant("w", TensorType.FLOAT32, [2, 3], new[] { 1f, 2f, 3f, 4f, 5f, 6f });
        int y = b.AddTensor("y", TensorType.FLOAT32, [1, 2]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, -1], [y]);
        b.SetInputs(x).SetOutputs(y).Edit(m => m.Buffers[1].Data = new byte[4].ToList());
        var e = Rejects(b);
        Assert.Equal("hostile.tflite: subgraph 0, tensor 1 ('w'), field buffer: constant buffer 1 holds 4 bytes, but float32[2,3] needs 24", e.Message);
    }

    [Fact]
    public void Arena_larger_than_the_process_can_hold_is_a_typed_error_not_an_out_of_memory()
    {
        var model = Relu(TensorType.FLOAT32, [1, 4], [1, 4]).ToModel("hostile.tflite");
        var e = Assert.Throws<ArenaAllocationException>(() => new MicroInterpreter(model, OpResolver.WithAllBuiltins(), int.MaxValue));
        Assert.Equal($"cannot allocate an arena of 2,147,483,647 bytes: more than the largest array the process can hold ({Array.MaxLength:N0} bytes)", e.Message);
        Assert.Equal(int.MaxValue, e.RequestedBytes);
    }

    /// <summary>Subgraph 0 runs a WHILE whose body (subgraph 1) runs a CALL_ONCE of subgraph 0 again.</summary>
    private static ModelBuilder RecursiveCalls(int bodyCalls)
    {
        var b = Relu(TensorType.FLOAT32, [1, 4], [1, 4]);
        b.AddOperator(BuiltinOperator.WHILE, [0], [1], BuiltinOptionsUnion.FromWhileOptions(new WhileOptionsT { CondSubgraphIndex = 1, BodySubgraphIndex = 1 }));
        return b.Edit(m =>
        {
            m.OperatorCodes.Add(new OperatorCodeT { BuiltinCode = BuiltinOperator.CALL_ONCE, DeprecatedBuiltinCode = 127, Version = 1 });
            m.Subgraphs.Add(new SubGraphT
            {
                Name = "body",
                Tensors = [new TensorT { Name = "t", Type = TensorType.FLOAT32, Shape = [1, 4], Buffer = 0 }],
                Inputs = [0], Outputs = [0],
                Operators =
                [
                    new OperatorT
                    {
                        OpcodeIndex = (uint)(m.OperatorCodes.Count - 1), Inputs = [], Outputs = [],
                        BuiltinOptions = BuiltinOptionsUnion.FromCallOnceOptions(new CallOnceOptionsT { InitSubgraphIndex = bodyCalls }),
                    },
                ],
            });
        });
    }

    [Fact]
    public void Subgraph_calls_that_recurse_are_refused_at_load()
    {
        var e = Rejects(RecursiveCalls(bodyCalls: 0));
        Assert.Equal("hostile.tflite: subgraph 1, operator 0 (CALL_ONCE), field builtin_options: calls subgraph 0, which is still running: " +
            "the calls 0 → 1 → 0 recurse, and the runtime supports no recursion", e.Message);
    }

    [Fact]
    public void A_subgraph_calling_itself_is_refused_at_load()
    {
        var e = Rejects(RecursiveCalls(bodyCalls: 1));
        Assert.Equal("hostile.tflite: subgraph 1, operator 0 (CALL_ONCE), field builtin_options: calls subgraph 1, which is still running: " +
            "the calls 1 → 1 recurse, and the runtime supports no recursion", e.Message);
    }

    [Fact]
    public void A_call_of_a_subgraph_that_does_not_exist_is_refused_at_load()
    {
        var e = Rejects(RecursiveCalls(bodyCalls: 7));
        Assert.Equal("hostile.tflite: subgraph 1, operator 0 (CALL_ONCE), field builtin_options: calls subgraph 7, but the model has 2 subgraphs", e.Message);
    }
}
