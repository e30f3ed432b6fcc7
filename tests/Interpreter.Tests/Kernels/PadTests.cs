using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class PadTests
{
    // Expected output by coordinates: an output element is the input element at (out - before) when
    // every coordinate lands inside the input, else the pad value.
    private static T[] Reference<T>(T[] input, int[] shape, int[,] pads, T pad)
    {
        int rank = shape.Length;
        var outShape = Enumerable.Range(0, rank).Select(d => shape[d] + pads[d, 0] + pads[d, 1]).ToArray();
        int count = outShape.Aggregate(1, (a, b) => a * b);
        var result = new T[count];
        var coord = new int[rank];
        for (int i = 0; i < count; i++)
        {
            int rest = i;
            for (int d = rank - 1; d >= 0; d--) { coord[d] = rest % outShape[d]; rest /= outShape[d]; }
            int index = 0;
            bool inside = true;
            for (int d = 0; d < rank; d++)
            {
                int c = coord[d] - pads[d, 0];
                inside &= c >= 0 && c < shape[d];
                index = index * shape[d] + c;
            }
            result[i] = inside ? input[index] : pad;
        }
        return result;
    }

    private static MicroInterpreter Build(BuiltinOperator op, TensorType type, int[] shape, int[,] pads, bool int64Paddings,
        byte[]? padValue, float? scale = null, long zeroPoint = 0)
    {
        int rank = shape.Length;
        var b = new ModelBuilder();
        float[]? scales = scale is null ? null : [scale.Value];
        long[]? zeros = scale is null ? null : [zeroPoint];
        int x = b.AddTensor("x", type, shape, scales: scales, zeroPoints: zeros);
        var flat = Enumerable.Range(0, 2 * rank).Select(i => pads[i / 2, i % 2]).ToArray();
        int p = int64Paddings
            ? b.AddConstant("paddings", TensorType.INT64, [rank, 2], flat.Select(v => (long)v).ToArray())
            : b.AddConstant("paddings", TensorType.INT32, [rank, 2], flat);
        var outShape = Enumerable.Range(0, rank).Select(d => shape[d] + pads[d, 0] + pads[d, 1]).ToArray();
        int y = b.AddTensor("y", type, outShape, scales: scales, zeroPoints: zeros);
        var inputs = new List<int> { x, p };
        if (padValue is not null) inputs.Add(b.AddTensor("value", type, [1], padValue, scales, zeros));
        b.AddOperator(op, [.. inputs], [y]);
        b.SetInputs(x).SetOutputs(y);
        var interpreter = new MicroInterpreter(b.ToModel(), new OpResolver().Add(op), 256 * 1024);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Fact]
    public void Pads_a_2x3_matrix_by_hand()
    {
        using var interpreter = Build(BuiltinOperator.PAD, TensorType.FLOAT32, [2, 3], new[,] { { 1, 0 }, { 0, 2 } }, false, null);
        interpreter.Input(0).CopyFrom(new[] { 1f, 2f, 3f, 4f, 5f, 6f });
        interpreter.Invoke();
        Assert.Equal(new[] { 0f, 0f, 0f, 0f, 0f, 1f, 2f, 3f, 0f, 0f, 4f, 5f, 6f, 0f, 0f }, interpreter.Output(0).ToArray<float>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Int8_pads_with_the_output_zero_point_and_padv2_with_its_value()
    {
        using var pad = Build(BuiltinOperator.PAD, TensorType.INT8, [2], new[,] { { 1, 1 } }, false, null, 0.5f, -7);
        pad.Input(0).CopyFrom(new sbyte[] { 3, 4 });
        pad.Invoke();
        Assert.Equal(new sbyte[] { -7, 3, 4, -7 }, pad.Output(0).ToArray<sbyte>());

        using var padv2 = Build(BuiltinOperator.PADV2, TensorType.INT8, [2], new[,] { { 0, 2 } }, false, [unchecked((byte)(sbyte)-100)], 0.5f, -7);
        padv2.Input(0).CopyFrom(new sbyte[] { 3, 4 });
        padv2.Invoke();
        Assert.Equal(new sbyte[] { 3, 4, -100, -100 }, padv2.Output(0).ToArray<sbyte>());
    }

    [Fact]
    public void Random_shapes_and_paddings_in_every_type_match_the_coordinate_reference()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 40; trial++)
        {
            int rank = rng.Next(1, 6);
            var shape = Enumerable.Range(0, rank).Select(_ => rng.Next(1, 5)).ToArray();
            var pads = new int[rank, 2];
            for (int d = 0; d < rank; d++) { pads[d, 0] = rng.Next(0, 3); pads[d, 1] = rng.Next(0, 3); }
            int n = shape.Aggregate(1, (a, b) => a * b);
            bool v2 = trial % 2 == 1;
            var op = v2 ? BuiltinOperator.PADV2 : BuiltinOperator.PAD;
            switch (trial % 4)
            {
                case 0:
                {
                    var x = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
                    using var i = Build(op, TensorType.FLOAT32, shape, pads, trial % 3 == 0, v2 ? BitConverter.GetBytes(-1.5f) : null);
                    i.Input(0).CopyFrom(x);
                    i.Invoke();
                    Assert.Equal(Reference(x, shape, pads, v2 ? -1.5f : 0f), i.Output(0).ToArray<float>());
                    break;
                }
                case 1:
                {
                    var x = Enumerable.Range(0, n).Select(_ => (short)rng.Next(short.MinValue, short.MaxValue)).ToArray();
                    using var i = Build(op, TensorType.INT16, shape, pads, trial % 3 == 0, v2 ? BitConverter.GetBytes((short)1234) : null, 0.01f);
                    i.Input(0).CopyFrom(x);
                    i.Invoke();
                    Assert.Equal(Reference(x, shape, pads, v2 ? (short)1234 : (short)0), i.Output(0).ToArray<short>());
                    break;
                }
                case 2:
                {
                    var x = Enumerable.Range(0, n).Select(_ => rng.Next()).ToArray();
                    using var i = Build(op, TensorType.INT32, shape, pads, trial % 3 == 0, null);
                    i.Input(0).CopyFrom(x);
                    i.Invoke();
                    Assert.Equal(Reference(x, shape, pads, 0), i.Output(0).ToArray<int>());
                    break;
                }
                default:
                {
                    var x = Enumerable.Range(0, n).Select(_ => (sbyte)rng.Next(-128, 128)).ToArray();
                    using var i = Build(op, TensorType.INT8, shape, pads, trial % 3 == 0, v2 ? [17] : null, 0.1f, 17);
                    i.Input(0).CopyFrom(x);
                    i.Invoke();
                    Assert.Equal(Reference(x, shape, pads, (sbyte)17), i.Output(0).ToArray<sbyte>());
                    break;
                }
            }
        }
    }

    [Fact]
    public void An_output_shape_that_is_not_input_plus_paddings_is_rejected_with_the_sizes()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.FLOAT32, [2, 3]);
        int p = b.AddConstant("paddings", TensorType.INT32, [2, 2], new[] { 1, 1, 0, 0 });
        int y = b.AddTensor("y", TensorType.FLOAT32, [3, 3]);
        b.AddOperator(BuiltinOperator.PAD, [x, p], [y]);
        b.SetInputs(x).SetOutputs(y);
        using var interpreter = new MicroInterpreter(b.ToModel(), new OpResolver().Add(BuiltinOperator.PAD), 16 * 1024);
        var e = Assert.Throws<UnsupportedOperatorException>(() => interpreter.AllocateTensors());
        Assert.Contains("operator 0 (PAD)", e.Message);
        Assert.Contains("[3,3]", e.Message);
        Assert.Contains("gives 4 in dimension 0", e.Message);
    }
}
