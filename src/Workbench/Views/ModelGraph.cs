using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Workbench;

/// <summary>The model drawn as a picture, Netron-style: operators as nodes, tensors as edges, laid out by MSAGL, rendered as SVG.</summary>
public sealed class ModelGraph : WorkbenchView
{
    public static ModelGraph Of(Model model, ProfileView? profile = null) => new() { ModelSource = model.Source };
    public required string ModelSource { get; init; }
    public override string Title => $"Graph of {ModelSource}";

    // STUB: replaced by the view's real implementation.
    protected override void WriteHtml(StringBuilder html) => throw new NotImplementedException("ModelGraph is not written yet");
    protected override string RenderText() => throw new NotImplementedException("ModelGraph is not written yet");
}
