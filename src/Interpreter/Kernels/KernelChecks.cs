using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>Shape and type checks every kernel's Prepare shares; failures name the operator.</summary>
internal static class KernelChecks
{
    /// <summary>
    /// The prelude of a one-input elementwise kernel: one input and one output of the same type (one of
    /// <paramref name="allowed"/>) and element count, both quantized per tensor when integer-quantized.
    /// </summary>
    public static (Tensor Input, Tensor Output) RequireElementwiseUnary(this Node node, params TensorType[] allowed)
    {
        node.RequireTensorCounts(1, 1);
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireType(input, "input", allowed);
        node.RequireSameType(input, output);
        node.RequireSameElementCount(input, output);
        if (input.Type is TensorType.INT8 or TensorType.INT16 && input.Quantization is not null)
        {
            node.RequirePerTensorQuantization(input, "input");
            node.RequirePerTensorQuantization(output, "output");
        }
        return (input, output);
    }

    public static void RequireTensorCounts(this Node node, int inputs, int outputs)
    {
        if (node.InputCount != inputs || node.OutputCount != outputs)
            throw node.Unsupported($"needs {inputs} input(s) and {outputs} output(s), the model gives {node.InputCount} and {node.OutputCount}");
    }

    /// <summary>The tensor has rank <paramref name="rank"/> and one of the <paramref name="allowed"/> types.</summary>
    public static void RequireTensor(this Node node, Tensor tensor, string role, int rank, params TensorType[] allowed)
    {
        node.RequireRank(tensor, role, rank);
        node.RequireType(tensor, role, allowed);
    }

    public static void RequireType(this Node node, Tensor tensor, string role, params TensorType[] allowed)
    {
        if (Array.IndexOf(allowed, tensor.Type) < 0)
            throw node.Unsupported($"{role} tensor {tensor.Index} is {TensorTypes.Name(tensor.Type)}; supported: {string.Join(", ", allowed.Select(TensorTypes.Name))}");
    }

    public static void RequireSameType(this Node node, Tensor a, Tensor b)
    {
        if (a.Type != b.Type)
            throw node.Unsupported($"tensor {a.Index} is {TensorTypes.Name(a.Type)} but tensor {b.Index} is {TensorTypes.Name(b.Type)}");
    }

    public static void RequireRank(this Node node, Tensor tensor, string role, int rank)
    {
        if (tensor.Rank != rank)
            throw node.Unsupported($"{role} tensor {tensor.Index} has shape {ShapeText(tensor)}; rank {rank} expected");
    }

    public static void RequireData(this Node node, Tensor tensor, string role)
    {
        if (!tensor.IsConstant)
            throw node.Unsupported($"{role} tensor {tensor.Index} must be a constant of the model");
    }

    public static void RequireSameElementCount(this Node node, Tensor a, Tensor b)
    {
        if (a.ElementCount != b.ElementCount)
            throw node.Unsupported($"tensor {a.Index} {ShapeText(a)} and tensor {b.Index} {ShapeText(b)} differ in element count");
    }

    public static void RequirePerTensorQuantization(this Node node, Tensor tensor, string role)
    {
        if (tensor.Quantization is null || tensor.Quantization.IsPerChannel)
            throw node.Unsupported($"{role} tensor {tensor.Index} needs per-tensor quantization parameters");
        if (!(tensor.Scale > 0))
            throw node.Unsupported($"{role} tensor {tensor.Index} has scale {tensor.Scale}; a positive scale is needed");
    }

    public static string ShapeText(Tensor tensor) => $"[{string.Join(",", tensor.ShapeArray())}]";

    /// <summary>Scale of channel <paramref name="c"/>: per-channel when the tensor has one per channel, else the single scale.</summary>
    public static float ChannelScale(Tensor tensor, int c) =>
        tensor.Quantization is { IsPerChannel: true } q ? q.Scales[c] : tensor.Scale;
}
