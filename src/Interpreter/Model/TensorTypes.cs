using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>Facts about TFLite element types that the reader, allocator and kernels share.</summary>
public static class TensorTypes
{
    /// <summary>Bytes per element, or 0 for types whose size is not fixed (STRING, VARIANT).</summary>
    public static int ElementSize(TensorType type) => type switch
    {
        TensorType.FLOAT32 or TensorType.INT32 or TensorType.UINT32 => 4,
        TensorType.FLOAT16 or TensorType.INT16 or TensorType.UINT16 or TensorType.BFLOAT16 => 2,
        TensorType.UINT8 or TensorType.INT8 or TensorType.BOOL => 1,
        TensorType.INT64 or TensorType.UINT64 or TensorType.FLOAT64 or TensorType.COMPLEX64 => 8,
        TensorType.COMPLEX128 => 16,
        // INT4 is stored unpacked (one value per byte) in the arena, as TFLM does.
        TensorType.INT4 => 1,
        // A resource tensor holds the int32 id of a resource variable (VAR_HANDLE writes it), as in TFLM.
        TensorType.RESOURCE => 4,
        _ => 0,
    };

    public static bool IsKnown(TensorType type) => Enum.IsDefined(type);

    /// <summary>Lower-case name as TFLite tools print it (int8, float32, ...).</summary>
    public static string Name(TensorType type) => IsKnown(type) ? type.ToString().ToLowerInvariant() : $"type{(int)type}";
}
