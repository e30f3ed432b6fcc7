using System.Text.RegularExpressions;

namespace TinyMl.Extension.Tests.Security;

/// <summary>
/// The extension's formatters, in a real kernel, given objects whose every string is a markup payload:
/// a model, an interpreter, its tensors, its arena plan, and an object whose view fails (its error view).
/// </summary>
public class HostileFormatterTests(ExtensionKernel kernel) : IClassFixture<ExtensionKernel>
{
    private const string Script = "<script>alert(1)</script>";
    private const string Image = "<img src=x onerror=alert(1)>";
    private const string Quote = "\"'><svg onload=alert(1)>";

    // The model built in the kernel: names, description, metadata, subgraph and source all payloads.
    private static readonly string Build = $$"""
        using TinyMl.Interpreter;
        using TinyMl.Interpreter.Schema;
        var hostileBuilder = new ModelBuilder { Description = {{Literal(Script)}} };
        int hostileIn = hostileBuilder.AddTensor({{Literal(Script)}}, TensorType.INT8, new[] { 1, 4 }, scales: new[] { 0.5f }, zeroPoints: new[] { 3L });
        int hostileOut = hostileBuilder.AddTensor({{Literal(Image)}}, TensorType.INT8, new[] { 1, 4 }, scales: new[] { 0.5f }, zeroPoints: new[] { 3L });
        hostileBuilder.AddOperator(BuiltinOperator.RELU, new[] { hostileIn }, new[] { hostileOut });
        hostileBuilder.SetInputs(hostileIn).SetOutputs(hostileOut).AddMetadata({{Literal(Quote)}}, new byte[] { 1, 2, 3 });
        hostileBuilder.Edit(m => m.Subgraphs[0].Name = {{Literal(Quote)}});
        var hostile = hostileBuilder.ToModel({{Literal(Image)}});
        var hostileInterpreter = TinyMl.Workbench.Runs.ArenaSizing.Allocate(hostile);
        hostileInterpreter.Invoke();
        """;

    private static string Literal(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    [Theory]
    [InlineData("hostile")]
    [InlineData("hostileInterpreter")]
    [InlineData("hostileInterpreter.Plan")]
    [InlineData("hostileInterpreter.Input(0)")]
    [InlineData("hostileInterpreter.Output(0)")]
    [InlineData("hostile.MainSubgraph.Tensors[1]")]
    // As an image of a shape the tensor does not have: shown or refused, either way encoded.
    [InlineData("TinyMl.Workbench.TensorView.Of(hostileInterpreter.Output(0), (7, 9))")]
    public async Task Every_formatter_encodes_what_the_model_says(string expression)
    {
        var built = await kernel.SubmitAsync(Build);
        Assert.True(built.Failure is null, built.Failure);

        var shown = await kernel.SubmitAsync(expression);

        Assert.True(shown.Failure is null, shown.Failure);
        Assert.NotNull(shown.ReturnHtml);
        string html = shown.ReturnHtml.Replace(TinyMl.Workbench.Charts.PlotlyScript.Tag(), "");
        foreach (var payload in new[] { Script, Image, Quote })
            Assert.DoesNotContain(payload, html);
        foreach (var opening in new[] { "<script>alert", "<img src=x", "<svg onload", "\"'>" })
            Assert.DoesNotContain(opening, html, StringComparison.OrdinalIgnoreCase);
        foreach (Match figure in Regex.Matches(html, @"var fig=(\{.*?\});\s*var tries", RegexOptions.Singleline))
            Assert.DoesNotContain("<", figure.Groups[1].Value);
    }
}
