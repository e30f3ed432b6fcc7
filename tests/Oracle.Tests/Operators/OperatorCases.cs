using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Tensors;
using Model = TinyMl.Interpreter.Model;
using Padding = TinyMl.Interpreter.Schema.Padding;

namespace TinyMl.Oracle.Tests.Operators;

/// <summary>
/// One operator in one type: a generator of random single-op models, and the largest difference from torch
/// allowed — in LSB for quantized outputs (0 where TFLM's integer arithmetic is exact: moves, max, clamps),
/// relative for float outputs.
/// </summary>
public sealed record OperatorCase(string Op, string Type, Func<Random, (Model Model, TensorData[] Inputs)> Make, double Allowed)
{
    public override string ToString() => $"{Op} {Type}";
}

/// <summary>The random single-op models every kernel is checked on against the oracle.</summary>
public static class OperatorCases
{
    public const double FloatTolerance = 1e-5;

    public static IReadOnlyList<OperatorCase> All { get; } = Build();

    private static List<OperatorCase> Build()
    {
        var cases = new List<OperatorCase>();
        void Add(string op, string type, Func<Random, (Model, TensorData[])> make, double allowed) => cases.Add(new(op, type, make, allowed));

        foreach (var t in new[] { TensorType.FLOAT32, TensorType.INT8, TensorType.INT16 })
        {
            string name = t == TensorType.INT16 ? "int16x8" : Name(t);
            double lsb = t == TensorType.FLOAT32 ? FloatTolerance : 1;
            Add("CONV_2D", name, r => Conv(r, t, depthwise: false), lsb);
            Add("DEPTHWISE_CONV_2D", name, r => Conv(r, t, depthwise: true), lsb);
            Add("TRANSPOSE_CONV", name, r => TransposeConv(r, t), lsb);
            Add("FULLY_CONNECTED", name, r => FullyConnected(r, t), lsb);
            Add("AVERAGE_POOL_2D", name, r => Pool(r, t, BuiltinOperator.AVERAGE_POOL_2D), lsb);
            Add("MAX_POOL_2D", name, r => Pool(r, t, BuiltinOperator.MAX_POOL_2D), t == TensorType.FLOAT32 ? FloatTolerance : 0);
            Add("ADD", name, r => Binary(r, t, BuiltinOperator.ADD), lsb);
            Add("MUL", name, r => Binary(r, t, BuiltinOperator.MUL), lsb);
        }
        foreach (var t in new[] { TensorType.FLOAT32, TensorType.INT8 })
        {
            double lsb = t == TensorType.FLOAT32 ? FloatTolerance : 1, exact = t == TensorType.FLOAT32 ? FloatTolerance : 0;
            Add("SOFTMAX", Name(t), r => Softmax(r, t), lsb);
            Add("LOGISTIC", Name(t), r => Unary(r, t, BuiltinOperator.LOGISTIC, Quant.Of(1.0 / 256, -128)), lsb);
            Add("TANH", Name(t), r => Unary(r, t, BuiltinOperator.TANH, Quant.Of(1.0 / 128, 0)), lsb);
            Add("RELU", Name(t), r => Unary(r, t, BuiltinOperator.RELU, null), lsb);
            Add("RELU6", Name(t), r => Unary(r, t, BuiltinOperator.RELU6, null), exact);
            Add("MINIMUM", Name(t), r => Binary(r, t, BuiltinOperator.MINIMUM, sameQuant: true), exact);
            Add("MAXIMUM", Name(t), r => Binary(r, t, BuiltinOperator.MAXIMUM, sameQuant: true), exact);
            Add("CONCATENATION", Name(t), r => Concatenation(r, t), exact);
            Add("STRIDED_SLICE", Name(t), r => StridedSlice(r, t), exact);
            Add("RESHAPE", Name(t), r => Reshape(r, t), exact);
            Add("SUB", Name(t), r => Binary(r, t, BuiltinOperator.SUB), lsb);
            Add("LEAKY_RELU", Name(t), r => LeakyRelu(r, t), lsb);
            Add("PAD", Name(t), r => Pad(r, t), exact);
            Add("PADV2", Name(t), r => Pad(r, t, withValue: true), exact);
            Add("TRANSPOSE", Name(t), r => Transpose(r, t), exact);
            Add("MEAN", Name(t), r => Reduce(r, t, BuiltinOperator.MEAN), lsb);
            Add("SUM", Name(t), r => Reduce(r, t, BuiltinOperator.SUM), lsb);
            Add("REDUCE_MAX", Name(t), r => Reduce(r, t, BuiltinOperator.REDUCE_MAX), exact);
            Add("REDUCE_MIN", Name(t), r => Reduce(r, t, BuiltinOperator.REDUCE_MIN), exact);
        }
        // int16 paths of TFLM's kernels (symmetric activations) and wider integer types for the data movers.
        const TensorType I16 = TensorType.INT16, I32 = TensorType.INT32;
        // TFLM's int16 SOFTMAX, LOGISTIC and TANH read interpolated 513-entry tables (exp on [−10, 0], 1/(1+x), the
        // activations): their own precision, not this runtime's, sets the distance to torch — TensorFlow Lite 2.9 gives
        // byte-identical outputs on these same cases (benchmarks: --tflite-parity). SOFTMAX: 24 Q0.15 steps seen
        // (the reciprocal of the sum is one table read), TANH 2, LOGISTIC 1.
        Add("SOFTMAX", "int16", r => Softmax(r, I16), 32);
        Add("LOGISTIC", "int16", r => Unary(r, I16, BuiltinOperator.LOGISTIC, Quant.Of(1.0 / 32768, 0)), 1);
        Add("TANH", "int16", r => Unary(r, I16, BuiltinOperator.TANH, Quant.Of(1.0 / 32768, 0)), 2);
        Add("SUB", "int16", r => Binary(r, I16, BuiltinOperator.SUB), 1);
        Add("LEAKY_RELU", "int16", r => LeakyRelu(r, I16), 1);
        Add("MEAN", "int16", r => Reduce(r, I16, BuiltinOperator.MEAN), 1);
        foreach (var t in new[] { I16, I32 })
        {
            Add("PAD", Name(t), r => Pad(r, t), 0);
            Add("TRANSPOSE", Name(t), r => Transpose(r, t), 0);
            Add("CONCATENATION", Name(t), r => Concatenation(r, t), 0);
            Add("MINIMUM", Name(t), r => Binary(r, t, BuiltinOperator.MINIMUM, sameQuant: true), 0);
            Add("MAXIMUM", Name(t), r => Binary(r, t, BuiltinOperator.MAXIMUM, sameQuant: true), 0);
        }
        Add("QUANTIZE", "float32→int16", r => Quantize(r, TensorType.FLOAT32, I16), 1);
        Add("QUANTIZE", "int16→int16", r => Quantize(r, I16, I16), 1);
        Add("DEQUANTIZE", "int16→float32", r => Dequantize(r, I16), FloatTolerance);
        Add("DIV", "float32", r => Binary(r, TensorType.FLOAT32, BuiltinOperator.DIV), FloatTolerance);
        Add("QUANTIZE", "float32→int8", r => Quantize(r, TensorType.FLOAT32, TensorType.INT8), 1);
        Add("QUANTIZE", "int8→int8", r => Quantize(r, TensorType.INT8, TensorType.INT8), 1);
        Add("QUANTIZE", "int16→int8", r => Quantize(r, TensorType.INT16, TensorType.INT8), 1);
        Add("DEQUANTIZE", "int8→float32", r => Dequantize(r, TensorType.INT8), FloatTolerance);
        foreach (var (from, to) in new[] { (TensorType.FLOAT32, TensorType.INT32), (TensorType.INT32, TensorType.FLOAT32), (TensorType.INT8, TensorType.INT32),
                     (TensorType.INT16, TensorType.INT8), (TensorType.BOOL, TensorType.FLOAT32), (TensorType.INT32, TensorType.INT16) })
            Add("CAST", $"{Name(from)}→{Name(to)}", r => Cast(r, from, to), to == TensorType.FLOAT32 ? FloatTolerance : 0);
        Add("SUM", "int16", r => Reduce(r, TensorType.INT16, BuiltinOperator.SUM), 1);
        Add("REDUCE_ALL", "bool", r => Reduce(r, TensorType.BOOL, BuiltinOperator.REDUCE_ALL), 0);
        Add("L2_POOL_2D", "float32", r => Pool(r, TensorType.FLOAT32, BuiltinOperator.L2_POOL_2D), FloatTolerance);
        ShapeCases.Add(cases);
        ComparisonCases.Add(cases);
        MathCases.Add(cases);
        CustomCases.Add(cases);
        RecurrentCases.Add(cases);
        GraphCases.Add(cases);
        return cases;
    }

