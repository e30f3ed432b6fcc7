using TinyMl.Interpreter;
using TinyMl.Workbench;
using TinyMl.Workbench.Tensors;
using Xunit.Abstractions;

namespace TinyMl.Oracle.Tests;

/// <summary>
/// mobilenet_v2_quantized (a PyTorch export: TRANSPOSE, PAD, MEAN among its operators) has no golden output in the
/// shared data; torch is its independent reference, layer by layer on the runtime's own inputs.
/// </summary>
public class MobilenetV2OracleTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_layer_is_within_one_LSB_of_torch()
    {
        var model = Model.Load(SharedData.ModelPath("mobilenet_v2_quantized_1x3x224x224"));
        var ours = TensorSet.Capture(model, ReferenceInputs.Fill, "TinyMl runtime");
        var torch = TorchOracle.RunEachOperator(model, ours);
        var report = ParityReport.Compare(torch, ours);
        Assert.Equal(model.MainSubgraph.Operators.Count, report.Rows.Count - model.MainSubgraph.Inputs.Length);
        foreach (var row in report.Rows)
        {
            Assert.True(row.Compared, row.Problem);
            double error = row.MaxLsb ?? row.RelativeError;
            Assert.True(error <= 1, $"{row.Name}: {error} from torch");
        }
        output.WriteLine($"{report.Rows.Count} tensors, largest {report.Rows.Max(r => r.MaxLsb ?? 0)} LSB");
    }
}
