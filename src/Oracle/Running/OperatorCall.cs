using TinyMl.Interpreter;
using TinyMl.Workbench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using Padding = TinyMl.Interpreter.Schema.Padding;

namespace TinyMl.Oracle.Running;

/// <summary>
/// One operator as the oracle computes it: its options and its inputs as torch tensors in TFLite's
/// layout (NHWC), float64. <see cref="Real"/> gives dequantized values, <see cref="Raw"/> the stored ones.
/// </summary>
internal sealed class OperatorCall(OperatorInfo op, SubGraphInfo graph, Func<int, TensorData> value)
{
    public OperatorInfo Operator => op;
    public string Where => $"operator {op.Index} ({op.Name})";

    public bool Has(int slot) => slot < op.Inputs.Length && op.Inputs[slot] >= 0;
    public int InputCount => op.Inputs.Length;

    public TensorInfo Input(int slot) => Has(slot) ? graph.Tensors[op.Inputs[slot]]
        : throw Unsupported($"input {slot} is missing");
    public TensorInfo Output(int slot) => graph.Tensors[op.Outputs[slot]];

    public TensorData Value(int slot) => value(Input(slot).Index);

    /// <summary>Input <paramref name="slot"/>'s real values (scale · (q − zero point) where quantized, per channel too).</summary>
    public Tensor Real(int slot) => FromValues(Value(slot).RealValues(), Value(slot).Shape);

    /// <summary>Input <paramref name="slot"/>'s stored values, not dequantized.</summary>
    public Tensor Raw(int slot) => FromValues(Value(slot).RawValues(), Value(slot).Shape);

    /// <summary>A small integer input (axes, paddings, permutations, shapes) as ints.</summary>
    public int[] Ints(int slot) => Value(slot).RawValues().Select(v => checked((int)v)).ToArray();

    public T Options<T>() where T : struct, Google.FlatBuffers.IFlatbufferObject =>
        op.Options<T>() ?? throw Unsupported($"it has no {typeof(T).Name}");
    public T? OptionalOptions<T>() where T : struct, Google.FlatBuffers.IFlatbufferObject => op.Options<T>();

    /// <summary>A custom operator's FlexBuffer options.</summary>
    public FlexBufferMap CustomOptions()
    {
        try
        {
            return FlexBufferMap.Parse(op.CustomOptions.Span);
        }
        catch (FormatException e)
        {
            throw Unsupported($"its custom options are not a FlexBuffer map ({e.Message})");
        }
    }

    public OracleException Unsupported(string why) => new($"the oracle cannot compute {Where}: {why}");

    public static Tensor FromValues(double[] values, int[] shape) =>
        torch.tensor(values, shape.Select(d => (long)d).ToArray(), dtype: ScalarType.Float64);
}
