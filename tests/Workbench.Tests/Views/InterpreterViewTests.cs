using System.Globalization;
using System.Net;
using TinyMl.Interpreter;
using TinyMl.Workbench.Html;
using Model = TinyMl.Interpreter.Model;

using TinyMl.Workbench.Tests.Security;

namespace TinyMl.Workbench.Tests.Views;

public class InterpreterViewTests
{
    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static MicroInterpreter PersonDetect(int arena = 300_000) =>
        new(Model.Load(SharedData.ModelPath("person_detect")), OpResolver.WithAllBuiltins(), arena);

    [Fact]
    public void A_not_allocated_interpreter_shows_its_state_and_what_to_call()
    {
        using var interpreter = PersonDetect();
        var view = InterpreterView.Of(interpreter);
        string html = view.ToHtml(), text = view.ToText();

        Assert.False(view.IsAllocated);
        Assert.DoesNotContain("cannot be shown", html);
        Assert.Contains("<b>not allocated</b>", html);
        Assert.Contains("Call AllocateTensors()", html);
        Assert.Contains("not allocated", text);
        Assert.Contains("Call AllocateTensors()", text);
        // The tensors are described from the model, with no values yet.
        Assert.Contains("MobilenetV1/Predictions/Reshape_1", html);
        Assert.Contains("(no memory yet)", html);
        Assert.Contains($"arena capacity <b>{N(300_000)} B</b>", html);
        Assert.Contains("<details><summary>31 operators</summary>", html);
    }

