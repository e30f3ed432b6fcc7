using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>One element of a binary elementwise operator; a struct so the loops specialise and inline it.</summary>
internal interface IBinaryOp<T, TOut> where T : unmanaged where TOut : unmanaged
{
    TOut Apply(T a, T b);
}

/// <summary>A binary operator whose result has its inputs' type (ADD, MUL, ...); comparisons use the two-type form.</summary>
internal interface IBinaryOp<T> : IBinaryOp<T, T> where T : unmanaged;

/// <summary>
/// How the two inputs of an elementwise binary operator map onto its output, following TFLM's
/// NdArrayDesc broadcasting: shapes are right-aligned and padded to <see cref="MaxRank"/> dimensions
/// with leading 1s, and a dimension of 1 repeats against any size (its stride becomes 0). When both
/// inputs have the same padded shape the operator runs as one flat loop, like TFLM's non-broadcast path.
/// </summary>
internal sealed class BroadcastPlan
{
    public const int MaxRank = 6;

    private readonly int[] _dims = new int[MaxRank];
    private readonly int[] _strides1 = new int[MaxRank];
    private readonly int[] _strides2 = new int[MaxRank];

    private BroadcastPlan() { }

    public bool IsElementwise { get; private set; }
    public int ElementCount { get; private set; }

    /// <summary>Validates that the inputs broadcast to the output's shape; names the tensors and shapes otherwise.</summary>
    public static BroadcastPlan Create(Node node, Tensor input1, Tensor input2, Tensor output)
    {
        foreach (var t in (ReadOnlySpan<Tensor>)[input1, input2, output])
            node.Require(t.Rank <= MaxRank,
                $"tensor {t.Index} has shape {KernelChecks.ShapeText(t)}; at most {MaxRank} dimensions are supported");

        var plan = new BroadcastPlan();
        Span<int> shape1 = stackalloc int[MaxRank];
        Span<int> shape2 = stackalloc int[MaxRank];
        Span<int> outShape = stackalloc int[MaxRank];
        Extend(input1.Shape, shape1);
        Extend(input2.Shape, shape2);
        Extend(output.Shape, outShape);

        if (shape1.SequenceEqual(shape2))
        {
            // TFLM's flat path only needs matching element counts, so e.g. [2,3] + [2,3] -> [6] is accepted.
            node.Require(output.ElementCount == input1.ElementCount,
                $"output tensor {output.Index} {KernelChecks.ShapeText(output)} does not have the {input1.ElementCount} elements of inputs {KernelChecks.ShapeText(input1)}");
            plan.IsElementwise = true;
            plan.ElementCount = input1.ElementCount;
            return plan;
        }

        for (int d = 0; d < MaxRank; d++)
        {
            int a = shape1[d], b = shape2[d];
            int size = a == b || b == 1 ? a : a == 1 ? b : -1;
            if (size < 0)
                throw node.Unsupported(
                    $"input tensors {input1.Index} {KernelChecks.ShapeText(input1)} and {input2.Index} {KernelChecks.ShapeText(input2)} do not broadcast (sizes {a} and {b} differ and neither is 1)");
            if (size != outShape[d])
                throw node.Unsupported(
                    $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}, but inputs {KernelChecks.ShapeText(input1)} and {KernelChecks.ShapeText(input2)} broadcast to [{string.Join(",", BroadcastShape(shape1, shape2, Math.Max(input1.Rank, input2.Rank)))}]");
            plan._dims[d] = size;
        }
        FillStrides(shape1, plan._dims, plan._strides1);
        FillStrides(shape2, plan._dims, plan._strides2);
        plan.ElementCount = output.ElementCount;
        return plan;
    }

    private static void Extend(ReadOnlySpan<int> shape, Span<int> extended)
    {
        int pad = MaxRank - shape.Length;
        extended[..pad].Fill(1);
        shape.CopyTo(extended[pad..]);
    }

