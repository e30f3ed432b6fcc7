using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>SHAPE: the input's dimensions as an int32 vector (TFLM writes int32 only, whatever out_type says).</summary>
internal sealed class ShapeKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireType(output, "output", TensorType.INT32);
        node.Require(output.Rank == 1 && output.Dim(0) == input.Rank,
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; the shape of input tensor {input.Index} {KernelChecks.ShapeText(input)} needs [{input.Rank}]");
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0].AsSpan<int>();
        for (int i = 0; i < input.Rank; i++) output[i] = input.Dim(i);
    }
}

/// <summary>
/// SQUEEZE: drops the listed size-1 dimensions (all of them when none is listed); the bytes are unchanged.
/// TFLM copies any type but string.
/// </summary>
internal sealed class SqueezeKernel : OperatorKernel
{
    private const int MaxRank = 8;

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireType(input, "input", MoveTypes.Any);
        node.RequireSameType(input, output);
        int rank = input.Rank;
        node.Require(rank <= MaxRank, $"input tensor {input.Index} has shape {KernelChecks.ShapeText(input)}; at most {MaxRank} dimensions are supported");
        var squeeze = new bool[rank];
        var options = node.Operator.Options<SqueezeOptions>();
        int listed = options?.SqueezeDimsLength ?? 0;
        if (listed == 0)
        {
            for (int i = 0; i < rank; i++) squeeze[i] = input.Dim(i) == 1;
        }
        else
        {
            for (int j = 0; j < listed; j++)
            {
                int declared = options!.Value.SqueezeDims(j), axis = declared < 0 ? declared + rank : declared;
                node.Require(axis >= 0 && axis < rank && input.Dim(axis) == 1,
                    $"squeeze dimension {declared} is not a size-1 dimension of input tensor {input.Index} {KernelChecks.ShapeText(input)}");
                squeeze[axis] = true;
            }
        }
        var expected = Enumerable.Range(0, rank).Where(i => !squeeze[i]).Select(input.Dim).ToArray();
        node.Require(output.Shape.SequenceEqual(expected),
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; squeezing input {KernelChecks.ShapeText(input)} gives {IndexTensors.ShapeText(expected)}");
    }

    public override void Invoke(KernelContext context, Node node) =>
        node.Inputs[0]!.Bytes.CopyTo(node.Outputs[0].AsSpan<byte>());
}

/// <summary>
/// EXPAND_DIMS: inserts a size-1 dimension at the axis (counted from the end when negative); float32,
/// int8 and int16 as TFLM. The axis must be a constant int32 scalar or 1-element vector.
/// </summary>
internal sealed class ExpandDimsKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var input = node.Input(0);
        var axisTensor = node.Input(1);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8, TensorType.INT16);
        node.RequireSameType(input, output);
        node.RequireType(axisTensor, "axis", TensorType.INT32);
        node.RequireData(axisTensor, "axis");
        node.Require(axisTensor.Rank <= 1 && axisTensor.ElementCount == 1,
            $"axis tensor {axisTensor.Index} has shape {KernelChecks.ShapeText(axisTensor)}; one value expected");
        int declared = axisTensor.AsReadOnlySpan<int>()[0], rank = input.Rank;
        int axis = declared < 0 ? declared + rank + 1 : declared;
        node.Require(axis >= 0 && axis <= rank, $"axis {declared} is outside [{-rank - 1}, {rank}] for input tensor {input.Index} {KernelChecks.ShapeText(input)}");
        var expected = input.ShapeArray().ToList();
        expected.Insert(axis, 1);
        node.Require(output.Shape.SequenceEqual(expected.ToArray()),
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; expanding input {KernelChecks.ShapeText(input)} at axis {declared} gives {IndexTensors.ShapeText(expected.ToArray())}");
    }

    public override void Invoke(KernelContext context, Node node) =>
        node.Inputs[0]!.Bytes.CopyTo(node.Outputs[0].AsSpan<byte>());
}
