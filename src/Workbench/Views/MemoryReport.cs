using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Workbench;

/// <summary>Arena bytes by category (persistent/non-persistent tensors, scratch, each kernel's persistent data), like TFLM's RecordingMicroAllocator.</summary>
public sealed class MemoryReport : WorkbenchView
{
    public static MemoryReport Of(MicroInterpreter interpreter) => new() { ModelSource = interpreter.Model.Source };
    public required string ModelSource { get; init; }
    public override string Title => $"Memory report of {ModelSource}";

    // STUB: replaced by the view's real implementation.
    protected override void WriteHtml(StringBuilder html) => throw new NotImplementedException("MemoryReport is not written yet");
    protected override string RenderText() => throw new NotImplementedException("MemoryReport is not written yet");
}
