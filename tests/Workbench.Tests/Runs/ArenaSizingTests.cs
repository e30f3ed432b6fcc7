using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Runs;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Workbench.Tests.Runs;

public class ArenaSizingTests
{
    [Fact]
    public void Allocates_person_detect_and_needs_what_tflm_reports_or_less()
    {
        using var interpreter = ArenaSizing.Allocate(Model.Load(SharedData.ModelPath("person_detect")));
        Assert.True(interpreter.IsAllocated);
        Assert.True(interpreter.ArenaUsedBytes <= 85_024, $"{interpreter.ArenaUsedBytes} bytes"); // TFLM's arena_used_bytes in meta.json
    }

    [Fact]
    public void Grows_past_the_first_attempt_for_a_model_that_needs_more()
    {
        // RELU over 1024x1024 floats: input and output are alive together, 8 MiB in all.
        var builder = new ModelBuilder();
        int input = builder.AddTensor("input", TensorType.FLOAT32, [1, 1024, 1024]);
        int output = builder.AddTensor("output", TensorType.FLOAT32, [1, 1024, 1024]);
        builder.AddOperator(BuiltinOperator.RELU, [input], [output]);
        builder.SetInputs(input).SetOutputs(output);
        using var interpreter = ArenaSizing.Allocate(builder.ToModel());
        Assert.Equal(2 * 4 * 1024 * 1024, interpreter.ArenaUsedBytes);
        Assert.True(interpreter.ArenaCapacity > ArenaSizing.FirstAttemptBytes);
    }

    [Fact]
    public void Unsupported_operators_are_reported_as_the_runtime_reports_them()
    {
        var builder = new ModelBuilder();
        int x = builder.AddTensor("x", TensorType.INT8, [4]);
        int y = builder.AddTensor("y", TensorType.INT8, [4]);
        builder.AddOperator(BuiltinOperator.CUSTOM, [x], [y], customCode: "NoSuchCustomOp");
        var e = Assert.ThrowsAny<TinyMlException>(() => ArenaSizing.Allocate(builder.SetInputs(x).SetOutputs(y).ToModel()));
        Assert.Contains("operator 0 (NoSuchCustomOp)", e.Message);
    }
}
