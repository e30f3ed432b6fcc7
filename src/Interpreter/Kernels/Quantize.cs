using System.Numerics;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// QUANTIZE: float32 -> int8/int16/uint8 as round(x / scale) + zero_point (in float, ties away from
/// zero, clamped), and requantization between integer types (int8 -> int8/uint8/int16/int32, uint8 ->
/// int8, int16 -> int8/int16/int32, int32 -> int8/int16) by the multiplier input_scale / output_scale,
/// as TFLM's reference Requantize.
/// </summary>
internal sealed class QuantizeKernel : OperatorKernel
{
    private enum Path { FromFloat, Requantize }

    private sealed class OpData
    {
        public Path Path;
        public float OutputScale;
        public int InputZeroPoint, OutputZeroPoint;
        public int Multiplier, Shift;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.InputCount == 1 && node.OutputCount == 1,
            $"needs 1 input and 1 output, the model gives {node.InputCount} and {node.OutputCount}");
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireSameElementCount(input, output);
        node.RequirePerTensorQuantization(output, "output");

        var data = new OpData { OutputScale = output.Scale, OutputZeroPoint = output.ZeroPoint };
        if (input.Type == TensorType.FLOAT32 && output.Type is TensorType.INT8 or TensorType.INT16 or TensorType.UINT8)
        {
            data.Path = Path.FromFloat;
        }
        else if (IsRequantization(input.Type, output.Type))
        {
            node.RequirePerTensorQuantization(input, "input");
            data.Path = Path.Requantize;
            data.InputZeroPoint = input.ZeroPoint;
            var q = QuantizedMultiplier.FromDouble((double)input.Scale / output.Scale);
            data.Multiplier = q.Multiplier;
            data.Shift = q.Shift;
        }
        else
        {
            throw node.Unsupported(
                $"input {TensorTypes.Name(input.Type)} with output {TensorTypes.Name(output.Type)} is not supported");
        }
        node.Data = data;
    }

    private static bool IsRequantization(TensorType input, TensorType output) => (input, output) switch
    {
        (TensorType.INT8, TensorType.INT8 or TensorType.UINT8 or TensorType.INT16 or TensorType.INT32) => true,
        (TensorType.UINT8, TensorType.INT8) => true,
        (TensorType.INT16, TensorType.INT8 or TensorType.INT16 or TensorType.INT32) => true,
        (TensorType.INT32, TensorType.INT8 or TensorType.INT16) => true,
        _ => false,
    };

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        if (d.Path == Path.FromFloat)
        {
            var x = input.AsReadOnlySpan<float>();
            switch (output.Type)
            {
                case TensorType.INT8: FromFloat(d, x, output.AsSpan<sbyte>()); break;
                case TensorType.INT16: FromFloat(d, x, output.AsSpan<short>()); break;
                case TensorType.UINT8: FromFloat(d, x, output.AsSpan<byte>()); break;
            }
            return;
        }
        switch (input.Type)
        {
            case TensorType.INT8: Requantize(d, input.AsReadOnlySpan<sbyte>(), output); break;
            case TensorType.UINT8: Requantize(d, input.AsReadOnlySpan<byte>(), output); break;
            case TensorType.INT16: Requantize(d, input.AsReadOnlySpan<short>(), output); break;
            case TensorType.INT32: Requantize(d, input.AsReadOnlySpan<int>(), output); break;
        }
    }

    private static void FromFloat<TOut>(OpData d, ReadOnlySpan<float> input, Span<TOut> output)
        where TOut : unmanaged, IBinaryInteger<TOut>, IMinMaxValue<TOut>
    {
        int min = int.CreateTruncating(TOut.MinValue);
        int max = int.CreateTruncating(TOut.MaxValue);
        for (int i = 0; i < input.Length; i++)
        {
            float rounded = MathF.Round(input[i] / d.OutputScale, MidpointRounding.AwayFromZero);
            int value = unchecked(TruncateLikeNativeTflm(rounded) + d.OutputZeroPoint);
            output[i] = TOut.CreateTruncating(Math.Clamp(value, min, max));
        }
    }

    // TFLM converts with a plain C cast; on x86 a value outside int32 (or NaN) converts to INT32_MIN
    // (the "integer indefinite"), whereas .NET saturates. Matched so extreme inputs agree with TFLM.
    private static int TruncateLikeNativeTflm(float value) =>
        value >= -2147483648f && value < 2147483648f ? (int)value : int.MinValue;

    private static void Requantize<TIn>(OpData d, ReadOnlySpan<TIn> input, Tensor output)
        where TIn : unmanaged, IBinaryInteger<TIn>
    {
        switch (output.Type)
        {
            case TensorType.INT8: Requantize(d, input, output.AsSpan<sbyte>()); break;
            case TensorType.UINT8: Requantize(d, input, output.AsSpan<byte>()); break;
            case TensorType.INT16: Requantize(d, input, output.AsSpan<short>()); break;
            case TensorType.INT32: Requantize(d, input, output.AsSpan<int>()); break;
        }
    }

    private static void Requantize<TIn, TOut>(OpData d, ReadOnlySpan<TIn> input, Span<TOut> output)
        where TIn : unmanaged, IBinaryInteger<TIn>
        where TOut : unmanaged, IBinaryInteger<TOut>, IMinMaxValue<TOut>
    {
        int min = int.CreateTruncating(TOut.MinValue);
        int max = int.CreateTruncating(TOut.MaxValue);
        for (int i = 0; i < input.Length; i++)
        {
            int centred = unchecked(int.CreateTruncating(input[i]) - d.InputZeroPoint);
            int value = unchecked(FixedPoint.MultiplyByQuantizedMultiplier(centred, d.Multiplier, d.Shift) + d.OutputZeroPoint);
            output[i] = TOut.CreateTruncating(Math.Clamp(value, min, max));
        }
    }
}

