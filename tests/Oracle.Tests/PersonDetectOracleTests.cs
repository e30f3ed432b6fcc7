using TinyMl.Interpreter;
using TinyMl.Workbench.Tensors;
using TinyMl.Workbench;
using Xunit.Abstractions;

namespace TinyMl.Oracle.Tests;

/// <summary>person_detect (TFLM's int8 MobileNetV1) against torch, layer by layer.</summary>
public class PersonDetectOracleTests(ITestOutputHelper output)
{
    private static TensorSet RuntimeRun(Model model, byte[] input) =>
        TensorSet.Capture(model, run => run.Input(0).CopyFrom(input), "TinyMl runtime");

    private static (Model Model, byte[] Input) PersonImage()
    {
        var model = Model.Load(SharedData.ModelPath("person_detect"));
        return (model, File.ReadAllBytes(SharedData.GoldenPath("person_detect", "person.input0.bin")));
    }

    [Fact]
    public void Every_layer_is_within_one_LSB_of_torch_on_the_runtimes_own_inputs()
    {
        var (model, input) = PersonImage();
        var ours = RuntimeRun(model, input);
        var oracle = TorchOracle.RunEachOperator(model, ours);
        var report = ParityReport.Compare(oracle, ours);

        Assert.Equal(model.MainSubgraph.Operators.Count + 1, oracle.Count);
        Assert.Empty(report.ReferenceOnly);
        Assert.Empty(report.CandidateOnly);
        foreach (var row in report.Rows)
        {
            output.WriteLine($"{row.Name}: max {row.MaxLsb} LSB, mean {row.MeanLsb:0.000} LSB");
            Assert.True(row.Compared, row.Problem);
            Assert.True(row.MaxLsb <= 1, $"{row.Name} differs from torch by {row.MaxLsb} LSB");
        }
    }

    [Fact]
    public void A_whole_torch_run_gives_the_same_answer_and_scores_close_to_ours()
    {
        var (model, input) = PersonImage();
        var ours = RuntimeRun(model, input);
        var oracle = TorchOracle.Run(model, [ours.Tensors[0]]);
        var report = ParityReport.Compare(oracle, ours);
        foreach (var row in report.Rows)
            output.WriteLine($"{row.Name}: max {row.MaxLsb} LSB, mean {row.MeanLsb:0.000} LSB");

        // Independently of our kernels, torch also says "person" for person.bmp.
        var scores = oracle.Tensors[^1].RawValues();
        output.WriteLine($"torch scores: [{string.Join(", ", scores)}]; TFLM's: [-113, 113]");
        Assert.True(scores[1] > scores[0]);
        // Differences of one LSB compound through 31 layers; the output stays within a few LSB of ours.
        Assert.True(report.Rows[^1].MaxLsb <= 4, $"output differs by {report.Rows[^1].MaxLsb} LSB");
    }
}
