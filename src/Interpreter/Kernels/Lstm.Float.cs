using System.Runtime.InteropServices;

namespace TinyMl.Interpreter.Kernels;

internal sealed partial class UnidirectionalSequenceLstmKernel
{
    private static void EvalFloat(KernelContext context, Node node, OpData d)
    {
        var inputs = node.Inputs;
        var input = inputs[InputTensor]!.AsReadOnlySpan<float>();
        var hidden = inputs[HiddenStateTensor]!.AsSpan<float>();
        var cell = inputs[CellStateTensor]!.AsSpan<float>();
        var output = node.Outputs[0].AsSpan<float>();
        var forgetGate = MemoryMarshal.Cast<byte, float>(context.GetScratchBuffer(d.Buffer0));
        var inputGate = MemoryMarshal.Cast<byte, float>(context.GetScratchBuffer(d.Buffer1));
        var cellGate = MemoryMarshal.Cast<byte, float>(context.GetScratchBuffer(d.Buffer2));
        var scratch = MemoryMarshal.Cast<byte, float>(context.GetScratchBuffer(d.Buffer3));

        var cursor = StepCursor.Start(d);
        int stateLength = cursor.Rows * d.StateSize;
        int outer = d.TimeMajor ? 1 : d.Batches;
        for (int b = 0; b < outer; b++)
        {
            for (int t = 0; t < d.TimeSteps; t++)
            {
                var x = input.Slice(cursor.InputOffset, cursor.Rows * d.InputSize);
                var h = hidden.Slice(cursor.StateOffset, stateLength);
                var c = cell.Slice(cursor.StateOffset, stateLength);
                var f = forgetGate[..stateLength];
                var i = inputGate[..stateLength];
                var g = cellGate[..stateLength];
                var s = scratch[..stateLength];

                GateFloat(inputs, d.ForgetGate, cursor.Rows, d, x, h, f, s, tanh: false);
                GateFloat(inputs, d.InputGate, cursor.Rows, d, x, h, i, s, tanh: false);
                GateFloat(inputs, d.CellGate, cursor.Rows, d, x, h, g, s, tanh: true);

                // c = f*c + i*g: two float multiplies (with TFLM's Mul clamp), then a float add.
                for (int k = 0; k < c.Length; k++)
                    c[k] = Finite(f[k] * c[k]) + Finite(i[k] * g[k]);
                if (d.CellClip > 0f)
                    for (int k = 0; k < c.Length; k++)
                        c[k] = Math.Max(Math.Min(d.CellClip, c[k]), -d.CellClip);

                var o = i; // the input gate's buffer is free again
                GateFloat(inputs, d.OutputGate, cursor.Rows, d, x, h, o, s, tanh: false);
                var tanhCell = f;
                TanhKernel.EvalFloat(c, tanhCell);
                for (int k = 0; k < h.Length; k++)
                    h[k] = Finite(tanhCell[k] * o[k]);
                h.CopyTo(output.Slice(cursor.OutputOffset, stateLength));
                cursor.NextTime(d);
            }
            cursor.NextBatch(d);
        }
    }

    /// <summary>gate = act(W_in x + bias + W_rec h): two fully connected layers summed, then the nonlinearity.</summary>
    private static void GateFloat(Tensor?[] inputs, Gate gate, int rows, OpData d,
        ReadOnlySpan<float> x, ReadOnlySpan<float> h, Span<float> result, Span<float> scratch, bool tanh)
    {
        FullyConnectedFloat(x, inputs[gate.InputWeights]!.AsReadOnlySpan<float>(), inputs[gate.Bias]!.AsReadOnlySpan<float>(),
            rows, d.InputSize, d.StateSize, result);
        FullyConnectedFloat(h, inputs[gate.RecurrentWeights]!.AsReadOnlySpan<float>(), default,
            rows, d.StateSize, d.StateSize, scratch);
        for (int k = 0; k < result.Length; k++)
            result[k] += scratch[k];
        if (tanh)
            TanhKernel.EvalFloat(result, result);
        else
            LogisticKernel.EvalFloat(result, result);
    }

    /// <summary>TFLM's float FC reference: a float dot product in index order, plus the bias.</summary>
    private static void FullyConnectedFloat(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        int rows, int depth, int outputs, Span<float> result)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * depth, depth);
            for (int o = 0; o < outputs; o++)
            {
                var w = weights.Slice(o * depth, depth);
                float total = 0f;
                for (int k = 0; k < depth; k++)
                    total += row[k] * w[k];
                result[r * outputs + o] = Finite(total + (bias.IsEmpty ? 0f : bias[o]));
            }
        }
    }

    /// <summary>
    /// TFLM's FC and Mul end with an activation clamp, here to [-FLT_MAX, FLT_MAX] (no fused
    /// activation): it only turns infinities into the largest finite float.
    /// </summary>
    private static float Finite(float value) => Math.Min(Math.Max(value, float.MinValue), float.MaxValue);
}
