using System.Runtime.InteropServices;
using System.Numerics;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// FULLY_CONNECTED: output[b, o] = act(sum_d input[b, d] * weights[o, d] + bias[o]).
/// float32; int8 and int16 activations with int8 weights (per-tensor or per-channel), following
/// TFLM's reference arithmetic: int32 (int8) or int64 (int16) accumulation, then requantization.
/// </summary>
internal sealed class FullyConnectedKernel : OperatorKernel
{
    internal sealed class OpData
    {
        public int Batches, AccumDepth, OutputDepth;
        public float FloatMin, FloatMax;
        public int InputOffset, FilterOffset, OutputOffset;
        public int ActivationMin, ActivationMax;
        // One entry per output channel (a single entry for per-tensor quantization), in the arena tail.
        public Memory<byte> Multipliers, Shifts;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var input = node.Input(0);
        var filter = node.Input(1);
        var bias = node.OptionalInput(2);
        var output = node.Output(0);
        var options = node.Operator.Options<FullyConnectedOptions>();
        var activation = options?.FusedActivationFunction ?? ActivationFunctionType.NONE;
        node.Require(options is null || options.Value.WeightsFormat == FullyConnectedOptionsWeightsFormat.DEFAULT,
            $"weights format {options?.WeightsFormat} is not supported");
        ConvQuantization.RequireSupportedActivation(node, activation);

        node.RequireRank(filter, "weights", 2);
        var data = new OpData { OutputDepth = filter.Dim(0), AccumDepth = filter.Dim(1) };
        node.Require(data.AccumDepth > 0 && input.ElementCount % data.AccumDepth == 0,
            $"input {KernelChecks.ShapeText(input)} does not divide into rows of {data.AccumDepth}");
        data.Batches = input.ElementCount / data.AccumDepth;
        node.Require(output.ElementCount == (long)data.Batches * data.OutputDepth,
            $"output {KernelChecks.ShapeText(output)} is not {data.Batches}x{data.OutputDepth}");
        if (bias is not null)
            node.Require(bias.ElementCount == data.OutputDepth, $"bias has {bias.ElementCount} elements, {data.OutputDepth} expected");

        switch (input.Type)
        {
            case TensorType.FLOAT32:
                node.RequireType(filter, "weights", TensorType.FLOAT32);
                node.RequireType(output, "output", TensorType.FLOAT32);
                if (bias is not null) node.RequireType(bias, "bias", TensorType.FLOAT32);
                (data.FloatMin, data.FloatMax) = ActivationRange.Float(activation);
                break;
            case TensorType.INT8:
            case TensorType.INT16:
                if (input.Type == TensorType.INT8)
                    node.RequireType(filter, "weights", TensorType.INT8, TensorType.INT4);   // int4 unpacked at allocation
                else
                    node.RequireType(filter, "weights", TensorType.INT8);
                node.RequireType(output, "output", input.Type);
                if (bias is not null)
                    node.RequireType(bias, "bias", input.Type == TensorType.INT8 ? TensorType.INT32 : TensorType.INT64);
                PrepareQuantized(context, node, data, input, filter, output, activation);
                break;
            default:
                throw node.Unsupported($"input type {TensorTypes.Name(input.Type)} is not supported");
        }
        node.Data = data;
    }

