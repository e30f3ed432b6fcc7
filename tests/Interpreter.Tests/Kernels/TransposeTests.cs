using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class TransposeTests
{
    private static MicroInterpreter Build(TensorType type, int[] shape, int[] perm)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", type, shape);
        int p = b.AddConstant("perm", TensorType.INT32, [perm.Length], perm);
        int y = b.AddTensor("y", type, perm.Select(a => shape[a]).ToArray());
        b.AddOperator(BuiltinOperator.TRANSPOSE, [x, p], [y]);
        b.SetInputs(x).SetOutputs(y);
        var interpreter = new MicroInterpreter(b.ToModel(), new OpResolver().Add(BuiltinOperator.TRANSPOSE), 64 * 1024);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Fact]
    public void Nchw_to_nhwc_by_hand()
    {
        using var i = Build(TensorType.INT8, [1, 2, 2, 2], [0, 2, 3, 1]);
        i.Input(0).CopyFrom(new sbyte[] { 1, 2, 3, 4, 5, 6, 7, 8 }); // channel 0: 1..4, channel 1: 5..8
        i.Invoke();
        Assert.Equal(new sbyte[] { 1, 5, 2, 6, 3, 7, 4, 8 }, i.Output(0).ToArray<sbyte>());
        Assert.Equal(0, InvokeAllocations.Measure(i));
    }

    [Fact]
    public void Random_ranks_and_permutations_match_the_coordinate_definition()
    {
        var rng = new Random(13);
        for (int trial = 0; trial < 40; trial++)
        {
            int rank = rng.Next(1, 7);
            var shape = Enumerable.Range(0, rank).Select(_ => rng.Next(1, 4)).ToArray();
            var perm = Enumerable.Range(0, rank).OrderBy(_ => rng.Next()).ToArray();
            var outShape = perm.Select(a => shape[a]).ToArray();
            int n = shape.Aggregate(1, (a, b) => a * b);
            var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            var expected = new double[n];
            var coord = new int[rank];
            for (int o = 0; o < n; o++)
            {
                int rest = o;
                for (int d = rank - 1; d >= 0; d--) { coord[d] = rest % outShape[d]; rest /= outShape[d]; }
                // output[c] = input[c'] with c'[perm[d]] = c[d]
                var inCoord = new int[rank];
                for (int d = 0; d < rank; d++) inCoord[perm[d]] = coord[d];
                int index = 0;
                for (int d = 0; d < rank; d++) index = index * shape[d] + inCoord[d];
                expected[o] = x[index];
            }
            if (trial % 2 == 0)
            {
                using var i = Build(TensorType.FLOAT32, shape, perm);
                i.Input(0).CopyFrom(x.Select(v => (float)v).ToArray());
                i.Invoke();
                Assert.Equal(expected.Select(v => (float)v).ToArray(), i.Output(0).ToArray<float>());
            }
            else
            {
                using var i = Build(TensorType.INT16, shape, perm);
                i.Input(0).CopyFrom(x.Select(v => (short)(v * 30000)).ToArray());
                i.Invoke();
                Assert.Equal(expected.Select(v => (short)(v * 30000)).ToArray(), i.Output(0).ToArray<short>());
            }
        }
    }

    [Fact]
    public void A_repeated_axis_is_rejected()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.FLOAT32, [2, 2]);
        int p = b.AddConstant("perm", TensorType.INT32, [2], new[] { 0, 0 });
        int y = b.AddTensor("y", TensorType.FLOAT32, [2, 2]);
        b.AddOperator(BuiltinOperator.TRANSPOSE, [x, p], [y]);
        b.SetInputs(x).SetOutputs(y);
        using var interpreter = new MicroInterpreter(b.ToModel(), new OpResolver().Add(BuiltinOperator.TRANSPOSE), 16 * 1024);
        var e = Assert.Throws<UnsupportedOperatorException>(() => interpreter.AllocateTensors());
        Assert.Contains("operator 0 (TRANSPOSE)", e.Message);
        Assert.Contains("[0,0] is not a permutation", e.Message);
    }
}
