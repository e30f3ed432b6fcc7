using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// LOG_SOFTMAX and L2_NORMALIZATION over the last dimension, float32, in TFLM's reference order of operations:
/// log-softmax as x − max − log Σ exp(x − max); L2 as x / max(√Σx², 1e-6). (TFLM's int8 paths are not here yet.)
/// </summary>
internal sealed class LastAxisNormalizationKernel(bool logSoftmax) : OperatorKernel
{
    private sealed record OpData(int Rows, int Depth);

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32);
        node.RequireSameType(input, output);
        node.Require(input.Rank >= 1 && input.Shape.SequenceEqual(output.Shape),
            $"output tensor {output.Index} {KernelChecks.ShapeText(output)} must have input tensor {input.Index}'s shape {KernelChecks.ShapeText(input)}");
        if (!logSoftmax)
            node.Require((node.Operator.Options<L2NormOptions>()?.FusedActivationFunction ?? ActivationFunctionType.NONE) == ActivationFunctionType.NONE,
                "has a fused activation; TFLM's L2_NORMALIZATION takes none");
        int depth = input.Dim(input.Rank - 1);
        node.Data = new OpData(depth == 0 ? 0 : input.ElementCount / depth, depth);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var (rows, depth) = node.DataAs<OpData>();
        var x = node.Inputs[0]!.AsReadOnlySpan<float>();
        var y = node.Outputs[0].AsSpan<float>();
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * depth, depth);
            var result = y.Slice(r * depth, depth);
            if (logSoftmax)
            {
                float max = float.MinValue;
                foreach (float v in row) max = Math.Max(max, v);
                float sum = 0f;
                foreach (float v in row) sum += MathF.Exp(v - max);
                float logSum = MathF.Log(sum);
                for (int c = 0; c < depth; c++) result[c] = row[c] - max - logSum;
            }
            else
            {
                float squares = 0f;
                foreach (float v in row) squares += v * v;
                float norm = Math.Max(MathF.Sqrt(squares), 1e-6f);
                for (int c = 0; c < depth; c++) result[c] = row[c] / norm;
            }
        }
    }
}

/// <summary>ADD_N: the elementwise sum of any number of same-shaped float32 tensors, added in input order from 0.</summary>
internal sealed class AddNKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.Require(node.InputCount >= 1 && node.OutputCount == 1, $"has {node.InputCount} inputs and {node.OutputCount} outputs; at least 1 and 1 expected");
        var output = node.Output(0);
        node.RequireType(output, "output", TensorType.FLOAT32);
        for (int i = 0; i < node.InputCount; i++)
        {
            var input = node.Input(i);
            node.RequireSameType(input, output);
            node.Require(input.Shape.SequenceEqual(output.Shape),
                $"input tensor {input.Index} {KernelChecks.ShapeText(input)} and output tensor {output.Index} {KernelChecks.ShapeText(output)} differ in shape");
        }
    }

    public override void Invoke(KernelContext context, Node node)
    {
        // Input by input into the output: each element still sums 0 + x₀ + x₁ + … in TFLM's order.
        var y = node.Outputs[0].AsSpan<float>();
        y.Clear();
        foreach (var input in node.Inputs)
        {
            var x = input!.AsReadOnlySpan<float>()[..y.Length];
            for (int i = 0; i < y.Length; i++) y[i] += x[i];
        }
    }
}