    private static void PrepareQuantized(KernelContext context, Node node, OpData data, Tensor input, Tensor filter, Tensor output, ActivationFunctionType activation)
    {
        node.RequirePerTensorQuantization(input, "input");
        node.RequirePerTensorQuantization(output, "output");
        node.Require(filter.Quantization is not null, $"weights tensor {filter.Index} has no quantization parameters");
        var q = filter.Quantization!;
        // Per-channel scales belong to output rows; scales along the depth would be applied to the wrong rows.
        node.Require(!q.IsPerChannel || q.QuantizedDimension == 0,
            $"weights tensor {filter.Index} {KernelChecks.ShapeText(filter)} is quantized along dimension {q.QuantizedDimension}; per-channel weights need dimension 0");
        int channels = q.IsPerChannel ? data.OutputDepth : 1;
        node.Require(channels == q.Count,
            $"weights tensor {filter.Index} has {q.Count} scales for {data.OutputDepth} output channels");
        foreach (float scale in q.Scales)
            node.Require(scale > 0, $"weights tensor {filter.Index} has scale {scale}; positive scales expected");

        data.Multipliers = context.AllocatePersistentBuffer(channels * sizeof(int));
        data.Shifts = context.AllocatePersistentBuffer(channels * sizeof(int));
        var multipliers = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(data.Multipliers.Span);
        var shifts = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(data.Shifts.Span);
        for (int c = 0; c < channels; c++)
        {
            var m = channels > 1
                ? QuantizedMultiplier.ForConvolution(input.Scale, q.Scales[c], output.Scale)
                : QuantizedMultiplier.ForPerTensorProduct(input.Scale, filter.Scale, output.Scale);
            multipliers[c] = m.Multiplier;
            shifts[c] = m.Shift;
        }
        // TFLM's 16x8 kernel applies no input offset (int16 activations are symmetric).
        data.InputOffset = input.Type == TensorType.INT16 ? 0 : -input.ZeroPoint;
        data.FilterOffset = -filter.ZeroPoint;
        data.OutputOffset = output.ZeroPoint;
        var (typeMin, typeMax) = ActivationRange.ForType(output.Type);
        (data.ActivationMin, data.ActivationMax) = ActivationRange.Quantized(activation, output.Scale, output.ZeroPoint, typeMin, typeMax);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var data = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var filter = node.Inputs[1]!;
        var bias = node.OptionalInput(2);
        var output = node.Outputs[0];
        switch (input.Type)
        {
            case TensorType.FLOAT32:
                EvalFloat(data, input.AsReadOnlySpan<float>(), filter.AsReadOnlySpan<float>(),
                    bias is null ? default : bias.AsReadOnlySpan<float>(), output.AsSpan<float>());
                break;
            case TensorType.INT8:
                EvalQuantized(data, input.AsReadOnlySpan<sbyte>(), filter.AsReadOnlySpan<sbyte>(),
                    bias is null ? default : bias.AsReadOnlySpan<int>(), output.AsSpan<sbyte>());
                break;
            case TensorType.INT16:
                EvalQuantized(data, input.AsReadOnlySpan<short>(), filter.AsReadOnlySpan<sbyte>(),
                    bias is null ? default : bias.AsReadOnlySpan<long>(), output.AsSpan<short>());
                break;
        }
    }

    private static void EvalFloat(OpData d, ReadOnlySpan<float> input, ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, Span<float> output)
    {
        for (int b = 0; b < d.Batches; b++)
        {
            var row = input.Slice(b * d.AccumDepth, d.AccumDepth);
            for (int o = 0; o < d.OutputDepth; o++)
            {
                var weights = filter.Slice(o * d.AccumDepth, d.AccumDepth);
                float total = 0f;
                for (int i = 0; i < row.Length; i++)
                    total += row[i] * weights[i];
                float value = total + (bias.IsEmpty ? 0f : bias[o]);
                output[b * d.OutputDepth + o] = ActivationRange.Clamp(value, d.FloatMin, d.FloatMax);
            }
        }
    }

    // int8 (int32 accumulator and bias) and 16x8 (int64 accumulator and bias) share one body; the JIT
    // compiles a copy per type pair, and the requantization form follows the accumulator's width.
    private static void EvalQuantized<T, TAcc>(OpData d, ReadOnlySpan<T> input, ReadOnlySpan<sbyte> filter, ReadOnlySpan<TAcc> bias, Span<T> output)
        where T : unmanaged, IBinaryInteger<T>
        where TAcc : unmanaged, IBinaryInteger<TAcc>
    {
        var multipliers = MemoryMarshal.Cast<byte, int>(d.Multipliers.Span);
        var shifts = MemoryMarshal.Cast<byte, int>(d.Shifts.Span);
        bool perChannel = multipliers.Length > 1;
        for (int b = 0; b < d.Batches; b++)
        {
            var row = input.Slice(b * d.AccumDepth, d.AccumDepth);
            for (int o = 0; o < d.OutputDepth; o++)
            {
                var weights = filter.Slice(o * d.AccumDepth, d.AccumDepth);
                TAcc acc = TAcc.Zero;
                for (int i = 0; i < row.Length; i++)
                    acc += TAcc.CreateTruncating(weights[i] + d.FilterOffset) * TAcc.CreateTruncating(int.CreateTruncating(row[i]) + d.InputOffset);
                if (!bias.IsEmpty) acc += bias[o];
                int c = perChannel ? o : 0;
                int value = (typeof(TAcc) == typeof(long)
                    ? FixedPoint.MultiplyByQuantizedMultiplier(long.CreateTruncating(acc), multipliers[c], shifts[c])
                    : FixedPoint.MultiplyByQuantizedMultiplier(int.CreateTruncating(acc), multipliers[c], shifts[c])) + d.OutputOffset;
                output[b * d.OutputDepth + o] = T.CreateTruncating(Math.Clamp(value, d.ActivationMin, d.ActivationMax));
            }
        }
    }
}