    private static string Name(TensorType t) => TensorTypes.Name(t);

    private static double Uniform(Random r, double low, double high) => low + r.NextDouble() * (high - low);

    /// <summary>Activation quantization: int8 asymmetric; int16 symmetric (zero point 0), as TFLM's 16x8 kernels require.</summary>
    private static Quant? RandomQuant(Random r, TensorType t) => t switch
    {
        TensorType.FLOAT32 => null,
        TensorType.INT16 => Quant.Of(Uniform(r, 2e-5, 2e-4), 0),
        TensorType.INT32 => null, // int32 activations are plain integers in TFLM (PAD fills them with 0, not a zero point)
        _ => Quant.Of(Uniform(r, 0.005, 0.05), r.Next(-40, 41)),
    };

    /// <summary>An output scale under which a typical result magnitude takes ~60 int8 steps (~8000 int16 steps): some saturation stays in the test.</summary>
    private static Quant OutputQuantFor(Random r, TensorType t, double typical) => t == TensorType.INT16
        ? Quant.Of(typical / 8000 * Uniform(r, 0.5, 1.5), 0)
        : Quant.Of(typical / 60 * Uniform(r, 0.5, 1.5), r.Next(-40, 41));

    /// <summary>The typical magnitude of a random stored value minus zero point: ~64 for int8, ~16000 for int16.</summary>
    private static double TypicalSteps(TensorType t) => t == TensorType.INT16 ? 16000 : 64;

