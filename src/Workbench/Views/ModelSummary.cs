using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Workbench;

/// <summary>
/// A model at a glance: per operator its index, op, input/output shapes and types, MACs and parameter
/// bytes; totals (parameters = flash, peak arena = RAM per planner, MACs); inputs and outputs with
/// quantization; subgraphs; metadata names.
/// </summary>
public sealed class ModelSummary : WorkbenchView
{
    public static ModelSummary Of(Model model, IOpResolver? resolver = null) => new() { ModelSource = model.Source };
    public required string ModelSource { get; init; }
    public override string Title => $"Summary of {ModelSource}";

    // STUB: replaced by the view's real implementation.
    protected override void WriteHtml(StringBuilder html) => throw new NotImplementedException("ModelSummary is not written yet");
    protected override string RenderText() => throw new NotImplementedException("ModelSummary is not written yet");
}
