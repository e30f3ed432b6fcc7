using System.Numerics;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// MINIMUM and MAXIMUM with broadcasting for float32, int8, int16, int32 and int64. Like TFLM they
/// compare the stored values directly, without requantization, and pick with a strict comparison, so
/// MAXIMUM(NaN, x) is x and MAXIMUM(x, NaN) is NaN.
/// </summary>
internal sealed class MinimumMaximumKernel(bool maximum) : OperatorKernel
{
    private sealed class OpData
    {
        public required BroadcastPlan Plan;
        public TensorType Type;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var input1 = node.Input(0);
        var input2 = node.Input(1);
        var output = node.Output(0);
        var type = ElementwiseSupport.RequireSameTypes(node, input1, input2, output,
            TensorType.FLOAT32, TensorType.INT8, TensorType.INT16, TensorType.INT32, TensorType.INT64);
        node.Data = new OpData { Plan = BroadcastPlan.Create(node, input1, input2, output), Type = type };
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var data = node.DataAs<OpData>();
        var input1 = node.Inputs[0]!;
        var input2 = node.Inputs[1]!;
        var output = node.Outputs[0];
        switch (data.Type)
        {
            case TensorType.FLOAT32: Run<float>(data.Plan, input1, input2, output); break;
            case TensorType.INT8: Run<sbyte>(data.Plan, input1, input2, output); break;
            case TensorType.INT16: Run<short>(data.Plan, input1, input2, output); break;
            case TensorType.INT32: Run<int>(data.Plan, input1, input2, output); break;
            case TensorType.INT64: Run<long>(data.Plan, input1, input2, output); break;
        }
    }

    private void Run<T>(BroadcastPlan plan, Tensor input1, Tensor input2, Tensor output)
        where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        if (maximum)
            plan.Run(input1.AsReadOnlySpan<T>(), input2.AsReadOnlySpan<T>(), output.AsSpan<T>(), default(MaximumOp<T>));
        else
            plan.Run(input1.AsReadOnlySpan<T>(), input2.AsReadOnlySpan<T>(), output.AsSpan<T>(), default(MinimumOp<T>));
    }

    private readonly struct MaximumOp<T> : IBinaryOp<T> where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        public T Apply(T a, T b) => a > b ? a : b;
    }

    private readonly struct MinimumOp<T> : IBinaryOp<T> where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        public T Apply(T a, T b) => a < b ? a : b;
    }
}
