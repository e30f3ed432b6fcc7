using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Workbench;

/// <summary>Two runs of a model compared tensor by tensor (layer by layer): max abs error (in LSB when quantized), histogram, worst elements, the first layer whose error jumps.</summary>
public sealed class ParityReport : WorkbenchView
{
    public static ParityReport Compare(TensorSet reference, TensorSet candidate) => new() { ReferenceLabel = reference.Label, CandidateLabel = candidate.Label };
    public required string ReferenceLabel { get; init; }
    public required string CandidateLabel { get; init; }
    public override string Title => $"Parity of {CandidateLabel} against {ReferenceLabel}";

    // STUB: replaced by the view's real implementation.
    protected override void WriteHtml(StringBuilder html) => throw new NotImplementedException("ParityReport is not written yet");
    protected override string RenderText() => throw new NotImplementedException("ParityReport is not written yet");
}
