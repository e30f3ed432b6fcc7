using System.Text.RegularExpressions;
using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Workbench.Tests.Security;

/// <summary>
/// Models whose every string (tensor, operator, subgraph and metadata names, description, custom op
/// names, source) is a markup payload, and the checks that a view encoded what the model says.
/// </summary>
public static class HostileModels
{
    public const string Script = "<script>alert(1)</script>";
    public const string Image = "<img src=x onerror=alert(1)>";
    // Breaks out of a quoted attribute, then opens an element with a handler.
    public const string Quote = "\"'><svg onload=alert(1)>";
    public static readonly string[] Payloads = [Script, Image, Quote];

    /// <summary>A RELU between two tensors (the runtime can run it), names, description and metadata all payloads.</summary>
    public static Model Runnable()
    {
        var builder = new ModelBuilder { Description = Script };
        int input = builder.AddTensor(Script, TensorType.INT8, [1, 4], scales: [0.5f], zeroPoints: [3]);
        int output = builder.AddTensor(Image, TensorType.INT8, [1, 4], scales: [0.5f], zeroPoints: [3]);
        builder.AddOperator(BuiltinOperator.RELU, [input], [output]);
        builder.SetInputs(input).SetOutputs(output).AddMetadata(Quote, [1, 2, 3]);
        builder.Edit(m => m.Subgraphs[0].Name = Quote);
        return builder.ToModel(Image + ".tflite");
    }

    /// <summary>A custom op named by a payload, which the runtime has no kernel for (so its error message carries the name).</summary>
    public static Model WithCustomOperator()
    {
        var builder = new ModelBuilder { Description = Image };
        int input = builder.AddTensor(Quote, TensorType.FLOAT32, [1, 4]);
        int weights = builder.AddConstant(Script, TensorType.FLOAT32, [1, 4], new float[] { 1, 2, 3, 4 });
        int output = builder.AddTensor(Image, TensorType.FLOAT32, [1, 4]);
        builder.AddOperator(BuiltinOperator.CUSTOM, [input, weights], [output], customCode: Script);
        builder.SetInputs(input).SetOutputs(output).AddMetadata(Script, [0]);
        builder.Edit(m => m.Subgraphs[0].Name = Image);
        return builder.ToModel(Quote);
    }

    /// <summary>
    /// A custom op named by a payload with a kernel (<see cref="Resolver"/>) that keeps persistent data and
    /// scratch, a variable tensor: every arena region carries a hostile owner name.
    /// </summary>
    public static Model WithKernelState()
    {
        var builder = new ModelBuilder { Description = Quote };
        int input = builder.AddTensor(Script, TensorType.FLOAT32, [1, 8]);
        int state = builder.AddTensor(Image, TensorType.FLOAT32, [1, 8], isVariable: true);
        int output = builder.AddTensor(Quote, TensorType.FLOAT32, [1, 8]);
        builder.AddOperator(BuiltinOperator.CUSTOM, [input, state], [output], customCode: Script);
        builder.SetInputs(input).SetOutputs(output).AddMetadata(Image, [7]);
        builder.Edit(m => m.Subgraphs[0].Name = Script);
        return builder.ToModel(Image);
    }

    public static OpResolver Resolver() => OpResolver.WithAllBuiltins().AddCustom(Script, new Keeper());

    /// <summary>Keeps 40 bytes for its life and asks for 100 bytes of scratch.</summary>
    private sealed class Keeper : OperatorKernel
    {
        public override object? Init(KernelContext context, Node node) => context.AllocatePersistentBuffer(40);
        public override void Prepare(KernelContext context, Node node) => context.RequestScratchBuffer(100);
        public override void Invoke(KernelContext context, Node node) { }
    }

    // What would make a browser create an element or a handler from a payload, raw in the HTML.
    private static readonly string[] Openings = ["<script>alert", "<img src=x", "<svg onload", "'><svg", "\"'>"];

    /// <summary>
    /// No payload survives as markup: each is absent or encoded. The JSON inside script blocks (plotly
    /// figures) must escape '&lt;' too, or a "&lt;/script&gt;" in a name would end the block early.
    /// </summary>
    public static void AssertNoMarkup(string html)
    {
        html = html.Replace(TinyMl.Workbench.Charts.PlotlyScript.Tag(), ""); // the library's own source is not the model's words
        foreach (var payload in Payloads)
            Assert.DoesNotContain(payload, html);
        foreach (var opening in Openings)
            Assert.DoesNotContain(opening, html, StringComparison.OrdinalIgnoreCase);
        foreach (Match figure in Regex.Matches(html, @"var fig=(\{.*?\});\s*var tries", RegexOptions.Singleline))
            Assert.DoesNotContain("<", figure.Groups[1].Value);
    }

    /// <summary>Strings plotly renders as markup (hover text, names, annotations) must carry no payload either, once decoded from JSON.</summary>
    public static void AssertNoMarkup(IEnumerable<string> plotlyStrings) =>
        Assert.All(plotlyStrings, text => Assert.DoesNotMatch("<(script|img|svg)|'>", text));
}
