using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// CAST between the types TFLM's micro kernel handles: from int8, int16, int32, uint32, float32 or
/// bool to int8, int16, int32, uint32 or float32, element by element as a C++ static_cast does.
/// Quantization parameters are ignored (int8 -> float32 gives the stored integers). Integer narrowing
/// wraps; float -> integer truncates towards zero, and where C++ leaves the result undefined (NaN or
/// out of range) this reproduces what the x86-64 instructions TFLM's build uses return.
/// </summary>
internal sealed class CastKernel : OperatorKernel
{
    private static readonly TensorType[] Sources =
        [TensorType.INT8, TensorType.INT16, TensorType.INT32, TensorType.UINT32, TensorType.FLOAT32, TensorType.BOOL];

    private static readonly TensorType[] Targets =
        [TensorType.INT8, TensorType.INT16, TensorType.INT32, TensorType.UINT32, TensorType.FLOAT32];

    private sealed class OpData
    {
        public int Count;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.InputCount == 1 && node.OutputCount == 1,
            $"needs 1 input and 1 output, the model gives {node.InputCount} and {node.OutputCount}");
        var input = node.Input(0);
        var output = node.Output(0);
        if (Array.IndexOf(Sources, input.Type) < 0 || Array.IndexOf(Targets, output.Type) < 0)
            throw node.Unsupported(
                $"cannot cast tensor {input.Index} ({TensorTypes.Name(input.Type)}) to tensor {output.Index} ({TensorTypes.Name(output.Type)}); " +
                $"supported: from {string.Join("/", Sources.Select(TensorTypes.Name))} to {string.Join("/", Targets.Select(TensorTypes.Name))}");
        node.RequireSameElementCount(input, output);
        node.Data = new OpData { Count = input.ElementCount };
    }

    public override void Invoke(KernelContext context, Node node)
    {
        int count = node.DataAs<OpData>().Count;
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        if (input.Type == TensorType.FLOAT32)
        {
            CastFromFloat(input.AsReadOnlySpan<float>()[..count], output);
            return;
        }
        // Every other source is an integer (bool as 0 or 1) that fits exactly in a long.
        switch (input.Type)
        {
            case TensorType.INT8: CastFromInteger(input.AsReadOnlySpan<sbyte>()[..count], output); break;
            case TensorType.INT16: CastFromInteger(input.AsReadOnlySpan<short>()[..count], output); break;
            case TensorType.INT32: CastFromInteger(input.AsReadOnlySpan<int>()[..count], output); break;
            case TensorType.UINT32: CastFromInteger(input.AsReadOnlySpan<uint>()[..count], output); break;
            case TensorType.BOOL: CastFromBool(input.AsReadOnlySpan<byte>()[..count], output); break;
        }
    }

    private static void CastFromInteger<T>(ReadOnlySpan<T> source, Tensor output) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        switch (output.Type)
        {
            case TensorType.INT8:
            {
                var y = output.AsSpan<sbyte>();
                for (int i = 0; i < source.Length; i++) y[i] = unchecked((sbyte)long.CreateTruncating(source[i]));
                break;
            }
            case TensorType.INT16:
            {
                var y = output.AsSpan<short>();
                for (int i = 0; i < source.Length; i++) y[i] = unchecked((short)long.CreateTruncating(source[i]));
                break;
            }
            case TensorType.INT32:
            {
                var y = output.AsSpan<int>();
                for (int i = 0; i < source.Length; i++) y[i] = unchecked((int)long.CreateTruncating(source[i]));
                break;
            }
            case TensorType.UINT32:
            {
                var y = output.AsSpan<uint>();
                for (int i = 0; i < source.Length; i++) y[i] = unchecked((uint)long.CreateTruncating(source[i]));
                break;
            }
            case TensorType.FLOAT32:
            {
                // One rounding to nearest even, as the int -> float conversion in C++ does.
                var y = output.AsSpan<float>();
                for (int i = 0; i < source.Length; i++) y[i] = float.CreateTruncating(source[i]);
                break;
            }
        }
    }

    private static void CastFromBool(ReadOnlySpan<byte> source, Tensor output)
    {
        switch (output.Type)
        {
            case TensorType.INT8:
            {
                var y = output.AsSpan<sbyte>();
                for (int i = 0; i < source.Length; i++) y[i] = (sbyte)(source[i] != 0 ? 1 : 0);
                break;
            }
            case TensorType.INT16:
            {
                var y = output.AsSpan<short>();
                for (int i = 0; i < source.Length; i++) y[i] = (short)(source[i] != 0 ? 1 : 0);
                break;
            }
            case TensorType.INT32:
            {
                var y = output.AsSpan<int>();
                for (int i = 0; i < source.Length; i++) y[i] = source[i] != 0 ? 1 : 0;
                break;
            }
            case TensorType.UINT32:
            {
                var y = output.AsSpan<uint>();
                for (int i = 0; i < source.Length; i++) y[i] = source[i] != 0 ? 1u : 0u;
                break;
            }
            case TensorType.FLOAT32:
            {
                var y = output.AsSpan<float>();
                for (int i = 0; i < source.Length; i++) y[i] = source[i] != 0 ? 1f : 0f;
                break;
            }
        }
    }

    private static void CastFromFloat(ReadOnlySpan<float> source, Tensor output)
    {
        switch (output.Type)
        {
            case TensorType.INT8:
            {
                var y = output.AsSpan<sbyte>();
                for (int i = 0; i < source.Length; i++) y[i] = unchecked((sbyte)TruncateToInt32(source[i]));
                break;
            }
            case TensorType.INT16:
            {
                var y = output.AsSpan<short>();
                for (int i = 0; i < source.Length; i++) y[i] = unchecked((short)TruncateToInt32(source[i]));
                break;
            }
            case TensorType.INT32:
            {
                var y = output.AsSpan<int>();
                for (int i = 0; i < source.Length; i++) y[i] = TruncateToInt32(source[i]);
                break;
            }
            case TensorType.UINT32:
            {
                var y = output.AsSpan<uint>();
                for (int i = 0; i < source.Length; i++) y[i] = unchecked((uint)TruncateToInt64(source[i]));
                break;
            }
            case TensorType.FLOAT32:
                source.CopyTo(output.AsSpan<float>());
                break;
        }
    }

    /// <summary>
    /// float -> int32 as x86's cvttss2si: truncation, and int.MinValue for NaN or anything outside the
    /// int32 range. C++ compilers use it for float -> int8/int16/int32 and keep the low bits.
    /// </summary>
    internal static int TruncateToInt32(float value) =>
        value >= -2147483648f && value < 2147483648f ? (int)value : int.MinValue;

    /// <summary>float -> int64 as the 64-bit cvttss2si, which C++ compilers use for float -> uint32 (keeping the low 32 bits).</summary>
    internal static long TruncateToInt64(float value) =>
        value >= -9223372036854775808f && value < 9223372036854775808f ? (long)value : long.MinValue;
}
