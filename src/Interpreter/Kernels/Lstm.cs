using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// UNIDIRECTIONAL_SEQUENCE_LSTM as TFLM's current kernel runs it: the standard (Keras) LSTM without
/// peephole, projection, layer norm or CIFG. Per time step, each gate is
/// act(FC(input) + FC(hidden state)), the cell state becomes forget*cell + input*cell_gate (clipped),
/// and the hidden state tanh(cell)*output, which is also copied into the output sequence.
/// The hidden state (input 18) and cell state (input 19) are variable tensors: they carry over
/// between invocations until the interpreter is reset.
/// <list type="bullet">
/// <item>float32 throughout;</item>
/// <item>int8 activations and weights, int32 biases, int16 cell state: gate pre-activations in Q3.12,
/// gate outputs in Q0.15 through the int16 sigmoid-table logistic / tanh, then int16 and int8 element-wise
/// multiplies (TFLM's "8x8->16" integer LSTM without intermediate tensors);</item>
/// <item>int16 activations with int8 weights and int64 biases ("16x8"): the same steps, with the gate FCs
/// accumulated in int64 and requantized by TFLM's 64-bit multiplier, and an int16 hidden state.</item>
/// </list>
/// Batch-major input [batch, time, features] runs batch by batch, one row at a time; time-major
/// [time, batch, features] runs every batch together per time step.
/// </summary>
internal sealed partial class UnidirectionalSequenceLstmKernel : OperatorKernel
{
    // Input indices (TFLM's lstm_shared.h).
    private const int InputTensor = 0;
    private const int InputToInputWeights = 1, InputToForgetWeights = 2, InputToCellWeights = 3, InputToOutputWeights = 4;
    private const int RecurrentToInputWeights = 5, RecurrentToForgetWeights = 6, RecurrentToCellWeights = 7, RecurrentToOutputWeights = 8;
    private const int CellToInputWeights = 9, CellToOutputWeights = 11;
    private const int InputGateBias = 12, ForgetGateBias = 13, CellGateBias = 14, OutputGateBias = 15;
    private const int ProjectionWeights = 16, ProjectionBias = 17;
    private const int HiddenStateTensor = 18, CellStateTensor = 19;
    private const int InputLayerNorm = 20, OutputLayerNorm = 23;
    private const int InputCount = 24;

    // The integer path's fixed formats: FC outputs feed the activations in Q3.12, which return Q0.15.
    private const float GateInputScale = 1f / 4096f;
    private const float GateOutputScale = 1f / 32768f;

    /// <summary>One gate's inputs: which tensors, and (integer path) how its two fully connected parts requantize.</summary>
    private sealed class Gate
    {
        public required int InputWeights, RecurrentWeights, Bias;
        public FcParams InputFc, RecurrentFc;
    }

    /// <summary>An int8 x int8 -> int16 fully connected layer's offsets and output multiplier.</summary>
    private struct FcParams
    {
        public int InputOffset, WeightsOffset, Multiplier, Shift;
    }

    /// <summary>An element-wise multiply of two Q0.15 or cell-state values into int16 or int8.</summary>
    private struct MulParams
    {
        public int Multiplier, Shift, OutputOffset, Min, Max;
    }

    private sealed class OpData
    {
        public bool TimeMajor;
        public int Batches, TimeSteps, InputSize, StateSize;
        public TensorType Type;
        public float CellClip;
        public Gate ForgetGate = null!, InputGate = null!, CellGate = null!, OutputGate = null!;
        // Integer path only.
        public MulParams ForgetTimesCell, InputTimesCellGate, OutputTimesTanhCell;
        public int CellStateScalePower;
        public short QuantizedCellClip;
        public int Buffer0, Buffer1, Buffer2, Buffer3;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.InputCount == InputCount, $"needs {InputCount} inputs, the model gives {node.InputCount}");
        node.Require(node.OutputCount == 1, $"needs 1 output, the model gives {node.OutputCount}");
        var options = node.Operator.Options<UnidirectionalSequenceLSTMOptions>();
        var activation = options?.FusedActivationFunction ?? ActivationFunctionType.NONE;
        // TFLM's gate code has only sigmoid and tanh, and the schema can only name tanh.
        node.Require(activation == ActivationFunctionType.TANH, $"cell activation {activation} is not supported (TANH only)");
        float cellClip = options?.CellClip ?? 0f;
        node.Require(cellClip >= 0f, $"cell_clip {cellClip} must be 0 (no clipping) or positive");

        var input = node.Input(InputTensor);
        var output = node.Output(0);
        var hidden = node.Input(HiddenStateTensor);
        var cell = node.Input(CellStateTensor);
        node.Require(hidden.IsVariable, $"hidden state tensor {hidden.Index} must be a variable tensor");
        node.Require(cell.IsVariable, $"cell state tensor {cell.Index} must be a variable tensor");
        node.Require(node.Inputs[InputToInputWeights] is not null && node.Inputs[RecurrentToInputWeights] is not null,
            "has no input-gate weights (CIFG, coupled input and forget gates), which is not supported");
        RequireOmitted(node, CellToInputWeights, CellToOutputWeights, "peephole (cell-to-gate) weights are not supported");
        RequireOmitted(node, ProjectionWeights, ProjectionBias, "projection is not supported");
        RequireOmitted(node, InputLayerNorm, OutputLayerNorm, "layer normalization is not supported");