    private static ActivationFunctionType RandomActivation(Random r) =>
        new[] { ActivationFunctionType.NONE, ActivationFunctionType.RELU, ActivationFunctionType.RELU6, ActivationFunctionType.RELU_N1_TO_1 }[r.Next(4)];

    /// <summary>TFLite's output size: SAME gives ceil(in / stride), VALID ceil((in − effective kernel + 1) / stride).</summary>
    private static int OutputSize(Padding padding, int input, int kernel, int stride, int dilation = 1)
    {
        int effective = (kernel - 1) * dilation + 1;
        return padding == Padding.SAME ? (input + stride - 1) / stride : (input - effective + stride) / stride;
    }

    private static (Model, TensorData[]) Conv(Random r, TensorType t, bool depthwise)
    {
        var m = new SingleOpModels(r);
        int h = r.Next(1, 10), w = r.Next(1, 10), cin = r.Next(1, 6), multiplier = depthwise ? r.Next(1, 3) : 1;
        int cout = depthwise ? cin * multiplier : r.Next(1, 7);
        int kh = r.Next(1, 4), kw = r.Next(1, 4), stride = r.Next(1, 3), dilation = r.Next(1, 3);
        var padding = r.Next(2) == 0 ? Padding.SAME : Padding.VALID;
        int oh = OutputSize(padding, h, kh, stride, dilation), ow = OutputSize(padding, w, kw, stride, dilation);
        if (oh < 1 || ow < 1) { padding = Padding.SAME; oh = OutputSize(padding, h, kh, stride, dilation); ow = OutputSize(padding, w, kw, stride, dilation); }

        var inQ = RandomQuant(r, t);
        int input = m.Input(t, [1, h, w, cin], inQ);
        int[] filterShape = depthwise ? [1, kh, kw, cout] : [cout, kh, kw, cin];
        int filter, bias;
        Quant? outQ = null;
        if (t == TensorType.FLOAT32)
        {
            filter = m.Constant(TensorType.FLOAT32, filterShape, range: (-1, 1));
            bias = m.Constant(TensorType.FLOAT32, [cout], range: (-1, 1));
        }
        else
        {
            // Weights: int8, symmetric, one scale per output channel; bias in the accumulator's scale.
            var weightScales = Enumerable.Range(0, cout).Select(_ => (float)Uniform(r, 0.002, 0.02)).ToArray();
            filter = m.Constant(TensorType.INT8, filterShape, new Quant(weightScales, new long[cout], depthwise ? 3 : 0), range: (-127, 127));
            var biasScales = weightScales.Select(s => s * inQ!.Scale).ToArray();
            bias = t == TensorType.INT16
                ? m.Constant(TensorType.INT64, [cout], new Quant(biasScales, new long[cout]), range: (-30000, 30000))
                : m.Constant(TensorType.INT32, [cout], new Quant(biasScales, new long[cout]), range: (-3000, 3000));
            outQ = OutputQuantFor(r, t, inQ!.Scale * TypicalSteps(t) * weightScales.Average() * 64 * Math.Sqrt(kh * kw * (depthwise ? 1 : cin)));
        }
        int output = m.Output(t, [1, oh, ow, cout], outQ);
        var activation = RandomActivation(r);
        var options = depthwise
            ? BuiltinOptionsUnion.FromDepthwiseConv2DOptions(new DepthwiseConv2DOptionsT
            {
                Padding = padding, StrideH = stride, StrideW = stride, DilationHFactor = dilation, DilationWFactor = dilation,
                DepthMultiplier = multiplier, FusedActivationFunction = activation,
            })
            : BuiltinOptionsUnion.FromConv2DOptions(new Conv2DOptionsT
            {
                Padding = padding, StrideH = stride, StrideW = stride, DilationHFactor = dilation, DilationWFactor = dilation,
                FusedActivationFunction = activation,
            });
        return m.Build(depthwise ? BuiltinOperator.DEPTHWISE_CONV_2D : BuiltinOperator.CONV_2D, [input, filter, bias], output, options);
    }

