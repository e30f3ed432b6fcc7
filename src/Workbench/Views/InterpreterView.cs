using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Workbench;

/// <summary>What displaying a MicroInterpreter shows: its model's summary, inputs and outputs with their current values, and the arena it uses.</summary>
public sealed class InterpreterView : WorkbenchView
{
    public static InterpreterView Of(MicroInterpreter interpreter) => new() { ModelSource = interpreter.Model.Source };
    public required string ModelSource { get; init; }
    public override string Title => $"Interpreter of {ModelSource}";

    // STUB: replaced by the view's real implementation.
    protected override void WriteHtml(StringBuilder html) => throw new NotImplementedException("InterpreterView is not written yet");
    protected override string RenderText() => throw new NotImplementedException("InterpreterView is not written yet");
}
