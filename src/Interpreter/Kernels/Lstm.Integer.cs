using System.Numerics;
using System.Runtime.InteropServices;
using TinyMl.Interpreter.Quantization;

namespace TinyMl.Interpreter.Kernels;

internal sealed partial class UnidirectionalSequenceLstmKernel
{
    /// <summary>The integer LSTM: <typeparamref name="T"/> is the activation type, sbyte (8x8→16) or short (16x8).</summary>
    private static void EvalInteger<T>(KernelContext context, Node node, OpData d) where T : unmanaged, IBinaryInteger<T>
    {
        var inputs = node.Inputs;
        var input = inputs[InputTensor]!.AsReadOnlySpan<T>();
        var hidden = inputs[HiddenStateTensor]!.AsSpan<T>();
        var cell = inputs[CellStateTensor]!.AsSpan<short>();
        var output = node.Outputs[0].AsSpan<T>();
        var buffer0 = MemoryMarshal.Cast<byte, short>(context.GetScratchBuffer(d.Buffer0));
        var buffer1 = MemoryMarshal.Cast<byte, short>(context.GetScratchBuffer(d.Buffer1));
        var buffer2 = MemoryMarshal.Cast<byte, short>(context.GetScratchBuffer(d.Buffer2));
        var buffer3 = MemoryMarshal.Cast<byte, short>(context.GetScratchBuffer(d.Buffer3));

        // tanh(cell) reads the cell state in its own power-of-two scale: shift it to the table's Q3.12
        // (a right shift by multiplying 3 and rounding when the cell is finer than 2^-12).
        int tanhShift = 15 + d.CellStateScalePower - 3;
        int tanhMultiplier = 0;
        if (tanhShift < 0)
        {
            tanhShift = -tanhShift;
            tanhMultiplier = 3;
        }

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
                var forget = buffer0[..stateLength];
                var inputGate = buffer1[..stateLength];
                var cellGate = buffer2[..stateLength];
                var scratch = buffer3[..stateLength];

                RunGate(inputs, d.ForgetGate, cursor.Rows, d, x, h, forget, scratch, tanh: false);
                RunGate(inputs, d.InputGate, cursor.Rows, d, x, h, inputGate, scratch, tanh: false);
                RunGate(inputs, d.CellGate, cursor.Rows, d, x, h, cellGate, scratch, tanh: true);

                // c = sat16(f*c + i*g), each product requantized to the cell scale on its own.
                for (int k = 0; k < c.Length; k++)
                {
                    int fc = MulElement(forget[k], c[k], d.ForgetTimesCell);
                    int ig = MulElement(inputGate[k], cellGate[k], d.InputTimesCellGate);
                    c[k] = SaturateInt16(fc + ig);
                }
                if (d.CellClip > 0f)
                {
                    short clip = d.QuantizedCellClip;
                    for (int k = 0; k < c.Length; k++)
                        c[k] = Math.Max(Math.Min(clip, c[k]), (short)-clip);
                }

                var outputGate = buffer1[..stateLength]; // free again after the cell update
                RunGate(inputs, d.OutputGate, cursor.Rows, d, x, h, outputGate, scratch, tanh: false);
                var tanhCell = buffer0[..stateLength];
                TanhKernel.EvalInt16(c, tanhCell, tanhMultiplier, tanhShift);
                for (int k = 0; k < h.Length; k++)
                    h[k] = T.CreateTruncating(MulElement(tanhCell[k], outputGate[k], d.OutputTimesTanhCell));
                h.CopyTo(output.Slice(cursor.OutputOffset, stateLength));
                cursor.NextTime(d);
            }
            cursor.NextBatch(d);
        }
    }

    /// <summary>
    /// gate = act(sat16(FC(x) + FC(h))) with both FCs requantized to Q3.12 and the activation read from
    /// TFLM's int16 sigmoid table (multiplier 0, shift 0: the Q3.12 power-of-two case).
    /// </summary>
    private static void RunGate<T>(Tensor?[] inputs, Gate gate, int rows, OpData d,
        ReadOnlySpan<T> x, ReadOnlySpan<T> h, Span<short> result, Span<short> scratch, bool tanh) where T : unmanaged, IBinaryInteger<T>
    {
        FullyConnected(x, inputs[gate.InputWeights]!.AsReadOnlySpan<sbyte>(), inputs[gate.Bias], rows, d.InputSize, d.StateSize, gate.InputFc, result);
        FullyConnected(h, inputs[gate.RecurrentWeights]!.AsReadOnlySpan<sbyte>(), null, rows, d.StateSize, d.StateSize, gate.RecurrentFc, scratch);
        for (int k = 0; k < result.Length; k++)
            result[k] = SaturateInt16(result[k] + scratch[k]);
        if (tanh)
            TanhKernel.EvalInt16(result, result, 0, 0);
        else
            LogisticKernel.EvalInt16(result, result, 0, 0);
    }

    /// <summary>
    /// TFLM's integer FC reference with an int16 output. int8 inputs take an int32 bias and accumulate in int32 (summed
    /// here in int64 and truncated: wrapping addition gives the same bits) with the 32-bit requantization; int16 inputs
    /// ("16x8") take an int64 bias and TFLM's 64-bit requantization. Then the int16 clamp.
    /// </summary>
    private static void FullyConnected<T>(ReadOnlySpan<T> x, ReadOnlySpan<sbyte> weights, Tensor? bias,
        int rows, int depth, int outputs, in FcParams p, Span<short> result) where T : unmanaged, IBinaryInteger<T>
    {
        bool wide = typeof(T) == typeof(short);
        var narrowBias = bias is null || wide ? default : bias.AsReadOnlySpan<int>();
        var wideBias = bias is null || !wide ? default : bias.AsReadOnlySpan<long>();
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * depth, depth);
            for (int o = 0; o < outputs; o++)
            {
                var w = weights.Slice(o * depth, depth);
                long acc = 0;
                for (int k = 0; k < depth; k++)
                    acc += (w[k] + p.WeightsOffset) * (long)(int.CreateTruncating(row[k]) + p.InputOffset);
                acc += narrowBias.IsEmpty ? 0 : narrowBias[o];
                acc += wideBias.IsEmpty ? 0 : wideBias[o];
                int value = wide
                    ? FixedPoint.MultiplyByQuantizedMultiplier(acc, p.Multiplier, p.Shift)
                    : FixedPoint.MultiplyByQuantizedMultiplier(unchecked((int)acc), p.Multiplier, p.Shift);
                result[r * outputs + o] = SaturateInt16(value);
            }
        }
    }

    /// <summary>TFLM's MulElementwise for one pair of symmetric inputs: requantized product plus the output offset, clamped.</summary>
    private static int MulElement(int a, int b, in MulParams p)
    {
        int value = p.OutputOffset + FixedPoint.MultiplyByQuantizedMultiplier(a * b, p.Multiplier, p.Shift);
        return Math.Min(p.Max, Math.Max(p.Min, value));
    }

    private static short SaturateInt16(int value) => (short)Math.Clamp(value, short.MinValue, short.MaxValue);
}