    private static (Model, TensorData[]) FullyConnected(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        int batch = r.Next(1, 4), k = r.Next(1, 40), units = r.Next(1, 12);
        var inQ = RandomQuant(r, t);
        int input = m.Input(t, [batch, k], inQ);
        int weights, bias;
        Quant? outQ = null;
        if (t == TensorType.FLOAT32)
        {
            weights = m.Constant(TensorType.FLOAT32, [units, k], range: (-1, 1));
            bias = m.Constant(TensorType.FLOAT32, [units], range: (-1, 1));
        }
        else
        {
            double weightScale = Uniform(r, 0.002, 0.02);
            weights = m.Constant(TensorType.INT8, [units, k], Quant.Of(weightScale, 0), range: (-127, 127));
            var biasQ = Quant.Of(weightScale * inQ!.Scale, 0);
            bias = t == TensorType.INT16
                ? m.Constant(TensorType.INT64, [units], biasQ, range: (-30000, 30000))
                : m.Constant(TensorType.INT32, [units], biasQ, range: (-3000, 3000));
            outQ = OutputQuantFor(r, t, inQ.Scale * TypicalSteps(t) * weightScale * 64 * Math.Sqrt(k));
        }
        int output = m.Output(t, [batch, units], outQ);
        return m.Build(BuiltinOperator.FULLY_CONNECTED, [input, weights, bias], output,
            BuiltinOptionsUnion.FromFullyConnectedOptions(new FullyConnectedOptionsT { FusedActivationFunction = RandomActivation(r) }));
    }

    private static (Model, TensorData[]) Pool(Random r, TensorType t, BuiltinOperator op)
    {
        var m = new SingleOpModels(r);
        int h = r.Next(1, 10), w = r.Next(1, 10), c = r.Next(1, 5), fh = r.Next(1, 4), fw = r.Next(1, 4), stride = r.Next(1, 3);
        var padding = r.Next(2) == 0 ? Padding.SAME : Padding.VALID;
        if (OutputSize(padding, h, fh, stride) < 1 || OutputSize(padding, w, fw, stride) < 1) padding = Padding.SAME;
        // Pooling keeps the input's quantization.
        var q = RandomQuant(r, t);
        int input = m.Input(t, [1, h, w, c], q);
        int output = m.Output(t, [1, OutputSize(padding, h, fh, stride), OutputSize(padding, w, fw, stride), c], q);
        return m.Build(op, [input], output, BuiltinOptionsUnion.FromPool2DOptions(new Pool2DOptionsT
        {
            Padding = padding, StrideH = stride, StrideW = stride, FilterHeight = fh, FilterWidth = fw,
            FusedActivationFunction = r.Next(2) == 0 ? ActivationFunctionType.NONE : ActivationFunctionType.RELU6,
        }));
    }

