using System.Numerics;
using TinyMl.Interpreter.Schema;
using Xunit.Abstractions;

namespace TinyMl.Interpreter.Tests.Kernels.Signal;

/// <summary>
/// The signal ops one at a time, against arithmetic worked out here: a DFT in double for the FFTs,
/// Math.Sqrt and Math.Log for the integer square root and log, and hand-traced sequences for the
/// stateful ops. (The whole chain is checked byte for byte against TFLM by the golden tests.)
/// </summary>
public class SignalKernelTests(ITestOutputHelper output)
{
    private static (double Re, double Im)[] Dft(double[] x, int bins)
    {
        var result = new (double, double)[bins];
        for (int k = 0; k < bins; k++)
        {
            double re = 0, im = 0;
            for (int n = 0; n < x.Length; n++)
            {
                double phase = -2 * Math.PI * k * n / x.Length;
                re += x[n] * Math.Cos(phase);
                im += x[n] * Math.Sin(phase);
            }
            result[k] = (re, im);
        }
        return result;
    }

    [Theory]
    [InlineData(512, 480)] // micro_speech: radix-4 stages only
    [InlineData(240, 240)] // 120 = 4 * 2 * 3 * 5: every butterfly
    [InlineData(98, 98)]   // 49 = 7 * 7: the generic butterfly
    public void Float_rfft_is_the_dft_of_the_zero_padded_frame(int fftLength, int frame)
    {
        var rng = new Random(fftLength);
        var x = Enumerable.Range(0, frame).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        int bins = fftLength / 2 + 1;
        using var m = new SignalOpModel().Input(TensorType.FLOAT32, [frame]).Output(TensorType.FLOAT32, [2 * bins]);
        var interpreter = m.Build("SignalRfft", FlexBufferEncoder.Map(4, ("T", (int)TensorType.FLOAT32), ("fft_length", fftLength)));
        interpreter.Input(0).CopyFrom(x);
        interpreter.Invoke();
        var actual = interpreter.Output(0).ToArray<float>();
        var expected = Dft(x.Select(v => (double)v).Concat(new double[fftLength - frame]).ToArray(), bins);
        double worst = 0;
        for (int k = 0; k < bins; k++)
            worst = Math.Max(worst, Math.Max(Math.Abs(actual[2 * k] - expected[k].Re), Math.Abs(actual[2 * k + 1] - expected[k].Im)));
        output.WriteLine($"float rfft {fftLength}: max error {worst:E2}");
        Assert.True(worst < 1e-4 * Math.Sqrt(frame), $"max error {worst}");
    }

    [Fact]
    public void Int16_rfft_is_the_dft_scaled_down_by_the_fft_length()
    {
        // KISS FFT's fixed-point build divides by the radix at every stage: the result is X[k] / N in Q15 steps.
        var rng = new Random(7);
        var x = Enumerable.Range(0, 512).Select(_ => (short)rng.Next(-20000, 20000)).ToArray();
        using var m = new SignalOpModel().Input(TensorType.INT16, [512]).Output(TensorType.INT16, [514]);
        var interpreter = m.Build("SignalRfft", FlexBufferEncoder.Map(2, ("T", (int)TensorType.INT16), ("fft_length", 512)));
        interpreter.Input(0).CopyFrom(x);
        interpreter.Invoke();
        var actual = interpreter.Output(0).ToArray<short>();
        var expected = Dft(x.Select(v => (double)v).ToArray(), 257);
        double worst = 0;
        for (int k = 0; k < 257; k++)
            worst = Math.Max(worst, Math.Max(Math.Abs(actual[2 * k] - expected[k].Re / 512), Math.Abs(actual[2 * k + 1] - expected[k].Im / 512)));
        output.WriteLine($"int16 rfft 512: max error {worst:F2} LSB");
        Assert.True(worst <= 4, $"max error {worst} LSB");
    }