        var data = new OpData
        {
            TimeMajor = options?.TimeMajor ?? false,
            CellClip = cellClip,
            Type = input.Type,
            ForgetGate = new Gate { InputWeights = InputToForgetWeights, RecurrentWeights = RecurrentToForgetWeights, Bias = ForgetGateBias },
            InputGate = new Gate { InputWeights = InputToInputWeights, RecurrentWeights = RecurrentToInputWeights, Bias = InputGateBias },
            CellGate = new Gate { InputWeights = InputToCellWeights, RecurrentWeights = RecurrentToCellWeights, Bias = CellGateBias },
            OutputGate = new Gate { InputWeights = InputToOutputWeights, RecurrentWeights = RecurrentToOutputWeights, Bias = OutputGateBias },
        };
        PrepareSizes(node, data, input, output, hidden, cell);

        switch (input.Type)
        {
            case TensorType.FLOAT32:
                RequireTypes(node, TensorType.FLOAT32, TensorType.FLOAT32, TensorType.FLOAT32, output, hidden, cell);
                break;
            case TensorType.INT8:
                RequireTypes(node, TensorType.INT8, TensorType.INT32, TensorType.INT16, output, hidden, cell);
                PrepareInteger(node, data, input, hidden, cell);
                break;
            case TensorType.INT16:
                RequireTypes(node, TensorType.INT8, TensorType.INT64, TensorType.INT16, output, hidden, cell);
                PrepareInteger(node, data, input, hidden, cell);
                break;
            default:
                throw node.Unsupported($"input tensor {input.Index} is {TensorTypes.Name(input.Type)}; supported: float32, int8, int16 (16x8)");
        }

