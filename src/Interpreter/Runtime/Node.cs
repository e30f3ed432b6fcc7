namespace TinyMl.Interpreter;

/// <summary>
/// An operator bound to its kernel and tensors. Kernels keep their per-node state in <see cref="Data"/>
/// (set from Init, filled in Prepare) so that Invoke only reads it.
/// </summary>
public sealed class Node
{
    internal Node(OperatorInfo op, OperatorKernel kernel, Tensor?[] inputs, Tensor[] outputs, Tensor?[] intermediates)
    {
        Operator = op;
        Kernel = kernel;
        Inputs = inputs;
        Outputs = outputs;
        Intermediates = intermediates;
    }

    public OperatorInfo Operator { get; }
    public OperatorKernel Kernel { get; }
    public int Index => Operator.Index;
    public string Name => Operator.Name;
    /// <summary>Input tensors in the model's order; null where an optional input is omitted (index -1).</summary>
    public Tensor?[] Inputs { get; }
    public Tensor[] Outputs { get; }
    public Tensor?[] Intermediates { get; }
    public object? Data { get; set; }
    /// <summary>MACs per Invoke and parameter bytes, from the shapes the kernels prepared.</summary>
    public OperatorCost Cost => new(
        OperatorCost.EstimateMacs(Operator.Code.Builtin, i => OptionalInput(i)?.ShapeArray(), i => i < Outputs.Length ? Outputs[i].ShapeArray() : null),
        Inputs.Where(t => t is { IsConstant: true }).Distinct().Sum(t => (long)t!.Info.Data.Length));

    public int InputCount => Inputs.Length;
    public int OutputCount => Outputs.Length;

    /// <summary>Input <paramref name="i"/>; a missing one is the model's fault and is reported as such.</summary>
    public Tensor Input(int i)
    {
        if ((uint)i >= (uint)Inputs.Length)
            throw Unsupported($"needs at least {i + 1} inputs, the model gives {Inputs.Length}");
        return Inputs[i] ?? throw Unsupported($"input {i} is required but omitted");
    }

    public Tensor? OptionalInput(int i) => (uint)i < (uint)Inputs.Length ? Inputs[i] : null;

    public Tensor Output(int i)
    {
        if ((uint)i >= (uint)Outputs.Length)
            throw Unsupported($"needs at least {i + 1} outputs, the model gives {Outputs.Length}");
        return Outputs[i];
    }

    /// <summary>The typed kernel state; Invoke relies on Prepare having set it.</summary>
    public T DataAs<T>() where T : class => (T)Data!;

    /// <summary>An error naming this operator, for a kernel to throw when it cannot handle what the model asks.</summary>
    public UnsupportedOperatorException Unsupported(string problem) => new(Index, Name, problem);

    /// <summary>Throws <see cref="Unsupported"/> when <paramref name="condition"/> is false.</summary>
    public void Require(bool condition, string problem)
    {
        if (!condition) throw Unsupported(problem);
    }

    public override string ToString() => $"operator {Index} ({Name})";
}

/// <summary>
/// A kernel registration, as in TFLM: Init once per node, Prepare once AllocateTensors knows the
/// shapes (validate, compute quantization parameters, request scratch), Invoke per inference (must not
/// allocate or fail on valid data), Free when the interpreter is disposed.
/// </summary>
public abstract class OperatorKernel
{
    public virtual object? Init(KernelContext context, Node node) => null;
    public virtual void Prepare(KernelContext context, Node node) { }
    public abstract void Invoke(KernelContext context, Node node);
    /// <summary>Puts state the kernel keeps itself (not in variable tensors) back to its start, on the interpreter's Reset.</summary>
    public virtual void Reset(Node node) { }
    public virtual void Free(Node node) { }
}
