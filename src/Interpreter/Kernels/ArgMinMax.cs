using System.Numerics;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// ARG_MAX and ARG_MIN: the index of the first largest (smallest) value along the axis, as int32; inputs
/// float32 and int8 and an int32 axis, as TFLM (which has no int64 output). Comparisons are TFLM's plain
/// greater/less, so a NaN never takes the place and the first element stays when it is one.
/// </summary>
internal sealed class ArgMinMaxKernel(bool max) : OperatorKernel
{
    private sealed class OpData
    {
        public TensorType Type;
        public bool ConstantAxis;
        public int Outer, AxisSize, Inner;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var input = node.Input(0);
        var axisTensor = node.Input(1);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8);
        node.RequireType(axisTensor, "axis", TensorType.INT32);
        node.RequireType(output, "output", TensorType.INT32);
        node.Require(input.Rank >= 1, $"input tensor {input.Index} is a scalar; at least one dimension is needed");
        node.Require(axisTensor.ElementCount == 1, $"axis tensor {axisTensor.Index} has shape {KernelChecks.ShapeText(axisTensor)}; one value expected");
        var d = new OpData { Type = input.Type, ConstantAxis = axisTensor.IsConstant };
        if (d.ConstantAxis)
        {
            if (Check(d, input, axisTensor, output) is { } problem) throw node.Unsupported(problem);
        }
        else
        {
            // The axis is only known at Invoke; every axis must then be able to give the output's shape.
            node.Require(output.Rank == input.Rank - 1, $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; rank {input.Rank - 1} expected for input {KernelChecks.ShapeText(input)}");
        }
        node.Data = d;
    }

    private static string? Check(OpData d, Tensor input, Tensor axisTensor, Tensor output)
    {
        int declared = axisTensor.AsReadOnlySpan<int>()[0], rank = input.Rank;
        int axis = declared < 0 ? declared + rank : declared;
        if (axis < 0 || axis >= rank) return $"axis {declared} is outside input tensor {input.Index} of shape {KernelChecks.ShapeText(input)}";
        bool same = output.Rank == rank - 1;
        for (int i = 0; same && i < rank - 1; i++) same = output.Dim(i) == input.Dim(i < axis ? i : i + 1);
        if (!same) return $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; reducing input {KernelChecks.ShapeText(input)} along axis {declared} drops dimension {axis}";
        d.Outer = IndexTensors.Product(input.Shape, 0, axis);
        d.AxisSize = input.Dim(axis);
        d.Inner = IndexTensors.Product(input.Shape, axis + 1, rank);
        return null;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        if (!d.ConstantAxis && Check(d, input, node.Inputs[1]!, output) is { } problem)
            throw IndexTensors.OutOfRange(node, "axis", node.Inputs[1]!, problem);
        if (d.Type == TensorType.FLOAT32) Run(d, input.AsReadOnlySpan<float>(), output.AsSpan<int>());
        else Run(d, input.AsReadOnlySpan<sbyte>(), output.AsSpan<int>());
    }

    private void Run<T>(OpData d, ReadOnlySpan<T> input, Span<int> output) where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        for (int o = 0; o < d.Outer; o++)
        for (int i = 0; i < d.Inner; i++)
        {
            int at = o * d.AxisSize * d.Inner + i, best = 0;
            T value = input[at];
            for (int k = 1; k < d.AxisSize; k++)
            {
                T candidate = input[at + k * d.Inner];
                if (max ? candidate > value : candidate < value)
                {
                    value = candidate;
                    best = k;
                }
            }
            output[o * d.Inner + i] = best;
        }
    }
}
