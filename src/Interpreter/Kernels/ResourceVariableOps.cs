using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// VAR_HANDLE, ASSIGN_VARIABLE and READ_VARIABLE over the interpreter's <see cref="ResourceVariables"/>: a handle
/// tensor carries a variable's id; ASSIGN copies a value into the variable's storage (sized by the first ASSIGN
/// prepared, as TFLM does), READ copies it out. Storage lives in the arena tail and survives between invocations.
/// </summary>
internal static class ResourceVariableChecks
{
    public static void RequireHandle(Node node, Tensor handle)
    {
        node.Require(handle.Type is TensorType.RESOURCE or TensorType.INT32 && handle.ElementCount == 1,
            $"handle tensor {handle.Index} is {TensorTypes.Name(handle.Type)}{KernelChecks.ShapeText(handle)}; one resource (or int32) element is required");
    }

    /// <summary>The variable's bytes for a handle read at run time; a value of another size is the model's error.</summary>
    public static Span<byte> Storage(KernelContext context, Node node, Tensor handle, long bytes)
    {
        int id = handle.AsReadOnlySpan<int>()[0];
        var storage = context.ResourceVariables.Storage(id);
        if (storage.Length != bytes)
            throw node.Unsupported(storage.IsEmpty
                ? $"uses resource variable '{context.ResourceVariables.Name(id)}', which no ASSIGN_VARIABLE gave a size"
                : $"moves {bytes} bytes through resource variable '{context.ResourceVariables.Name(id)}', which holds {storage.Length}");
        return storage;
    }
}

internal sealed class VarHandleKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(0, 1);
        var handle = node.Output(0);
        ResourceVariableChecks.RequireHandle(node, handle);
        var options = node.Operator.Options<VarHandleOptions>();
        node.Data = context.ResourceVariables.Declare(options?.Container ?? "", options?.SharedName ?? "", handle);
    }

    public override void Invoke(KernelContext context, Node node) => node.Outputs[0].AsSpan<int>()[0] = (int)node.Data!;
}

internal sealed class AssignVariableKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 0);
        var handle = node.Input(0);
        ResourceVariableChecks.RequireHandle(node, handle);
        // A handle from this subgraph's VAR_HANDLE is known now; one passed in from another subgraph is sized there.
        if (context.ResourceVariables.DeclaredBy(handle) is { } id)
            context.ResourceVariables.Allocate(id, checked((int)node.Input(1).ByteCount), context, node);
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var value = node.Inputs[1]!;
        value.Bytes.CopyTo(ResourceVariableChecks.Storage(context, node, node.Inputs[0]!, value.ByteCount));
    }
}

internal sealed class ReadVariableKernel : OperatorKernel
{
    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        ResourceVariableChecks.RequireHandle(node, node.Input(0));
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var output = node.Outputs[0];
        ResourceVariableChecks.Storage(context, node, node.Inputs[0]!, output.ByteCount).CopyTo(output.AsSpan<byte>());
    }
}
