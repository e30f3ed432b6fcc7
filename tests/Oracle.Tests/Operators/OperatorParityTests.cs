using System.Collections.Concurrent;
using TinyMl.Interpreter;
using TinyMl.Workbench.Runs;
using TinyMl.Workbench.Tensors;
using Xunit.Abstractions;

namespace TinyMl.Oracle.Tests.Operators;

/// <summary>
/// Collects every operator's result and, when the test run ends, writes the table (operator, type, cases,
/// max error) to artifacts/oracle/operator-parity.md, which .ci/run prints.
/// </summary>
public sealed class ParityTable : IDisposable
{
    public ConcurrentDictionary<string, (OperatorCase Case, int Count, double MaxError)> Rows { get; } = new();

    public void Dispose()
    {
        string? root = RepositoryRoot();
        if (root is null || Rows.IsEmpty) return;
        var lines = new List<string>
        {
            "| operator | type | cases | max error | allowed |",
            "|---|---|---:|---:|---:|",
        };
        foreach (var (c, count, max) in Rows.Values.OrderBy(r => r.Case.Op, StringComparer.Ordinal).ThenBy(r => r.Case.Type, StringComparer.Ordinal))
            lines.Add($"| {c.Op} | {c.Type} | {count} | {Format(c, max)} | {Format(c, c.Allowed)} |");
        Directory.CreateDirectory(Path.Combine(root, "artifacts", "oracle"));
        File.WriteAllLines(Path.Combine(root, "artifacts", "oracle", "operator-parity.md"), lines);
    }

    public static string Format(OperatorCase c, double error) =>
        c.Allowed < 1 && c.Allowed > 0 ? $"{error:0.0e+0} rel" : $"{error:0} LSB";

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "workbench.sln"))) return dir.FullName;
        return null;
    }
}

/// <summary>Every kernel against the TorchSharp oracle on random single-op models: shapes, strides, paddings, quantization.</summary>
public class OperatorParityTests(ParityTable table, ITestOutputHelper output) : IClassFixture<ParityTable>
{
    private const int CasesPerOperator = 30;

    public static TheoryData<string> Cases => new(OperatorCases.All.Select(c => c.ToString()));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernel_matches_torch(string name)
    {
        var c = OperatorCases.All.Single(x => x.ToString() == name);
        // A fixed seed per operator: a failure names a case that replays.
        var random = new Random(name.Aggregate(17, (h, ch) => h * 31 + ch));
        double worst = 0;
        long elements = 0, saturated = 0;
        for (int i = 0; i < CasesPerOperator; i++)
        {
            var (model, inputs) = c.Make(random);
            // Every model output (SPLIT, UNPACK have several): torch's are its last tensors, in the same order.
            var all = RunOurs(model, inputs);
            var torchAll = TorchOracle.Run(model, inputs).Tensors.TakeLast(all.Length).ToArray();
            double error = all.Zip(torchAll, (o, t) => Error(c, o, t)).DefaultIfEmpty(0).Max();
            Assert.True(error <= c.Allowed,
                $"{name}, case {i}: {ParityTable.Format(c, error)} from torch (allowed {ParityTable.Format(c, c.Allowed)}); " +
                $"model {string.Join(" ", model.MainSubgraph.Tensors.Select(t => t.ToString() + (t.Quantization is { } q ? " " + q : "")))}");
            worst = Math.Max(worst, error);
            foreach (var torch in torchAll)
            {
                elements += torch.ElementCount;
                if (torch.TypeLimits is { } limits) saturated += torch.RawValues().Count(v => v <= limits.Min || v >= limits.Max);
            }
        }
        // Outputs pinned at the type's limits agree trivially: most must carry information.
        Assert.True(saturated <= elements / 2, $"{name}: {saturated} of {elements} output elements saturated; the cases test little");
        table.Rows[name] = (c, CasesPerOperator, worst);
        output.WriteLine($"{c.Op} {c.Type}: {CasesPerOperator} cases, max {ParityTable.Format(c, worst)}, {saturated} of {elements} elements saturated");
    }

    private static TensorData[] RunOurs(Model model, TensorData[] inputs)
    {
        using var interpreter = ArenaSizing.Allocate(model);
        for (int i = 0; i < inputs.Length; i++) interpreter.Input(i).CopyFrom(inputs[i].Bytes);
        interpreter.Invoke();
        return Enumerable.Range(0, interpreter.Outputs.Count).Select(i => TensorData.Snapshot(interpreter.Output(i))).ToArray();
    }

    /// <summary>
    /// Quantized: the largest difference in stored steps. Float: normwise relative error, the largest difference
    /// over the largest magnitude of torch's tensor (float32 rounding follows the size of the terms summed, so
    /// a small element of a large sum is not held to its own relative precision).
    /// </summary>
    private static double Error(OperatorCase c, TensorData ours, TensorData torch)
    {
        Assert.Equal(torch.Shape, ours.Shape);
        double[] a = ours.RawValues(), b = torch.RawValues();
        bool quantized = c.Allowed >= 1 || c.Allowed == 0 && ours.IsQuantized;
        if (quantized) return a.Zip(b, (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0).Max();
        double magnitude = Math.Max(b.Select(Math.Abs).DefaultIfEmpty(0).Max(), 1e-30);
        return a.Zip(b, (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0).Max() / magnitude;
    }
}
