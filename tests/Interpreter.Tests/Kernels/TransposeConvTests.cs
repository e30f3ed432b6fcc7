using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class TransposeConvTests
{
    private sealed record Case(int Batches, int InH, int InW, int InC, int OutC, int FH, int FW, int SH, int SW, Padding Padding)
    {
        // TensorFlow's conv2d_transpose output size: SAME gives in * stride, VALID (in - 1) * stride + filter.
        public int OutH => Padding == Padding.SAME ? InH * SH : (InH - 1) * SH + FH;
        public int OutW => Padding == Padding.SAME ? InW * SW : (InW - 1) * SW + FW;

        // The padding of the forward convolution from the output back to the input.
        public int PadH => Math.Max(0, (InH - 1) * SH + FH - OutH) / 2;
        public int PadW => Math.Max(0, (InW - 1) * SW + FW - OutW) / 2;
    }

    private static Case RandomCase(Random rng) => new(rng.Next(1, 3), rng.Next(1, 5), rng.Next(1, 5), rng.Next(1, 4), rng.Next(1, 4),
        rng.Next(1, 5), rng.Next(1, 5), rng.Next(1, 4), rng.Next(1, 4), rng.Next(2) == 0 ? Padding.SAME : Padding.VALID);

    // Gather form, independent of the kernel's scatter: each output element sums every (input pixel,
    // tap) pair that lands on it, in long arithmetic (exact for the integer cases; the sums are small).
    private static long[] ExactSums(Case c, Func<int, long> input, Func<int, long> filter)
    {
        var result = new long[c.Batches * c.OutH * c.OutW * c.OutC];
        for (int b = 0; b < c.Batches; b++)
        for (int oy = 0; oy < c.OutH; oy++)
        for (int ox = 0; ox < c.OutW; ox++)
        for (int oc = 0; oc < c.OutC; oc++)
        {
            long sum = 0;
            for (int iy = 0; iy < c.InH; iy++)
            for (int ix = 0; ix < c.InW; ix++)
            {
                int fy = oy - (iy * c.SH - c.PadH), fx = ox - (ix * c.SW - c.PadW);
                if (fy < 0 || fy >= c.FH || fx < 0 || fx >= c.FW) continue;
                for (int ic = 0; ic < c.InC; ic++)
                    sum += input(((b * c.InH + iy) * c.InW + ix) * c.InC + ic) * filter(((oc * c.FH + fy) * c.FW + fx) * c.InC + ic);
            }
            result[((b * c.OutH + oy) * c.OutW + ox) * c.OutC + oc] = sum;
        }
        return result;
    }

    private static MicroInterpreter Build<TIn, TFilter, TBias>(Case c, TensorType type, TensorType filterType, TFilter[] filter,
        TensorType biasType, TBias[]? bias, float inScale, float[] filterScales, float outScale, int zeroPoint = 0)
        where TIn : unmanaged where TFilter : unmanaged where TBias : unmanaged
    {
        bool quantized = type != TensorType.FLOAT32;
        var b = new ModelBuilder();
        int shape = b.AddConstant("output_shape", TensorType.INT32, [4], new[] { c.Batches, c.OutH, c.OutW, c.OutC });
        int f = b.AddConstant("filter", filterType, [c.OutC, c.FH, c.FW, c.InC], filter,
            quantized ? filterScales : null, quantized ? new long[filterScales.Length] : null, 0);
        int x = b.AddTensor("x", type, [c.Batches, c.InH, c.InW, c.InC], scales: quantized ? [inScale] : null, zeroPoints: quantized ? [zeroPoint] : null);
        int y = b.AddTensor("y", type, [c.Batches, c.OutH, c.OutW, c.OutC], scales: quantized ? [outScale] : null, zeroPoints: quantized ? [zeroPoint] : null);
        var inputs = new List<int> { shape, f, x };
        if (bias is not null)
            inputs.Add(b.AddConstant("bias", biasType, [c.OutC], bias,
                quantized ? filterScales.Select(s => s * inScale).ToArray() : null, quantized ? new long[filterScales.Length] : null, 0));
        b.AddOperator(BuiltinOperator.TRANSPOSE_CONV, [.. inputs], [y],
            BuiltinOptionsUnion.FromTransposeConvOptions(new TransposeConvOptionsT { Padding = c.Padding, StrideH = c.SH, StrideW = c.SW }));
        b.SetInputs(x).SetOutputs(y);
        var interpreter = new MicroInterpreter(b.ToModel(), new OpResolver().Add(BuiltinOperator.TRANSPOSE_CONV), 512 * 1024);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Fact]
    public void Float_stride_2_scatters_each_input_over_its_window_by_hand()
    {
        // 1x2x1x1 input [1, 2], 1x2x1x1 filter [10, 1], stride 2, VALID: output rows 4:
        // input 0 -> rows 0,1 get 10, 1; input 1 -> rows 2,3 get 20, 2; bias 0.5 everywhere.
        var c = new Case(1, 2, 1, 1, 1, 2, 1, 2, 1, Padding.VALID);
        using var i = Build<float, float, float>(c, TensorType.FLOAT32, TensorType.FLOAT32, [10f, 1f], TensorType.FLOAT32, [0.5f], 0, [], 0);
        i.Input(0).CopyFrom(new[] { 1f, 2f });
        i.Invoke();
        Assert.Equal(new[] { 10.5f, 1.5f, 20.5f, 2.5f }, i.Output(0).ToArray<float>());
    }

    [Fact]
    public void Float_random_cases_match_the_gather_reference()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 30; trial++)
        {
            var c = RandomCase(rng);
            var x = Enumerable.Range(0, c.Batches * c.InH * c.InW * c.InC).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var f = Enumerable.Range(0, c.OutC * c.FH * c.FW * c.InC).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var bias = Enumerable.Range(0, c.OutC).Select(_ => (float)rng.NextDouble()).ToArray();
            using var i = Build<float, float, float>(c, TensorType.FLOAT32, TensorType.FLOAT32, f, TensorType.FLOAT32, bias, 0, [], 0);
            i.Input(0).CopyFrom(x);
            i.Invoke();
            var actual = i.Output(0).ToArray<float>();
            // Values truncated to multiples of 2^-24 and summed as integers: far inside the 1e-5 tolerance.
            var sums = ExactSums(c, k => (long)(x[k] * (1 << 24)), k => (long)(f[k] * (1 << 24)));
            for (int k = 0; k < actual.Length; k++)
            {
                double expected = sums[k] / (double)(1L << 48) + bias[k % c.OutC];
                Assert.True(Math.Abs(actual[k] - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"{c}: element {k} is {actual[k]}, expected {expected}");
            }
        }
    }

    [Fact]
    public void Int8_and_16x8_with_unit_scales_give_the_exact_integer_sums()
    {
        // Scales 1 make every requantization multiplier exactly 1, so the output is the clamped
        // accumulator plus bias: an exact check of the integer accumulation (and int8's input offset).
        var rng = new Random(9);
        for (int trial = 0; trial < 30; trial++)
        {
            var c = RandomCase(rng);
            var f = Enumerable.Range(0, c.OutC * c.FH * c.FW * c.InC).Select(_ => (sbyte)rng.Next(-4, 5)).ToArray();
            int n = c.Batches * c.InH * c.InW * c.InC;
            if (trial % 2 == 0)
            {
                var x = Enumerable.Range(0, n).Select(_ => (sbyte)rng.Next(-128, 128)).ToArray();
                var bias = Enumerable.Range(0, c.OutC).Select(_ => rng.Next(-20, 21)).ToArray();
                const int zero = 3;
                using var i = Build<sbyte, sbyte, int>(c, TensorType.INT8, TensorType.INT8, f, TensorType.INT32, bias, 1f, [1f], 1f, zero);
                i.Input(0).CopyFrom(x);
                i.Invoke();
                var sums = ExactSums(c, k => x[k] - zero, k => f[k]);
                var expected = sums.Select((s, k) => (sbyte)Math.Clamp(s + bias[k % c.OutC] + zero, -128, 127)).ToArray();
                Assert.Equal(expected, i.Output(0).ToArray<sbyte>());
                if (trial == 0) Assert.Equal(0, InvokeAllocations.Measure(i));
            }
            else
            {
                var x = Enumerable.Range(0, n).Select(_ => (short)rng.Next(-3000, 3000)).ToArray();
                var bias = Enumerable.Range(0, c.OutC).Select(_ => (long)rng.Next(-5000, 5001)).ToArray();
                using var i = Build<short, sbyte, long>(c, TensorType.INT16, TensorType.INT8, f, TensorType.INT64, bias, 1f, [1f], 1f);
                i.Input(0).CopyFrom(x);
                i.Invoke();
                var sums = ExactSums(c, k => x[k], k => f[k]);
                var expected = sums.Select((s, k) => (short)Math.Clamp(s + bias[k % c.OutC], short.MinValue, short.MaxValue)).ToArray();
                Assert.Equal(expected, i.Output(0).ToArray<short>());
            }
        }
    }

    [Fact]
    public void Sixteen_by_eight_with_per_channel_scales_is_within_one_of_the_real_result()
    {
        var rng = new Random(21);
        for (int trial = 0; trial < 20; trial++)
        {
            var c = RandomCase(rng);
            var f = Enumerable.Range(0, c.OutC * c.FH * c.FW * c.InC).Select(_ => (sbyte)rng.Next(-127, 128)).ToArray();
            var x = Enumerable.Range(0, c.Batches * c.InH * c.InW * c.InC).Select(_ => (short)rng.Next(-32768, 32768)).ToArray();
            var bias = Enumerable.Range(0, c.OutC).Select(_ => (long)rng.Next(-100000, 100001)).ToArray();
            var filterScales = Enumerable.Range(0, c.OutC).Select(_ => (float)(0.001 + rng.NextDouble() * 0.01)).ToArray();
            const float inScale = 0.0009f, outScale = 0.02f;
            using var i = Build<short, sbyte, long>(c, TensorType.INT16, TensorType.INT8, f, TensorType.INT64, bias, inScale, filterScales, outScale);
            i.Input(0).CopyFrom(x);
            i.Invoke();
            var actual = i.Output(0).ToArray<short>();
            var sums = ExactSums(c, k => x[k], k => f[k]);
            for (int k = 0; k < actual.Length; k++)
            {
                int oc = k % c.OutC;
                double real = (sums[k] + bias[oc]) * ((double)inScale * filterScales[oc] / outScale);
                double expected = Math.Clamp(Math.Round(real), short.MinValue, short.MaxValue);
                Assert.True(Math.Abs(actual[k] - expected) <= 1, $"{c}: element {k} is {actual[k]}, expected {real}");
            }
        }
    }

    [Fact]
    public void An_output_shape_input_that_disagrees_with_the_output_tensor_is_rejected()
    {
        var b = new ModelBuilder();
        int shape = b.AddConstant("output_shape", TensorType.INT32, [4], new[] { 1, 5, 5, 1 });
        int f = b.AddConstant("filter", TensorType.FLOAT32, [1, 2, 2, 1], new[] { 1f, 1f, 1f, 1f });
        int x = b.AddTensor("x", TensorType.FLOAT32, [1, 2, 2, 1]);
        int y = b.AddTensor("y", TensorType.FLOAT32, [1, 4, 4, 1]);
        b.AddOperator(BuiltinOperator.TRANSPOSE_CONV, [shape, f, x], [y],
            BuiltinOptionsUnion.FromTransposeConvOptions(new TransposeConvOptionsT { Padding = Padding.SAME, StrideH = 2, StrideW = 2 }));
        b.SetInputs(x).SetOutputs(y);
        using var interpreter = new MicroInterpreter(b.ToModel(), new OpResolver().Add(BuiltinOperator.TRANSPOSE_CONV), 16 * 1024);
        var e = Assert.Throws<UnsupportedOperatorException>(() => interpreter.AllocateTensors());
        Assert.Contains("operator 0 (TRANSPOSE_CONV)", e.Message);
        Assert.Contains("[1,5,5,1]", e.Message);
        Assert.Contains("[1,4,4,1]", e.Message);
    }
}
