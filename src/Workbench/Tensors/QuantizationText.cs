using TinyMl.Interpreter;
using static TinyMl.Workbench.Html.Html;

namespace TinyMl.Workbench.Tensors;

/// <summary>
/// A tensor's quantization in a few words: "scale 0.00392 zero point −128", or for per-channel
/// weights the channel count, axis and the range of scales (listing hundreds of scales helps nobody).
/// </summary>
public static class QuantizationText
{
    public static string Describe(QuantizationParams? quantization)
    {
        if (quantization is null || quantization.Count == 0) return "";
        if (!quantization.IsPerChannel)
            return $"scale {Float(quantization.Scale)} zero point {quantization.ZeroPoint}";
        float min = quantization.Scales.Min(), max = quantization.Scales.Max();
        var zeros = quantization.ZeroPoints.Distinct().ToArray();
        string zero = zeros.Length switch
        {
            0 => "",
            1 => $", zero point {zeros[0]}",
            _ => $", zero points {zeros.Min()}…{zeros.Max()}",
        };
        return $"per-channel ×{quantization.Count} (axis {quantization.QuantizedDimension}): scale {Float(min)}…{Float(max)}{zero}";
    }
}