    [Theory]
    [InlineData(TensorType.FLOAT32)]
    [InlineData(TensorType.INT32)]
    public void Irfft_undoes_rfft(TensorType type)
    {
        const int n = 64;
        var rng = new Random(3);
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var spectrum = Dft(x, n / 2 + 1);
        using var m = new SignalOpModel().Input(type, [n + 2]).Output(type, [n]);
        var interpreter = m.Build("SignalIrfft", FlexBufferEncoder.Map(4, ("T", (int)type), ("fft_length", n)));
        if (type == TensorType.FLOAT32)
        {
            interpreter.Input(0).CopyFrom(spectrum.SelectMany(c => new[] { (float)c.Re, (float)c.Im }).ToArray());
            interpreter.Invoke();
            var y = interpreter.Output(0).ToArray<float>();
            for (int i = 0; i < n; i++) Assert.True(Math.Abs(y[i] - x[i]) < 1e-5, $"sample {i}: {y[i]} vs {x[i]}");
        }
        else
        {
            // The fixed-point build divides by the radix at every stage (and by 2 in the real wrapper),
            // which undoes the DFT's factor n: the output is x itself, in the input's fixed-point scale.
            const double scale = 1 << 24;
            interpreter.Input(0).CopyFrom(spectrum.SelectMany(c => new[] { (int)Math.Round(c.Re * scale), (int)Math.Round(c.Im * scale) }).ToArray());
            interpreter.Invoke();
            var y = interpreter.Output(0).ToArray<int>();
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(y[i] - x[i] * scale) <= 8, $"sample {i}: {y[i]} vs {x[i] * scale}");
        }
    }

    [Fact]
    public void Window_multiplies_in_q_shift_and_saturates()
    {
        using var m = new SignalOpModel().Input(TensorType.INT16, [2, 3]).Constant(TensorType.INT16, new short[] { 16384, -16384, 32767 })
            .Output(TensorType.INT16, [2, 3]);
        var interpreter = m.Build("SignalWindow", FlexBufferEncoder.Map(1, ("shift", 14)));
        interpreter.Input(0).CopyFrom(new short[] { 100, 100, -32768, 7, -7, 32767 });
        interpreter.Invoke();
        // 100*1 = 100, 100*-1 = -100, -32768*32767>>14 = -65534 -> -32768; second frame: 7, -(-7)... >>14 floors.
        Assert.Equal(new short[] { 100, -100, -32768, 7, 7, 32767 }, interpreter.Output(0).ToArray<short>());
    }

    [Fact]
    public void Fft_auto_scale_shifts_up_to_the_largest_magnitude()
    {
        using var m = new SignalOpModel().Input(TensorType.INT16, [4]).Output(TensorType.INT16, [4]).Output(TensorType.INT32, []);
        var interpreter = m.Build("SignalFftAutoScale", []);
        interpreter.Input(0).CopyFrom(new short[] { 3, -100, 50, 0 }); // |-100| needs 7 bits: shift 16 - 7 - 1 = 8
        interpreter.Invoke();
        Assert.Equal(new short[] { 3 << 8, -100 << 8, 50 << 8, 0 }, interpreter.Output(0).ToArray<short>());
        Assert.Equal(8, interpreter.Output(1).ToArray<int>()[0]);
    }

    [Fact]
    public void Energy_is_the_squared_magnitude_within_the_bin_range()
    {
        using var m = new SignalOpModel().Input(TensorType.INT16, [8]).Output(TensorType.UINT32, [4]);
        var interpreter = m.Build("SignalEnergy", FlexBufferEncoder.Map(1, ("start_index", 1), ("end_index", 4)));
        interpreter.Input(0).CopyFrom(new short[] { 9, 9, 3, 4, -32768, -32768, 0, -5 });
        interpreter.Output(0).CopyFrom(new uint[] { 77, 0, 0, 0 });
        interpreter.Invoke();
        Assert.Equal(new uint[] { 77, 25, 1u << 31, 25 }, interpreter.Output(0).ToArray<uint>());
    }

    [Fact]
    public void Filter_bank_square_root_rounds_to_nearest_then_shifts()
    {
        var rng = new Random(11);
        var x = Enumerable.Range(0, 64).Select(i => i < 4 ? new ulong[] { 0, 1, 2, ulong.MaxValue }[i] : (ulong)rng.NextInt64() >> rng.Next(0, 60)).ToArray();
        using var m = new SignalOpModel().Input(TensorType.UINT64, [64]).Input(TensorType.INT32, []).Output(TensorType.UINT32, [64]);
        var interpreter = m.Build("SignalFilterBankSquareRoot", []);
        interpreter.Input(0).CopyFrom(x);
        foreach (int shift in new[] { 0, 3 })
        {
            interpreter.Input(1).CopyFrom(new[] { shift });
            interpreter.Invoke();
            var actual = interpreter.Output(0).ToArray<uint>();
            for (int i = 0; i < x.Length; i++)
            {
                // Exact rounded root from BigInteger: r = floor(sqrt), +1 when x > r^2 + r; saturates at 2^32 - 1.
                var r = (BigInteger)Math.Floor(Math.Sqrt(x[i]));
                while (r * r > x[i]) r--;
                while ((r + 1) * (r + 1) <= x[i]) r++;
                if (x[i] > r * r + r) r++;
                uint expected = (uint)BigInteger.Min(r, uint.MaxValue) >> shift;
                Assert.True(expected == actual[i], $"sqrt({x[i]}) >> {shift}: {actual[i]}, expected {expected}");
            }
        }
    }

    [Fact]
    public void Filter_bank_log_is_output_scale_times_ln()
    {
        var x = new uint[] { 0, 1, 2, 3, 10, 1000, 65535, 1 << 20, 123456789, uint.MaxValue >> 1 };
        using var m = new SignalOpModel().Input(TensorType.UINT32, [x.Length]).Output(TensorType.INT16, [x.Length]);
        var interpreter = m.Build("SignalFilterBankLog", FlexBufferEncoder.Map(2, ("input_correction_bits", 1), ("output_scale", 1600)));
        interpreter.Input(0).CopyFrom(x);
        interpreter.Invoke();
        var actual = interpreter.Output(0).ToArray<short>();
        for (int i = 0; i < x.Length; i++)
        {
            ulong scaled = (ulong)x[i] << 1;
            double expected = scaled > 1 ? Math.Min(1600 * Math.Log(scaled), short.MaxValue) : 0;
            // The log2 fraction is a 128-segment table with linear steps: about 1e-4 relative.
            Assert.True(Math.Abs(actual[i] - expected) <= 1 + 2e-4 * expected, $"log of {scaled}: {actual[i]}, expected {expected:F1}");
        }
    }

    [Fact]
    public void Filter_bank_sums_triangular_channels_and_drops_channel_zero()
    {
        // Two channels over 6 bins. Channel c's rising weights cover its own bins; its unweights
        // (the falling edge) are added to channel c + 1. Channel 0 only seeds channel 1's falling edge.
        short[] weights = [1, 2, 3, 4, 5, 6], unweights = [6, 5, 4, 3, 2, 1];
        short[] freqStarts = [0, 2, 4], weightStarts = [0, 2, 4], widths = [2, 2, 2];
        uint[] spectrum = [10, 20, 30, 40, 50, 60];
        using var m = new SignalOpModel().Input(TensorType.UINT32, [6]).Constant(TensorType.INT16, weights).Constant(TensorType.INT16, unweights)
            .Constant(TensorType.INT16, freqStarts).Constant(TensorType.INT16, weightStarts).Constant(TensorType.INT16, widths)
            .Output(TensorType.UINT64, [2]);
        var interpreter = m.Build("SignalFilterBank", FlexBufferEncoder.Map(1, ("num_channels", 2)));
        interpreter.Input(0).CopyFrom(spectrum);
        interpreter.Invoke();
        ulong channel1 = 6 * 10 + 5 * 20 + 3 * 30 + 4 * 40; // unweights of bins 0-1, weights of bins 2-3
        ulong channel2 = 4 * 30 + 3 * 40 + 5 * 50 + 6 * 60;
        Assert.Equal(new[] { channel1, channel2 }, interpreter.Output(0).ToArray<ulong>());
    }

    [Fact]
    public void Spectral_subtraction_tracks_noise_across_invokes_and_resets()
    {
        using var m = new SignalOpModel().Input(TensorType.UINT32, [2]).Output(TensorType.UINT32, [2]).Output(TensorType.UINT32, [2]);
        var interpreter = m.Build("SignalFilterBankSpectralSubtraction", FlexBufferEncoder.Map(4,
            ("num_channels", 2), ("smoothing", 1024), ("one_minus_smoothing", 15360), ("alternate_smoothing", 2048),
            ("alternate_one_minus_smoothing", 14336), ("min_signal_remaining", 1638), ("smoothing_bits", 10),
            ("spectral_subtraction_bits", 14), ("clamping", false)));
        // By hand, channel 0 (smoothing 1/16 in Q14): noise = (x<<10 * 1024 + noise * 15360) >> 14.
        uint[] input = [1000, 1000];
        uint noise0 = 0, noise1 = 0;
        for (int step = 0; step < 3; step++)
        {
            interpreter.Input(0).CopyFrom(input);
            interpreter.Invoke();
            noise0 = (uint)((((ulong)1000 << 10) * 1024 + (ulong)noise0 * 15360) >> 14);
            noise1 = (uint)((((ulong)1000 << 10) * 2048 + (ulong)noise1 * 14336) >> 14);
            uint floor = (uint)((1000UL * 1638) >> 14);
            Assert.Equal(new[] { Math.Max(((1000u << 10) - noise0) >> 10, floor), Math.Max(((1000u << 10) - noise1) >> 10, floor) },
                interpreter.Output(0).ToArray<uint>());
            Assert.Equal(new[] { noise0, noise1 }, interpreter.Output(1).ToArray<uint>());
        }
        interpreter.Reset();
        interpreter.Input(0).CopyFrom(input);
        interpreter.Invoke();
        Assert.Equal(new[] { (uint)((((ulong)1000 << 10) * 1024) >> 14), (uint)((((ulong)1000 << 10) * 2048) >> 14) }, interpreter.Output(1).ToArray<uint>());
    }

    [Fact]
    public void Delay_shifts_samples_by_the_delay_across_invokes()
    {
        using var m = new SignalOpModel().Input(TensorType.INT16, [2, 4]).Output(TensorType.INT16, [2, 4]);
        var interpreter = m.Build("SignalDelay", FlexBufferEncoder.Map(1, ("delay_length", 3)));
        interpreter.Input(0).CopyFrom(new short[] { 1, 2, 3, 4, 11, 12, 13, 14 });
        interpreter.Invoke();
        Assert.Equal(new short[] { 0, 0, 0, 1, 0, 0, 0, 11 }, interpreter.Output(0).ToArray<short>());
        interpreter.Input(0).CopyFrom(new short[] { 5, 6, 7, 8, 15, 16, 17, 18 });
        interpreter.Invoke();
        Assert.Equal(new short[] { 2, 3, 4, 5, 12, 13, 14, 15 }, interpreter.Output(0).ToArray<short>());
        interpreter.Reset();
        interpreter.Invoke();
        Assert.Equal(new short[] { 0, 0, 0, 5, 0, 0, 0, 15 }, interpreter.Output(0).ToArray<short>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Framer_emits_overlapping_frames_once_enough_samples_arrived(bool prefill)
    {
        using var m = new SignalOpModel().Input(TensorType.INT16, [2]).Output(TensorType.INT16, [1, 4]).Output(TensorType.BOOL, []);
        var interpreter = m.Build("SignalFramer", FlexBufferEncoder.Map(1, ("frame_size", 4), ("frame_step", 2), ("prefill", prefill)));
        var frames = new List<(short[], bool)>();
        for (short s = 1; s <= 5; s += 2)
        {
            interpreter.Input(0).CopyFrom(new short[] { s, (short)(s + 1) });
            interpreter.Invoke();
            frames.Add((interpreter.Output(0).ToArray<short>(), interpreter.Output(1).ToArray<bool>()[0]));
        }
        // Without prefill the first call has only 2 of 4 samples: not valid, output left as it was (zeros).
        short[][] expected = prefill ? [[0, 0, 1, 2], [1, 2, 3, 4], [3, 4, 5, 6]] : [[0, 0, 0, 0], [1, 2, 3, 4], [3, 4, 5, 6]];
        bool[] valid = prefill ? [true, true, true] : [false, true, true];
        Assert.Equal(expected, frames.Select(f => f.Item1));
        Assert.Equal(valid, frames.Select(f => f.Item2));
    }

    [Fact]
    public void Stacker_repeats_the_first_vector_as_left_context_then_slides()
    {
        using var m = new SignalOpModel().Input(TensorType.INT16, [2]).Output(TensorType.INT16, [4]).Output(TensorType.BOOL, []);
        var interpreter = m.Build("SignalStacker", FlexBufferEncoder.Map(1,
            ("num_channels", 2), ("stacker_left_context", 1), ("stacker_right_context", 0), ("stacker_step", 1)));
        interpreter.Input(0).CopyFrom(new short[] { 1, 2 });
        interpreter.Invoke();
        Assert.Equal(new short[] { 1, 2, 1, 2 }, interpreter.Output(0).ToArray<short>());
        Assert.True(interpreter.Output(1).ToArray<bool>()[0]);
        interpreter.Input(0).CopyFrom(new short[] { 3, 4 });
        interpreter.Invoke();
        Assert.Equal(new short[] { 1, 2, 3, 4 }, interpreter.Output(0).ToArray<short>());
    }

    [Fact]
    public void Overlap_add_sums_frames_step_by_step_and_saturates_int16()
    {
        using var m = new SignalOpModel().Input(TensorType.INT16, [2, 4]).Output(TensorType.INT16, [4]);
        var interpreter = m.Build("SignalOverlapAdd", FlexBufferEncoder.Map(1, ("T", (int)TensorType.INT16), ("frame_step", 2)));
        interpreter.Input(0).CopyFrom(new short[] { 1, 2, 3, 4, 30000, 30000, 30000, 30000 });
        interpreter.Invoke();
        // Frame 0: buffer [1,2,3,4] -> emit [1,2], keep [3,4,0,0]; frame 1: [30003,30004,30000,30000] -> emit, keep [30000,30000,0,0].
        Assert.Equal(new short[] { 1, 2, 30003, 30004 }, interpreter.Output(0).ToArray<short>());
        interpreter.Input(0).CopyFrom(new short[] { 10000, 10000, 1, 1, 0, 0, 0, 0 });
        interpreter.Invoke();
        Assert.Equal(new short[] { 32767, 32767, 1, 1 }, interpreter.Output(0).ToArray<short>());
    }

    public static TheoryData<string> StreamingAndFftOps() =>
        ["SignalRfft float32", "SignalRfft int32", "SignalIrfft float32", "SignalIrfft int16", "SignalFramer", "SignalStacker", "SignalDelay",
         "SignalOverlapAdd float32", "SignalOverlapAdd int16"];

    [Theory]
    [MemberData(nameof(StreamingAndFftOps))]
    public void Invoke_allocates_no_managed_memory(string op)
    {
        // The audio preprocessor's ops are measured by the golden tests; these are the others.
        using var m = new SignalOpModel();
        var type = op.EndsWith("float32") ? TensorType.FLOAT32 : op.EndsWith("int32") ? TensorType.INT32 : TensorType.INT16;
        MicroInterpreter interpreter = op.Split(' ')[0] switch
        {
            "SignalRfft" => m.Input(type, [2, 60]).Output(type, [2, 66]).Build("SignalRfft", FlexBufferEncoder.Map(1, ("T", (int)type), ("fft_length", 64))),
            "SignalIrfft" => m.Input(type, [2, 66]).Output(type, [2, 64]).Build("SignalIrfft", FlexBufferEncoder.Map(1, ("T", (int)type), ("fft_length", 64))),
            "SignalFramer" => m.Input(type, [2, 8]).Output(type, [2, 4, 4]).Output(TensorType.BOOL, [])
                .Build("SignalFramer", FlexBufferEncoder.Map(1, ("frame_size", 4), ("frame_step", 2), ("prefill", true))),
            "SignalStacker" => m.Input(type, [3]).Output(type, [9]).Output(TensorType.BOOL, []).Build("SignalStacker",
                FlexBufferEncoder.Map(1, ("num_channels", 3), ("stacker_left_context", 1), ("stacker_right_context", 1), ("stacker_step", 1))),
            "SignalDelay" => m.Input(type, [2, 8]).Output(type, [2, 8]).Build("SignalDelay", FlexBufferEncoder.Map(1, ("delay_length", 5))),
            _ => m.Input(type, [2, 3, 4]).Output(type, [2, 6]).Build("SignalOverlapAdd", FlexBufferEncoder.Map(1, ("T", (int)type), ("frame_step", 2))),
        };
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Audio_preprocessor_float_gives_the_shared_log_features_times_its_scale()
    {
        // Both front ends share the integer chain up to SignalFilterBankLog; the float model then
        // casts and multiplies by one constant. Its output must be exactly those int16 values times
        // that constant, with the int16 values taken from the int8 model (checked against TFLM's golden).
        var input = File.ReadAllBytes(SharedData.GoldenPath("audio_preprocessor_int8", "input0.bin"));
        using var reference = new MicroInterpreter(Model.Load(SharedData.ModelPath("audio_preprocessor_int8")), OpResolver.WithAllBuiltins(), 64 * 1024,
            new InterpreterOptions { PreserveAllTensors = true });
        reference.AllocateTensors();
        reference.Input(0).CopyFrom(input);
        reference.Invoke();
        var log = reference.Tensors.Single(t => t.Name == "signal_filter_bank_log").ToArray<short>();

        var floatModel = Model.Load(SharedData.ModelPath("audio_preprocessor_float"));
        using var interpreter = new MicroInterpreter(floatModel, OpResolver.WithAllBuiltins(), 64 * 1024);
        interpreter.AllocateTensors();
        float scale = interpreter.Tensors.Single(t => t.Name == "truediv;truediv/y").ToArray<float>()[0];
        interpreter.Input(0).CopyFrom(input);
        interpreter.Invoke();
        Assert.Equal(log.Select(v => v * scale).ToArray(), interpreter.Output(0).ToArray<float>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }
}