/// <summary>DEQUANTIZE: int8, int16 or uint8 -> float32 as scale * (q - zero_point), the product in float.</summary>
internal sealed class DequantizeKernel : OperatorKernel
{
    private sealed class OpData
    {
        public float Scale;
        public int ZeroPoint;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.InputCount == 1 && node.OutputCount == 1,
            $"needs 1 input and 1 output, the model gives {node.InputCount} and {node.OutputCount}");
        var input = node.Input(0);
        var output = node.Output(0);
        if (input.Type is not (TensorType.INT8 or TensorType.INT16 or TensorType.UINT8 or TensorType.FLOAT16) || output.Type != TensorType.FLOAT32)
            throw node.Unsupported(
                $"input {TensorTypes.Name(input.Type)} with output {TensorTypes.Name(output.Type)} is not supported (int8, int16, uint8 or float16 to float32)");
        node.RequireSameElementCount(input, output);
        // float16 weights (converters' "float16 quantization") are widened exactly; they carry no scale.
        if (input.Type == TensorType.FLOAT16)
        {
            node.Data = new OpData();
            return;
        }
        node.RequirePerTensorQuantization(input, "input");
        node.Data = new OpData { Scale = input.Scale, ZeroPoint = input.ZeroPoint };
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0].AsSpan<float>();
        switch (input.Type)
        {
            case TensorType.INT8: Dequantize(d, input.AsReadOnlySpan<sbyte>(), output); break;
            case TensorType.INT16: Dequantize(d, input.AsReadOnlySpan<short>(), output); break;
            case TensorType.UINT8: Dequantize(d, input.AsReadOnlySpan<byte>(), output); break;
            case TensorType.FLOAT16:
                var halves = input.AsReadOnlySpan<Half>();
                for (int i = 0; i < halves.Length; i++) output[i] = (float)halves[i];
                break;
        }
    }

    private static void Dequantize<TIn>(OpData d, ReadOnlySpan<TIn> input, Span<float> output)
        where TIn : unmanaged, IBinaryInteger<TIn>
    {
        for (int i = 0; i < input.Length; i++)
            output[i] = d.Scale * (int.CreateTruncating(input[i]) - d.ZeroPoint);
    }
}
