using TinyMl.Interpreter.Schema;
using TinyMl.Interpreter.Tests.Kernels.Signal;

namespace TinyMl.Interpreter.Tests.Kernels.Custom;

/// <summary>
/// CIRCULAR_BUFFER: a queue of input slots in a variable tensor, and an Invoke that reaches the operators after it
/// only every cycles_max-th call. Expected values come from a plain queue kept by the test.
/// </summary>
public class CircularBufferTests
{
    private const int ZeroPoint = -3, Depth = 3;

    /// <summary>input [1,1,1,3] → CIRCULAR_BUFFER → buffer [1,slots,1,3] (variable) → RESHAPE → output [1, slots·3].</summary>
    private static MicroInterpreter Build(int slots, int? cyclesMax)
    {
        var b = new ModelBuilder();
        float[] scale = [0.5f];
        long[] zero = [ZeroPoint];
        int input = b.AddTensor("input", TensorType.INT8, [1, 1, 1, Depth], scales: scale, zeroPoints: zero);
        int buffer = b.AddTensor("buffer", TensorType.INT8, [1, slots, 1, Depth], scales: scale, zeroPoints: zero, isVariable: true);
        int output = b.AddTensor("output", TensorType.INT8, [1, slots * Depth], scales: scale, zeroPoints: zero);
        int shape = b.AddConstant("shape", TensorType.INT32, [2], new[] { 1, slots * Depth });
        b.AddOperator(BuiltinOperator.CUSTOM, [input], [buffer], customCode: "CIRCULAR_BUFFER",
            customOptions: cyclesMax is { } c ? FlexBufferEncoder.Map(1, ("cycles_max", c)) : null);
        b.AddOperator(BuiltinOperator.RESHAPE, [buffer, shape], [output]);
        b.SetInputs(input).SetOutputs(output);
        var interpreter = new MicroInterpreter(b.ToModel(), OpResolver.WithAllBuiltins(), 64 * 1024);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Fact]
    public void Each_call_shifts_in_one_slot_and_every_second_reaches_the_operators_after_it()
    {
        const int slots = 4;
        using var interpreter = Build(slots, cyclesMax: 2);
        var queue = new Queue<sbyte>(Enumerable.Repeat((sbyte)ZeroPoint, slots * Depth)); // variable int8 state starts at the zero point
        for (int call = 1; call <= 7; call++)
        {
            sbyte[] x = [(sbyte)(10 * call), (sbyte)(10 * call + 1), (sbyte)(-10 * call)];
            x.CopyTo(interpreter.Input(0).AsSpan<sbyte>());
            interpreter.Invoke();
            foreach (sbyte v in x) { queue.Dequeue(); queue.Enqueue(v); }

            bool runs = call % 2 == 0;
            Assert.Equal(runs, interpreter.LastInvokeCompleted);
            Assert.Equal(runs ? -1 : 0, interpreter.LastInvokeEndedAt);
            // As in TFLM, the outputs are new only when the run completed (on other calls their bytes may be reused).
            if (runs) Assert.Equal(queue.ToArray(), interpreter.Output(0).AsReadOnlySpan<sbyte>().ToArray());
        }
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Reset_refills_the_zero_point_and_restarts_the_period()
    {
        using var interpreter = Build(slots: 2, cyclesMax: 3);
        sbyte[] x = [1, 2, 3];
        for (int call = 0; call < 2; call++)
        {
            x.CopyTo(interpreter.Input(0).AsSpan<sbyte>());
            interpreter.Invoke();
            Assert.False(interpreter.LastInvokeCompleted);
        }
        interpreter.Reset();
        for (int call = 1; call <= 3; call++)
        {
            x.CopyTo(interpreter.Input(0).AsSpan<sbyte>());
            interpreter.Invoke();
            Assert.Equal(call == 3, interpreter.LastInvokeCompleted);
        }
        Assert.Equal(new sbyte[] { 1, 2, 3, 1, 2, 3 }, interpreter.Output(0).AsReadOnlySpan<sbyte>().ToArray());
    }

    [Theory]
    [InlineData(5, true)]   // TFLM's published streaming models: the last buffer of each (5, 13 or 25 slots) runs every call
    [InlineData(13, true)]
    [InlineData(4, false)]  // every other buffer without a cycles_max runs every second call
    public void Without_options_the_period_follows_tflms_shape_rule(int slots, bool everyCall)
    {
        using var interpreter = Build(slots, cyclesMax: null);
        interpreter.Invoke();
        Assert.Equal(everyCall, interpreter.LastInvokeCompleted);
        interpreter.Invoke();
        Assert.True(interpreter.LastInvokeCompleted);
    }

    [Fact]
    public void A_float_buffer_is_refused_naming_the_operator()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("input", TensorType.FLOAT32, [1, 1, 1, 2]);
        int output = b.AddTensor("buffer", TensorType.FLOAT32, [1, 3, 1, 2], isVariable: true);
        b.AddOperator(BuiltinOperator.CUSTOM, [input], [output], customCode: "CIRCULAR_BUFFER");
        b.SetInputs(input).SetOutputs(output);
        using var interpreter = new MicroInterpreter(b.ToModel(), OpResolver.WithAllBuiltins(), 64 * 1024);
        var e = Assert.ThrowsAny<TinyMlException>(interpreter.AllocateTensors);
        Assert.Contains("CIRCULAR_BUFFER", e.Message);
        Assert.Contains("INT8", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