    [Fact]
    public void A_failed_allocation_leaves_a_view_that_still_renders()
    {
        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("mobilenet_v2_quantized_1x3x224x224")), OpResolver.WithAllBuiltins(), 1 << 20);
        Assert.ThrowsAny<TinyMlException>(interpreter.AllocateTensors);
        string html = InterpreterView.Of(interpreter).ToHtml();
        Assert.Contains("<b>not allocated</b>", html);
        Assert.Contains("<details><summary>84 operators</summary>", html);
    }

    [Fact]
    public void An_invoked_interpreter_shows_the_values_its_tensors_hold_raw_and_dequantized()
    {
        using var interpreter = PersonDetect();
        interpreter.AllocateTensors();
        byte[] image = File.ReadAllBytes(SharedData.GoldenPath("person_detect", "person.input0.bin"));
        interpreter.Input(0).CopyFrom(image);
        interpreter.Invoke();
        var view = InterpreterView.Of(interpreter);
        string html = view.ToHtml(), text = view.ToText();

        // The output's bytes decoded here: TFLM's answer for person.bmp is [-113, 113] (no person, person).
        var output = interpreter.Output(0);
        var scores = output.Bytes.ToArray().Select(b => (int)(sbyte)b).ToArray();
        Assert.Equal(new[] { -113, 113 }, scores);
        Assert.Equal(scores.Select(s => (double)s), view.Outputs[0].RawValues());
        Assert.Contains("<code>-113, 113</code>", html);
        string real = string.Join(", ", scores.Select(q => (output.Scale * (q - output.ZeroPoint)).ToString("G4", CultureInfo.InvariantCulture)));
        Assert.Equal("0.05859, 0.9414", real); // scale 1/256, zero point -128
        Assert.Contains("≈ " + real, html);
        Assert.True(text.Contains("-113, 113  ≈ " + real), text);

        // The input as it is now: the greedy plan hands its bytes to a later operator's output, so after
        // Invoke it no longer holds the image, and the view says so.
        var input = interpreter.Input(0);
        string first = string.Join(", ", input.Bytes.ToArray().Take(InterpreterView.ShownValues).Select(b => ((sbyte)b).ToString(CultureInfo.InvariantCulture)));
        Assert.Contains($"<code>{first}, … ({N(image.Length)} values)</code>", html);
        var own = interpreter.Plan.Buffers.Single(b => b.Kind == PlannedBufferKind.Tensor && b.Id == input.Index);
        int reuser = interpreter.Plan.Buffers.Where(b => b.FirstOperator > own.LastOperator && b.Offset < own.Offset + own.Bytes && own.Offset < b.Offset + b.Bytes)
            .Min(b => b.FirstOperator);
        Assert.Contains($"operator {reuser} reuses these bytes", html);
        Assert.NotEqual(image.Take(8), input.Bytes.ToArray().Take(8));

        // Arena use as the interpreter reports it.
        Assert.True(view.IsAllocated);
        Assert.Equal((interpreter.ArenaUsedBytes, interpreter.Plan.HeadBytes, interpreter.Plan.TailBytes), (view.ArenaUsedBytes, view.HeadBytes, view.TailBytes));
        Assert.Contains($"arena {N(interpreter.ArenaUsedBytes)} B used of {N(300_000)} B", html);
        Assert.Contains($"head {N(interpreter.Plan.HeadBytes)} B", html);
        Assert.Contains($"tail {N(interpreter.Plan.TailBytes)} B", html);
    }

    [Fact]
    public void Preserved_inputs_keep_the_image_and_carry_no_reuse_note()
    {
        using var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("person_detect")), OpResolver.WithAllBuiltins(), 1 << 20,
            new InterpreterOptions { PreserveAllTensors = true });
        interpreter.AllocateTensors();
        byte[] image = File.ReadAllBytes(SharedData.GoldenPath("person_detect", "person.input0.bin"));
        interpreter.Input(0).CopyFrom(image);
        interpreter.Invoke();
        string html = InterpreterView.Of(interpreter).ToHtml();
        string first = string.Join(", ", image.Take(InterpreterView.ShownValues).Select(b => ((sbyte)b).ToString(CultureInfo.InvariantCulture)));
        Assert.Contains($"<code>{first}, …", html);
        Assert.DoesNotContain("reuses these bytes", html);
    }

    [Fact]
    public void Values_are_a_snapshot_not_a_live_view_of_the_arena()
    {
        using var interpreter = PersonDetect();
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(File.ReadAllBytes(SharedData.GoldenPath("person_detect", "person.input0.bin")));
        interpreter.Invoke();
        var view = InterpreterView.Of(interpreter);
        interpreter.Input(0).CopyFrom(File.ReadAllBytes(SharedData.GoldenPath("person_detect", "no_person.input0.bin")));
        interpreter.Invoke();
        Assert.Equal([57.0, -57.0], InterpreterView.Of(interpreter).Outputs[0].RawValues());
        Assert.Equal([-113.0, 113.0], view.Outputs[0].RawValues());
    }

    [Fact]
    public void Hostile_names_never_become_markup()
    {
        var model = HostileModels.Runnable();
        using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 4096);
        HostileModels.AssertNoMarkup(InterpreterView.Of(interpreter).ToHtml());
        interpreter.AllocateTensors();
        interpreter.Input(0).CopyFrom(new sbyte[] { -5, 0, 3, 100 });
        interpreter.Invoke();
        string html = InterpreterView.Of(interpreter).ToHtml();
        HostileModels.AssertNoMarkup(html);
        Assert.Contains(WebUtility.HtmlEncode("<img src=x onerror=alert(1)>"), html);
        // RELU on int8 with zero point 3 clamps below 3: the output decoded by hand.
        Assert.Contains("<code>3, 3, 3, 100</code>", html);

        using var custom = new MicroInterpreter(HostileModels.WithCustomOperator(), OpResolver.WithAllBuiltins(), 4096);
        Assert.ThrowsAny<TinyMlException>(custom.AllocateTensors);
        HostileModels.AssertNoMarkup(InterpreterView.Of(custom).ToHtml());
    }

    [Fact]
    public void Interpreter_page_parses_in_chromium_with_the_operator_table_folded()
    {
        using var interpreter = PersonDetect();
        interpreter.AllocateTensors();
        string file = Path.Combine(Directory.CreateTempSubdirectory("tmw").FullName, "interpreter.html");
        File.WriteAllText(file, HtmlPage.Of("interpreter", InterpreterView.Of(interpreter)));
        string dom = HeadlessBrowser.DumpDom(file, budgetMs: 1000);
        int details = dom.IndexOf("<details>", StringComparison.Ordinal);
        Assert.True(details > 0);
        Assert.Equal(31, System.Text.RegularExpressions.Regex.Matches(dom[details..], "<tr>").Count - 1); // minus the header row
    }
}
