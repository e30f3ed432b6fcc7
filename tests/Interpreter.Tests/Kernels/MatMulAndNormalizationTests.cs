using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>BATCH_MATMUL, ADD_N, LOG_SOFTMAX, L2_NORMALIZATION and ELU: small cases worked out by hand, refusals, no allocation.</summary>
public class MatMulAndNormalizationTests
{
    [Fact]
    public void Batch_matmul_broadcasts_the_batch_and_honours_adj_y()
    {
        // lhs [2, 1, 2] (two batches of one row), rhs [1, 2, 2] transposed by adj_y: rows of rhs are the columns used.
        var b = new ModelBuilder();
        int lhs = b.AddTensor("lhs", TensorType.FLOAT32, [2, 1, 2]);
        int rhs = b.AddConstant("rhs", TensorType.FLOAT32, [1, 2, 2], new[] { 1f, 2f, 3f, 4f });
        int y = b.AddTensor("y", TensorType.FLOAT32, [2, 1, 2]);
        b.AddOperator(BuiltinOperator.BATCH_MATMUL, [lhs, rhs], [y], BuiltinOptionsUnion.FromBatchMatMulOptions(new BatchMatMulOptionsT { AdjY = true }));
        using var interpreter = new MicroInterpreter(b.SetInputs(lhs).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new[] { 1f, 1f, 2f, -1f });
        interpreter.Invoke();
        // [1 1]·[1 2]ᵀ = 3, [1 1]·[3 4]ᵀ = 7; [2 −1]·[1 2]ᵀ = 0, [2 −1]·[3 4]ᵀ = 2.
        Assert.Equal([3f, 7f, 0f, 2f], interpreter.Output(0).ToArray<float>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Int8_batch_matmul_removes_both_zero_points_and_rescales()
    {
        // lhs [2, 3] with zero point 1 (scale 0.5), rhs [[1, 4], [−1, 2]] zero point 0 (scale 0.25), output scale 0.125:
        // the multiplier is 1; column 0: (2−1)·1 + (3−1)·(−1) = −1; column 1: 1·4 + 2·2 = 8; output zero point 3.
        var b = new ModelBuilder();
        int lhs = b.AddTensor("lhs", TensorType.INT8, [1, 2], scales: [0.5f], zeroPoints: [1]);
        int rhs = b.AddConstant("rhs", TensorType.INT8, [2, 2], new sbyte[] { 1, 4, -1, 2 }, [0.25f], [0]);
        int y = b.AddTensor("y", TensorType.INT8, [1, 2], scales: [0.125f], zeroPoints: [3]);
        b.AddOperator(BuiltinOperator.BATCH_MATMUL, [lhs, rhs], [y]);
        using var interpreter = new MicroInterpreter(b.SetInputs(lhs).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new sbyte[] { 2, 3 });
        interpreter.Invoke();
        Assert.Equal([(sbyte)2, (sbyte)11], interpreter.Output(0).ToArray<sbyte>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Batch_matmul_with_mismatched_inner_dimensions_names_them()
    {
        var b = new ModelBuilder();
        int lhs = b.AddTensor("lhs", TensorType.FLOAT32, [2, 3]);
        int rhs = b.AddTensor("rhs", TensorType.FLOAT32, [4, 2]);
        int y = b.AddTensor("y", TensorType.FLOAT32, [2, 2]);
        b.AddOperator(BuiltinOperator.BATCH_MATMUL, [lhs, rhs], [y]);
        using var interpreter = new MicroInterpreter(b.SetInputs(lhs, rhs).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Equal("operator 0 (BATCH_MATMUL) lhs tensor 0 [2,3] and rhs tensor 1 [4,2] disagree on the summed dimension (3 and 4)", e.Message);
    }

    private static MicroInterpreter Unary(BuiltinOperator op, int[] shape, int inputs = 1)
    {
        var b = new ModelBuilder();
        var x = Enumerable.Range(0, inputs).Select(i => b.AddTensor($"x{i}", TensorType.FLOAT32, shape)).ToArray();
        int y = b.AddTensor("y", TensorType.FLOAT32, shape);
        b.AddOperator(op, x, [y]);
        var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Fact]
    public void Normalizations_and_add_n_give_the_hand_values()
    {
        using var l2 = Unary(BuiltinOperator.L2_NORMALIZATION, [2, 2]);
        l2.Input(0).CopyFrom(new[] { 3f, 4f, 0f, 0f });
        l2.Invoke();
        Assert.Equal([0.6f, 0.8f, 0f, 0f], l2.Output(0).ToArray<float>());   // the second row divides by the 1e-6 floor
        using var logSoftmax = Unary(BuiltinOperator.LOG_SOFTMAX, [1, 2]);
        logSoftmax.Input(0).CopyFrom(new[] { 1f, 1f });
        logSoftmax.Invoke();
        Assert.Equal([-MathF.Log(2f), -MathF.Log(2f)], logSoftmax.Output(0).ToArray<float>());
        using var addN = Unary(BuiltinOperator.ADD_N, [2], inputs: 3);
        for (int i = 0; i < 3; i++) addN.Input(i).CopyFrom(new[] { i + 1f, -i * 0.5f });
        addN.Invoke();
        Assert.Equal([6f, -1.5f], addN.Output(0).ToArray<float>());
        foreach (var it in new[] { l2, logSoftmax, addN }) Assert.Equal(0, InvokeAllocations.Measure(it));
    }

    [Fact]
    public void Int8_add_n_keeps_tflms_offset_seed()
    {
        // Two inputs at scale 0.5, zero point 2; output scale 1, zero point 0. Each value becomes (q − 2)·2¹⁹ in the
        // common scale; TFLM's sum starts at (0 − 2)·2¹⁹ instead of 0: −2²⁰ + (4 + 2)·2¹⁹ = 2²¹, which the output
        // multiplier 2⁻²⁰ turns into 2 — where the exact sum of the real values, 2.0 + 1.0, would be 3.
        var b = new ModelBuilder();
        int x0 = b.AddTensor("x0", TensorType.INT8, [1], scales: [0.5f], zeroPoints: [2]);
        int x1 = b.AddTensor("x1", TensorType.INT8, [1], scales: [0.5f], zeroPoints: [2]);
        int y = b.AddTensor("y", TensorType.INT8, [1], scales: [1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.ADD_N, [x0, x1], [y]);
        using var interpreter = new MicroInterpreter(b.SetInputs(x0, x1).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new sbyte[] { 6 });
        interpreter.Input(1).CopyFrom(new sbyte[] { 4 });
        interpreter.Invoke();
        Assert.Equal([(sbyte)2], interpreter.Output(0).ToArray<sbyte>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Int8_log_softmax_gives_the_rounded_log_probabilities()
    {
        // Input scale 1/16. Row [1.0, 1.0]: ln ½ = −0.693 → −11.09 steps of 1/16 + 127 = 115.9 → 116.
        // Row [0, −8.0]: −ln(1 + e⁻⁸) = −0.0003 → 127; −8.0003 → −128.005 + 127 → −1.
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [2, 2], scales: [1 / 16f], zeroPoints: [0]);
        int y = b.AddTensor("y", TensorType.INT8, [2, 2], scales: [16f / 256], zeroPoints: [127]);
        b.AddOperator(BuiltinOperator.LOG_SOFTMAX, [x], [y]);
        using var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new sbyte[] { 16, 16, 0, -128 });
        interpreter.Invoke();
        Assert.Equal([(sbyte)116, (sbyte)116, (sbyte)127, (sbyte)-1], interpreter.Output(0).ToArray<sbyte>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Int8_log_softmax_refuses_an_output_scale_tflm_does_not_write()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [4], scales: [0.1f], zeroPoints: [0]);
        int y = b.AddTensor("y", TensorType.INT8, [4], scales: [0.1f], zeroPoints: [127]);
        b.AddOperator(BuiltinOperator.LOG_SOFTMAX, [x], [y]);
        using var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Contains("0.0625", e.Message);
    }

    [Fact]
    public void Int8_elu_follows_its_table()
    {
        // Input scale 1/16, zero point 0; output scale 1/64, zero point 0: −16 is −1.0 → e⁻¹ − 1 = −0.632 → −40.45 → −40;
        // 8 is 0.5 → 32; −128 is −8.0 → −0.99966 → −63.98 → −64.
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.INT8, [3], scales: [1 / 16f], zeroPoints: [0]);
        int y = b.AddTensor("y", TensorType.INT8, [3], scales: [1 / 64f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.ELU, [x], [y]);
        using var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new sbyte[] { -16, 8, -128 });
        interpreter.Invoke();
        Assert.Equal([(sbyte)-40, (sbyte)32, (sbyte)-64], interpreter.Output(0).ToArray<sbyte>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }
}
