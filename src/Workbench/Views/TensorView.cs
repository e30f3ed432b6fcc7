using System.Text;
using TinyMl.Interpreter;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Workbench;

/// <summary>One tensor: name, type, shape, quantization; values raw and dequantized; images/heatmaps; histogram; statistics.</summary>
public sealed class TensorView : WorkbenchView
{
    public static TensorView Of(Tensor tensor) => Of(TensorData.From(tensor));
    public static TensorView Of(TensorInfo tensor) => Of(TensorData.From(tensor));
    public static TensorView Of(TensorData tensor) => new() { Tensor = tensor };
    public required TensorData Tensor { get; init; }
    public override string Title => $"Tensor {Tensor.Index} '{Tensor.Name}'";

    // STUB: replaced by the view's real implementation.
    protected override void WriteHtml(StringBuilder html) => throw new NotImplementedException("TensorView is not written yet");
    protected override string RenderText() => throw new NotImplementedException("TensorView is not written yet");
}
