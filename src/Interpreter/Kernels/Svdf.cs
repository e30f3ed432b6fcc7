using System.Numerics;
using System.Runtime.InteropServices;
using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// SVDF (rank-r factorised time convolution), with TFLM's reference arithmetic. Inputs: input
/// [batch, input_size], weights_feature [filters, input_size], weights_time [filters, memory],
/// bias [units] (optional), activation state [batch, memory * filters] (a variable tensor);
/// output [batch, units] with units = filters / rank. Each invoke shifts the state one step back in
/// time, writes weights_feature · input as the newest column, then sums the state rows weighted by
/// weights_time, rank rows per unit.
/// float32, and int8 input/weights_feature/output with int16 or int8 weights_time and state.
/// </summary>
internal sealed class SvdfKernel : OperatorKernel
{
    private sealed class OpData
    {
        public int Batches, InputSize, Filters, Units, Rank, Memory;
        public ActivationFunctionType Activation;
        public int InputZeroPoint, StateZeroPoint, OutputZeroPoint;
        public int FeatureMultiplier, FeatureShift; // input * weights_feature -> state
        public int OutputMultiplier, OutputShift;   // state * weights_time -> output
        public int ScratchHandle, OutputScratchHandle;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.InputCount == 5 && node.OutputCount == 1,
            $"needs 5 inputs and 1 output, the model gives {node.InputCount} and {node.OutputCount}");
        var input = node.Input(0);
        var weightsFeature = node.Input(1);
        var weightsTime = node.Input(2);
        var bias = node.OptionalInput(3);
        var state = node.Input(4);
        var output = node.Output(0);
        var options = node.Operator.Options<SVDFOptions>();
        node.Require(options is not null, "has no SVDF options");

        node.RequireRank(input, "input", 2);
        node.RequireRank(weightsFeature, "weights_feature", 2);
        node.RequireRank(weightsTime, "weights_time", 2);
        node.RequireRank(state, "activation state", 2);
        node.RequireRank(output, "output", 2);
        var d = new OpData
        {
            Rank = options!.Value.Rank,
            Activation = options.Value.FusedActivationFunction,
            Batches = input.Dim(0),
            InputSize = input.Dim(1),
            Filters = weightsFeature.Dim(0),
            Memory = weightsTime.Dim(1),
        };
        node.Require(d.Rank > 0 && d.Filters % d.Rank == 0, $"rank {d.Rank} does not divide the {d.Filters} filters");
        d.Units = d.Filters / d.Rank;
        node.Require(weightsFeature.Dim(1) == d.InputSize,
            $"weights_feature {KernelChecks.ShapeText(weightsFeature)} does not match input {KernelChecks.ShapeText(input)}");
        node.Require(weightsTime.Dim(0) == d.Filters,
            $"weights_time {KernelChecks.ShapeText(weightsTime)} does not have the {d.Filters} filters of weights_feature");
        node.Require(d.Memory > 0, "weights_time has an empty memory dimension");
        node.Require(output.Dim(0) == d.Batches && output.Dim(1) == d.Units,
            $"output {KernelChecks.ShapeText(output)} is not [{d.Batches},{d.Units}]");
        node.Require(state.Dim(0) == d.Batches && state.Dim(1) == d.Memory * d.Filters,
            $"activation state {KernelChecks.ShapeText(state)} is not [{d.Batches},{d.Memory * d.Filters}]");
        node.Require(state.IsVariable, $"activation state tensor {state.Index} must be a variable tensor");
        if (bias is not null)
            node.Require(bias.ElementCount == d.Units, $"bias has {bias.ElementCount} elements, {d.Units} expected");

