using System.Buffers.Binary;
using System.Text.RegularExpressions;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Html;
using TinyMl.Workbench.Parity;
using TinyMl.Workbench.Tensors;
using Model = TinyMl.Interpreter.Model;

using TinyMl.Workbench.Tests.Security;

namespace TinyMl.Workbench.Tests.Views;

public class ParityReportTests
{
    /// <summary>The repository's data/ directory (the project's own sine models), found from the test binary upwards.</summary>
    private static string RepositoryData(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "workbench.sln")))
                return Path.Combine(dir.FullName, "data", file);
        throw new InvalidOperationException("repository root not found");
    }

    private static TensorSet Capture(string path, double x, string label) =>
        TensorSet.Capture(Model.Load(path), i => RealInput.Set(i, 0, x), label);

    private static (TensorSet Float, TensorSet Int8) Sine(double x = 1.3) =>
        (Capture(RepositoryData("sine_float.tflite"), x, "sine float"), Capture(RepositoryData("sine_int8.tflite"), x, "sine int8"));

    private static (TensorSet Float, TensorSet Int8) HelloWorld(double x = 4.0) =>
        (Capture(SharedData.ModelPath("hello_world_float"), x, "hello_world float"), Capture(SharedData.ModelPath("hello_world_int8"), x, "hello_world int8"));

    [Fact]
    public void Float_and_int8_twins_match_every_tensor_by_name()
    {
        foreach (var (reference, candidate) in new[] { Sine(), HelloWorld() })
        {
            var report = ParityReport.Compare(reference, candidate);
            // The models name their tensors alike: input, three FULLY_CONNECTED outputs.
            Assert.Equal(4, report.Rows.Count);
            Assert.All(report.Rows, r => Assert.Equal(MatchKind.Name, r.MatchedBy));
            Assert.Equal(reference.Tensors.Select(t => t.Name), report.Rows.Select(r => r.Reference.Data.Name));
            Assert.Equal(report.Rows.Select(r => r.Reference.Data.Name), report.Rows.Select(r => r.Candidate.Data.Name));
            Assert.Empty(report.ReferenceOnly);
            Assert.Empty(report.CandidateOnly);
            Assert.All(report.Rows, r => Assert.True(r.Compared));
        }
    }

    [Fact]
    public void Errors_per_tensor_equal_those_computed_from_the_two_tensors_real_values()
    {
        foreach (var (reference, candidate) in new[] { Sine(), Sine(5.5), HelloWorld() })
        {
            var report = ParityReport.Compare(reference, candidate);
            foreach (var row in report.Rows)
            {
                var r = reference[row.Reference.Data.Name].RealValues();
                var c = candidate[row.Reference.Data.Name].RealValues();
                var errors = r.Zip(c, (a, b) => Math.Abs(a - b)).ToArray();
                Assert.Equal(errors.Max(), row.MaxAbsError, 12);
                Assert.Equal(errors.Average(), row.MeanAbsError, 12);
                // int8 activations are quantized per tensor: one LSB is the candidate's scale.
                double scale = candidate[row.Reference.Data.Name].Quantization!.Scale;
                Assert.Equal(errors.Max() / scale, row.MaxLsb!.Value, 9);
                Assert.Equal(errors.Average() / scale, row.MeanLsb!.Value, 9);
                Assert.Equal("candidate", row.LsbSide);
            }
        }
    }

    [Fact]
    public void Worst_elements_are_the_largest_errors_found_by_sorting_in_the_test()
    {
        var (reference, candidate) = HelloWorld();
        const string hidden = "sequential/dense/MatMul;sequential/dense/Relu;sequential/dense/BiasAdd";
        var report = ParityReport.Compare(reference, candidate, focus: hidden);
        Assert.True(report.FocusPicked);
        Assert.Equal(hidden, report.Focus!.Name);

        var r = reference[hidden].RealValues();
        var c = candidate[hidden].RealValues();
        var expected = Enumerable.Range(0, r.Length).OrderByDescending(i => Math.Abs(c[i] - r[i])).ThenBy(i => i).Take(ParityReport.WorstElementCount).ToArray();
        Assert.Equal(expected.Select(i => (long)i), report.WorstElements.Select(e => e.FlatIndex));
        foreach (var e in report.WorstElements)
        {
            Assert.Equal(r[e.FlatIndex], e.Reference);
            Assert.Equal(c[e.FlatIndex], e.Candidate);
            Assert.Equal(new[] { 0, (int)e.FlatIndex }, e.Coordinates); // shape [1,16]
            Assert.Equal(Math.Abs(c[e.FlatIndex] - r[e.FlatIndex]) / candidate[hidden].Quantization!.Scale, e.Lsb!.Value, 9);
        }
        Assert.Equal(expected[0], report.Focus.WorstIndex);
    }

    [Fact]
    public void Coordinates_of_a_flat_index_are_row_major()
    {
        Assert.Equal(new[] { 0, 1, 2, 3 }, TensorComparison.Coordinates([1, 4, 5, 6], 1 * 30 + 2 * 6 + 3));
        Assert.Equal(new[] { 2 }, TensorComparison.Coordinates([7], 2));
    }

    /// <summary>A float32 tensor of <paramref name="values"/>.</summary>
    private static TensorData Float(string name, int index, int[] shape, params double[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), (float)values[i]);
        return new TensorData { Index = index, Name = name, Type = TensorType.FLOAT32, Shape = shape, Quantization = null, IsConstant = false, Bytes = bytes };
    }

    /// <summary>An int8 tensor with scale <paramref name="scale"/> and zero point 0.</summary>
    private static TensorData Int8(string name, int index, int[] shape, float scale, params sbyte[] values) => new()
    {
        Index = index, Name = name, Type = TensorType.INT8, Shape = shape, IsConstant = false,
        Quantization = new QuantizationParams([scale], [0], 0), Bytes = values.Select(v => (byte)v).ToArray(),
    };

    private static TensorSet Set(string label, params TensorData[] tensors) => new()
    {
        Label = label,
        Tensors = tensors,
        Origins = tensors.Select((t, i) => i == 0 ? TensorOrigin.ModelInput(0) : new TensorOrigin(i - 1, "FULLY_CONNECTED", 0)).ToArray(),
    };

    /// <summary>Five layers whose int8 values are 1.0 everywhere and whose float twins differ from them by <paramref name="lsbErrors"/> LSB in element 2.</summary>
    private static (TensorSet Reference, TensorSet Candidate) Layers(params double[] lsbErrors)
    {
        const float scale = 0.1f;
        var reference = lsbErrors.Select((e, i) => Float($"layer{i}", i, [1, 4], 1.0, 1.0, 10 * (double)scale - e * scale, 1.0)).ToArray();
        var candidate = lsbErrors.Select((_, i) => Int8($"layer{i}", i, [1, 4], scale, 10, 10, 10, 10)).ToArray();
        return (Set("float", reference), Set("int8", candidate));
    }

    [Fact]
    public void The_first_jump_is_where_the_error_leaves_tolerance_and_later_jumps_multiply_it()
    {
        // Tolerance 2 LSB, ratio 4: layer 2 crosses the tolerance (layer 1 was within it); layer 3 grows
        // but less than 4×; layer 4 is 5× layer 3.
        var (reference, candidate) = Layers(0.5, 1.0, 3.0, 4.0, 20.0);
        var report = ParityReport.Compare(reference, candidate);
        Assert.Equal(new[] { 0.5, 1.0, 3.0, 4.0, 20.0 }, report.Rows.Select(r => Math.Round(r.MaxLsb!.Value, 6)));
        Assert.Equal(new[] { 2, 4 }, report.JumpRows);
        Assert.Equal("layer2", report.FirstJump!.Name);
        Assert.Equal("layer4", report.Focus!.Name); // the worst, as none was asked for
        Assert.Contains("<tr class=\"hot\"><td class=\"num\">2</td>", report.ToHtml());

        // Gradual growth within tolerance: no jump.
        var calm = ParityReport.Compare(Layers(0.5, 1.0, 1.5, 2.0).Reference, Layers(0.5, 1.0, 1.5, 2.0).Candidate);
        Assert.Empty(calm.JumpRows);
        Assert.Contains("No tensor's error jumps", calm.ToText());

        // A stricter rule of the caller's own.
        var strict = ParityReport.Compare(reference, candidate, rule: new JumpRule(ToleranceLsb: 0.75));
        Assert.Equal(new[] { 1, 4 }, strict.JumpRows);
    }

    [Fact]
    public void Shape_and_count_mismatches_are_reported_in_the_view_never_thrown()
    {
        var reference = Set("a", Float("in", 0, [1, 4], 1, 2, 3, 4), Float("x", 1, [1, 4], 1, 2, 3, 4), Float("y", 2, [1, 4], 1, 2, 3, 4));
        var candidate = Set("b", Float("in", 0, [1, 4], 1, 2, 3, 4), Float("x", 1, [4], 1, 2, 3, 5), Float("y", 2, [1, 5], 1, 2, 3, 4, 5));
        var report = ParityReport.Compare(reference, candidate);
        var x = report.Rows.Single(r => r.Name == "x");
        Assert.True(x.Compared);
        Assert.Contains(x.Notes, n => n.Contains("shapes differ: [1,4] vs [4]"));
        Assert.Equal(1.0, x.MaxAbsError);
        Assert.Null(x.MaxLsb); // neither side is quantized
        var y = report.Rows.Single(r => r.Name == "y");
        Assert.False(y.Compared);
        Assert.Contains("element counts differ: 4 vs 5", y.Problem);
        string html = report.ToHtml();
        Assert.DoesNotContain("cannot be shown", html);
        Assert.Contains("element counts differ", html);
        Assert.Contains("element counts differ", report.ToText());
    }

    [Fact]
    public void Differently_named_models_line_up_by_producing_operator_and_leftovers_are_listed()
    {
        // A: RELU, RELU. B: RELU, RELU6, RELU. B's RELU6 has no counterpart; A's second RELU is B's second RELU.
        var a = Chain("a", BuiltinOperator.RELU, BuiltinOperator.RELU);
        var b = Chain("b", BuiltinOperator.RELU, BuiltinOperator.RELU6, BuiltinOperator.RELU);
        var report = ParityReport.Compare(Run(a, "A"), Run(b, "B"));
        Assert.Equal(new[] { ("a0", "b0"), ("a1", "b1"), ("a2", "b3") }, report.Rows.Select(r => (r.Reference.Data.Name, r.Candidate.Data.Name)));
        Assert.All(report.Rows, r => Assert.Equal(MatchKind.Operator, r.MatchedBy));
        Assert.Empty(report.ReferenceOnly);
        Assert.Equal("b2", Assert.Single(report.CandidateOnly).Data.Name);
        Assert.Contains("Without a counterpart", report.ToHtml());

        // A: RELU, RELU. B: RELU, RELU6: the second operators differ in type and pair by index.
        var c = Chain("c", BuiltinOperator.RELU, BuiltinOperator.RELU6);
        var byIndex = ParityReport.Compare(Run(a, "A"), Run(c, "C"));
        Assert.Equal(MatchKind.Position, byIndex.Rows.Single(r => r.Reference.Data.Name == "a2").MatchedBy);
        Assert.Equal("c2", byIndex.Rows.Single(r => r.Reference.Data.Name == "a2").Candidate.Data.Name);
    }

    private static Model Chain(string prefix, params BuiltinOperator[] ops)
    {
        var builder = new ModelBuilder();
        int previous = builder.AddTensor(prefix + "0", TensorType.FLOAT32, [1, 4]);
        int first = previous;
        for (int i = 0; i < ops.Length; i++)
        {
            int next = builder.AddTensor(prefix + (i + 1), TensorType.FLOAT32, [1, 4]);
            builder.AddOperator(ops[i], [previous], [next]);
            previous = next;
        }
        builder.SetInputs(first).SetOutputs(previous);
        return builder.ToModel(prefix);
    }

    private static TensorSet Run(Model model, string label) => TensorSet.Capture(model, i => RealInput.Set(i, 0, -1, 0.5, 3, 9), label);

    [Fact]
    public void Histogram_of_two_int8_runs_has_one_bin_per_LSB_with_the_counts_of_each_error()
    {
        sbyte[] r = [0, 5, -3, 7, 7, 1, 0, 2];
        sbyte[] c = [0, 6, -4, 9, 7, 1, 1, 2]; // errors 0, +1, −1, +2, 0, 0, +1, 0
        var reference = Set("r", Int8("in", 0, [8], 0.5f, r));
        var candidate = Set("c", Int8("in", 0, [8], 0.5f, c));
        var report = ParityReport.Compare(reference, candidate);
        var expected = r.Zip(c, (a, b) => b - a).GroupBy(e => e).ToDictionary(g => (double)g.Key, g => (long)g.Count());
        var bins = report.Histogram!.Bins;
        Assert.Equal("LSB", report.Histogram.Unit);
        Assert.Equal(r.Length, bins.Sum(b => b.Count));
        Assert.All(bins, b => Assert.Equal(1.0, b.Upper - b.Lower, 9));
        foreach (var bin in bins)
            Assert.Equal(expected.GetValueOrDefault(Math.Round((bin.Lower + bin.Upper) / 2)), bin.Count);
        Assert.Equal(2.0, report.Rows[0].MaxLsb);
        Assert.Equal(1.0, report.Rows[0].MaxAbsError); // 2 LSB of 0.5
    }

    [Fact]
    public void A_run_against_its_saved_copy_is_identical_everywhere()
    {
        var (_, int8) = Sine();
        string directory = Directory.CreateTempSubdirectory("tmw-parity").FullName;
        int8.Save(directory);
        var report = ParityReport.Compare(TensorSet.Load(directory), Capture(RepositoryData("sine_int8.tflite"), 1.3, "again"));
        Assert.All(report.Rows, r => Assert.Equal(0, r.MaxAbsError));
        Assert.Empty(report.JumpRows);
        Assert.Contains("Every compared tensor is identical.", report.ToText());
        Assert.Contains("exact match (0) drawn here", report.ToHtml());
    }

    [Fact]
    public void A_focus_the_runs_do_not_have_falls_back_to_the_worst_tensor_with_a_note()
    {
        var (reference, candidate) = Sine();
        var report = ParityReport.Compare(reference, candidate, focus: "no such tensor");
        Assert.False(report.FocusPicked);
        Assert.Equal(report.Worst, report.Focus);
        Assert.Contains("'no such tensor' is not a tensor both runs have", report.ToText());
        Assert.Contains(Html.Html.Encode("'no such tensor' is not a tensor both runs have"), report.ToHtml());
    }

    [Fact]
    public void Layer_chart_plots_each_tensors_max_and_mean_LSB_error_on_a_log_axis()
    {
        var (reference, candidate) = HelloWorld();
        var report = ParityReport.Compare(reference, candidate);
        var figure = FigureJson.Of(report.ToHtml());
        Assert.Equal("log", figure["layout"]!["yaxis"]!["type"]!.GetValue<string>());
        var max = figure["data"]![0]!;
        var mean = figure["data"]![1]!;
        Assert.Equal(report.Rows.Select(r => r.MaxLsb!.Value), max["y"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal(report.Rows.Select(r => r.MeanLsb!.Value), mean["y"]!.AsArray().Select(v => v!.GetValue<double>()));
    }

    [Fact]
    public void Chromium_draws_the_layer_chart_and_the_histogram()
    {
        var (reference, candidate) = HelloWorld();
        var report = ParityReport.Compare(reference, candidate);
        string file = Path.Combine(Directory.CreateTempSubdirectory("tmw-parity").FullName, "parity.html");
        File.WriteAllText(file, HtmlPage.Of("parity", report));
        string dom = HeadlessBrowser.DumpDom(file);
        // Scatter markers: max and mean for each of the 4 tensors, plus the ring on the first jump.
        Assert.Equal(2 * report.Rows.Count + report.JumpRows.Count, Regex.Matches(dom, "<path class=\"point\"").Count);
        // The two lines (the legend draws a sample of each as well).
        Assert.True(Regex.Matches(dom, "<path class=\"js-line\" d=\"M[^\"]+L").Count >= 2);
        // Histogram bars of the focused tensor (16 elements, each bin with elements draws a bar).
        int filled = report.Histogram!.Bins.Count(b => b.Count > 0);
        Assert.True(Regex.Matches(dom, "<g class=\"point\"><path d=\"M[^Z\"]+Z\"").Count >= filled);
        Assert.Contains("error jumps", dom);
        Assert.Contains("tolerance 2 LSB", dom);
    }

    [Fact]
    public void Hostile_names_and_labels_never_reach_the_markup_or_the_chart()
    {
        var model = HostileModels.Runnable();
        var reference = TensorSet.Capture(model, i => RealInput.Set(i, 0, -1, 0.5, 3, 9), HostileModels.Payloads[2]);
        var candidate = TensorSet.Capture(model, i => RealInput.Set(i, 0, -1, 1.5, 3, 9), HostileModels.Payloads[0]);
        var report = ParityReport.Compare(reference, candidate, focus: HostileModels.Payloads[1]);
        string html = report.ToHtml();
        Assert.DoesNotContain("cannot be shown", html);
        HostileModels.AssertNoMarkup(html);
        HostileModels.AssertNoMarkup(FigureJson.Strings(FigureJson.Of(html)));
        Assert.Contains(Html.Html.Encode(HostileModels.Payloads[1]), html);
        Assert.Equal(HostileModels.Payloads[1], report.Focus!.Name);
    }
}
