using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Workbench;

/// <summary>Per-operator time as bars and a table, aggregated per op type, share of total, invoke overhead; medians over repeated runs.</summary>
public sealed class ProfileView : WorkbenchView
{
    public static ProfileView Measure(MicroInterpreter interpreter, int runs = 50, int warmupRuns = 5) => new() { ModelSource = interpreter.Model.Source, Operators = [] };
    public required string ModelSource { get; init; }
    /// <summary>Median time of each operator over the runs, in execution order.</summary>
    public required IReadOnlyList<OperatorTiming> Operators { get; init; }
    public override string Title => $"Profile of {ModelSource}";

    // STUB: replaced by the view's real implementation.
    protected override void WriteHtml(StringBuilder html) => throw new NotImplementedException("ProfileView is not written yet");
    protected override string RenderText() => throw new NotImplementedException("ProfileView is not written yet");
}