        switch (input.Type)
        {
            case TensorType.FLOAT32:
                node.RequireType(weightsFeature, "weights_feature", TensorType.FLOAT32);
                node.RequireType(weightsTime, "weights_time", TensorType.FLOAT32);
                node.RequireType(state, "activation state", TensorType.FLOAT32);
                node.RequireType(output, "output", TensorType.FLOAT32);
                if (bias is not null) node.RequireType(bias, "bias", TensorType.FLOAT32);
                node.Require(d.Activation is ActivationFunctionType.NONE or ActivationFunctionType.RELU or ActivationFunctionType.RELU_N1_TO_1
                    or ActivationFunctionType.RELU6 or ActivationFunctionType.TANH or ActivationFunctionType.SIGN_BIT,
                    $"fused activation {d.Activation} is not supported");
                d.ScratchHandle = context.RequestScratchBuffer(d.Batches * d.Filters * sizeof(float));
                break;
            case TensorType.INT8:
                node.RequireType(weightsFeature, "weights_feature", TensorType.INT8);
                node.RequireType(weightsTime, "weights_time", TensorType.INT16, TensorType.INT8);
                // The state holds weights_time's type: both are read as the same integer type.
                node.RequireType(state, "activation state", weightsTime.Type);
                node.RequireType(output, "output", TensorType.INT8);
                if (bias is not null) node.RequireType(bias, "bias", TensorType.INT32);
                PrepareInteger(context, node, d, input, weightsFeature, weightsTime, bias, state, output);
                break;
            default:
                throw node.Unsupported($"input type {TensorTypes.Name(input.Type)} is not supported (float32, int8)");
        }
        node.Data = d;
    }

    private static void PrepareInteger(KernelContext context, Node node, OpData d, Tensor input, Tensor weightsFeature,
        Tensor weightsTime, Tensor? bias, Tensor state, Tensor output)
    {
        node.RequirePerTensorQuantization(input, "input");
        node.RequirePerTensorQuantization(weightsFeature, "weights_feature");
        node.RequirePerTensorQuantization(weightsTime, "weights_time");
        node.RequirePerTensorQuantization(state, "activation state");
        node.RequirePerTensorQuantization(output, "output");
        // TFLM forms both products in float and only then widens them to double.
        double featureScale = input.Scale * weightsFeature.Scale / state.Scale;
        double outputScale = state.Scale * weightsTime.Scale / output.Scale;
        if (bias is not null)
        {
            node.Require(bias.Quantization is not null, "bias has no quantization parameters");
            double expected = state.Scale * weightsTime.Scale;
            node.Require(Math.Abs((double)bias.Scale - expected) < 1e-5,
                $"bias scale {bias.Scale:G9} is not activation state scale x weights_time scale ({expected:G9})");
        }
        var feature = QuantizedMultiplier.FromDouble(featureScale);
        var rescale = QuantizedMultiplier.FromDouble(outputScale);
        (d.FeatureMultiplier, d.FeatureShift) = (feature.Multiplier, feature.Shift);
        (d.OutputMultiplier, d.OutputShift) = (rescale.Multiplier, rescale.Shift);
        d.InputZeroPoint = input.ZeroPoint;
        d.StateZeroPoint = state.ZeroPoint;
        d.OutputZeroPoint = output.ZeroPoint;
        d.ScratchHandle = context.RequestScratchBuffer(d.Batches * d.Filters * sizeof(int));
        d.OutputScratchHandle = context.RequestScratchBuffer(d.Batches * d.Units * sizeof(int));
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        // No filters or no batches: state and output are empty, though the other dimension may be huge.
        if (d.Batches == 0 || d.Filters == 0) return;
        var input = node.Inputs[0]!;
        var weightsFeature = node.Inputs[1]!;
        var weightsTime = node.Inputs[2]!;
        var bias = node.OptionalInput(3);
        var state = node.Inputs[4]!;
        var output = node.Outputs[0];
        var scratch = context.GetScratchBuffer(d.ScratchHandle);
        switch (input.Type)
        {
            case TensorType.FLOAT32:
                EvalFloat(d, input.AsReadOnlySpan<float>(), weightsFeature.AsReadOnlySpan<float>(), weightsTime.AsReadOnlySpan<float>(),
                    bias is null ? default : bias.AsReadOnlySpan<float>(), state.AsSpan<float>(),
                    MemoryMarshal.Cast<byte, float>(scratch), output.AsSpan<float>());
                break;
            case TensorType.INT8:
                var outputScratch = MemoryMarshal.Cast<byte, int>(context.GetScratchBuffer(d.OutputScratchHandle));
                var biasData = bias is null ? default : bias.AsReadOnlySpan<int>();
                if (weightsTime.Type == TensorType.INT16)
                    EvalInteger(d, input.AsReadOnlySpan<sbyte>(), weightsFeature.AsReadOnlySpan<sbyte>(), weightsTime.AsReadOnlySpan<short>(),
                        biasData, state.AsSpan<short>(), MemoryMarshal.Cast<byte, int>(scratch), outputScratch, output.AsSpan<sbyte>());
                else
                    EvalInteger(d, input.AsReadOnlySpan<sbyte>(), weightsFeature.AsReadOnlySpan<sbyte>(), weightsTime.AsReadOnlySpan<sbyte>(),
                        biasData, state.AsSpan<sbyte>(), MemoryMarshal.Cast<byte, int>(scratch), outputScratch, output.AsSpan<sbyte>());
                break;
        }
    }

    private static void EvalFloat(OpData d, ReadOnlySpan<float> input, ReadOnlySpan<float> weightsFeature, ReadOnlySpan<float> weightsTime,
        ReadOnlySpan<float> bias, Span<float> state, Span<float> scratch, Span<float> output)
    {
        ShiftStateOneStep(state);

        // weights_feature · input becomes the newest (last) column of each filter's memory.
        for (int b = 0; b < d.Batches; b++)
        {
            var row = input.Slice(b * d.InputSize, d.InputSize);
            for (int f = 0; f < d.Filters; f++)
            {
                var weights = weightsFeature.Slice(f * d.InputSize, d.InputSize);
                float dot = 0f;
                for (int i = 0; i < row.Length; i++)
                    dot += weights[i] * row[i];
                state[(b * d.Filters + f) * d.Memory + d.Memory - 1] = dot;
            }
        }

        for (int b = 0; b < d.Batches; b++)
        {
            for (int f = 0; f < d.Filters; f++)
            {
                var memory = state.Slice((b * d.Filters + f) * d.Memory, d.Memory);
                var weights = weightsTime.Slice(f * d.Memory, d.Memory);
                float dot = 0f;
                for (int m = 0; m < memory.Length; m++)
                    dot += weights[m] * memory[m];
                scratch[b * d.Filters + f] = dot;
            }
        }

        for (int b = 0; b < d.Batches; b++)
        {
            for (int u = 0; u < d.Units; u++)
            {
                float sum = bias.IsEmpty ? 0f : bias[u];
                for (int r = 0; r < d.Rank; r++)
                    sum += scratch[b * d.Filters + u * d.Rank + r];
                output[b * d.Units + u] = Activate(d.Activation, sum);
            }
        }
    }

    // TFLM's ActivationValFloat; its clamps are fmax/fmin, which (like MaxNumber/MinNumber) let a NaN through as the bound.
    private static float Activate(ActivationFunctionType activation, float x) => activation switch
    {
        ActivationFunctionType.RELU => float.MaxNumber(0f, x),
        ActivationFunctionType.RELU_N1_TO_1 => float.MaxNumber(-1f, float.MinNumber(x, 1f)),
        ActivationFunctionType.RELU6 => float.MaxNumber(0f, float.MinNumber(x, 6f)),
        ActivationFunctionType.TANH => MathF.Tanh(x),
        ActivationFunctionType.SIGN_BIT => float.IsNegative(x) ? 1f : 0f,
        _ => x,
    };

    /// <summary>
    /// The integer SVDF with state and weights_time of type T (int16 or int8). The fused activation
    /// is not applied: TFLM's integer SVDF only clamps to the int8 range, and that is matched here.
    /// </summary>
    private static void EvalInteger<T>(OpData d, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> weightsFeature, ReadOnlySpan<T> weightsTime,
        ReadOnlySpan<int> bias, Span<T> state, Span<int> scratch, Span<int> outputScratch, Span<sbyte> output)
        where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        ShiftStateOneStep(state);

        int stateMin = int.CreateTruncating(T.MinValue);
        int stateMax = int.CreateTruncating(T.MaxValue);
        for (int b = 0; b < d.Batches; b++)
        {
            var row = input.Slice(b * d.InputSize, d.InputSize);
            for (int f = 0; f < d.Filters; f++)
            {
                var weights = weightsFeature.Slice(f * d.InputSize, d.InputSize);
                int dot = 0;
                for (int i = 0; i < row.Length; i++)
                    dot += weights[i] * (row[i] - d.InputZeroPoint);
                dot = FixedPoint.MultiplyByQuantizedMultiplier(dot, d.FeatureMultiplier, d.FeatureShift);
                // The state's zero point goes in before the clamp (current TFLM), so an int8 state saturates instead of wrapping.
                dot = Math.Clamp(dot + d.StateZeroPoint, stateMin, stateMax);
                state[(b * d.Filters + f) * d.Memory + d.Memory - 1] = T.CreateTruncating(dot);
            }
        }

        for (int b = 0; b < d.Batches; b++)
        {
            for (int f = 0; f < d.Filters; f++)
            {
                var memory = state.Slice((b * d.Filters + f) * d.Memory, d.Memory);
                var weights = weightsTime.Slice(f * d.Memory, d.Memory);
                int dot = 0;
                for (int m = 0; m < memory.Length; m++)
                    dot += int.CreateTruncating(weights[m]) * (int.CreateTruncating(memory[m]) - d.StateZeroPoint);
                scratch[b * d.Filters + f] = dot;
            }
        }

        for (int b = 0; b < d.Batches; b++)
        {
            for (int u = 0; u < d.Units; u++)
            {
                int sum = bias.IsEmpty ? 0 : bias[u];
                for (int r = 0; r < d.Rank; r++)
                    sum += scratch[b * d.Filters + u * d.Rank + r];
                outputScratch[b * d.Units + u] = sum;
            }
        }

        for (int i = 0; i < d.Batches * d.Units; i++)
        {
            int value = FixedPoint.MultiplyByQuantizedMultiplier(outputScratch[i], d.OutputMultiplier, d.OutputShift) + d.OutputZeroPoint;
            output[i] = (sbyte)Math.Clamp(value, sbyte.MinValue, sbyte.MaxValue);
        }
    }

    // Every element moves one place towards the start of the buffer, across filter and batch rows, as
    // TFLM's flat copy does; the last column of each row is overwritten by the new features next.
    private static void ShiftStateOneStep<T>(Span<T> state) where T : unmanaged
    {
        if (state.Length > 1)
            state.Slice(1).CopyTo(state);
    }
}