        // Four state-sized buffers, as TFLM requests them (gate outputs and a scratch for the recurrent FC).
        int bufferBytes = data.Batches * data.StateSize * TensorTypes.ElementSize(cell.Type);
        data.Buffer0 = context.RequestScratchBuffer(bufferBytes);
        data.Buffer1 = context.RequestScratchBuffer(bufferBytes);
        data.Buffer2 = context.RequestScratchBuffer(bufferBytes);
        data.Buffer3 = context.RequestScratchBuffer(bufferBytes);
        node.Data = data;
    }

    private static void RequireOmitted(Node node, int first, int last, string problem)
    {
        for (int i = first; i <= last; i++)
            if (node.Inputs[i] is not null)
                throw node.Unsupported($"{problem} (input {i} is tensor {node.Inputs[i]!.Index})");
    }

    private static void PrepareSizes(Node node, OpData data, Tensor input, Tensor output, Tensor hidden, Tensor cell)
    {
        node.RequireRank(input, "input", 3);
        node.Require(hidden.Rank == 2, $"hidden state tensor {hidden.Index} has shape {KernelChecks.ShapeText(hidden)}; rank 2 expected");
        data.Batches = data.TimeMajor ? input.Dim(1) : input.Dim(0);
        data.TimeSteps = data.TimeMajor ? input.Dim(0) : input.Dim(1);
        data.InputSize = input.Dim(2);
        data.StateSize = hidden.Dim(1);
        int state = data.StateSize;

        for (int i = InputToInputWeights; i <= InputToOutputWeights; i++)
            RequireMatrix(node, node.Input(i), state, data.InputSize, $"input-to-gate weights (input {i})");
        for (int i = RecurrentToInputWeights; i <= RecurrentToOutputWeights; i++)
            RequireMatrix(node, node.Input(i), state, state, $"recurrent weights (input {i})");
        for (int i = InputGateBias; i <= OutputGateBias; i++)
        {
            var bias = node.Input(i);
            node.Require(bias.Rank == 1 && bias.Dim(0) == state,
                $"gate bias (input {i}) tensor {bias.Index} has shape {KernelChecks.ShapeText(bias)}; [{state}] expected");
        }

        long stateElements = (long)data.Batches * state;
        node.Require(hidden.ElementCount == stateElements,
            $"hidden state tensor {hidden.Index} has {hidden.ElementCount} elements; batch {data.Batches} x state {state} = {stateElements} expected");
        node.Require(cell.ElementCount == stateElements,
            $"cell state tensor {cell.Index} has {cell.ElementCount} elements; batch {data.Batches} x state {state} = {stateElements} expected");
        node.Require(output.Rank == 3 && output.Dim(0) == input.Dim(0) && output.Dim(1) == input.Dim(1) && output.Dim(2) == state,
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; [{input.Dim(0)},{input.Dim(1)},{state}] expected");
    }

    private static void RequireMatrix(Node node, Tensor weights, int rows, int columns, string role)
    {
        node.Require(weights.Rank == 2 && weights.Dim(0) == rows && weights.Dim(1) == columns,
            $"{role} tensor {weights.Index} has shape {KernelChecks.ShapeText(weights)}; [{rows},{columns}] expected");
    }

    private static void RequireTypes(Node node, TensorType weightType, TensorType biasType, TensorType cellType, Tensor output, Tensor hidden, Tensor cell)
    {
        var activationType = node.Inputs[InputTensor]!.Type;
        node.RequireType(output, "output", activationType);
        node.RequireType(hidden, "hidden state", activationType);
        node.RequireType(cell, "cell state", cellType);
        for (int i = InputToInputWeights; i <= RecurrentToOutputWeights; i++)
            node.RequireType(node.Inputs[i]!, $"weights (input {i})", weightType);
        for (int i = InputGateBias; i <= OutputGateBias; i++)
            node.RequireType(node.Inputs[i]!, $"gate bias (input {i})", biasType);
    }

    private static void PrepareInteger(Node node, OpData data, Tensor input, Tensor hidden, Tensor cell)
    {
        node.RequirePerTensorQuantization(input, "input");
        node.RequirePerTensorQuantization(hidden, "hidden state");
        node.RequirePerTensorQuantization(cell, "cell state");
        foreach (var gate in new[] { data.ForgetGate, data.InputGate, data.CellGate, data.OutputGate })
        {
            var inputWeights = node.Inputs[gate.InputWeights]!;
            var recurrentWeights = node.Inputs[gate.RecurrentWeights]!;
            // The gate FCs take one multiplier; per-channel weights would need one per row.
            node.RequirePerTensorQuantization(inputWeights, $"weights (input {gate.InputWeights})");
            node.RequirePerTensorQuantization(recurrentWeights, $"weights (input {gate.RecurrentWeights})");
            gate.InputFc = GateFc(input, inputWeights);
            gate.RecurrentFc = GateFc(hidden, recurrentWeights);
        }

        // The cell state's power-of-two exponent sets the shift into tanh. TFLM takes the rounded log2
        // even when the scale is not a power of two, so no check here either.
        FixedPoint.TryLog2(cell.Scale, out data.CellStateScalePower);
        data.QuantizedCellClip = (short)Math.Min(Math.Max((double)data.CellClip / cell.Scale, -32768.0), 32767.0);

        data.ForgetTimesCell = InterGateMul(GateOutputScale, cell.Scale, cell.Scale, short.MinValue, short.MaxValue, 0);
        data.InputTimesCellGate = InterGateMul(GateOutputScale, GateOutputScale, cell.Scale, short.MinValue, short.MaxValue, 0);
        var (hiddenMin, hiddenMax) = ActivationRange.ForType(hidden.Type);
        data.OutputTimesTanhCell = InterGateMul(GateOutputScale, GateOutputScale, hidden.Scale, hiddenMin, hiddenMax, hidden.ZeroPoint);
    }

    /// <summary>
    /// A gate FC's requantization to Q3.12, as TFLM's CalculateOpDataFullyConnected derives it: the
    /// input and weight scales are multiplied in float (GetQuantizedConvolutionMultipler does so for
    /// per-tensor weights) and only then divided in double.
    /// </summary>
    private static FcParams GateFc(Tensor input, Tensor weights)
    {
        var q = QuantizedMultiplier.ForPerTensorProduct(input.Scale, weights.Scale, GateInputScale);
        return new FcParams { InputOffset = -input.ZeroPoint, WeightsOffset = -weights.ZeroPoint, Multiplier = q.Multiplier, Shift = q.Shift };
    }

    /// <summary>TFLM's CreateInterGateMulParams: here the two input scales are multiplied in double.</summary>
    private static MulParams InterGateMul(float scale1, float scale2, float outputScale, int min, int max, int outputZeroPoint)
    {
        var q = QuantizedMultiplier.FromDouble((double)scale1 * scale2 / outputScale);
        return new MulParams { Multiplier = q.Multiplier, Shift = q.Shift, OutputOffset = outputZeroPoint, Min = min, Max = max };
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var data = node.DataAs<OpData>();
        // A state size of 0 leaves nothing to compute, though batch and time may be huge.
        if (data.StateSize == 0) return;
        if (data.Type == TensorType.FLOAT32)
            EvalFloat(context, node, data);
        else if (data.Type == TensorType.INT8)
            EvalInteger<sbyte>(context, node, data);
        else
            EvalInteger<short>(context, node, data);
    }

    /// <summary>
    /// Where each time step reads and writes, as TFLM's LstmStepManager moves it: time-major steps
    /// cover all batches at once; batch-major steps cover one batch row, and the state offsets advance
    /// by one row when the batch changes (input and output offsets just keep advancing).
    /// </summary>
    private struct StepCursor
    {
        public int InputOffset, OutputOffset, StateOffset;
        public int Rows; // batch rows in one step

        public static StepCursor Start(OpData d) => new() { Rows = d.TimeMajor ? d.Batches : 1 };

        public void NextTime(OpData d)
        {
            InputOffset += Rows * d.InputSize;
            OutputOffset += Rows * d.StateSize;
        }

        public void NextBatch(OpData d)
        {
            if (!d.TimeMajor) StateOffset += d.StateSize;
        }
    }
}
