using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Tensors;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Oracle.Tests.Operators;

/// <summary>Quantization of one tensor: per-tensor scale and zero point, or per-channel scales along a dimension.</summary>
public sealed record Quant(float[] Scales, long[] ZeroPoints, int Dimension = 0)
{
    public static Quant Of(double scale, long zeroPoint) => new([(float)scale], [zeroPoint]);
    public float Scale => Scales[0];
    public long ZeroPoint => ZeroPoints[0];
}

/// <summary>
/// Makes a one-operator model with random data: its non-constant inputs get random values of their type
/// (kept as <see cref="TensorData"/> so the runtime and the oracle read the same bytes).
/// </summary>
public sealed class SingleOpModels(Random random)
{
    private readonly ModelBuilder _builder = new();
    private readonly List<int> _inputs = [];
    private readonly List<TensorData> _inputData = [];

    public Random Random => random;

    /// <summary>A model input with random values in <paramref name="range"/> (default: floats in [−2, 2], integers over the whole type).</summary>
    public int Input(TensorType type, int[] shape, Quant? q = null, (double Low, double High)? range = null) =>
        Input(type, shape, Bytes(type, shape.Aggregate(1L, (n, d) => n * d), range), q);

    /// <summary>A model input holding exactly <paramref name="bytes"/> (values the case chose itself).</summary>
    public int Input(TensorType type, int[] shape, byte[] bytes, Quant? q = null)
    {
        int index = _builder.AddTensor($"in{_inputs.Count}", type, shape, scales: q?.Scales, zeroPoints: q?.ZeroPoints, quantizedDimension: q?.Dimension ?? 0);
        _inputs.Add(index);
        _inputData.Add(new TensorData
        {
            Index = index, Name = $"in{_inputs.Count - 1}", Type = type, Shape = shape,
            Quantization = q is null ? null : new QuantizationParams(q.Scales, q.ZeroPoints.Select(z => (int)z).ToArray(), q.Dimension),
            IsConstant = false, Bytes = bytes,
        });
        return index;
    }

    /// <summary>A constant with random values in <paramref name="range"/> (defaults as for <see cref="Input"/>).</summary>
    public int Constant(TensorType type, int[] shape, Quant? q = null, (double Low, double High)? range = null) =>
        _builder.AddTensor($"c{_builder.GetHashCode()}_{random.Next()}", type, shape,
            Bytes(type, shape.Aggregate(1L, (n, d) => n * d), range), q?.Scales, q?.ZeroPoints, q?.Dimension ?? 0);

    public int Constant<T>(TensorType type, int[] shape, T[] values, Quant? q = null) where T : unmanaged =>
        _builder.AddConstant($"c{random.Next()}", type, shape, values, q?.Scales, q?.ZeroPoints, q?.Dimension ?? 0);

    /// <summary>A variable tensor (an LSTM's state): starts at zero, or at the zero point for int8, in the runtime and the oracle alike.</summary>
    public int Variable(TensorType type, int[] shape, Quant? q = null) =>
        _builder.AddTensor($"state{random.Next()}", type, shape, scales: q?.Scales, zeroPoints: q?.ZeroPoints, quantizedDimension: q?.Dimension ?? 0, isVariable: true);

    public int Output(TensorType type, int[] shape, Quant? q = null) =>
        _builder.AddTensor("out", type, shape, scales: q?.Scales, zeroPoints: q?.ZeroPoints, quantizedDimension: q?.Dimension ?? 0);

    public (Model Model, TensorData[] Inputs) Build(BuiltinOperator op, int[] inputs, int output, BuiltinOptionsUnion? options = null) =>
        Build(op, inputs, [output], options);

    /// <summary>A model whose outputs are all of the operator's outputs (SPLIT, UNPACK), in slot order.</summary>
    public (Model Model, TensorData[] Inputs) Build(BuiltinOperator op, int[] inputs, int[] outputs, BuiltinOptionsUnion? options = null)
    {
        _builder.AddOperator(op, inputs, outputs, options);
        _builder.SetInputs([.. _inputs]).SetOutputs(outputs);
        return (_builder.ToModel($"{op} case"), [.. _inputData]);
    }

    /// <summary>A model around one custom operator (TFLite_Detection_PostProcess, …) with FlexBuffer <paramref name="options"/>.</summary>
    public (Model Model, TensorData[] Inputs) BuildCustom(string name, int[] inputs, int[] outputs, byte[] options)
    {
        _builder.AddOperator(BuiltinOperator.CUSTOM, inputs, outputs, customCode: name, customOptions: options);
        _builder.SetInputs([.. _inputs]).SetOutputs(outputs);
        return (_builder.ToModel($"{name} case"), [.. _inputData]);
    }

    private byte[] Bytes(TensorType type, long count, (double Low, double High)? range)
    {
        var (low, high) = range ?? (-2, 2);
        int size = TensorTypes.ElementSize(type);
        var bytes = new byte[count * size];
        var span = bytes.AsSpan();
        for (int i = 0; i < count; i++)
        {
            switch (type)
            {
                case TensorType.FLOAT32:
                    BitConverter.TryWriteBytes(span[(4 * i)..], (float)(low + random.NextDouble() * (high - low))); break;
                case TensorType.INT8:
                    span[i] = (byte)(sbyte)Integer(range, sbyte.MinValue, sbyte.MaxValue); break;
                case TensorType.UINT8:
                    span[i] = (byte)Integer(range, byte.MinValue, byte.MaxValue); break;
                case TensorType.BOOL:
                    span[i] = (byte)random.Next(2); break;
                case TensorType.INT16:
                    BitConverter.TryWriteBytes(span[(2 * i)..], (short)Integer(range, short.MinValue, short.MaxValue)); break;
                case TensorType.INT32:
                    BitConverter.TryWriteBytes(span[(4 * i)..], (int)Integer(range, int.MinValue, int.MaxValue)); break;
                case TensorType.INT64:
                    BitConverter.TryWriteBytes(span[(8 * i)..], Integer(range, int.MinValue, int.MaxValue)); break;
                default: throw new ArgumentException($"no random values for {type}");
            }
        }
        return bytes;
    }

    /// <summary>An integer in <paramref name="range"/>, or anywhere in the type's range when none is given.</summary>
    private long Integer((double Low, double High)? range, long min, long max)
    {
        long lo = range is { } r ? (long)r.Low : min, hi = range is { } r2 ? (long)r2.High : max;
        return lo + (long)(random.NextDouble() * (hi - lo + 1));
    }
}
