using System.Text.Json;

namespace TinyMl.Interpreter.Tests;

/// <summary>
/// MAC and parameter estimates against meta.json, whose macs_by_op and param_bytes were computed by an
/// independent tool from the same TFLM models.
/// </summary>
public class OperatorCostTests
{
    public static TheoryData<string> GoldenModels => new()
    {
        "hello_world_float", "hello_world_int8", "keyword_scrambled", "keyword_scrambled_8bit", "micro_speech_quantized",
        "person_detect", "trained_lstm", "trained_lstm_int8", "audio_preprocessor_int8",
    };

    [Theory]
    [MemberData(nameof(GoldenModels))]
    public void Macs_per_operator_type_equal_the_independent_count(string name)
    {
        var model = Model.Load(SharedData.ModelPath(name));
        using var meta = JsonDocument.Parse(File.ReadAllText(SharedData.GoldenPath(name, "meta.json")));
        var expected = meta.RootElement.GetProperty("macs_by_op").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());

        var actual = new Dictionary<string, long>();
        foreach (var op in model.MainSubgraph.Operators)
        {
            long macs = OperatorCost.Of(model.MainSubgraph, op).Macs;
            if (macs != 0) actual[op.Name] = actual.GetValueOrDefault(op.Name) + macs;
        }
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
        Assert.Equal(meta.RootElement.GetProperty("macs_estimate").GetInt64(), actual.Values.Sum());
    }

    private static long Estimate(Schema.BuiltinOperator op, int[]?[] inputs, int[] output) =>
        OperatorCost.EstimateMacs(op, i => i < inputs.Length ? inputs[i] : null, i => i == 0 ? output : null);

    [Fact]
    public void Batch_matmul_contracts_over_k_with_or_without_an_adjoint_lhs()
    {
        // 2 batches of [3x5] x [5x4]: each of the 2*3*4 outputs sums 5 products.
        Assert.Equal(2 * 3 * 4 * 5, Estimate(Schema.BuiltinOperator.BATCH_MATMUL, [[2, 3, 5], [2, 5, 4]], [2, 3, 4]));
        // The same product with the lhs stored transposed ([5x3], adj_x).
        Assert.Equal(2 * 3 * 4 * 5, Estimate(Schema.BuiltinOperator.BATCH_MATMUL, [[2, 5, 3], [2, 5, 4]], [2, 3, 4]));
    }

    [Fact]
    public void Transpose_conv_scatters_each_input_element_over_the_kernel_and_output_channels()
    {
        // Inputs: output shape, filter [16 out, 3, 3, 8 in], input [1,4,4,8]: 4*4*8 inputs x 3*3*16.
        Assert.Equal(4 * 4 * 8 * 3 * 3 * 16, Estimate(Schema.BuiltinOperator.TRANSPOSE_CONV, [[4], [16, 3, 3, 8], [1, 4, 4, 8]], [1, 8, 8, 16]));
    }

    [Fact]
    public void Unknown_or_missing_shapes_cost_nothing_rather_than_throw()
    {
        Assert.Equal(0, Estimate(Schema.BuiltinOperator.CONV_2D, [[1, 4, 4, 1]], [1, 4, 4, 1])); // no filter
        Assert.Equal(0, Estimate(Schema.BuiltinOperator.ADD, [[1, 4], [1, 4]], [1, 4]));
        Assert.Equal(long.MaxValue, Estimate(Schema.BuiltinOperator.FULLY_CONNECTED, [[1, int.MaxValue], [int.MaxValue, int.MaxValue]], [int.MaxValue, int.MaxValue, int.MaxValue]));
    }
}
