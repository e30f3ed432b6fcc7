using System.Buffers.Binary;

namespace TinyMl.Interpreter;

/// <summary>
/// Affine quantization of a tensor: real = scale * (q - zero_point). Per-tensor when there is one
/// scale, per-channel along <see cref="QuantizedDimension"/> otherwise (conv and FC weights).
/// </summary>
/// <remarks>
/// A model's per-channel tensors carry tens of thousands of scales and zero points (mobilenet_v2: ~34,000).
/// Read from a file they stay in the file's bytes (float32 and int64 little-endian, as the schema stores
/// them) and become arrays only when someone asks for <see cref="Scales"/> or <see cref="ZeroPoints"/>:
/// opening a model copies none of them, and kernels read them once, at Prepare.
/// </remarks>
public sealed class QuantizationParams
{
    private float[]? _scales;
    private int[]? _zeroPoints;
    private readonly ReadOnlyMemory<byte> _scaleBytes;      // float32 per channel, when file-backed
    private readonly ReadOnlyMemory<byte> _zeroPointBytes;  // int64 per channel (or empty: all zero), when file-backed

    public QuantizationParams(float[] scales, int[] zeroPoints, int quantizedDimension)
    {
        _scales = scales;
        _zeroPoints = zeroPoints;
        Count = scales.Length;
        QuantizedDimension = quantizedDimension;
    }

    /// <summary>Parameters that stay in a model file's bytes; the reader has checked every value already.</summary>
    internal QuantizationParams(ReadOnlyMemory<byte> scaleBytes, ReadOnlyMemory<byte> zeroPointBytes, int count, int quantizedDimension)
    {
        _scaleBytes = scaleBytes;
        _zeroPointBytes = zeroPointBytes;
        Count = count;
        QuantizedDimension = quantizedDimension;
    }

    /// <summary>How many scales there are: 1 per tensor, or one per channel.</summary>
    public int Count { get; }

    public float[] Scales => _scales ??= DecodeScales();
    public int[] ZeroPoints => _zeroPoints ??= DecodeZeroPoints();
    public int QuantizedDimension { get; }

    public bool IsPerChannel => Count > 1;
    public float Scale => Count == 0 ? 0f : _scales?[0] ?? ScaleAt(0);
    public int ZeroPoint => _zeroPoints is { } zeros ? (zeros.Length > 0 ? zeros[0] : 0) : ZeroPointAt(0);

    private float ScaleAt(int i) => BinaryPrimitives.ReadSingleLittleEndian(_scaleBytes.Span[(i * sizeof(float))..]);

    private int ZeroPointAt(int i) =>
        _zeroPointBytes.IsEmpty ? 0 : (int)BinaryPrimitives.ReadInt64LittleEndian(_zeroPointBytes.Span[(i * sizeof(long))..]);

    // Decoding twice on two threads is harmless: both produce the same values.
    private float[] DecodeScales()
    {
        var scales = new float[Count];
        for (int i = 0; i < scales.Length; i++) scales[i] = ScaleAt(i);
        return scales;
    }

    private int[] DecodeZeroPoints()
    {
        var zeros = new int[Count];
        for (int i = 0; i < zeros.Length; i++) zeros[i] = ZeroPointAt(i);
        return zeros;
    }

    public override string ToString() => IsPerChannel
        ? $"per-channel({Count}) dim {QuantizedDimension}"
        : $"scale {Scale:G9} zero_point {ZeroPoint}";
}
