using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Workbench;

/// <summary>The arena plan as an interactive chart (x = operator, y = offset, one rectangle per buffer), the tail, planners side by side, and the answer "this model needs N bytes".</summary>
public sealed class ArenaPlanView : WorkbenchView
{
    public static ArenaPlanView Of(ArenaPlan plan, string modelName = "model") => new() { ModelName = modelName };
    public static ArenaPlanView Compare(Model model, IOpResolver? resolver = null) => new() { ModelName = model.Source };
    public required string ModelName { get; init; }
    public override string Title => $"Arena plan of {ModelName}";

    // STUB: replaced by the view's real implementation.
    protected override void WriteHtml(StringBuilder html) => throw new NotImplementedException("ArenaPlanView is not written yet");
    protected override string RenderText() => throw new NotImplementedException("ArenaPlanView is not written yet");
}