    /// <summary>Random shapes that broadcast: the second operand drops leading dimensions or has size-1 ones.</summary>
    internal static (int[] A, int[] B, int[] Out) BroadcastShapes(Random r)
    {
        int rank = r.Next(1, 5);
        var a = Enumerable.Range(0, rank).Select(_ => r.Next(1, 5)).ToArray();
        var b = a.Skip(r.Next(0, rank)).Select(d => r.Next(3) == 0 ? 1 : d).ToArray();
        if (b.Length == 0) b = [1];
        if (r.Next(2) == 0) (a, b) = (b, a);
        int outRank = Math.Max(a.Length, b.Length);
        var o = new int[outRank];
        for (int i = 0; i < outRank; i++)
        {
            int da = i - (outRank - a.Length) >= 0 ? a[i - (outRank - a.Length)] : 1;
            int db = i - (outRank - b.Length) >= 0 ? b[i - (outRank - b.Length)] : 1;
            o[i] = Math.Max(da, db);
        }
        return (a, b, o);
    }

    private static (Model, TensorData[]) Binary(Random r, TensorType t, BuiltinOperator op, bool sameQuant = false)
    {
        var m = new SingleOpModels(r);
        var (sa, sb, so) = BroadcastShapes(r);
        var qa = RandomQuant(r, t);
        var qb = sameQuant ? qa : RandomQuant(r, t);
        // Divisors stay away from 0, where the quotient is unbounded.
        int a = m.Input(t, sa, qa);
        int b = op == BuiltinOperator.DIV ? m.Input(t, sb, qb, range: (0.5, 2)) : m.Input(t, sb, qb);
        var qo = sameQuant || t == TensorType.FLOAT32 ? qa
            : op == BuiltinOperator.MUL ? OutputQuantFor(r, t, qa!.Scale * qb!.Scale * TypicalSteps(t) * TypicalSteps(t))
            : OutputQuantFor(r, t, (qa!.Scale + qb!.Scale) * TypicalSteps(t));
        int output = m.Output(t, so, qo);
        var activation = sameQuant ? ActivationFunctionType.NONE : RandomActivation(r);
        BuiltinOptionsUnion? options = op switch
        {
            BuiltinOperator.ADD => BuiltinOptionsUnion.FromAddOptions(new AddOptionsT { FusedActivationFunction = activation }),
            BuiltinOperator.MUL => BuiltinOptionsUnion.FromMulOptions(new MulOptionsT { FusedActivationFunction = activation }),
            BuiltinOperator.SUB => BuiltinOptionsUnion.FromSubOptions(new SubOptionsT { FusedActivationFunction = activation }),
            BuiltinOperator.DIV => BuiltinOptionsUnion.FromDivOptions(new DivOptionsT { FusedActivationFunction = activation }),
            _ => null,
        };
        return m.Build(op, [a, b], output, options);
    }

    private static (Model, TensorData[]) Unary(Random r, TensorType t, BuiltinOperator op, Quant? fixedOutput)
    {
        var m = new SingleOpModels(r);
        var shape = Enumerable.Range(0, r.Next(1, 5)).Select(_ => r.Next(1, 6)).ToArray();
        // int16: symmetric, steps of ~2^-12 (inputs within about ±8, where LOGISTIC and TANH still change).
        var q = t == TensorType.FLOAT32 ? null : t == TensorType.INT16 ? Quant.Of(Uniform(r, 1.5e-4, 3e-4), 0) : Quant.Of(Uniform(r, 0.01, 0.08), r.Next(-40, 41));
        int input = m.Input(t, shape, q, t == TensorType.FLOAT32 ? (-8, 8) : null);
        // RELU requantizes to its own output scale; TFLM's RELU6 clamps stored values and so keeps the input's quantization.
        var outQ = t == TensorType.FLOAT32 ? null
            : op == BuiltinOperator.RELU ? RandomQuant(r, t)
            : op == BuiltinOperator.RELU6 ? q
            : fixedOutput;
        int output = m.Output(t, shape, outQ);
        return m.Build(op, [input], output);
    }

    private static int[] RandomShape(Random r, int maxRank = 4, int maxDim = 5) =>
        Enumerable.Range(0, r.Next(1, maxRank + 1)).Select(_ => r.Next(1, maxDim + 1)).ToArray();

