using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Fuzzing;

/// <summary>
/// Single-operator models with the parameters a mutant could produce but rarely does: zero, negative
/// and huge strides and dilations, filters larger than the input, enum values out of range, empty and
/// rank-0 tensors, output shapes that do not match, degenerate scales and zero points, missing inputs.
/// Each case states what must happen: the model runs (load, allocate, fill inputs, invoke twice), the
/// kernel's own Prepare refuses it with an UnsupportedOperatorException that names the operator and the
/// problem (and wraps nothing: a wrapped IndexOutOfRange is a crash caught by a safety net), or the
/// reader refuses the file (scales that are not finite and non-negative never reach a kernel), or, for
/// data only Invoke sees (an int32 zero divisor), the operator fails with a typed data error as cause.
/// </summary>
public class HostileOperatorTests
{
    public enum Expect { Runs, Refused, ReaderRejects, DataError }

    public sealed record Case(string Name, Expect Expect, Func<byte[]> Build, string Problem = "");

    private static readonly Dictionary<string, Case> Cases = AllCases().ToDictionary(c => c.Name);

    public static IEnumerable<object[]> CaseNames() => Cases.Keys.Order(StringComparer.Ordinal).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Hostile_parameters_are_refused_by_the_kernel_or_run(string name)
    {
        var c = Cases[name];
        var bytes = c.Build();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = Record.Exception(() => Run(bytes));
        // Empty tensors may declare huge other dimensions; looping over them to produce nothing is a hang.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{name}: took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(c.Expect == Expect.Runs ? error is null : error is not null,
            $"{name}: expected {c.Expect}, got {(error is null ? "a clean run" : error.ToString())}");
        switch (c.Expect)
        {
            case Expect.Refused:
                Assert.True(error is UnsupportedOperatorException { InnerException: null }, $"{name}: expected the kernel's own refusal, got {error}");
                var refusal = (UnsupportedOperatorException)error!;
                Assert.Null(refusal.InnerException);
                Assert.Contains($"({refusal.OperatorName})", refusal.Message);
                Assert.Contains(c.Problem, refusal.Message, StringComparison.OrdinalIgnoreCase);
                break;
            case Expect.ReaderRejects:
                var rejection = Assert.IsType<ModelFormatException>(error);
                Assert.Null(rejection.InnerException);
                Assert.Contains(c.Problem, rejection.Message, StringComparison.OrdinalIgnoreCase);
                break;
            case Expect.DataError:
                // Bad data only Invoke can see: the operator's failure, caused by a typed data error (not a crash).
                Assert.True(error is KernelInvokeException { InnerException: TensorDataException { InnerException: null } },
                    $"{name}: expected a KernelInvokeException caused by a TensorDataException, got {error}");
                var dataError = error!;
                Assert.Contains(c.Problem, dataError.Message, StringComparison.OrdinalIgnoreCase);
                break;
        }
    }

    [Fact]
    public void The_table_covers_every_registered_kernel_family()
    {
        var names = Cases.Keys.ToList();
        foreach (string family in new[]
        {
            "conv", "depthwise", "avgpool", "maxpool", "fc", "softmax", "quantize", "dequantize", "svdf", "logistic", "tanh",
            "lstm", "add", "mul", "div", "minimum", "maximum", "relu", "relu6", "cast", "strided_slice", "concat", "reshape",
        })
            Assert.Contains(names, n => n.StartsWith(family + "_", StringComparison.Ordinal));
        Assert.Contains(Cases.Values, c => c.Expect == Expect.Runs);
        Assert.Contains(Cases.Values, c => c.Expect == Expect.Refused);
    }

    private static void Run(byte[] bytes)
    {
        var model = Model.FromBytes(bytes, "hostile.tflite");
        using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 1 << 20);
        interpreter.AllocateTensors();
        ReferenceInputs.Fill(interpreter);
        interpreter.Invoke();
        interpreter.Invoke();
    }

    // ---- model pieces --------------------------------------------------------------------------

    /// <summary>Deterministic small values of the type, one per element of the shape.</summary>
    private static byte[] Data(TensorType type, int[] shape)
    {
        long count = shape.Aggregate(1L, (n, d) => n * d);
        int size = TensorTypes.ElementSize(type);
        var bytes = new byte[count * size];
        for (int i = 0; i < count; i++)
        {
            int v = (int)(i * 7 % 11) - 5;
            var slot = bytes.AsSpan(i * size, size);
            switch (type)
            {
                case TensorType.FLOAT32: MemoryMarshal.Write(slot, v * 0.125f); break;
                case TensorType.INT64: MemoryMarshal.Write(slot, (long)v * 3); break;
                case TensorType.INT32: MemoryMarshal.Write(slot, v * 3); break;
                case TensorType.INT16: MemoryMarshal.Write(slot, (short)v); break;
                case TensorType.BOOL: slot[0] = (byte)(v > 0 ? 1 : 0); break;
                default: slot[0] = (byte)(sbyte)v; break;
            }
        }
        return bytes;
    }

    /// <summary>Quantization of one tensor: per-tensor (one scale) or per-channel; null leaves it unquantized.</summary>
    private sealed record Q(float[] Scales, long[] ZeroPoints, int Dimension = 0)
    {
        public static Q Of(float scale, long zeroPoint = 0) => new([scale], [zeroPoint]);
        public static Q PerChannel(float[] scales, int dimension) => new(scales, new long[scales.Length], dimension);
    }

    /// <summary>A one-operator model: tensors declared by <see cref="In"/> / <see cref="Const"/> / <see cref="Out"/>.</summary>
    private sealed class Op
    {
        private readonly ModelBuilder _b = new();
        private readonly List<int> _inputs = new();
        private readonly List<int> _outputs = new();
        private int _count;

        public int In(TensorType type, int[] shape, Q? q = null, bool variable = false)
        {
            int t = _b.AddTensor($"t{_count++}", type, shape, null, q?.Scales, q?.ZeroPoints, q?.Dimension ?? 0, variable);
            if (!variable) _inputs.Add(t);
            return t;
        }

        /// <summary>A constant with exactly these bytes (e.g. int4 values packed two to a byte).</summary>
        public int Raw(TensorType type, int[] shape, byte[] bytes) => _b.AddTensor($"t{_count++}", type, shape, bytes);

        public int Const(TensorType type, int[] shape, Q? q = null) =>
            _b.AddTensor($"t{_count++}", type, shape, Data(type, shape), q?.Scales, q?.ZeroPoints, q?.Dimension ?? 0);

        public int Const<T>(TensorType type, int[] shape, T[] values, Q? q = null) where T : unmanaged =>
            _b.AddTensor($"t{_count++}", type, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), q?.Scales, q?.ZeroPoints, q?.Dimension ?? 0);

        public int Out(TensorType type, int[] shape, Q? q = null)
        {
            int t = _b.AddTensor($"t{_count++}", type, shape, null, q?.Scales, q?.ZeroPoints, q?.Dimension ?? 0);
            _outputs.Add(t);
            return t;
        }

        public byte[] Build(BuiltinOperator op, int[] inputs, BuiltinOptionsUnion? options = null)
        {
            _b.AddOperator(op, inputs, _outputs.ToArray(), options);
            return _b.SetInputs(_inputs.ToArray()).SetOutputs(_outputs.ToArray()).Build();
        }
    }

    // ---- CONV_2D and DEPTHWISE_CONV_2D ---------------------------------------------------------

    private sealed record ConvSpec
    {
        public bool Depthwise { get; init; }
        public TensorType Type { get; init; } = TensorType.FLOAT32;
        public int[] Input { get; init; } = [1, 5, 5, 2];
        public int[] Filter { get; init; } = [3, 3, 3, 2];
        public int[] Output { get; init; } = [1, 5, 5, 3];
        public int Bias { get; init; } = 3; // element count; -1 omits the bias
        public TensorType? BiasType { get; init; }
        public TensorType? FilterType { get; init; }
        public bool FilterIsInput { get; init; }
        public Padding Padding { get; init; } = Padding.SAME;
        public int StrideH { get; init; } = 1;
        public int StrideW { get; init; } = 1;
        public int DilationH { get; init; } = 1;
        public int DilationW { get; init; } = 1;
        public int DepthMultiplier { get; init; } = 1;
        public ActivationFunctionType Activation { get; init; } = ActivationFunctionType.NONE;
        public bool NoOptions { get; init; }
        public Q? InputQ { get; init; }
        public Q? FilterQ { get; init; }
        public Q? OutputQ { get; init; }
    }

    private static ConvSpec Depthwise => new()
    {
        Depthwise = true, Filter = [1, 3, 3, 2], Output = [1, 5, 5, 2], Bias = 2,
    };

    private static ConvSpec Int8(ConvSpec s) => s with
    {
        Type = TensorType.INT8, InputQ = Q.Of(0.5f, -3), FilterQ = Q.Of(0.25f), OutputQ = Q.Of(1f, 2),
    };

    private static ConvSpec Int16(ConvSpec s) => s with
    {
        Type = TensorType.INT16, InputQ = Q.Of(0.5f), FilterQ = Q.Of(0.25f), OutputQ = Q.Of(1f), BiasType = TensorType.INT64,
    };

    private static byte[] Conv(ConvSpec s)
    {
        var m = new Op();
        var filterType = s.FilterType ?? (s.Type == TensorType.FLOAT32 ? TensorType.FLOAT32 : TensorType.INT8);
        var biasType = s.BiasType ?? s.Type switch { TensorType.FLOAT32 => TensorType.FLOAT32, TensorType.INT16 => TensorType.INT64, _ => TensorType.INT32 };
        int x = m.In(s.Type, s.Input, s.InputQ);
        int w = s.FilterIsInput ? m.In(filterType, s.Filter, s.FilterQ) : m.Const(filterType, s.Filter, s.FilterQ);
        int b = s.Bias < 0 ? -1 : m.Const(biasType, [s.Bias]);
        m.Out(s.Type, s.Output, s.OutputQ);
        BuiltinOptionsUnion? options = s.NoOptions ? null : s.Depthwise
            ? BuiltinOptionsUnion.FromDepthwiseConv2DOptions(new DepthwiseConv2DOptionsT
            {
                Padding = s.Padding, StrideH = s.StrideH, StrideW = s.StrideW, DilationHFactor = s.DilationH, DilationWFactor = s.DilationW,
                DepthMultiplier = s.DepthMultiplier, FusedActivationFunction = s.Activation,
            })
            : BuiltinOptionsUnion.FromConv2DOptions(new Conv2DOptionsT
            {
                Padding = s.Padding, StrideH = s.StrideH, StrideW = s.StrideW, DilationHFactor = s.DilationH, DilationWFactor = s.DilationW,
                FusedActivationFunction = s.Activation,
            });
        return m.Build(s.Depthwise ? BuiltinOperator.DEPTHWISE_CONV_2D : BuiltinOperator.CONV_2D, [x, w, b], options);
    }

    private static IEnumerable<Case> ConvCases()
    {
        var conv = new ConvSpec();
        yield return new("conv_baseline_float", Expect.Runs, () => Conv(conv));
        yield return new("conv_baseline_int8", Expect.Runs, () => Conv(Int8(conv)));
        yield return new("conv_baseline_int16", Expect.Runs, () => Conv(Int16(conv)));
        yield return new("conv_stride_zero", Expect.Refused, () => Conv(conv with { StrideH = 0 }), "stride");
        yield return new("conv_stride_negative", Expect.Refused, () => Conv(conv with { StrideW = -2 }), "stride");
        yield return new("conv_stride_huge", Expect.Runs, () => Conv(conv with { StrideH = int.MaxValue, StrideW = int.MaxValue, Output = [1, 1, 1, 3] }));
        yield return new("conv_dilation_zero", Expect.Refused, () => Conv(conv with { DilationW = 0 }), "dilation");
        yield return new("conv_dilation_negative", Expect.Refused, () => Conv(conv with { DilationH = -1 }), "dilation");
        // Padding of half the dilated filter: the first tap of every window lies about 2^30 rows above the input.
        yield return new("conv_dilation_huge_same", Expect.Runs, () => Conv(conv with { Filter = [3, 2, 2, 2], DilationH = int.MaxValue - 16, DilationW = int.MaxValue - 16 }));
        yield return new("conv_int8_dilation_huge_same", Expect.Runs, () => Conv(Int8(conv) with { Filter = [3, 2, 2, 2], DilationH = int.MaxValue - 16 }));
        yield return new("conv_dilation_huge_valid", Expect.Refused, () => Conv(conv with { Padding = Padding.VALID, DilationH = 1 << 30 }), "does not fit");
        yield return new("conv_dilation_overflowing_window", Expect.Refused, () => Conv(conv with { DilationH = int.MaxValue }), "overflow");
        yield return new("conv_filter_larger_than_input_valid", Expect.Refused, () => Conv(conv with { Filter = [3, 7, 7, 2], Padding = Padding.VALID }), "does not fit");
        yield return new("conv_filter_larger_than_input_same", Expect.Runs, () => Conv(conv with { Input = [1, 2, 2, 2], Filter = [3, 5, 7, 2], Output = [1, 2, 2, 3] }));
        yield return new("conv_padding_out_of_enum", Expect.Refused, () => Conv(conv with { Padding = (Padding)7 }), "padding");
        yield return new("conv_activation_out_of_enum", Expect.Refused, () => Conv(conv with { Activation = (ActivationFunctionType)42 }), "activation");
        yield return new("conv_activation_tanh", Expect.Refused, () => Conv(Int8(conv) with { Activation = ActivationFunctionType.TANH }), "activation");
        yield return new("conv_no_options", Expect.Refused, () => Conv(conv with { NoOptions = true }), "Conv2DOptions");
        yield return new("conv_zero_height_input", Expect.Refused, () => Conv(conv with { Input = [1, 0, 5, 2], Output = [1, 0, 5, 3] }), "empty");
        yield return new("conv_zero_depth_input", Expect.Refused, () => Conv(conv with { Input = [1, 5, 5, 0], Filter = [3, 3, 3, 0] }), "shape");
        yield return new("conv_zero_batch", Expect.Refused, () => Conv(conv with { Input = [0, 5, 5, 2], Output = [0, 5, 5, 3] }), "shape");
        yield return new("conv_zero_filter_height", Expect.Refused, () => Conv(conv with { Filter = [3, 0, 3, 2] }), "filter");
        yield return new("conv_zero_output_channels", Expect.Refused, () => Conv(conv with { Filter = [0, 3, 3, 2], Output = [1, 5, 5, 0], Bias = 0 }), "filter");
        yield return new("conv_rank0_input", Expect.Refused, () => Conv(conv with { Input = [] }), "rank 4");
        yield return new("conv_rank3_filter", Expect.Refused, () => Conv(conv with { Filter = [3, 3, 2] }), "rank 4");
        yield return new("conv_output_shape_mismatch", Expect.Refused, () => Conv(conv with { Output = [1, 4, 5, 3] }), "window arithmetic");
        yield return new("conv_output_rank_mismatch", Expect.Refused, () => Conv(conv with { Output = [5, 5, 3] }), "rank 4");
        yield return new("conv_filter_depth_not_dividing", Expect.Refused, () => Conv(conv with { Input = [1, 5, 5, 3] }), "does not fit");
        yield return new("conv_groups_not_dividing_outputs", Expect.Refused, () => Conv(conv with { Filter = [3, 3, 3, 1] }), "groups");
        yield return new("conv_grouped", Expect.Runs, () => Conv(conv with { Filter = [4, 3, 3, 1], Output = [1, 5, 5, 4], Bias = 4 }));
        yield return new("conv_bias_wrong_count", Expect.Refused, () => Conv(conv with { Bias = 2 }), "bias");
        yield return new("conv_without_bias", Expect.Runs, () => Conv(Int8(conv) with { Bias = -1 }));
        yield return new("conv_float_bias_on_int8", Expect.Refused, () => Conv(Int8(conv) with { BiasType = TensorType.FLOAT32 }), "bias");
        yield return new("conv_int8_filter_float", Expect.Refused, () => Conv(Int8(conv) with { FilterType = TensorType.FLOAT32 }), "filter");
        yield return new("conv_uint8", Expect.Refused, () => Conv(Int8(conv) with { Type = TensorType.UINT8 }), "not supported");
        yield return new("conv_int8_input_scale_zero", Expect.Refused, () => Conv(Int8(conv) with { InputQ = Q.Of(0f) }), "scale");
        yield return new("conv_int8_output_scale_zero", Expect.Refused, () => Conv(Int8(conv) with { OutputQ = Q.Of(0f) }), "scale");
        yield return new("conv_int8_filter_scale_zero", Expect.Refused, () => Conv(Int8(conv) with { FilterQ = Q.Of(0f) }), "scale");
        yield return new("conv_int8_input_scale_negative_zero", Expect.Refused, () => Conv(Int8(conv) with { InputQ = Q.Of(-0f) }), "scale");
        yield return new("conv_int8_input_scale_nan", Expect.ReaderRejects, () => Conv(Int8(conv) with { InputQ = Q.Of(float.NaN) }), "scale");
        yield return new("conv_int8_output_scale_infinite", Expect.ReaderRejects, () => Conv(Int8(conv) with { OutputQ = Q.Of(float.PositiveInfinity) }), "scale");
        yield return new("conv_int8_filter_scale_negative", Expect.ReaderRejects, () => Conv(Int8(conv) with { FilterQ = Q.Of(-0.5f) }), "scale");
        yield return new("conv_int8_input_scale_denormal", Expect.Runs, () => Conv(Int8(conv) with { InputQ = Q.Of(float.Epsilon) }));
        yield return new("conv_int8_output_scale_denormal", Expect.Runs, () => Conv(Int8(conv) with { OutputQ = Q.Of(float.Epsilon), Activation = ActivationFunctionType.RELU6 }));
        yield return new("conv_int8_output_scale_huge", Expect.Runs, () => Conv(Int8(conv) with { OutputQ = Q.Of(float.MaxValue), Activation = ActivationFunctionType.RELU }));
        yield return new("conv_int8_input_zero_point_out_of_range", Expect.Runs, () => Conv(Int8(conv) with { InputQ = Q.Of(0.5f, 100000) }));
        yield return new("conv_int8_input_zero_point_extreme", Expect.Runs, () => Conv(Int8(conv) with { InputQ = Q.Of(0.5f, int.MinValue) }));
        yield return new("conv_int8_output_zero_point_out_of_range", Expect.Runs, () => Conv(Int8(conv) with { OutputQ = Q.Of(1f, -1000), Activation = ActivationFunctionType.RELU }));
        yield return new("conv_int8_zero_point_beyond_int32", Expect.ReaderRejects, () => Conv(Int8(conv) with { OutputQ = Q.Of(1f, 1L << 40) }), "zero point");
        yield return new("conv_int8_filter_zero_point", Expect.Refused, () => Conv(Int8(conv) with { FilterQ = Q.Of(0.25f, 3) }), "zero point");
        yield return new("conv_int8_filter_unquantized", Expect.Refused, () => Conv(Int8(conv) with { FilterQ = null }), "quantization");
        yield return new("conv_int8_input_unquantized", Expect.Refused, () => Conv(Int8(conv) with { InputQ = null }), "quantization");
        yield return new("conv_int8_per_channel_on_wrong_dimension", Expect.Refused, () => Conv(Int8(conv) with { Filter = [3, 3, 3, 3], Input = [1, 5, 5, 3], FilterQ = Q.PerChannel([0.1f, 0.2f, 0.3f], 3) }), "dimension");
        yield return new("conv_int8_per_channel", Expect.Runs, () => Conv(Int8(conv) with { FilterQ = Q.PerChannel([0.1f, 0.2f, 0.3f], 0) }));
        // A non-constant filter may declare 2^29 + 1 channels: 4 bytes of multiplier each overflow an int.
        yield return new("conv_int8_huge_non_constant_filter", Expect.Refused, () => Conv(Int8(conv) with
        {
            Input = [1, 1, 1, 1], Filter = [(1 << 29) + 1, 1, 1, 1], Output = [1, 1, 1, (1 << 29) + 1], Bias = -1, FilterIsInput = true,
        }), "bytes");
        yield return new("conv_int8_non_constant_filter", Expect.Runs, () => Conv(Int8(conv) with { FilterIsInput = true }));
        yield return new("conv_int16_zero_point", Expect.Refused, () => Conv(Int16(conv) with { InputQ = Q.Of(0.5f, 4) }), "zero point");
        yield return new("conv_int16_int32_bias", Expect.Runs, () => Conv(Int16(conv) with { BiasType = TensorType.INT32 }));
        yield return new("conv_missing_filter", Expect.Refused, () =>
        {
            var m = new Op();
            int x = m.In(TensorType.FLOAT32, [1, 5, 5, 2]);
            m.Out(TensorType.FLOAT32, [1, 5, 5, 3]);
            return m.Build(BuiltinOperator.CONV_2D, [x, -1, -1], ConvOptions());
        }, "input 1");
        yield return new("conv_single_input", Expect.Refused, () =>
        {
            var m = new Op();
            int x = m.In(TensorType.FLOAT32, [1, 5, 5, 2]);
            m.Out(TensorType.FLOAT32, [1, 5, 5, 3]);
            return m.Build(BuiltinOperator.CONV_2D, [x], ConvOptions());
        }, "inputs");
        yield return new("conv_no_outputs", Expect.Refused, () =>
        {
            var m = new Op();
            int x = m.In(TensorType.FLOAT32, [1, 5, 5, 2]);
            int w = m.Const(TensorType.FLOAT32, [3, 3, 3, 2]);
            return m.Build(BuiltinOperator.CONV_2D, [x, w], ConvOptions());
        }, "output");

        var dw = Depthwise;
        yield return new("depthwise_baseline_float", Expect.Runs, () => Conv(dw));
        yield return new("depthwise_baseline_int8", Expect.Runs, () => Conv(Int8(dw)));
        yield return new("depthwise_baseline_int16", Expect.Runs, () => Conv(Int16(dw)));
        yield return new("depthwise_multiplier_zero", Expect.Refused, () => Conv(dw with { DepthMultiplier = 0 }), "depth_multiplier");
        yield return new("depthwise_multiplier_negative", Expect.Refused, () => Conv(dw with { DepthMultiplier = -1 }), "depth_multiplier");
        yield return new("depthwise_multiplier_mismatched", Expect.Refused, () => Conv(dw with { DepthMultiplier = 2 }), "depth_multiplier");
        yield return new("depthwise_multiplier_huge", Expect.Refused, () => Conv(dw with { DepthMultiplier = int.MaxValue }), "depth_multiplier");
        yield return new("depthwise_multiplier_two", Expect.Runs, () => Conv(dw with { DepthMultiplier = 2, Filter = [1, 3, 3, 4], Output = [1, 5, 5, 4], Bias = 4 }));
        yield return new("depthwise_filter_first_dimension", Expect.Refused, () => Conv(dw with { Filter = [2, 3, 3, 2] }), "first dimension");
        yield return new("depthwise_stride_zero", Expect.Refused, () => Conv(dw with { StrideW = 0 }), "stride");
        yield return new("depthwise_dilation_zero", Expect.Refused, () => Conv(dw with { DilationH = 0 }), "dilation");
        yield return new("depthwise_dilation_huge_same", Expect.Runs, () => Conv(dw with { Filter = [1, 2, 2, 2], DilationH = int.MaxValue - 16, DilationW = int.MaxValue - 16 }));
        yield return new("depthwise_int8_dilation_huge_same", Expect.Runs, () => Conv(Int8(dw) with { Filter = [1, 2, 2, 2], DilationW = int.MaxValue - 16 }));
        yield return new("depthwise_int16_dilation_huge_same", Expect.Runs, () => Conv(Int16(dw) with { Filter = [1, 2, 2, 2], DilationW = int.MaxValue - 16 }));
        yield return new("depthwise_filter_larger_than_input_valid", Expect.Refused, () => Conv(dw with { Filter = [1, 9, 9, 2], Padding = Padding.VALID }), "does not fit");
        yield return new("depthwise_filter_larger_than_input_same", Expect.Runs, () => Conv(dw with { Filter = [1, 9, 9, 2] }));
        yield return new("depthwise_padding_out_of_enum", Expect.Refused, () => Conv(dw with { Padding = (Padding)(-1) }), "padding");
        yield return new("depthwise_no_options", Expect.Refused, () => Conv(dw with { NoOptions = true }), "DepthwiseConv2DOptions");
        yield return new("depthwise_zero_width_input", Expect.Refused, () => Conv(dw with { Input = [1, 5, 0, 2], Output = [1, 5, 0, 2] }), "empty");
        yield return new("depthwise_output_shape_mismatch", Expect.Refused, () => Conv(dw with { Output = [1, 5, 5, 3] }), "window arithmetic");
        yield return new("depthwise_int8_per_channel_on_wrong_dimension", Expect.Refused, () => Conv(Int8(dw) with { Filter = [1, 2, 3, 2], FilterQ = Q.PerChannel([0.1f, 0.2f], 1) }), "dimension");
        yield return new("depthwise_int8_per_channel", Expect.Runs, () => Conv(Int8(dw) with { FilterQ = Q.PerChannel([0.1f, 0.2f], 3) }));
        // 4 x (2^30 + 1) wraps to 4 in 32 bits: the product must not pass for the filter's depth.
        yield return new("depthwise_multiplier_wrapping", Expect.Refused, () => Conv(dw with { Input = [1, 5, 5, 4], Filter = [1, 3, 3, 4], Output = [1, 5, 5, 4], Bias = 4, DepthMultiplier = (1 << 30) + 1 }), "depth_multiplier");
        yield return new("depthwise_int8_output_scale_denormal", Expect.Runs, () => Conv(Int8(dw) with { OutputQ = Q.Of(float.Epsilon, 5), Activation = ActivationFunctionType.RELU_N1_TO_1 }));
        yield return new("depthwise_deep_float", Expect.Runs, () => Conv(dw with { Input = [1, 2, 2, 3000], Filter = [1, 2, 2, 3000], Output = [1, 2, 2, 3000], Bias = 3000 }));
        yield return new("depthwise_deep_int8", Expect.Runs, () => Conv(Int8(dw) with { Input = [1, 2, 2, 3000], Filter = [1, 2, 2, 3000], Output = [1, 2, 2, 3000], Bias = 3000 }));
        yield return new("depthwise_deep_int16", Expect.Runs, () => Conv(Int16(dw) with { Input = [1, 2, 2, 3000], Filter = [1, 2, 2, 3000], Output = [1, 2, 2, 3000], Bias = 3000 }));
        yield return new("depthwise_int8_huge_non_constant_filter", Expect.Refused, () => Conv(Int8(dw) with
        {
            Input = [1, 1, 1, 1], Filter = [1, 1, 1, (1 << 29) + 1], Output = [1, 1, 1, (1 << 29) + 1], Bias = -1, FilterIsInput = true,
            DepthMultiplier = (1 << 29) + 1,
        }), "bytes");
        yield return new("depthwise_int16_int32_bias", Expect.Refused, () => Conv(Int16(dw) with { BiasType = TensorType.INT32 }), "bias");
    }

    private static BuiltinOptionsUnion ConvOptions() =>
        BuiltinOptionsUnion.FromConv2DOptions(new Conv2DOptionsT { StrideH = 1, StrideW = 1, DilationHFactor = 1, DilationWFactor = 1 });

    // ---- pooling -------------------------------------------------------------------------------

    private sealed record PoolSpec
    {
        public bool Max { get; init; }
        public TensorType Type { get; init; } = TensorType.FLOAT32;
        public int[] Input { get; init; } = [1, 5, 5, 2];
        public int[] Output { get; init; } = [1, 5, 5, 2];
        public Padding Padding { get; init; } = Padding.SAME;
        public int StrideH { get; init; } = 1;
        public int StrideW { get; init; } = 1;
        public int FilterH { get; init; } = 3;
        public int FilterW { get; init; } = 3;
        public ActivationFunctionType Activation { get; init; } = ActivationFunctionType.NONE;
        public bool NoOptions { get; init; }
        public Q? InputQ { get; init; }
        public Q? OutputQ { get; init; }
    }

    private static byte[] Pool(PoolSpec s)
    {
        var m = new Op();
        int x = m.In(s.Type, s.Input, s.InputQ);
        m.Out(s.Type, s.Output, s.OutputQ);
        return m.Build(s.Max ? BuiltinOperator.MAX_POOL_2D : BuiltinOperator.AVERAGE_POOL_2D, [x], s.NoOptions ? null
            : BuiltinOptionsUnion.FromPool2DOptions(new Pool2DOptionsT
            {
                Padding = s.Padding, StrideH = s.StrideH, StrideW = s.StrideW, FilterHeight = s.FilterH, FilterWidth = s.FilterW,
                FusedActivationFunction = s.Activation,
            }));
    }

    private static IEnumerable<Case> PoolCases()
    {
        foreach (bool max in new[] { false, true })
        {
            string p = max ? "maxpool" : "avgpool";
            var f = new PoolSpec { Max = max };
            var i8 = f with { Type = TensorType.INT8, InputQ = Q.Of(0.5f, 1), OutputQ = Q.Of(0.5f, 1) };
            var i16 = f with { Type = TensorType.INT16, InputQ = Q.Of(0.5f), OutputQ = Q.Of(0.5f) };
            yield return new($"{p}_baseline_float", Expect.Runs, () => Pool(f));
            yield return new($"{p}_baseline_int8", Expect.Runs, () => Pool(i8));
            yield return new($"{p}_baseline_int16", Expect.Runs, () => Pool(i16));
            yield return new($"{p}_filter_zero", Expect.Refused, () => Pool(f with { FilterH = 0 }), "filter");
            yield return new($"{p}_filter_negative", Expect.Refused, () => Pool(f with { FilterW = -3 }), "filter");
            yield return new($"{p}_filter_huge_same", Expect.Runs, () => Pool(i8 with { FilterH = 1 << 30, FilterW = 1 << 30 }));
            yield return new($"{p}_filter_overflowing_window", Expect.Refused, () => Pool(f with { FilterH = int.MaxValue }), "overflow");
            yield return new($"{p}_filter_larger_than_input_valid", Expect.Refused, () => Pool(f with { FilterH = 6, Padding = Padding.VALID }), "does not fit");
            yield return new($"{p}_stride_zero", Expect.Refused, () => Pool(f with { StrideW = 0 }), "stride");
            yield return new($"{p}_stride_huge", Expect.Runs, () => Pool(i16 with { StrideH = int.MaxValue, StrideW = int.MaxValue, Output = [1, 1, 1, 2] }));
            yield return new($"{p}_stride_larger_than_filter", Expect.Runs, () => Pool(f with { FilterH = 1, FilterW = 1, StrideH = 3, StrideW = 4, Output = [1, 2, 2, 2] }));
            yield return new($"{p}_padding_out_of_enum", Expect.Refused, () => Pool(f with { Padding = (Padding)9 }), "padding");
            yield return new($"{p}_activation_out_of_enum", Expect.Refused, () => Pool(i8 with { Activation = (ActivationFunctionType)100 }), "activation");
            yield return new($"{p}_no_options", Expect.Refused, () => Pool(f with { NoOptions = true }), "Pool2DOptions");
            yield return new($"{p}_output_shape_mismatch", Expect.Refused, () => Pool(f with { Output = [1, 5, 5, 3] }), "window arithmetic");
            yield return new($"{p}_rank0_input", Expect.Refused, () => Pool(f with { Input = [] }), "rank 4");
            yield return new($"{p}_zero_depth", Expect.Refused, () => Pool(f with { Input = [1, 5, 5, 0], Output = [1, 5, 5, 0] }), "shape");
            yield return new($"{p}_int8_quantization_differs", Expect.Refused, () => Pool(i8 with { OutputQ = Q.Of(0.25f, 1) }), "differ");
            yield return new($"{p}_int8_scale_zero", Expect.Refused, () => Pool(i8 with { InputQ = Q.Of(0f, 1), OutputQ = Q.Of(0f, 1) }), "scale");
            yield return new($"{p}_int8_zero_point_out_of_range", Expect.Runs, () => Pool(i8 with { InputQ = Q.Of(0.5f, 4000), OutputQ = Q.Of(0.5f, 4000), Activation = ActivationFunctionType.RELU6 }));
            yield return new($"{p}_int8_scale_denormal", Expect.Runs, () => Pool(i8 with { InputQ = Q.Of(float.Epsilon), OutputQ = Q.Of(float.Epsilon), Activation = ActivationFunctionType.RELU6 }));
            yield return new($"{p}_int32", Expect.Refused, () => Pool(f with { Type = TensorType.INT32 }), "not supported");
            yield return new($"{p}_int16_whole_input_window", Expect.Runs, () => Pool(i16 with { Input = [1, 200, 200, 1], Output = [1, 1, 1, 1], Padding = Padding.VALID, FilterH = 200, FilterW = 200 }));
        }
    }

    // ---- FULLY_CONNECTED -----------------------------------------------------------------------

    private sealed record FcSpec
    {
        public TensorType Type { get; init; } = TensorType.FLOAT32;
        public int[] Input { get; init; } = [2, 4];
        public int[] Weights { get; init; } = [3, 4];
        public int[] Output { get; init; } = [2, 3];
        public int Bias { get; init; } = 3;
        public TensorType? BiasType { get; init; }
        public ActivationFunctionType Activation { get; init; } = ActivationFunctionType.NONE;
        public FullyConnectedOptionsWeightsFormat Format { get; init; } = FullyConnectedOptionsWeightsFormat.DEFAULT;
        public Q? InputQ { get; init; }
        public Q? WeightsQ { get; init; }
        public Q? OutputQ { get; init; }
    }

    private static byte[] Fc(FcSpec s)
    {
        var m = new Op();
        var biasType = s.BiasType ?? s.Type switch { TensorType.FLOAT32 => TensorType.FLOAT32, TensorType.INT16 => TensorType.INT64, _ => TensorType.INT32 };
        int x = m.In(s.Type, s.Input, s.InputQ);
        int w = m.Const(s.Type == TensorType.FLOAT32 ? TensorType.FLOAT32 : TensorType.INT8, s.Weights, s.WeightsQ);
        int b = s.Bias < 0 ? -1 : m.Const(biasType, [s.Bias]);
        m.Out(s.Type, s.Output, s.OutputQ);
        return m.Build(BuiltinOperator.FULLY_CONNECTED, [x, w, b], BuiltinOptionsUnion.FromFullyConnectedOptions(
            new FullyConnectedOptionsT { FusedActivationFunction = s.Activation, WeightsFormat = s.Format }));
    }

    private static IEnumerable<Case> FcCases()
    {
        var f = new FcSpec();
        var i8 = f with { Type = TensorType.INT8, InputQ = Q.Of(0.5f, 3), WeightsQ = Q.Of(0.25f), OutputQ = Q.Of(1f, -2) };
        var i16 = f with { Type = TensorType.INT16, InputQ = Q.Of(0.5f), WeightsQ = Q.Of(0.25f), OutputQ = Q.Of(1f) };
        yield return new("fc_baseline_float", Expect.Runs, () => Fc(f));
        yield return new("fc_baseline_int8", Expect.Runs, () => Fc(i8));
        yield return new("fc_baseline_int16", Expect.Runs, () => Fc(i16));
        yield return new("fc_weights_rank1", Expect.Refused, () => Fc(f with { Weights = [12] }), "rank 2");
        yield return new("fc_weights_rank3", Expect.Refused, () => Fc(f with { Weights = [3, 2, 2] }), "rank 2");
        yield return new("fc_zero_depth_weights", Expect.Refused, () => Fc(f with { Weights = [3, 0] }), "rows of 0");
        yield return new("fc_zero_output_rows", Expect.Runs, () => Fc(f with { Weights = [0, 4], Output = [2, 0], Bias = 0 }));
        yield return new("fc_input_not_dividing", Expect.Refused, () => Fc(f with { Input = [2, 5] }), "rows of 4");
        yield return new("fc_output_mismatch", Expect.Refused, () => Fc(f with { Output = [2, 4] }), "output");
        yield return new("fc_bias_wrong_count", Expect.Refused, () => Fc(f with { Bias = 4 }), "bias");
        yield return new("fc_rank0_input", Expect.Runs, () => Fc(f with { Input = [], Weights = [3, 1], Output = [3] }));
        yield return new("fc_empty_batch", Expect.Runs, () => Fc(i8 with { Input = [0, 4], Output = [0, 3] }));
        yield return new("fc_weights_format_shuffled", Expect.Refused, () => Fc(f with { Format = FullyConnectedOptionsWeightsFormat.SHUFFLED4x16INT8 }), "weights format");
        yield return new("fc_weights_format_out_of_enum", Expect.Refused, () => Fc(f with { Format = (FullyConnectedOptionsWeightsFormat)77 }), "weights format");
        yield return new("fc_activation_out_of_enum", Expect.Refused, () => Fc(f with { Activation = (ActivationFunctionType)42 }), "activation");
        yield return new("fc_int8_activation_out_of_enum", Expect.Refused, () => Fc(i8 with { Activation = (ActivationFunctionType)42 }), "activation");
        yield return new("fc_activation_sign_bit", Expect.Refused, () => Fc(f with { Activation = ActivationFunctionType.SIGN_BIT }), "activation");
        yield return new("fc_int8_output_scale_zero", Expect.Refused, () => Fc(i8 with { OutputQ = Q.Of(0f) }), "scale");
        yield return new("fc_int8_weights_scale_zero", Expect.Refused, () => Fc(i8 with { WeightsQ = Q.Of(0f) }), "scale");
        yield return new("fc_int8_weights_unquantized", Expect.Refused, () => Fc(i8 with { WeightsQ = null }), "quantization");
        yield return new("fc_int8_output_scale_denormal", Expect.Runs, () => Fc(i8 with { OutputQ = Q.Of(float.Epsilon), Activation = ActivationFunctionType.RELU }));
        yield return new("fc_int8_input_zero_point_extreme", Expect.Runs, () => Fc(i8 with { InputQ = Q.Of(0.5f, int.MaxValue) }));
        yield return new("fc_int8_weights_zero_point", Expect.Runs, () => Fc(i8 with { WeightsQ = Q.Of(0.25f, -7) }));
        yield return new("fc_int8_per_channel", Expect.Runs, () => Fc(i8 with { WeightsQ = Q.PerChannel([0.1f, 0.2f, 0.3f], 0) }));
        yield return new("fc_int8_per_channel_along_depth", Expect.Refused, () => Fc(i8 with { WeightsQ = Q.PerChannel([0.1f, 0.2f, 0.3f, 0.4f], 1) }), "dimension");
        yield return new("fc_int8_per_channel_along_depth_square", Expect.Refused, () => Fc(i8 with { Input = [2, 3], Weights = [3, 3], WeightsQ = Q.PerChannel([0.1f, 0.2f, 0.3f], 1) }), "dimension");
        yield return new("fc_int16_int32_bias", Expect.Refused, () => Fc(i16 with { BiasType = TensorType.INT32 }), "bias");
        yield return new("fc_missing_weights", Expect.Refused, () =>
        {
            var m = new Op();
            int x = m.In(TensorType.FLOAT32, [2, 4]);
            m.Out(TensorType.FLOAT32, [2, 3]);
            return m.Build(BuiltinOperator.FULLY_CONNECTED, [x, -1, -1]);
        }, "input 1");
        yield return new("fc_uint8", Expect.Refused, () => Fc(i8 with { Type = TensorType.UINT8 }), "not supported");
    }

    // ---- SOFTMAX, QUANTIZE, DEQUANTIZE, LOGISTIC, TANH -----------------------------------------

    private static byte[] Unary(BuiltinOperator op, TensorType inType, int[] inShape, Q? inQ, TensorType outType, int[] outShape, Q? outQ,
        BuiltinOptionsUnion? options = null)
    {
        var m = new Op();
        int x = m.In(inType, inShape, inQ);
        m.Out(outType, outShape, outQ);
        return m.Build(op, [x], options);
    }

    private static BuiltinOptionsUnion Beta(float beta) => BuiltinOptionsUnion.FromSoftmaxOptions(new SoftmaxOptionsT { Beta = beta });

    private static byte[] Softmax(TensorType inType, TensorType outType, float? beta, int[]? shape = null, int[]? outShape = null, Q? inQ = null, Q? outQ = null)
    {
        shape ??= [2, 5];
        inQ ??= inType == TensorType.FLOAT32 ? null : Q.Of(inType == TensorType.INT16 ? 1f / 1024 : 0.1f, inType == TensorType.INT16 ? 0 : 3);
        outQ ??= outType switch
        {
            TensorType.INT8 => Q.Of(1f / 256, -128),
            TensorType.INT16 when inType == TensorType.INT8 => Q.Of(1f / 65536, -32768),
            TensorType.INT16 => Q.Of(1f / 32768, 0),
            _ => null,
        };
        return Unary(BuiltinOperator.SOFTMAX, inType, shape, inQ, outType, outShape ?? shape, outQ, beta is null ? null : Beta(beta.Value));
    }

    private static IEnumerable<Case> SoftmaxCases()
    {
        const TensorType F = TensorType.FLOAT32, I8 = TensorType.INT8, I16 = TensorType.INT16;
        yield return new("softmax_baseline_float", Expect.Runs, () => Softmax(F, F, 1f));
        yield return new("softmax_baseline_int8", Expect.Runs, () => Softmax(I8, I8, 1f));
        yield return new("softmax_baseline_int8_to_int16", Expect.Runs, () => Softmax(I8, I16, 1f));
        yield return new("softmax_baseline_int16", Expect.Runs, () => Softmax(I16, I16, 1f));
        yield return new("softmax_beta_nan_float", Expect.Runs, () => Softmax(F, F, float.NaN));
        yield return new("softmax_beta_infinite_float", Expect.Runs, () => Softmax(F, F, float.PositiveInfinity));
        yield return new("softmax_beta_nan_int8", Expect.Refused, () => Softmax(I8, I8, float.NaN), "beta");
        yield return new("softmax_beta_negative_int8", Expect.Refused, () => Softmax(I8, I8, -1f), "beta");
        yield return new("softmax_beta_zero_int8", Expect.Refused, () => Softmax(I8, I8, 0f), "beta");
        yield return new("softmax_no_options_int8", Expect.Refused, () => Softmax(I8, I8, null), "beta");
        yield return new("softmax_beta_infinite_int8", Expect.Runs, () => Softmax(I8, I8, float.PositiveInfinity));
        yield return new("softmax_beta_max_int8_to_int16", Expect.Runs, () => Softmax(I8, I16, float.MaxValue));
        yield return new("softmax_beta_nan_int16", Expect.Refused, () => Softmax(I16, I16, float.NaN), "beta");
        yield return new("softmax_beta_infinite_int16", Expect.Refused, () => Softmax(I16, I16, float.PositiveInfinity), "beta");
        yield return new("softmax_beta_negative_int16", Expect.Runs, () => Softmax(I16, I16, -2f));
        yield return new("softmax_beta_zero_int16", Expect.Runs, () => Softmax(I16, I16, 0f));
        yield return new("softmax_beta_huge_int16", Expect.Runs, () => Softmax(I16, I16, 1e30f));
        yield return new("softmax_input_scale_denormal_int16", Expect.Runs, () => Softmax(I16, I16, 1f, inQ: Q.Of(float.Epsilon)));
        yield return new("softmax_rank0", Expect.Refused, () => Softmax(F, F, 1f, []), "dimension");
        yield return new("softmax_zero_classes", Expect.Runs, () => Softmax(F, F, 1f, [3, 0]));
        yield return new("softmax_zero_batch_int8", Expect.Runs, () => Softmax(I8, I8, 1f, [0, 4]));
        yield return new("softmax_output_shape_mismatch", Expect.Refused, () => Softmax(F, F, 1f, [2, 5], [5, 2]), "does not match");
        yield return new("softmax_int8_output_zero_point", Expect.Refused, () => Softmax(I8, I8, 1f, outQ: Q.Of(1f / 256, 0)), "zero point");
        yield return new("softmax_int8_output_scale", Expect.Refused, () => Softmax(I8, I8, 1f, outQ: Q.Of(1f / 128, -128)), "scale");
        yield return new("softmax_int8_input_scale_zero", Expect.Refused, () => Softmax(I8, I8, 1f, inQ: Q.Of(0f)), "scale");
        yield return new("softmax_int8_input_zero_point_out_of_range", Expect.Runs, () => Softmax(I8, I8, 1f, inQ: Q.Of(0.1f, 1000)));
        yield return new("softmax_int8_many_classes", Expect.Runs, () => Softmax(I8, I8, 1f, [1, 9000]));
        yield return new("softmax_int16_many_classes", Expect.Runs, () => Softmax(I16, I16, 1f, [1, 70000]));
        yield return new("softmax_int32", Expect.Refused, () => Softmax(TensorType.INT32, TensorType.INT32, 1f), "not supported");

        yield return new("quantize_baseline", Expect.Runs, () => Unary(BuiltinOperator.QUANTIZE, F, [4], null, I8, [4], Q.Of(0.1f, 2)));
        yield return new("quantize_output_scale_zero", Expect.Refused, () => Unary(BuiltinOperator.QUANTIZE, F, [4], null, I8, [4], Q.Of(0f, 2)), "scale");
        yield return new("quantize_output_unquantized", Expect.Refused, () => Unary(BuiltinOperator.QUANTIZE, F, [4], null, I8, [4], null), "quantization");
        yield return new("quantize_output_scale_denormal", Expect.Runs, () => Unary(BuiltinOperator.QUANTIZE, F, [4], null, I16, [4], Q.Of(float.Epsilon)));
        yield return new("quantize_output_zero_point_out_of_range", Expect.Runs, () => Unary(BuiltinOperator.QUANTIZE, F, [4], null, TensorType.UINT8, [4], Q.Of(0.1f, -70000)));
        yield return new("quantize_output_per_channel", Expect.Refused, () => Unary(BuiltinOperator.QUANTIZE, F, [2, 2], null, I8, [2, 2], Q.PerChannel([0.1f, 0.2f], 1)), "per-tensor");
        yield return new("quantize_count_mismatch", Expect.Refused, () => Unary(BuiltinOperator.QUANTIZE, F, [4], null, I8, [5], Q.Of(0.1f)), "element count");
        yield return new("quantize_float_to_int32", Expect.Refused, () => Unary(BuiltinOperator.QUANTIZE, F, [4], null, TensorType.INT32, [4], Q.Of(0.1f)), "not supported");
        yield return new("quantize_requantize_input_scale_zero", Expect.Refused, () => Unary(BuiltinOperator.QUANTIZE, I8, [4], Q.Of(0f), I8, [4], Q.Of(0.1f)), "scale");
        yield return new("quantize_requantize_huge_ratio", Expect.Runs, () => Unary(BuiltinOperator.QUANTIZE, TensorType.INT32, [4], Q.Of(float.MaxValue, 5), I8, [4], Q.Of(float.Epsilon, -5)));
        yield return new("quantize_requantize_tiny_ratio", Expect.Runs, () => Unary(BuiltinOperator.QUANTIZE, I16, [4], Q.Of(float.Epsilon), I8, [4], Q.Of(float.MaxValue)));
        yield return new("quantize_rank0", Expect.Runs, () => Unary(BuiltinOperator.QUANTIZE, F, [], null, I8, [], Q.Of(0.5f)));
        yield return new("dequantize_baseline", Expect.Runs, () => Unary(BuiltinOperator.DEQUANTIZE, I8, [4], Q.Of(0.1f, 2), F, [4], null));
        yield return new("dequantize_scale_zero", Expect.Refused, () => Unary(BuiltinOperator.DEQUANTIZE, I8, [4], Q.Of(0f), F, [4], null), "scale");
        yield return new("dequantize_unquantized", Expect.Refused, () => Unary(BuiltinOperator.DEQUANTIZE, I8, [4], null, F, [4], null), "quantization");
        yield return new("dequantize_zero_point_extreme", Expect.Runs, () => Unary(BuiltinOperator.DEQUANTIZE, I16, [4], Q.Of(float.MaxValue, int.MinValue), F, [4], null));
        yield return new("dequantize_to_int8", Expect.Refused, () => Unary(BuiltinOperator.DEQUANTIZE, I8, [4], Q.Of(0.1f), I8, [4], Q.Of(0.1f)), "not supported");
        yield return new("dequantize_count_mismatch", Expect.Refused, () => Unary(BuiltinOperator.DEQUANTIZE, I8, [4], Q.Of(0.1f), F, [2], null), "element count");

        foreach (var (op, name) in new[] { (BuiltinOperator.LOGISTIC, "logistic"), (BuiltinOperator.TANH, "tanh") })
        {
            var outI8 = op == BuiltinOperator.LOGISTIC ? Q.Of(1f / 256, -128) : Q.Of(1f / 128, 0);
            yield return new($"{name}_baseline_float", Expect.Runs, () => Unary(op, F, [2, 3], null, F, [2, 3], null));
            yield return new($"{name}_baseline_int8", Expect.Runs, () => Unary(op, I8, [2, 3], Q.Of(0.1f, 4), I8, [2, 3], outI8));
            yield return new($"{name}_baseline_int16", Expect.Runs, () => Unary(op, I16, [2, 3], Q.Of(1f / 4096), I16, [2, 3], Q.Of(1f / 32768)));
            yield return new($"{name}_int16_scale_not_power_of_two", Expect.Runs, () => Unary(op, I16, [2, 3], Q.Of(0.001f), I16, [2, 3], Q.Of(1f / 32768)));
            yield return new($"{name}_int8_input_scale_huge", Expect.Refused, () => Unary(op, I8, [3], Q.Of(1e30f), I8, [3], outI8), "scale");
            yield return new($"{name}_int8_input_scale_denormal", Expect.Refused, () => Unary(op, I8, [3], Q.Of(float.Epsilon), I8, [3], outI8), "scale");
            yield return new($"{name}_int8_input_scale_zero", Expect.Refused, () => Unary(op, I8, [3], Q.Of(0f), I8, [3], outI8), "scale");
            yield return new($"{name}_int8_input_zero_point_extreme", Expect.Runs, () => Unary(op, I8, [3], Q.Of(0.1f, int.MinValue), I8, [3], outI8));
            yield return new($"{name}_int16_input_scale_huge", Expect.Refused, () => Unary(op, I16, [3], Q.Of(1e30f), I16, [3], Q.Of(1f / 32768)), "scale");
            yield return new($"{name}_int16_input_scale_denormal", Expect.Runs, () => Unary(op, I16, [3], Q.Of(float.Epsilon), I16, [3], Q.Of(1f / 32768)));
            yield return new($"{name}_int16_output_scale", Expect.Refused, () => Unary(op, I16, [3], Q.Of(1f / 4096), I16, [3], Q.Of(1f / 128)), "scale");
            yield return new($"{name}_int16_zero_point", Expect.Refused, () => Unary(op, I16, [3], Q.Of(1f / 4096, 1), I16, [3], Q.Of(1f / 32768)), "zero point");
            yield return new($"{name}_count_mismatch", Expect.Refused, () => Unary(op, F, [3], null, F, [4], null), "element count");
            yield return new($"{name}_type_mismatch", Expect.Refused, () => Unary(op, F, [3], null, I8, [3], outI8), "float32");
            yield return new($"{name}_rank0", Expect.Runs, () => Unary(op, F, [], null, F, [], null));
            yield return new($"{name}_empty", Expect.Runs, () => Unary(op, I8, [0, 3], Q.Of(0.1f), I8, [0, 3], outI8));
        }
    }

    // ---- SVDF ----------------------------------------------------------------------------------

    private sealed record SvdfSpec
    {
        public TensorType Type { get; init; } = TensorType.FLOAT32;
        public TensorType TimeType { get; init; } = TensorType.FLOAT32;
        public int Batches { get; init; } = 2;
        public int InputSize { get; init; } = 3;
        public int Filters { get; init; } = 4;
        public int Memory { get; init; } = 5;
        public int Rank { get; init; } = 2;
        public int[]? StateShape { get; init; }
        public int[]? OutputShape { get; init; }
        public int[]? FeatureShape { get; init; }
        public int[]? InputShape { get; init; }
        public bool Bias { get; init; } = true;
        public bool StateVariable { get; init; } = true;
        public bool OmitState { get; init; }
        public bool NoOptions { get; init; }
        public int InputCount { get; init; } = 5;
        public ActivationFunctionType Activation { get; init; } = ActivationFunctionType.NONE;
        public float StateScale { get; init; } = 0.5f;
        public long StateZeroPoint { get; init; }
        public float TimeScale { get; init; } = 0.25f;
        public float? BiasScale { get; init; }
        public float OutputScale { get; init; } = 0.5f;
    }

    private static SvdfSpec SvdfInt8(SvdfSpec s) => s with { Type = TensorType.INT8, TimeType = TensorType.INT16 };

    private static byte[] Svdf(SvdfSpec s)
    {
        var m = new Op();
        bool q = s.Type == TensorType.INT8;
        int units = s.Rank > 0 ? s.Filters / s.Rank : 1;
        int x = m.In(s.Type, s.InputShape ?? [s.Batches, s.InputSize], q ? Q.Of(0.1f, 2) : null);
        int feature = m.Const(s.Type, s.FeatureShape ?? [s.Filters, s.InputSize], q ? Q.Of(0.05f) : null);
        int time = m.Const(s.TimeType, [s.Filters, s.Memory], q ? Q.Of(s.TimeScale) : null);
        int bias = s.Bias ? m.Const(q ? TensorType.INT32 : TensorType.FLOAT32, [units], q ? Q.Of(s.BiasScale ?? s.StateScale * s.TimeScale) : null) : -1;
        int state = s.OmitState ? -1 : m.In(s.TimeType, s.StateShape ?? [s.Batches, s.Memory * s.Filters], q ? Q.Of(s.StateScale, s.StateZeroPoint) : null, variable: s.StateVariable);
        m.Out(s.Type, s.OutputShape ?? [s.Batches, units], q ? Q.Of(s.OutputScale, -1) : null);
        int[] inputs = new[] { x, feature, time, bias, state }.Take(s.InputCount).ToArray();
        return m.Build(BuiltinOperator.SVDF, inputs, s.NoOptions ? null
            : BuiltinOptionsUnion.FromSVDFOptions(new SVDFOptionsT { Rank = s.Rank, FusedActivationFunction = s.Activation }));
    }

    private static IEnumerable<Case> SvdfCases()
    {
        var f = new SvdfSpec();
        var i8 = SvdfInt8(f);
        yield return new("svdf_baseline_float", Expect.Runs, () => Svdf(f));
        yield return new("svdf_baseline_int8", Expect.Runs, () => Svdf(i8));
        yield return new("svdf_baseline_int8_state", Expect.Runs, () => Svdf(i8 with { TimeType = TensorType.INT8 }));
        yield return new("svdf_rank_zero", Expect.Refused, () => Svdf(f with { Rank = 0 }), "rank");
        yield return new("svdf_rank_negative", Expect.Refused, () => Svdf(f with { Rank = -2 }), "rank");
        yield return new("svdf_rank_not_dividing", Expect.Refused, () => Svdf(f with { Rank = 3 }), "rank");
        yield return new("svdf_rank_huge", Expect.Refused, () => Svdf(f with { Rank = int.MaxValue }), "rank");
        yield return new("svdf_no_options", Expect.Refused, () => Svdf(f with { NoOptions = true }), "options");
        yield return new("svdf_state_not_variable", Expect.Refused, () => Svdf(f with { StateVariable = false }), "variable");
        yield return new("svdf_state_omitted", Expect.Refused, () => Svdf(f with { OmitState = true }), "input 4");
        yield return new("svdf_four_inputs", Expect.Refused, () => Svdf(f with { InputCount = 4 }), "5 inputs");
        yield return new("svdf_without_bias", Expect.Runs, () => Svdf(i8 with { Bias = false }));
        yield return new("svdf_memory_zero", Expect.Refused, () => Svdf(f with { Memory = 0 }), "memory");
        yield return new("svdf_zero_filters", Expect.Runs, () => Svdf(f with { Filters = 0, Bias = false }));
        yield return new("svdf_zero_filters_huge_batch", Expect.Runs, () => Svdf(f with { Filters = 0, Bias = false, Batches = int.MaxValue, InputSize = 0 }));
        yield return new("svdf_zero_filters_huge_batch_int8", Expect.Runs, () => Svdf(i8 with { Filters = 0, Bias = false, Batches = int.MaxValue, InputSize = 0 }));
        yield return new("svdf_zero_batches", Expect.Runs, () => Svdf(i8 with { Batches = 0 }));
        yield return new("svdf_zero_input_size", Expect.Runs, () => Svdf(f with { InputSize = 0 }));
        yield return new("svdf_state_shape_mismatch", Expect.Refused, () => Svdf(f with { StateShape = [2, 19] }), "activation state");
        yield return new("svdf_rank0_input", Expect.Refused, () => Svdf(f with { InputShape = [] }), "rank 2");
        yield return new("svdf_state_rank3", Expect.Refused, () => Svdf(f with { StateShape = [2, 5, 4] }), "rank 2");
        yield return new("svdf_output_shape_mismatch", Expect.Refused, () => Svdf(f with { OutputShape = [2, 3] }), "output");
        yield return new("svdf_feature_shape_mismatch", Expect.Refused, () => Svdf(f with { FeatureShape = [4, 2] }), "weights_feature");
        yield return new("svdf_activation_out_of_enum", Expect.Refused, () => Svdf(f with { Activation = (ActivationFunctionType)42 }), "activation");
        yield return new("svdf_int8_bias_scale_mismatch", Expect.Refused, () => Svdf(i8 with { BiasScale = 0.3f }), "bias scale");
        yield return new("svdf_int8_state_scale_zero", Expect.Refused, () => Svdf(i8 with { StateScale = 0f }), "scale");
        yield return new("svdf_int8_time_scale_zero", Expect.Refused, () => Svdf(i8 with { TimeScale = 0f, Bias = false }), "scale");
        yield return new("svdf_int8_state_scale_denormal", Expect.Runs, () => Svdf(i8 with { StateScale = float.Epsilon, Bias = false }));
        yield return new("svdf_int8_output_scale_denormal", Expect.Runs, () => Svdf(i8 with { OutputScale = float.Epsilon }));
        yield return new("svdf_int8_state_zero_point_out_of_range", Expect.Runs, () => Svdf(i8 with { StateZeroPoint = 1 << 20 }));
        yield return new("svdf_int8_time_float", Expect.Refused, () => Svdf(i8 with { TimeType = TensorType.FLOAT32 }), "weights_time");
    }

    // ---- UNIDIRECTIONAL_SEQUENCE_LSTM ----------------------------------------------------------

    private sealed record LstmSpec
    {
        public TensorType Type { get; init; } = TensorType.FLOAT32;
        public int Batches { get; init; } = 2;
        public int Time { get; init; } = 3;
        public int Features { get; init; } = 2;
        public int State { get; init; } = 4;
        public int InputCount { get; init; } = 24;
        public int[] Omit { get; init; } = [];
        public int[] Add { get; init; } = [];
        public bool StateVariable { get; init; } = true;
        public int[]? OutputShape { get; init; }
        public int[]? BiasShape { get; init; }
        public int[]? HiddenShape { get; init; }
        public ActivationFunctionType Activation { get; init; } = ActivationFunctionType.TANH;
        public float CellClip { get; init; }
        public bool NoOptions { get; init; }
        public bool TimeMajor { get; init; }
        public float CellScale { get; init; } = 1f / 2048;
        public float HiddenScale { get; init; } = 1f / 128;
        public long HiddenZeroPoint { get; init; }
        public float WeightScale { get; init; } = 0.01f;
    }

    private static byte[] Lstm(LstmSpec s)
    {
        var m = new Op();
        bool q = s.Type == TensorType.INT8;
        var weightType = q ? TensorType.INT8 : TensorType.FLOAT32;
        var biasType = q ? TensorType.INT32 : TensorType.FLOAT32;
        int[] inputShape = s.TimeMajor ? [s.Time, s.Batches, s.Features] : [s.Batches, s.Time, s.Features];
        var inputs = new int[s.InputCount];
        Array.Fill(inputs, -1);
        int Slot(int i, Func<int> make) => i < s.InputCount && !s.Omit.Contains(i) ? inputs[i] = make() : -1;
        Slot(0, () => m.In(s.Type, inputShape, q ? Q.Of(0.05f, 1) : null));
        for (int i = 1; i <= 4; i++) Slot(i, () => m.Const(weightType, [s.State, s.Features], q ? Q.Of(s.WeightScale) : null));
        for (int i = 5; i <= 8; i++) Slot(i, () => m.Const(weightType, [s.State, s.State], q ? Q.Of(s.WeightScale) : null));
        foreach (int i in s.Add.Where(i => i is >= 9 and <= 11 or >= 16 and <= 17 or >= 20 and <= 23))
            Slot(i, () => m.Const(i is >= 20 ? (q ? TensorType.INT16 : TensorType.FLOAT32) : weightType, i == 16 ? [s.State, s.State] : [s.State], q ? Q.Of(0.01f) : null));
        for (int i = 12; i <= 15; i++) Slot(i, () => m.Const(biasType, s.BiasShape ?? [s.State], q ? Q.Of(0.05f * s.WeightScale) : null));
        Slot(18, () => m.In(s.Type, s.HiddenShape ?? [s.Batches, s.State], q ? Q.Of(s.HiddenScale, s.HiddenZeroPoint) : null, variable: s.StateVariable));
        Slot(19, () => m.In(q ? TensorType.INT16 : TensorType.FLOAT32, [s.Batches, s.State], q ? Q.Of(s.CellScale) : null, variable: s.StateVariable));
        m.Out(s.Type, s.OutputShape ?? [inputShape[0], inputShape[1], s.State], q ? Q.Of(s.HiddenScale, s.HiddenZeroPoint) : null);
        return m.Build(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, s.NoOptions ? null
            : BuiltinOptionsUnion.FromUnidirectionalSequenceLSTMOptions(new UnidirectionalSequenceLSTMOptionsT
            {
                FusedActivationFunction = s.Activation, CellClip = s.CellClip, TimeMajor = s.TimeMajor,
            }));
    }

    private static IEnumerable<Case> LstmCases()
    {
        var f = new LstmSpec();
        var i8 = f with { Type = TensorType.INT8 };
        yield return new("lstm_baseline_float", Expect.Runs, () => Lstm(f));
        yield return new("lstm_baseline_int8", Expect.Runs, () => Lstm(i8));
        yield return new("lstm_time_major_int8", Expect.Runs, () => Lstm(i8 with { TimeMajor = true }));
        yield return new("lstm_missing_forget_weights", Expect.Refused, () => Lstm(f with { Omit = [2] }), "input 2");
        yield return new("lstm_missing_recurrent_cell_weights", Expect.Refused, () => Lstm(i8 with { Omit = [7] }), "input 7");
        yield return new("lstm_missing_output_bias", Expect.Refused, () => Lstm(f with { Omit = [15] }), "input 15");
        yield return new("lstm_missing_input", Expect.Refused, () => Lstm(f with { Omit = [0] }), "input 0");
        yield return new("lstm_missing_hidden_state", Expect.Refused, () => Lstm(f with { Omit = [18] }), "input 18");
        yield return new("lstm_missing_cell_state", Expect.Refused, () => Lstm(i8 with { Omit = [19] }), "input 19");
        yield return new("lstm_cifg", Expect.Refused, () => Lstm(f with { Omit = [1, 5, 12] }), "CIFG");
        yield return new("lstm_twenty_inputs", Expect.Refused, () => Lstm(f with { InputCount = 20 }), "24 inputs");
        yield return new("lstm_state_not_variable", Expect.Refused, () => Lstm(f with { StateVariable = false }), "variable");
        yield return new("lstm_peephole", Expect.Refused, () => Lstm(f with { Add = [10] }), "peephole");
        yield return new("lstm_projection", Expect.Refused, () => Lstm(f with { Add = [16] }), "projection");
        yield return new("lstm_layer_norm", Expect.Refused, () => Lstm(i8 with { Add = [21] }), "layer normalization");
        yield return new("lstm_activation_relu", Expect.Refused, () => Lstm(f with { Activation = ActivationFunctionType.RELU }), "activation");
        yield return new("lstm_activation_out_of_enum", Expect.Refused, () => Lstm(f with { Activation = (ActivationFunctionType)42 }), "activation");
        yield return new("lstm_no_options", Expect.Refused, () => Lstm(f with { NoOptions = true }), "activation");
        yield return new("lstm_cell_clip_nan", Expect.Refused, () => Lstm(f with { CellClip = float.NaN }), "cell_clip");
        yield return new("lstm_cell_clip_negative", Expect.Refused, () => Lstm(i8 with { CellClip = -1f }), "cell_clip");
        yield return new("lstm_cell_clip_infinite", Expect.Runs, () => Lstm(i8 with { CellClip = float.PositiveInfinity }));
        yield return new("lstm_cell_clip_denormal", Expect.Runs, () => Lstm(i8 with { CellClip = float.Epsilon }));
        yield return new("lstm_output_shape_mismatch", Expect.Refused, () => Lstm(f with { OutputShape = [2, 3, 5] }), "output");
        yield return new("lstm_rank0_hidden_state", Expect.Refused, () => Lstm(f with { HiddenShape = [] }), "rank 2");
        yield return new("lstm_hidden_state_transposed", Expect.Refused, () => Lstm(f with { HiddenShape = [4, 2] }), "weights");
        yield return new("lstm_bias_shape_mismatch", Expect.Refused, () => Lstm(f with { BiasShape = [3] }), "bias");
        yield return new("lstm_zero_time_steps", Expect.Runs, () => Lstm(i8 with { Time = 0 }));
        yield return new("lstm_zero_state", Expect.Runs, () => Lstm(f with { State = 0 }));
        yield return new("lstm_zero_batches_time_major", Expect.Runs, () => Lstm(i8 with { Batches = 0, TimeMajor = true }));
        yield return new("lstm_zero_state_huge_time", Expect.Runs, () => Lstm(f with { State = 0, Batches = 1, Time = 1 << 30, Features = 0 }));
        yield return new("lstm_zero_state_huge_batch_int8", Expect.Runs, () => Lstm(i8 with { State = 0, Batches = 1 << 30, Time = 1, Features = 0 }));
        yield return new("lstm_zero_features", Expect.Runs, () => Lstm(i8 with { Features = 0 }));
        yield return new("lstm_int8_cell_scale_zero", Expect.Refused, () => Lstm(i8 with { CellScale = 0f }), "scale");
        yield return new("lstm_int8_cell_scale_denormal", Expect.Runs, () => Lstm(i8 with { CellScale = float.Epsilon }));
        yield return new("lstm_int8_cell_scale_huge", Expect.Runs, () => Lstm(i8 with { CellScale = 1e30f }));
        yield return new("lstm_int8_hidden_zero_point_out_of_range", Expect.Runs, () => Lstm(i8 with { HiddenZeroPoint = 5000 }));
        yield return new("lstm_int8_weight_scale_denormal", Expect.Runs, () => Lstm(i8 with { WeightScale = float.Epsilon }));
    }

    // ---- elementwise -----------------------------------------------------------------------------

    private static byte[] Binary(BuiltinOperator op, TensorType type, int[] a, int[] b, int[] output, Q? qa = null, Q? qb = null, Q? qo = null,
        BuiltinOptionsUnion? options = null, Array? constantB = null)
    {
        var m = new Op();
        int x = m.In(type, a, qa);
        int y = constantB switch
        {
            int[] values => m.Const(type, b, values, qb),
            _ => m.In(type, b, qb),
        };
        m.Out(type, output, qo);
        return m.Build(op, [x, y], options);
    }

    private static BuiltinOptionsUnion? Activation(BuiltinOperator op, ActivationFunctionType a) => op switch
    {
        BuiltinOperator.ADD => BuiltinOptionsUnion.FromAddOptions(new AddOptionsT { FusedActivationFunction = a }),
        BuiltinOperator.MUL => BuiltinOptionsUnion.FromMulOptions(new MulOptionsT { FusedActivationFunction = a }),
        BuiltinOperator.DIV => BuiltinOptionsUnion.FromDivOptions(new DivOptionsT { FusedActivationFunction = a }),
        _ => null,
    };

    private static IEnumerable<Case> ElementwiseCases()
    {
        const TensorType F = TensorType.FLOAT32, I8 = TensorType.INT8, I16 = TensorType.INT16, I32 = TensorType.INT32;
        var ops = new[]
        {
            (BuiltinOperator.ADD, "add"), (BuiltinOperator.MUL, "mul"), (BuiltinOperator.DIV, "div"),
            (BuiltinOperator.MINIMUM, "minimum"), (BuiltinOperator.MAXIMUM, "maximum"),
        };
        foreach (var (op, p) in ops)
        {
            var q = Q.Of(0.5f, 1);
            yield return new($"{p}_baseline_float", Expect.Runs, () => Binary(op, F, [2, 3], [2, 3], [2, 3]));
            yield return new($"{p}_baseline_int8", Expect.Runs, () => Binary(op, I8, [2, 3], [3], [2, 3], q, q, q));
            yield return new($"{p}_broadcast_mismatch", Expect.Refused, () => Binary(op, F, [2, 3], [2], [2, 3]), "broadcast");
            yield return new($"{p}_output_shape_mismatch", Expect.Refused, () => Binary(op, F, [2, 3], [1, 3], [3, 3]), "output");
            yield return new($"{p}_flat_output_mismatch", Expect.Refused, () => Binary(op, F, [2, 3], [2, 3], [7]), "output");
            yield return new($"{p}_rank7", Expect.Refused, () => Binary(op, F, [1, 1, 1, 1, 1, 2, 3], [2, 3], [1, 1, 1, 1, 1, 2, 3]), "dimensions");
            yield return new($"{p}_rank0", Expect.Runs, () => Binary(op, F, [], [], []));
            yield return new($"{p}_rank0_broadcast", Expect.Runs, () => Binary(op, F, [], [2, 2], [2, 2]));
            yield return new($"{p}_zero_sized", Expect.Runs, () => Binary(op, F, [0, 3], [1, 3], [0, 3]));
            yield return new($"{p}_zero_sized_huge_outer", Expect.Runs, () => Binary(op, F, [1 << 30, 1, 0], [1, 1, 0], [1 << 30, 1, 0]));
            yield return new($"{p}_zero_sized_broadcast_mismatch", Expect.Refused, () => Binary(op, F, [0, 3], [2, 3], [0, 3]), "broadcast");
            yield return new($"{p}_type_mismatch", Expect.Refused, () => TypeMismatch(op), "type");
            yield return new($"{p}_int8_zero_point_out_of_range", Expect.Runs, () => Binary(op, I8, [4], [4], [4], Q.Of(0.5f, 300), Q.Of(0.5f, -300), Q.Of(0.5f, 1000)));
            yield return new($"{p}_int8_scale_denormal", Expect.Runs, () => Binary(op, I8, [4], [4], [4], Q.Of(float.Epsilon), Q.Of(0.5f), Q.Of(0.5f)));
        }
        foreach (var (op, p) in ops.Take(3))
        {
            var q = Q.Of(0.5f, 1);
            yield return new($"{p}_activation_out_of_enum", Expect.Refused, () => Binary(op, F, [2], [2], [2], options: Activation(op, (ActivationFunctionType)42)), "activation");
            yield return new($"{p}_int8_activation_tanh", Expect.Refused, () => Binary(op, I8, [2], [2], [2], q, q, q, Activation(op, ActivationFunctionType.TANH)), "activation");
            yield return new($"{p}_int8_scale_zero", Expect.Refused, () => Binary(op, I8, [4], [4], [4], Q.Of(0f), q, q), "scale");
            yield return new($"{p}_int8_output_scale_denormal", op == BuiltinOperator.MUL ? Expect.Runs : Expect.Refused,
                () => Binary(op, I8, [4], [4], [4], q, q, Q.Of(float.Epsilon), Activation(op, ActivationFunctionType.RELU6)), "scale");
            yield return new($"{p}_int8_per_channel", Expect.Refused, () => Binary(op, I8, [2, 2], [2, 2], [2, 2], Q.PerChannel([0.5f, 0.25f], 1), q, q), "per-tensor");
        }
        yield return new("add_int16_baseline", Expect.Runs, () => Binary(BuiltinOperator.ADD, I16, [2, 3], [2, 1], [2, 3], Q.Of(0.5f), Q.Of(0.25f), Q.Of(1f)));
        yield return new("add_int32_quantized", Expect.Refused, () => Binary(BuiltinOperator.ADD, I32, [2], [2], [2], Q.Of(0.5f), null, null), "quantization");
        yield return new("mul_int16_baseline", Expect.Runs, () => Binary(BuiltinOperator.MUL, I16, [2, 3], [3], [2, 3], Q.Of(0.5f), Q.Of(0.25f), Q.Of(1f)));
        yield return new("mul_int32_extremes", Expect.Runs, () => Binary(BuiltinOperator.MUL, I32, [3], [3], [3], constantB: new[] { int.MinValue, -1, int.MaxValue }));
        yield return new("div_int32_constant_zero_divisor", Expect.Refused, () => Binary(BuiltinOperator.DIV, I32, [3], [3], [3], constantB: new[] { 1, 0, 2 }), "zero");
        yield return new("div_int32_int_min_by_minus_one", Expect.Runs, () => DivIntMinByMinusOne());
        yield return new("div_int32_zero_divisor_at_invoke", Expect.DataError, () => DivByVariable(), "zero");
        yield return new("div_int8_divisor_at_zero_point", Expect.Runs, () => Binary(BuiltinOperator.DIV, I8, [4], [4], [4], Q.Of(0.5f), Q.Of(0.5f, 3), Q.Of(0.5f), constantB: null));
        yield return new("div_int16", Expect.Refused, () => Binary(BuiltinOperator.DIV, I16, [4], [4], [4], Q.Of(0.5f), Q.Of(0.5f), Q.Of(0.5f)), "supported");
        yield return new("minimum_int64", Expect.Runs, () => Binary(BuiltinOperator.MINIMUM, TensorType.INT64, [2, 2], [2], [2, 2]));
        yield return new("maximum_bool", Expect.Refused, () => Binary(BuiltinOperator.MAXIMUM, TensorType.BOOL, [2], [2], [2]), "supported");
    }

    /// <summary>The divisor is a variable tensor, which starts as zeros: a zero divisor only Invoke can see.</summary>
    private static byte[] DivByVariable()
    {
        var m = new Op();
        int x = m.In(TensorType.INT32, [4]);
        int y = m.In(TensorType.INT32, [4], variable: true);
        m.Out(TensorType.INT32, [4]);
        return m.Build(BuiltinOperator.DIV, [x, y]);
    }

    private static byte[] TypeMismatch(BuiltinOperator op)
    {
        var m = new Op();
        int x = m.In(TensorType.FLOAT32, [2]);
        int y = m.In(TensorType.INT32, [2]);
        m.Out(TensorType.FLOAT32, [2]);
        return m.Build(op, [x, y]);
    }

    /// <summary>int.MinValue / -1 overflows int32; in C it traps, .NET throws. The kernel must give a value instead.</summary>
    private static byte[] DivIntMinByMinusOne()
    {
        var m = new Op();
        int x = m.Const(TensorType.INT32, [2], new[] { int.MinValue, 7 });
        int y = m.Const(TensorType.INT32, [2], new[] { -1, -1 });
        m.Out(TensorType.INT32, [2]);
        return m.Build(BuiltinOperator.DIV, [x, y]);
    }

    // ---- RELU, RELU6, CAST, STRIDED_SLICE, CONCATENATION, RESHAPE ------------------------------

    private static IEnumerable<Case> ShapeCases()
    {
        const TensorType F = TensorType.FLOAT32, I8 = TensorType.INT8, I16 = TensorType.INT16, I32 = TensorType.INT32;
        foreach (var (op, p) in new[] { (BuiltinOperator.RELU, "relu"), (BuiltinOperator.RELU6, "relu6") })
        {
            yield return new($"{p}_baseline_float", Expect.Runs, () => Unary(op, F, [2, 3], null, F, [2, 3], null));
            yield return new($"{p}_baseline_int8", Expect.Runs, () => Unary(op, I8, [2, 3], Q.Of(0.1f, 3), I8, [2, 3], Q.Of(0.1f, 3)));
            yield return new($"{p}_int8_zero_point_out_of_range", Expect.Runs, () => Unary(op, I8, [4], Q.Of(0.1f, 500), I8, [4], Q.Of(0.2f, 500)));
            yield return new($"{p}_int8_zero_point_extreme", Expect.Runs, () => Unary(op, I8, [4], Q.Of(0.1f, int.MinValue), I8, [4], Q.Of(0.2f, int.MaxValue)));
            yield return new($"{p}_int8_scale_denormal", Expect.Runs, () => Unary(op, I8, [4], Q.Of(float.Epsilon), I8, [4], Q.Of(float.MaxValue)));
            yield return new($"{p}_int8_scale_zero", Expect.Refused, () => Unary(op, I8, [4], Q.Of(0f), I8, [4], Q.Of(0.1f)), "scale");
            yield return new($"{p}_int16_zero_point", op == BuiltinOperator.RELU ? Expect.Refused : Expect.Runs,
                () => Unary(op, I16, [4], Q.Of(0.1f, 2), I16, [4], Q.Of(0.1f, 2)), "zero point");
            yield return new($"{p}_count_mismatch", Expect.Refused, () => Unary(op, F, [4], null, F, [3], null), "element count");
            yield return new($"{p}_type_mismatch", Expect.Refused, () => Unary(op, F, [4], null, I32, [4], null), "int32");
            yield return new($"{p}_rank0", Expect.Runs, () => Unary(op, F, [], null, F, [], null));
            yield return new($"{p}_int32", Expect.Refused, () => Unary(op, I32, [4], null, I32, [4], null), "supported");
        }

        yield return new("cast_baseline", Expect.Runs, () => Unary(BuiltinOperator.CAST, F, [2, 3], null, I8, [2, 3], null));
        yield return new("cast_count_mismatch", Expect.Refused, () => Unary(BuiltinOperator.CAST, I32, [4], null, F, [5], null), "element count");
        yield return new("cast_to_bool", Expect.Refused, () => Unary(BuiltinOperator.CAST, I32, [4], null, TensorType.BOOL, [4], null), "cannot cast");
        yield return new("cast_from_int64", Expect.Refused, () => Unary(BuiltinOperator.CAST, TensorType.INT64, [4], null, F, [4], null), "cannot cast");
        yield return new("cast_string", Expect.ReaderRejects, () => Unary(BuiltinOperator.CAST, TensorType.STRING, [4], null, F, [4], null), "element size");
        yield return new("cast_rank0", Expect.Runs, () => Unary(BuiltinOperator.CAST, TensorType.BOOL, [], null, I16, [], null));

        foreach (var c in StridedSliceCases()) yield return c;
        foreach (var c in ConcatenationCases()) yield return c;

        yield return new("reshape_baseline", Expect.Runs, () => Reshape([2, 3], [3, 2], null, null));
        yield return new("reshape_count_mismatch", Expect.Refused, () => Reshape([2, 3], [4, 2], null, null), "element count");
        yield return new("reshape_options_mismatched", Expect.Runs, () => Reshape([2, 3], [6], [5, 5], null));
        yield return new("reshape_options_negative", Expect.Runs, () => Reshape([2, 3], [6], [-1, -1, -7], null));
        yield return new("reshape_shape_input_mismatched", Expect.Runs, () => Reshape([2, 3], [3, 2], null, [7, 7, 7]));
        yield return new("reshape_to_rank0", Expect.Runs, () => Reshape([1, 1], [], [], null));
        yield return new("reshape_zero_sized", Expect.Runs, () => Reshape([0, 3], [3, 0], null, null));
        yield return new("reshape_packed_int4_constant", Expect.Refused, () =>
        {
            var m = new Op();
            int x = m.Raw(TensorType.INT4, [2, 3], new byte[3]);
            m.Out(TensorType.INT4, [6]);
            return m.Build(BuiltinOperator.RESHAPE, [x]);
        }, "int4");
        yield return new("reshape_type_mismatch", Expect.Refused, () =>
        {
            var m = new Op();
            int x = m.In(F, [4]);
            m.Out(I32, [4]);
            return m.Build(BuiltinOperator.RESHAPE, [x]);
        }, "int32");
        yield return new("reshape_no_inputs", Expect.Refused, () =>
        {
            var m = new Op();
            m.In(F, [4]);
            m.Out(F, [4]);
            return m.Build(BuiltinOperator.RESHAPE, []);
        }, "input");
    }

    private static byte[] Reshape(int[] input, int[] output, int[]? newShape, int[]? shapeTensor)
    {
        var m = new Op();
        int x = m.In(TensorType.INT8, input, Q.Of(0.5f));
        var inputs = new List<int> { x };
        if (shapeTensor is not null) inputs.Add(m.Const(TensorType.INT32, [shapeTensor.Length], shapeTensor));
        m.Out(TensorType.INT8, output, Q.Of(0.5f));
        return m.Build(BuiltinOperator.RESHAPE, inputs.ToArray(),
            newShape is null ? null : BuiltinOptionsUnion.FromReshapeOptions(new ReshapeOptionsT { NewShape = newShape.ToList() }));
    }

    private sealed record SliceSpec
    {
        public int[] Input { get; init; } = [3, 4];
        public int[] Output { get; init; } = [2, 2];
        public int[] Begin { get; init; } = [0, 1];
        public int[] End { get; init; } = [2, 3];
        public int[] Strides { get; init; } = [1, 1];
        public int BeginMask { get; init; }
        public int EndMask { get; init; }
        public int EllipsisMask { get; init; }
        public int NewAxisMask { get; init; }
        public int ShrinkAxisMask { get; init; }
        public bool Offset { get; init; }
        public TensorType IndexType { get; init; } = TensorType.INT32;
        public bool IndicesAsInputs { get; init; }
        public int InputCount { get; init; } = 4;
    }

    private static byte[] Slice(SliceSpec s)
    {
        var m = new Op();
        int x = m.In(TensorType.INT16, s.Input, Q.Of(0.5f));
        int Index(int[] v) => s.IndicesAsInputs ? m.In(s.IndexType, [v.Length])
            : s.IndexType == TensorType.INT64 ? m.Const(s.IndexType, [v.Length], v.Select(i => (long)i).ToArray())
            : m.Const(s.IndexType, [v.Length], v);
        int b = Index(s.Begin), e = Index(s.End), st = Index(s.Strides);
        m.Out(TensorType.INT16, s.Output, Q.Of(0.5f));
        return m.Build(BuiltinOperator.STRIDED_SLICE, new[] { x, b, e, st }.Take(s.InputCount).ToArray(),
            BuiltinOptionsUnion.FromStridedSliceOptions(new StridedSliceOptionsT
            {
                BeginMask = s.BeginMask, EndMask = s.EndMask, EllipsisMask = s.EllipsisMask, NewAxisMask = s.NewAxisMask,
                ShrinkAxisMask = s.ShrinkAxisMask, Offset = s.Offset,
            }));
    }

    private static IEnumerable<Case> StridedSliceCases()
    {
        var s = new SliceSpec();
        yield return new("strided_slice_baseline", Expect.Runs, () => Slice(s));
        yield return new("strided_slice_stride_zero", Expect.Refused, () => Slice(s with { Strides = [1, 0] }), "stride");
        yield return new("strided_slice_stride_int_min", Expect.Runs, () => Slice(s with { Strides = [1, int.MinValue], Begin = [0, 3], End = [2, 0], Output = [2, 1] }));
        yield return new("strided_slice_stride_int_max", Expect.Runs, () => Slice(s with { Strides = [int.MaxValue, int.MaxValue], Output = [1, 1] }));
        yield return new("strided_slice_begin_extremes", Expect.Runs, () => Slice(s with { Begin = [int.MinValue, int.MinValue], End = [int.MaxValue, int.MaxValue], Output = [3, 4] }));
        yield return new("strided_slice_negative_stride_extremes", Expect.Runs, () => Slice(s with { Begin = [int.MaxValue, int.MaxValue], End = [int.MinValue, int.MinValue], Strides = [-1, -2], Output = [3, 2] }));
        yield return new("strided_slice_offset_overflow", Expect.Runs, () => Slice(s with { Begin = [1, 1], End = [int.MaxValue, int.MaxValue], Offset = true, Output = [2, 3] }));
        yield return new("strided_slice_empty_result", Expect.Runs, () => Slice(s with { Begin = [2, 3], End = [1, 1], Output = [0, 0] }));
        yield return new("strided_slice_output_mismatch", Expect.Refused, () => Slice(s with { Output = [2, 3] }), "output tensor");
        yield return new("strided_slice_lengths_mismatch", Expect.Refused, () => Slice(s with { End = [2] }), "must match");
        yield return new("strided_slice_spec_longer_than_rank", Expect.Refused, () => Slice(s with { Begin = [0, 1, 0], End = [2, 3, 1], Strides = [1, 1, 1] }), "slice 3 axes");
        yield return new("strided_slice_new_axis_beyond_rank", Expect.Refused, () => Slice(s with { Input = [3], Begin = [0, 0, 0, 0], End = [1, 1, 1, 1], Strides = [1, 1, 1, 1], NewAxisMask = 8, Output = [1, 1] }), "slice 3 axes");
        yield return new("strided_slice_ellipsis_covering_nothing", Expect.Runs, () => Slice(s with { Input = [3], Begin = [0, 0, 0], End = [0, 1, 0], Strides = [1, 1, 1], EllipsisMask = 1, NewAxisMask = 4, Output = [1, 1] }));
        yield return new("strided_slice_long_spec_of_new_axes", Expect.Refused, () => Slice(s with { Begin = new int[40], End = new int[40], Strides = Enumerable.Repeat(1, 40).ToArray(), NewAxisMask = -1 }), "slice 8 axes");
        yield return new("strided_slice_spec_shorter_than_rank", Expect.Runs, () => Slice(s with { Begin = [1], End = [3], Strides = [1], Output = [2, 4] }));
        yield return new("strided_slice_shrink_out_of_range", Expect.Refused, () => Slice(s with { ShrinkAxisMask = 1, Begin = [5, 1], Output = [2] }), "shrunk");
        yield return new("strided_slice_shrink_negative_stride", Expect.Refused, () => Slice(s with { ShrinkAxisMask = 1, Strides = [-1, 1], Output = [2] }), "shrunk");
        yield return new("strided_slice_shrink_all_bits", Expect.Runs, () => Slice(s with { ShrinkAxisMask = -1, Output = [] }));
        yield return new("strided_slice_masks_all_bits", Expect.Runs, () => Slice(s with { BeginMask = -1, EndMask = -1, Output = [3, 4] }));
        yield return new("strided_slice_two_ellipses", Expect.Refused, () => Slice(s with { EllipsisMask = 3 }), "ellipsis");
        yield return new("strided_slice_ellipsis_all_bits", Expect.Refused, () => Slice(s with { EllipsisMask = -1 }), "ellipsis");
        yield return new("strided_slice_ellipsis_past_spec", Expect.Refused, () => Slice(s with { Input = [2, 3, 4, 5], Begin = [0], End = [1], Strides = [1], EllipsisMask = 4, Output = [1, 3, 4, 5] }), "ellipsis");
        yield return new("strided_slice_ellipsis_first", Expect.Runs, () => Slice(s with { Input = [2, 3, 4], Begin = [0, 1], End = [0, 3], Strides = [1, 1], EllipsisMask = 1, Output = [2, 3, 2] }));
        yield return new("strided_slice_new_axis_past_spec", Expect.Refused, () => Slice(s with { NewAxisMask = 1 << 5 }), "new_axis");
        yield return new("strided_slice_new_axis_all_bits", Expect.Refused, () => Slice(s with { NewAxisMask = -1 }), "new_axis");
        yield return new("strided_slice_new_axis", Expect.Runs, () => Slice(s with { NewAxisMask = 1, Begin = [0, 0, 1], End = [1, 2, 3], Strides = [1, 1, 1], Output = [1, 2, 2] }));
        yield return new("strided_slice_new_axis_and_ellipsis", Expect.Runs, () => Slice(s with { Input = [2, 3, 4], NewAxisMask = 2, EllipsisMask = 1, Begin = [0, 0, 1], End = [0, 1, 3], Strides = [1, 1, 1], Output = [2, 3, 1, 2] }));
        yield return new("strided_slice_rank7_input", Expect.Refused, () => Slice(s with { Input = [1, 1, 1, 1, 1, 3, 4], Output = [1, 1, 1, 1, 1, 3, 4] }), "at most");
        yield return new("strided_slice_begin_not_constant", Expect.Refused, () => Slice(s with { IndicesAsInputs = true }), "constant");
        yield return new("strided_slice_int64_indices", Expect.Refused, () => Slice(s with { IndexType = TensorType.INT64 }), "int32");
        yield return new("strided_slice_three_inputs", Expect.Refused, () => Slice(s with { InputCount = 3 }), "4 inputs");
        yield return new("strided_slice_rank0_input", Expect.Refused, () => Slice(s with { Input = [], Begin = [0], End = [1], Strides = [1], Output = [] }), "slice 1 axes");
        yield return new("strided_slice_packed_int4_constant", Expect.Refused, () =>
        {
            var m = new Op();
            int x = m.Raw(TensorType.INT4, [3, 4], new byte[6]);
            int b = m.Const(TensorType.INT32, [2], new[] { 0, 0 });
            int e = m.Const(TensorType.INT32, [2], new[] { 3, 4 });
            int st = m.Const(TensorType.INT32, [2], new[] { 1, 1 });
            m.Out(TensorType.INT4, [3, 4]);
            return m.Build(BuiltinOperator.STRIDED_SLICE, [x, b, e, st], BuiltinOptionsUnion.FromStridedSliceOptions(new StridedSliceOptionsT()));
        }, "int4");
        yield return new("strided_slice_zero_sized_huge_outer", Expect.Runs, () => Slice(s with { Input = [int.MaxValue, 0], Begin = [0, 0], End = [int.MaxValue, 0], Output = [int.MaxValue, 0] }));
        yield return new("strided_slice_zero_sized_input", Expect.Runs, () => Slice(s with { Input = [0, 4], Output = [0, 2] }));
    }

    private static byte[] Concat(int axis, int[][] inputs, int[] output, TensorType type = TensorType.FLOAT32, Q[]? qs = null, Q? qo = null,
        ActivationFunctionType activation = ActivationFunctionType.NONE, bool omitSecond = false)
    {
        var m = new Op();
        var ids = inputs.Select((shape, i) => m.In(type, shape, qs?[i])).ToArray();
        if (omitSecond) ids[1] = -1;
        m.Out(type, output, qo);
        return m.Build(BuiltinOperator.CONCATENATION, ids, BuiltinOptionsUnion.FromConcatenationOptions(
            new ConcatenationOptionsT { Axis = axis, FusedActivationFunction = activation }));
    }

    private static IEnumerable<Case> ConcatenationCases()
    {
        yield return new("concat_baseline", Expect.Runs, () => Concat(1, [[2, 3], [2, 1]], [2, 4]));
        yield return new("concat_negative_axis", Expect.Runs, () => Concat(-1, [[2, 3], [2, 1]], [2, 4]));
        yield return new("concat_axis_out_of_range", Expect.Refused, () => Concat(2, [[2, 3], [2, 1]], [2, 4]), "axis");
        yield return new("concat_axis_too_negative", Expect.Refused, () => Concat(-3, [[2, 3], [2, 1]], [2, 4]), "axis");
        yield return new("concat_axis_int_min", Expect.Refused, () => Concat(int.MinValue, [[2, 3], [2, 1]], [2, 4]), "axis");
        yield return new("concat_axis_int_max", Expect.Refused, () => Concat(int.MaxValue, [[2, 3], [2, 1]], [2, 4]), "axis");
        yield return new("concat_rank0", Expect.Refused, () => Concat(0, [[], []], []), "axis");
        yield return new("concat_rank_mismatch", Expect.Refused, () => Concat(0, [[2, 3], [3]], [5, 3]), "ranks");
        yield return new("concat_other_dimension_differs", Expect.Refused, () => Concat(1, [[2, 3], [3, 1]], [2, 4]), "dimension 0");
        yield return new("concat_axis_sum_mismatch", Expect.Refused, () => Concat(1, [[2, 3], [2, 1]], [2, 5]), "add up");
        // 3 x (2^31 - 1) wraps to 2^31 - 3 in 32 bits.
        yield return new("concat_axis_sum_wrapping", Expect.Refused, () => Concat(1, [[1, int.MaxValue], [1, int.MaxValue], [1, int.MaxValue]], [1, int.MaxValue - 2], TensorType.INT8), "add up");
        yield return new("concat_zero_sized_inputs", Expect.Runs, () => Concat(0, [[0, 3], [2, 3], [0, 3]], [2, 3]));
        yield return new("concat_zero_sized_huge_outer", Expect.Runs, () => Concat(1, [[int.MaxValue, 0, 3], [int.MaxValue, 0, 3]], [int.MaxValue, 0, 3]));
        yield return new("concat_single_input", Expect.Runs, () => Concat(0, [[2, 3]], [2, 3]));
        yield return new("concat_omitted_input", Expect.Refused, () => Concat(1, [[2, 3], [2, 1]], [2, 4], omitSecond: true), "omitted");
        yield return new("concat_activation", Expect.Refused, () => Concat(1, [[2, 3], [2, 1]], [2, 4], activation: ActivationFunctionType.RELU), "activation");
        yield return new("concat_int8_quantization_differs", Expect.Refused, () => Concat(0, [[1], [1]], [2], TensorType.INT8, [Q.Of(0.5f), Q.Of(0.25f)], Q.Of(0.5f)), "must match");
        yield return new("concat_int8_scale_zero", Expect.Refused, () => Concat(0, [[1], [1]], [2], TensorType.INT8, [Q.Of(0f), Q.Of(0f)], Q.Of(0f)), "scale");
        yield return new("concat_uint8", Expect.Refused, () => Concat(0, [[1], [1]], [2], TensorType.UINT8), "supported");
        yield return new("concat_no_inputs", Expect.Refused, () =>
        {
            var m = new Op();
            m.In(TensorType.FLOAT32, [2]);
            m.Out(TensorType.FLOAT32, [2]);
            return m.Build(BuiltinOperator.CONCATENATION, [], BuiltinOptionsUnion.FromConcatenationOptions(new ConcatenationOptionsT()));
        }, "input");
    }

    private static IEnumerable<Case> AllCases() =>
        ConvCases().Concat(PoolCases()).Concat(FcCases()).Concat(SoftmaxCases()).Concat(SvdfCases()).Concat(LstmCases())
            .Concat(ElementwiseCases()).Concat(ShapeCases());
}
