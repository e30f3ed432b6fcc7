using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>
/// A tensor of the running model: its description plus the bytes it occupies, which are a slice of
/// the arena (activations, variables) or of the model file (constants). Kernels read inputs through
/// <see cref="AsReadOnlySpan{T}"/> and write outputs through <see cref="AsSpan{T}"/>.
/// </summary>
public sealed class Tensor
{
    private readonly TensorInfo _info;
    private Memory<byte> _data;
    private int[] _shape;

    internal Tensor(TensorInfo info)
    {
        _info = info;
        _shape = info.Shape;
        if (info.IsConstant)
            _data = MemoryMarshal.AsMemory(info.Data);
    }

    public int Index => _info.Index;
    public string Name => _info.Name;
    public TensorType Type => _info.Type;
    public ReadOnlySpan<int> Shape => _shape;
    public int Rank => _shape.Length;
    public QuantizationParams? Quantization => _info.Quantization;
    /// <summary>Per-tensor scale (0 when unquantized).</summary>
    public float Scale => _info.Quantization?.Scale ?? 0f;
    /// <summary>Per-tensor zero point (0 when unquantized).</summary>
    public int ZeroPoint => _info.Quantization?.ZeroPoint ?? 0;
    public bool IsConstant => _info.IsConstant;
    public bool IsVariable => _info.IsVariable;
    public TensorInfo Info => _info;

    public int ElementCount
    {
        get
        {
            int n = 1;
            foreach (int d in _shape) n *= d;
            return n;
        }
    }

    public int ByteCount => ElementCount * TensorTypes.ElementSize(Type);

    /// <summary>True once the tensor has memory (constants always; others after AllocateTensors).</summary>
    public bool HasData => !_data.IsEmpty || ByteCount == 0;

    public int Dim(int i) => _shape[i];

    public int[] ShapeArray() => _shape.ToArray();

    /// <summary>Changes the shape during Prepare (e.g. RESHAPE's output). The byte count may not grow past what the model declared.</summary>
    internal void SetShape(int[] shape) => _shape = shape;

    internal void Bind(Memory<byte> data) => _data = data;

    /// <summary>
    /// Set by the arena plan: the first operator whose buffer reuses some of this tensor's bytes after its
    /// last use (so after an Invoke the tensor shows a later buffer's values), or null when no buffer does —
    /// always null with <see cref="InterpreterOptions.PreserveAllTensors"/>.
    /// </summary>
    public int? BytesReusedFromOperator { get; internal set; }

    /// <summary>The raw bytes, read-only.</summary>
    public ReadOnlySpan<byte> Bytes => _data.Span;

    public ReadOnlySpan<T> AsReadOnlySpan<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(_data.Span);

    /// <summary>Writable view; constants (which live in the model file) refuse.</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        if (_info.IsConstant)
            throw new TensorDataException($"tensor {Index} ('{Name}') is a constant of the model and cannot be written");
        return MemoryMarshal.Cast<byte, T>(_data.Span);
    }

    public T[] ToArray<T>() where T : unmanaged => AsReadOnlySpan<T>().ToArray();

    /// <summary>Copies <paramref name="values"/> in, checking the element type's size and the byte count.</summary>
    public void CopyFrom<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        if (bytes.Length != ByteCount)
            throw new TensorDataException(
                $"tensor {Index} ('{Name}') is {TensorTypes.Name(Type)}[{string.Join(",", _shape)}] = {ByteCount} bytes; {bytes.Length} bytes given");
        if (_data.IsEmpty && ByteCount > 0)
            throw new InterpreterStateException($"tensor {Index} ('{Name}') has no memory yet: call AllocateTensors first");
        bytes.CopyTo(AsSpan<byte>());
    }

    public void CopyFrom<T>(T[] values) where T : unmanaged => CopyFrom((ReadOnlySpan<T>)values);

    public override string ToString() => $"{Index} '{Name}' {TensorTypes.Name(Type)}[{string.Join(",", _shape)}]";
}