    private static (Model, TensorData[]) LeakyRelu(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r);
        int input = m.Input(t, shape, RandomQuant(r, t));
        int output = m.Output(t, shape, RandomQuant(r, t));
        return m.Build(BuiltinOperator.LEAKY_RELU, [input], output,
            BuiltinOptionsUnion.FromLeakyReluOptions(new LeakyReluOptionsT { Alpha = (float)Uniform(r, 0.01, 0.5) }));
    }

    /// <summary>PAD, or PADV2 with a constant pad value of the input's type and quantization.</summary>
    private static (Model, TensorData[]) Pad(Random r, TensorType t, bool withValue = false)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r);
        var q = RandomQuant(r, t);
        int input = m.Input(t, shape, q);
        var paddings = shape.SelectMany(_ => new[] { r.Next(0, 3), r.Next(0, 3) }).ToArray();
        int pads = m.Constant(TensorType.INT32, [shape.Length, 2], paddings);
        var outShape = shape.Select((d, i) => d + paddings[2 * i] + paddings[2 * i + 1]).ToArray();
        // Padding writes the output's zero point: in and out share their quantization.
        int output = m.Output(t, outShape, q);
        if (!withValue)
            return m.Build(BuiltinOperator.PAD, [input, pads], output);
        int value = m.Constant(t, [1], q);
        return m.Build(BuiltinOperator.PADV2, [input, pads, value], output);
    }

    /// <summary>
    /// TRANSPOSE_CONV: input [1, H, W, IC], weights [OC, KH, KW, IC] (int8 per output channel when quantized), an
    /// optional bias, SAME (H·stride) or VALID ((H − 1)·stride + KH) output.
    /// </summary>
    private static (Model, TensorData[]) TransposeConv(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        int h = r.Next(1, 7), w = r.Next(1, 7), cin = r.Next(1, 6), cout = r.Next(1, 6);
        int kh = r.Next(1, 4), kw = r.Next(1, 4), stride = r.Next(1, 3);
        var padding = r.Next(2) == 0 ? Padding.SAME : Padding.VALID;
        int oh = padding == Padding.SAME ? h * stride : (h - 1) * stride + kh;
        int ow = padding == Padding.SAME ? w * stride : (w - 1) * stride + kw;
        int outputShape = m.Constant(TensorType.INT32, [4], new[] { 1, oh, ow, cout });
        var inQ = RandomQuant(r, t);
        int input = m.Input(t, [1, h, w, cin], inQ);
        int filter, bias;
        Quant? outQ = null;
        bool withBias = r.Next(3) > 0;
        if (t == TensorType.FLOAT32)
        {
            filter = m.Constant(TensorType.FLOAT32, [cout, kh, kw, cin], range: (-1, 1));
            bias = withBias ? m.Constant(TensorType.FLOAT32, [cout], range: (-1, 1)) : -1;
        }
        else
        {
            var weightScales = Enumerable.Range(0, cout).Select(_ => (float)Uniform(r, 0.002, 0.02)).ToArray();
            filter = m.Constant(TensorType.INT8, [cout, kh, kw, cin], new Quant(weightScales, new long[cout], 0), range: (-127, 127));
            var biasScales = weightScales.Select(s => s * inQ!.Scale).ToArray();
            bias = !withBias ? -1 : t == TensorType.INT16
                ? m.Constant(TensorType.INT64, [cout], new Quant(biasScales, new long[cout]), range: (-30000, 30000))
                : m.Constant(TensorType.INT32, [cout], new Quant(biasScales, new long[cout]), range: (-3000, 3000));
            outQ = OutputQuantFor(r, t, inQ!.Scale * TypicalSteps(t) * weightScales.Average() * 64 * Math.Sqrt(kh * kw * cin));
        }
        int output = m.Output(t, [1, oh, ow, cout], outQ);
        var options = BuiltinOptionsUnion.FromTransposeConvOptions(new TransposeConvOptionsT { Padding = padding, StrideH = stride, StrideW = stride });
        return m.Build(BuiltinOperator.TRANSPOSE_CONV, [outputShape, filter, input, bias], output, options);
    }

    /// <summary>CAST between the types TFLM converts, values inside the target's range (out-of-range casts are C's business).</summary>
    private static (Model, TensorData[]) Cast(Random r, TensorType from, TensorType to)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r);
        (double, double) range = from == TensorType.BOOL ? (0, 1) : to == TensorType.INT8 ? (-128, 127) : (-1000, 1000);
        int input = m.Input(from, shape, range: range);
        int output = m.Output(to, shape);
        return m.Build(BuiltinOperator.CAST, [input], output);
    }

    private static (Model, TensorData[]) Transpose(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r, maxRank: 5, maxDim: 4);
        var q = RandomQuant(r, t);
        int input = m.Input(t, shape, q);
        var perm = Enumerable.Range(0, shape.Length).OrderBy(_ => r.Next()).ToArray();
        int permutation = m.Constant(TensorType.INT32, [perm.Length], perm);
        int output = m.Output(t, perm.Select(p => shape[p]).ToArray(), q);
        return m.Build(BuiltinOperator.TRANSPOSE, [input, permutation], output);
    }

    /// <summary>
    /// MEAN, SUM, REDUCE_MAX, REDUCE_MIN or REDUCE_ALL over a global pool's axes or random ones. SUM's output scale
    /// grows with the count; MAX and MIN keep the input's quantization (TFLM compares stored values).
    /// </summary>
    private static (Model, TensorData[]) Reduce(Random r, TensorType t, BuiltinOperator op)
    {
        var m = new SingleOpModels(r);
        var shape = new[] { 1, r.Next(1, 7), r.Next(1, 7), r.Next(1, 6) };
        var q = t == TensorType.BOOL ? null : RandomQuant(r, t);
        int input = m.Input(t, shape, q, t == TensorType.BOOL ? (0, r.Next(3) == 0 ? 0 : 1) : null);
        // The spatial mean of a global pool (mobilenet's), or a random set of axes.
        var axes = r.Next(2) == 0 ? new[] { 1, 2 } : Enumerable.Range(0, 4).Where(_ => r.Next(2) == 0).DefaultIfEmpty(3).ToArray();
        bool keep = r.Next(2) == 0;
        int axis = m.Constant(TensorType.INT32, [axes.Length], axes);
        var outShape = keep ? shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray() : shape.Where((_, i) => !axes.Contains(i)).ToArray();
        int count = shape.Where((_, i) => axes.Contains(i)).Aggregate(1, (n, d) => n * d);
        var outQ = q is null ? null
            : op is BuiltinOperator.REDUCE_MAX or BuiltinOperator.REDUCE_MIN ? q
            : op == BuiltinOperator.SUM ? Quant.Of(q.Scale * Math.Sqrt(count) * Uniform(r, 1.5, 3), t == TensorType.INT16 ? 0 : r.Next(-40, 41))
            : Quant.Of(q.Scale * Uniform(r, 0.7, 1.4), t == TensorType.INT16 ? 0 : r.Next(-40, 41));
        int output = m.Output(t, outShape, outQ);
        return m.Build(op, [input, axis], output,
            BuiltinOptionsUnion.FromReducerOptions(new ReducerOptionsT { KeepDims = keep }));
    }

    private static (Model, TensorData[]) Softmax(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = new[] { r.Next(1, 4), r.Next(1, 20) };
        var q = t == TensorType.FLOAT32 ? null : t == TensorType.INT16 ? Quant.Of(Uniform(r, 1e-4, 4e-4), 0) : Quant.Of(Uniform(r, 0.02, 0.1), r.Next(-40, 41));
        int input = m.Input(t, shape, q);
        // TFLM's int8 softmax writes probabilities with scale 1/256 and zero point −128; its int16 one Q0.15, zero point 0.
        int output = m.Output(t, shape, t switch
        {
            TensorType.FLOAT32 => null,
            TensorType.INT16 => Quant.Of(1.0 / 32768, 0),
            _ => Quant.Of(1.0 / 256, -128),
        });
        return m.Build(BuiltinOperator.SOFTMAX, [input], output,
            BuiltinOptionsUnion.FromSoftmaxOptions(new SoftmaxOptionsT { Beta = (float)Uniform(r, 0.5, 2) }));
    }

    private static (Model, TensorData[]) Concatenation(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        int rank = r.Next(1, 5), axis = r.Next(rank);
        var shape = Enumerable.Range(0, rank).Select(_ => r.Next(1, 5)).ToArray();
        var q = RandomQuant(r, t);
        int parts = r.Next(1, 4), total = 0;
        var inputs = new int[parts];
        for (int p = 0; p < parts; p++)
        {
            var s = (int[])shape.Clone();
            s[axis] = r.Next(1, 4);
            total += s[axis];
            inputs[p] = m.Input(t, s, q);
        }
        var outShape = (int[])shape.Clone();
        outShape[axis] = total;
        int output = m.Output(t, outShape, q);
        return m.Build(BuiltinOperator.CONCATENATION, inputs, output,
            BuiltinOptionsUnion.FromConcatenationOptions(new ConcatenationOptionsT { Axis = r.Next(2) == 0 ? axis : axis - rank }));
    }

    private static (Model, TensorData[]) StridedSlice(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        int rank = r.Next(1, 5);
        var shape = Enumerable.Range(0, rank).Select(_ => r.Next(1, 7)).ToArray();
        var q = RandomQuant(r, t);
        int input = m.Input(t, shape, q);
        var begin = new int[rank];
        var end = new int[rank];
        var strides = new int[rank];
        var outShape = new List<int>();
        for (int d = 0; d < rank; d++)
        {
            int n = shape[d];
            strides[d] = r.Next(2) == 0 ? r.Next(1, 3) : -r.Next(1, 3);
            int a = r.Next(n), b = r.Next(n);
            (begin[d], end[d]) = strides[d] > 0 ? (Math.Min(a, b), Math.Max(a, b) + 1) : (Math.Max(a, b), Math.Min(a, b) - 1);
            // Negative indices count from the end; -1 as an end would mean the last element, so keep it as is only for begin.
            if (r.Next(3) == 0) begin[d] -= n;
            int count = strides[d] > 0 ? (end[d] - (begin[d] < 0 ? begin[d] + n : begin[d]) + strides[d] - 1) / strides[d]
                                       : ((begin[d] < 0 ? begin[d] + n : begin[d]) - end[d] - strides[d] - 1) / -strides[d];
            outShape.Add(count);
        }
        int bi = m.Constant(TensorType.INT32, [rank], begin);
        // A negative-stride end of −1 means "past the first element": TFLite reads −1 as the last, so mask it instead.
        int endMask = 0;
        for (int d = 0; d < rank; d++) if (end[d] < 0) { endMask |= 1 << d; end[d] = 0; }
        int ei = m.Constant(TensorType.INT32, [rank], end);
        int si = m.Constant(TensorType.INT32, [rank], strides);
        int output = m.Output(t, [.. outShape], q);
        return m.Build(BuiltinOperator.STRIDED_SLICE, [input, bi, ei, si], output,
            BuiltinOptionsUnion.FromStridedSliceOptions(new StridedSliceOptionsT { EndMask = endMask }));
    }

    private static (Model, TensorData[]) Reshape(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        int a = r.Next(1, 6), b = r.Next(1, 6), c = r.Next(1, 4);
        var q = RandomQuant(r, t);
        int input = m.Input(t, [a, b, c], q);
        int[] target = r.Next(2) == 0 ? [a * b, c] : [c, a * b];
        int shape = m.Constant(TensorType.INT32, [2], target);
        int output = m.Output(t, target, q);
        return m.Build(BuiltinOperator.RESHAPE, [input, shape], output);
    }

    private static (Model, TensorData[]) Quantize(Random r, TensorType from, TensorType to)
    {
        var m = new SingleOpModels(r);
        var shape = new[] { r.Next(1, 5), r.Next(1, 9) };
        var inQ = from == TensorType.FLOAT32 ? null : RandomQuant(r, from);
        int input = m.Input(from, shape, inQ, from switch { TensorType.FLOAT32 => (-1.5, 1.5), TensorType.INT16 => (-8000, 8000), _ => null });
        // Requantizing keeps the real range roughly the same: the output scale is near the input's (its range, for int16).
        double outScale = inQ is null ? Uniform(r, 0.005, 0.02) : inQ.Scale * (from == TensorType.INT16 ? 64 : 1) * Uniform(r, 0.6, 1.6);
        int output = m.Output(to, shape, Quant.Of(outScale, r.Next(-20, 21)));
        return m.Build(BuiltinOperator.QUANTIZE, [input], output);
    }

    private static (Model, TensorData[]) Dequantize(Random r, TensorType from)
    {
        var m = new SingleOpModels(r);
        var shape = new[] { r.Next(1, 5), r.Next(1, 9) };
        int input = m.Input(from, shape, RandomQuant(r, from));
        int output = m.Output(TensorType.FLOAT32, shape);
        return m.Build(BuiltinOperator.DEQUANTIZE, [input], output);
    }
}
