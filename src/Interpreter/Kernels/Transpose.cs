using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// TRANSPOSE: output dimension i is input dimension perm[i]; a pure permutation of elements, so one
/// loop per element width serves every type. The permutation must be a constant of the model.
/// </summary>
internal sealed class TransposeKernel : OperatorKernel
{
    private const int MaxRank = StridedWalk.MaxRank;

    private sealed class OpData
    {
        public int ElementSize;
        // Output dims padded to MaxRank with leading 1s, and the input stride each output axis walks.
        public readonly int[] Dims = new int[MaxRank];
        public readonly int[] InputStrides = new int[MaxRank];
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var input = node.Input(0);
        var perm = node.Input(1);
        var output = node.Output(0);
        node.RequireSameType(input, output);
        node.RequireType(perm, "permutation", TensorType.INT32);
        node.RequireData(perm, "permutation");
        int rank = input.Rank;
        node.Require(rank <= MaxRank, $"input tensor {input.Index} has shape {KernelChecks.ShapeText(input)}; at most {MaxRank} dimensions are supported");
        node.Require(perm.ElementCount == rank && output.Rank == rank,
            $"permutation tensor {perm.Index} has {perm.ElementCount} entries and output tensor {output.Index} is {KernelChecks.ShapeText(output)} for input {KernelChecks.ShapeText(input)}");
        var p = perm.AsReadOnlySpan<int>();
        var seen = new bool[rank];
        var inputStrides = new int[rank];
        for (int i = rank - 1, stride = 1; i >= 0; i--) { inputStrides[i] = stride; stride *= input.Dim(i); }

        var d = new OpData { ElementSize = TensorTypes.ElementSize(input.Type) };
        node.Require(d.ElementSize is 1 or 2 or 4 or 8, $"input type {TensorTypes.Name(input.Type)} is not supported");
        Array.Fill(d.Dims, 1);
        int offset = MaxRank - rank;
        for (int i = 0; i < rank; i++)
        {
            int axis = p[i];
            node.Require(axis >= 0 && axis < rank && !seen[axis], $"permutation [{string.Join(",", p.ToArray())}] is not a permutation of 0..{rank - 1}");
            seen[axis] = true;
            node.Require(output.Dim(i) == input.Dim(axis),
                $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; permuting {KernelChecks.ShapeText(input)} by [{string.Join(",", p.ToArray())}] gives {input.Dim(axis)} in dimension {i}");
            d.Dims[offset + i] = output.Dim(i);
            d.InputStrides[offset + i] = inputStrides[axis];
        }
        node.Data = d;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        switch (d.ElementSize)
        {
            case 1: Run(d, input.AsReadOnlySpan<byte>(), output.AsSpan<byte>()); break;
            case 2: Run(d, input.AsReadOnlySpan<short>(), output.AsSpan<short>()); break;
            case 4: Run(d, input.AsReadOnlySpan<int>(), output.AsSpan<int>()); break;
            case 8: Run(d, input.AsReadOnlySpan<long>(), output.AsSpan<long>()); break;
        }
    }

    private static void Run<T>(OpData d, ReadOnlySpan<T> input, Span<T> output) where T : unmanaged
    {
        var gather = new Gather<T> { Input = input, Output = output };
        StridedWalk.Run(d.Dims, d.InputStrides, ref gather);
    }

    private ref struct Gather<T> : IStridedVisitor where T : unmanaged
    {
        public ReadOnlySpan<T> Input;
        public Span<T> Output;
        public void Visit(int index, int offset) => Output[index] = Input[offset];
    }
}
