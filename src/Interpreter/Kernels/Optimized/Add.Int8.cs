using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels.Optimized;

/// <summary>
/// int8 ADD and SUB of two same-shaped tensors on AVX2, bit-exact with <see cref="AddKernel"/> and
/// <see cref="SubKernel"/>: each lane takes TFLM's three fixed-point steps (both inputs to the common scale with
/// 20 bits of headroom, the sum or difference to the output scale) through <see cref="Requantize"/>, sixteen
/// elements a round. Broadcasting shapes, other types and machines without AVX2 run the reference kernel.
/// </summary>
internal sealed class FastAddSubKernel(bool subtract) : OperatorKernel
{
    private readonly OperatorKernel _reference = subtract ? new SubKernel() : new AddKernel();

    private sealed class Plan
    {
        public required QuantizedAdd Quantized;
        public required Requantize.Lanes Input1, Input2, Output;
        public required int Count;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        _reference.Prepare(context, node);
        var input1 = node.Input(0);
        var input2 = node.Input(1);
        var output = node.Output(0);
        if (!Avx2.IsSupported || input1.Type != TensorType.INT8 || !input1.Shape.SequenceEqual(input2.Shape)
            || output.ElementCount != input1.ElementCount)
            return;
        var activation = subtract
            ? node.Operator.Options<SubOptions>()?.FusedActivationFunction ?? ActivationFunctionType.NONE
            : node.Operator.Options<AddOptions>()?.FusedActivationFunction ?? ActivationFunctionType.NONE;
        var q = subtract ? QuantizedAdd.CreateForSub(node, input1, input2, output, activation) : QuantizedAdd.Create(node, input1, input2, output, activation);
        // Requantize's lanes apply a positive shift before the multiply; TFLM's "smaller than one" form never
        // shifts left, and these multipliers are all below one, so their shifts are never positive.
        if (q.Input1Shift > 0 || q.Input2Shift > 0 || q.OutputShift > 0 || q.LeftShift != 20)
            return;
        node.Data = new Plan
        {
            Quantized = q, Count = input1.ElementCount,
            Input1 = Uniform(q.Input1Multiplier, q.Input1Shift),
            Input2 = Uniform(q.Input2Multiplier, q.Input2Shift),
            Output = Uniform(q.OutputMultiplier, q.OutputShift),
        };
    }

    private static Requantize.Lanes Uniform(int multiplier, int shift)
    {
        Span<int> multipliers = stackalloc int[8], shifts = stackalloc int[8];
        multipliers.Fill(multiplier);
        shifts.Fill(shift);
        return new Requantize.Lanes(multipliers, shifts);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        if (node.Data is not Plan plan)
        {
            _reference.Invoke(context, node);
            return;
        }
        Run(plan, node.Inputs[0]!.AsReadOnlySpan<sbyte>(), node.Inputs[1]!.AsReadOnlySpan<sbyte>(), node.Outputs[0].AsSpan<sbyte>(), subtract);
    }

    private static unsafe void Run(Plan plan, ReadOnlySpan<sbyte> input1, ReadOnlySpan<sbyte> input2, Span<sbyte> output, bool subtract)
    {
        var q = plan.Quantized;
        var offset1 = Vector256.Create(q.Input1Offset);
        var offset2 = Vector256.Create(q.Input2Offset);
        var outOffset = Vector256.Create(q.OutputOffset);
        var min = Vector256.Create(q.ActivationMin);
        var max = Vector256.Create(q.ActivationMax);
        int count = plan.Count, i = 0;
        fixed (sbyte* a = input1)
        fixed (sbyte* b = input2)
        fixed (sbyte* y = output)
        {
            for (; i <= count - 16; i += 16)
            {
                var low = Lanes(plan, a + i, b + i, offset1, offset2, outOffset, min, max, subtract);
                var high = Lanes(plan, a + i + 8, b + i + 8, offset1, offset2, outOffset, min, max, subtract);
                Sse2.Store(y + i, Narrow.Sixteen(low, high));
            }
            for (; i <= count - 8; i += 8)
                *(long*)(y + i) = Narrow.Eight(Lanes(plan, a + i, b + i, offset1, offset2, outOffset, min, max, subtract));
        }
        for (; i < count; i++)
            output[i] = (sbyte)(subtract ? q.ComputeDifference(input1[i], input2[i]) : q.Compute(input1[i], input2[i]));
    }

    /// <summary>Eight outputs: ((x + offset₁)·2²⁰ rescaled) ± ((y + offset₂)·2²⁰ rescaled), rescaled to the output, offset, clamped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<int> Lanes(Plan plan, sbyte* a, sbyte* b, Vector256<int> offset1, Vector256<int> offset2,
        Vector256<int> outOffset, Vector256<int> min, Vector256<int> max, bool subtract)
    {
        var x = Avx2.ShiftLeftLogical(Avx2.Add(Avx2.ConvertToVector256Int32(a), offset1), 20);
        var z = Avx2.ShiftLeftLogical(Avx2.Add(Avx2.ConvertToVector256Int32(b), offset2), 20);
        var scaled1 = Requantize.Apply(x, plan.Input1);
        var scaled2 = Requantize.Apply(z, plan.Input2);
        var raw = subtract ? Avx2.Subtract(scaled1, scaled2) : Avx2.Add(scaled1, scaled2);
        return Requantize.ToOutput(raw, plan.Output, outOffset, min, max);
    }
}
