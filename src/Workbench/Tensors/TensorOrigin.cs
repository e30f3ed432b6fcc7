namespace TinyMl.Workbench.Tensors;

/// <summary>
/// Where a tensor of a run came from: output <see cref="Slot"/> of operator <see cref="OperatorIndex"/>
/// (an <see cref="Op"/> such as "CONV_2D"), or model input <see cref="Slot"/> (OperatorIndex −1).
/// Two models that name their tensors differently still line up by this (see the parity report).
/// </summary>
public sealed record TensorOrigin(int OperatorIndex, string Op, int Slot)
{
    public const string ModelInputOp = "input";

    public static TensorOrigin ModelInput(int position) => new(-1, ModelInputOp, position);

    public bool IsModelInput => OperatorIndex < 0;

    /// <summary>"input 0" or "#3 CONV_2D" (with ":1" for a second output).</summary>
    public override string ToString() => IsModelInput ? $"input {Slot}" : $"#{OperatorIndex} {Op}{(Slot > 0 ? ":" + Slot : "")}";
}
