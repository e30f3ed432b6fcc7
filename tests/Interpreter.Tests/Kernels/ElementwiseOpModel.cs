using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>
/// A one-operator model for kernel tests: non-constant tensors added with <see cref="Input"/> become
/// the model's inputs in order, <see cref="Output"/> tensors its outputs.
/// </summary>
internal sealed class ElementwiseOpModel
{
    private readonly ModelBuilder _builder = new();
    private readonly List<int> _inputs = new();
    private readonly List<int> _outputs = new();
    private int _constants;

    public int Input(TensorType type, int[] shape, float? scale = null, long zeroPoint = 0) =>
        Add(_inputs, $"in{_inputs.Count}", type, shape, scale, zeroPoint);

    public int Output(TensorType type, int[] shape, float? scale = null, long zeroPoint = 0) =>
        Add(_outputs, $"out{_outputs.Count}", type, shape, scale, zeroPoint);

    public int Constant<T>(TensorType type, int[] shape, T[] values, float? scale = null, long zeroPoint = 0) where T : unmanaged =>
        _builder.AddConstant($"const{_constants++}", type, shape, values,
            scale is null ? null : [scale.Value], scale is null ? null : [zeroPoint]);

    private int Add(List<int> list, string name, TensorType type, int[] shape, float? scale, long zeroPoint)
    {
        int t = _builder.AddTensor(name, type, shape, scales: scale is null ? null : [scale.Value], zeroPoints: scale is null ? null : [zeroPoint]);
        list.Add(t);
        return t;
    }

    /// <summary>Adds the operator over <paramref name="inputs"/> (all outputs so far) and allocates an interpreter for it.</summary>
    public MicroInterpreter Build(BuiltinOperator op, int[] inputs, BuiltinOptionsUnion? options = null, int arenaBytes = 16 * 1024)
    {
        _builder.AddOperator(op, inputs, _outputs.ToArray(), options);
        _builder.SetInputs(_inputs.ToArray()).SetOutputs(_outputs.ToArray());
        var interpreter = new MicroInterpreter(_builder.ToModel(), new OpResolver().Add(op), arenaBytes);
        try
        {
            interpreter.AllocateTensors();
        }
        catch
        {
            interpreter.Dispose();
            throw;
        }
        return interpreter;
    }

    /// <summary>Builds, expecting Prepare to refuse; returns the error.</summary>
    public UnsupportedOperatorException Rejects(BuiltinOperator op, int[] inputs, BuiltinOptionsUnion? options = null) =>
        Assert.Throws<UnsupportedOperatorException>(() => Build(op, inputs, options).Dispose());

    /// <summary>Copies values into each model input in turn, invokes, and returns output 0.</summary>
    public static TOut[] Run<TOut>(MicroInterpreter interpreter, params Array[] inputs) where TOut : unmanaged
    {
        for (int i = 0; i < inputs.Length; i++)
            interpreter.Input(i).CopyFrom<byte>(ToBytes(inputs[i]));
        interpreter.Invoke();
        return interpreter.Output(0).ToArray<TOut>();
    }

    private static byte[] ToBytes(Array values) => values switch
    {
        float[] f => MemoryMarshal.AsBytes(f.AsSpan()).ToArray(),
        sbyte[] s => MemoryMarshal.AsBytes(s.AsSpan()).ToArray(),
        short[] s => MemoryMarshal.AsBytes(s.AsSpan()).ToArray(),
        int[] i => MemoryMarshal.AsBytes(i.AsSpan()).ToArray(),
        uint[] u => MemoryMarshal.AsBytes(u.AsSpan()).ToArray(),
        long[] l => MemoryMarshal.AsBytes(l.AsSpan()).ToArray(),
        bool[] b => b.Select(x => x ? (byte)1 : (byte)0).ToArray(),
        byte[] b => b,
        _ => throw new ArgumentException($"unsupported input array {values.GetType()}"),
    };
}
