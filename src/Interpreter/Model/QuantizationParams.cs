namespace TinyMl.Interpreter;

/// <summary>
/// Affine quantization of a tensor: real = scale * (q - zero_point). Per-tensor when there is one
/// scale, per-channel along <see cref="QuantizedDimension"/> otherwise (conv and FC weights).
/// </summary>
public sealed class QuantizationParams
{
    public float[] Scales { get; }
    public int[] ZeroPoints { get; }
    public int QuantizedDimension { get; }

    public QuantizationParams(float[] scales, int[] zeroPoints, int quantizedDimension)
    {
        Scales = scales;
        ZeroPoints = zeroPoints;
        QuantizedDimension = quantizedDimension;
    }

    public bool IsPerChannel => Scales.Length > 1;
    public float Scale => Scales.Length > 0 ? Scales[0] : 0f;
    public int ZeroPoint => ZeroPoints.Length > 0 ? ZeroPoints[0] : 0;

    public override string ToString() => IsPerChannel
        ? $"per-channel({Scales.Length}) dim {QuantizedDimension}"
        : $"scale {Scale:G9} zero_point {ZeroPoint}";
}