    private static int[] BroadcastShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b, int rank)
    {
        var result = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int e = MaxRank - rank + d;
            result[d] = a[e] == 1 ? b[e] : a[e];
        }
        return result;
    }

    private static void FillStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> dims, Span<int> strides)
    {
        int stride = 1;
        for (int d = MaxRank - 1; d >= 0; d--)
        {
            // A size-1 dimension repeats: its index never advances the input.
            strides[d] = shape[d] == 1 && dims[d] != 1 ? 0 : stride;
            stride *= shape[d];
        }
    }

    /// <summary>output[i] = op(input1[broadcast i], input2[broadcast i]) over the whole output, in row-major order.</summary>
    public void Run<T, TOut, TOp>(ReadOnlySpan<T> input1, ReadOnlySpan<T> input2, Span<TOut> output, TOp op)
        where T : unmanaged where TOut : unmanaged where TOp : struct, IBinaryOp<T, TOut>
    {
        // An empty output may still declare huge other dimensions: nothing to compute, nothing to loop over.
        if (ElementCount == 0) return;
        if (IsElementwise)
        {
            int n = ElementCount;
            input1 = input1[..n];
            input2 = input2[..n];
            output = output[..n];
            for (int i = 0; i < output.Length; i++)
                output[i] = op.Apply(input1[i], input2[i]);
            return;
        }

        int[] dims = _dims, s1 = _strides1, s2 = _strides2;
        int o = 0;
        for (int i0 = 0, a0 = 0, b0 = 0; i0 < dims[0]; i0++, a0 += s1[0], b0 += s2[0])
        for (int i1 = 0, a1 = a0, b1 = b0; i1 < dims[1]; i1++, a1 += s1[1], b1 += s2[1])
        for (int i2 = 0, a2 = a1, b2 = b1; i2 < dims[2]; i2++, a2 += s1[2], b2 += s2[2])
        for (int i3 = 0, a3 = a2, b3 = b2; i3 < dims[3]; i3++, a3 += s1[3], b3 += s2[3])
        for (int i4 = 0, a4 = a3, b4 = b3; i4 < dims[4]; i4++, a4 += s1[4], b4 += s2[4])
        {
            int inner = dims[5], step1 = s1[5], step2 = s2[5];
            for (int i5 = 0, a5 = a4, b5 = b4; i5 < inner; i5++, a5 += step1, b5 += step2)
                output[o++] = op.Apply(input1[a5], input2[b5]);
        }
    }
}

/// <summary>Checks and parameter helpers the elementwise kernels share.</summary>
internal static class ElementwiseSupport
{
    /// <summary>Both inputs and the output have the same type, one of <paramref name="allowed"/>.</summary>
    public static TensorType RequireSameTypes(Node node, Tensor input1, Tensor input2, Tensor output, params TensorType[] allowed)
    {
        node.RequireType(output, "output", allowed);
        if (input1.Type != output.Type || input2.Type != output.Type)
            throw node.Unsupported(
                $"input tensors {input1.Index} ({TensorTypes.Name(input1.Type)}) and {input2.Index} ({TensorTypes.Name(input2.Type)}) must both have the output's type {TensorTypes.Name(output.Type)}");
        return output.Type;
    }

    /// <summary>TFLM's CalculateActivationRange for float outputs.</summary>
    public static (float Min, float Max) FloatActivation(Node node, ActivationFunctionType activation)
    {
        RequireKnownActivation(node, activation);
        return ActivationRange.Float(activation);
    }

    /// <summary>TFLM's CalculateActivationRange&lt;int32_t&gt; for unquantized int32 outputs.</summary>
    public static (int Min, int Max) Int32Activation(Node node, ActivationFunctionType activation)
    {
        RequireKnownActivation(node, activation);
        return activation switch
        {
            ActivationFunctionType.RELU => (0, int.MaxValue),
            ActivationFunctionType.RELU6 => (0, 6),
            ActivationFunctionType.RELU_N1_TO_1 => (-1, 1),
            _ => (int.MinValue, int.MaxValue),
        };
    }

    /// <summary>TFLM's CalculateActivationRangeQuantized: the clamp in the output's quantized domain.</summary>
    public static (int Min, int Max) QuantizedActivation(Node node, ActivationFunctionType activation, Tensor output)
    {
        RequireKnownActivation(node, activation);
        var (typeMin, typeMax) = ActivationRange.ForType(output.Type);
        return ActivationRange.Quantized(activation, output.Scale, output.ZeroPoint, typeMin, typeMax);
    }

    private static void RequireKnownActivation(Node node, ActivationFunctionType activation)
    {
        if (activation is not (ActivationFunctionType.NONE or ActivationFunctionType.RELU
            or ActivationFunctionType.RELU6 or ActivationFunctionType.RELU_N1_TO_1))
            throw node.Unsupported($"fused activation {activation} is not supported");
    }

    /// <summary>True when the tensor carries no quantization parameters (TFLM's kTfLiteNoQuantization).</summary>
    public static bool IsUnquantized(Tensor tensor) => tensor.Quantization is null || tensor.Quantization.Count == 0;

    public static void RequireUnquantized(Node node, Tensor tensor, string role)
    {
        if (!IsUnquantized(tensor))
            throw node.Unsupported($"{role} tensor {tensor.Index} is {TensorTypes.Name(tensor.Type)} with quantization parameters; only unquantized {TensorTypes.Name(tensor.Type)} is supported");
    }

    public static int Clamp(int x, int lo, int hi)
    {
        int y = x < lo ? lo : x;
        return hi < y ? hi : y;
    }
}
