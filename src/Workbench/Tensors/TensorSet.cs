using TinyMl.Interpreter;

namespace TinyMl.Workbench.Tensors;

/// <summary>
/// Every tensor of one run of a model (inputs, each operator's outputs, outputs), as snapshots, with
/// a label saying where they came from ("int8 model", "reference kernels", "saved set in DIR").
/// The parity report compares two of these; a set can be saved to disk and loaded as a reference.
/// STUB: capture, save and load are written with the parity report.
/// </summary>
public sealed class TensorSet
{
    public required string Label { get; init; }
    /// <summary>Snapshots in the order operators produced them (model inputs first).</summary>
    public required IReadOnlyList<TensorData> Tensors { get; init; }
}
