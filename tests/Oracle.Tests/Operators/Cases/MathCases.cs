using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Tensors;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Oracle.Tests.Operators;

/// <summary>
/// The one-input math functions (float32 against torch's float64, 1e-5 relative; inputs kept in each function's
/// domain), ABS in int8 and int16 (1 LSB of torch requantized), the logical operators, SELECT_V2 and ZEROS_LIKE (exact).
/// </summary>
public static class MathCases
{
    public static void Add(List<OperatorCase> cases)
    {
        foreach (var (op, range) in new (BuiltinOperator, (double, double))[]
                 {
                     (BuiltinOperator.ABS, (-3, 3)), (BuiltinOperator.NEG, (-3, 3)), (BuiltinOperator.SQUARE, (-3, 3)),
                     (BuiltinOperator.SQRT, (0, 9)), (BuiltinOperator.RSQRT, (0.05, 9)), (BuiltinOperator.EXP, (-4, 4)),
                     (BuiltinOperator.LOG, (0.01, 50)), (BuiltinOperator.SIN, (-6, 6)), (BuiltinOperator.COS, (-6, 6)),
                     (BuiltinOperator.CEIL, (-5, 5)), (BuiltinOperator.FLOOR, (-5, 5)), (BuiltinOperator.ROUND, (-5, 5)),
                 })
            cases.Add(new(op.ToString(), "float32", r => Unary(r, op, TensorType.FLOAT32, range), OperatorCases.FloatTolerance));
        cases.Add(new("ABS", "int8", r => Unary(r, BuiltinOperator.ABS, TensorType.INT8, null), 1));
        cases.Add(new("ABS", "int16", r => Unary(r, BuiltinOperator.ABS, TensorType.INT16, null), 1));
        cases.Add(new("LOGICAL_NOT", "bool", r => Unary(r, BuiltinOperator.LOGICAL_NOT, TensorType.BOOL, (0, 1)), 0));
        cases.Add(new("LOGICAL_AND", "bool", r => Logical(r, BuiltinOperator.LOGICAL_AND), 0));
        cases.Add(new("LOGICAL_OR", "bool", r => Logical(r, BuiltinOperator.LOGICAL_OR), 0));
        foreach (var t in new[] { TensorType.FLOAT32, TensorType.INT8, TensorType.INT16 })
            cases.Add(new("SELECT_V2", TensorTypes.Name(t), r => Select(r, t), 0));
        foreach (var t in new[] { TensorType.FLOAT32, TensorType.INT8, TensorType.INT32, TensorType.INT64 })
            cases.Add(new("ZEROS_LIKE", TensorTypes.Name(t), r => ZerosLike(r, t), 0));
        cases.Add(new("HARD_SWISH", "float32", r => HardSwish(r, TensorType.FLOAT32), OperatorCases.FloatTolerance));
        cases.Add(new("HARD_SWISH", "int8", r => HardSwish(r, TensorType.INT8), 1));
        cases.Add(new("PRELU", "float32", r => Prelu(r, TensorType.FLOAT32), OperatorCases.FloatTolerance));
        cases.Add(new("PRELU", "int8", r => Prelu(r, TensorType.INT8), 1));
        foreach (var t in new[] { TensorType.FLOAT32, TensorType.INT32, TensorType.INT8 })
            cases.Add(new("SQUARED_DIFFERENCE", TensorTypes.Name(t), r => SquaredDifference(r, t), t == TensorType.FLOAT32 ? OperatorCases.FloatTolerance : t == TensorType.INT32 ? 0 : 1));
        // TFLM's int16 path rescales both sides with no headroom bits (left shift 0) before squaring, so its own
        // result sits up to 2 LSB from the exact square: the kernel follows TFLM, the bound says so.
        cases.Add(new("SQUARED_DIFFERENCE", "int16", r => SquaredDifference(r, TensorType.INT16), 2));
        cases.Add(new("FLOOR_DIV", "float32", r => FloorDivMod(r, BuiltinOperator.FLOOR_DIV), OperatorCases.FloatTolerance));
        cases.Add(new("FLOOR_MOD", "float32", r => FloorDivMod(r, BuiltinOperator.FLOOR_MOD), OperatorCases.FloatTolerance));
        cases.Add(new("ELU", "float32", r => Unary(r, BuiltinOperator.ELU, TensorType.FLOAT32, (-4, 3)), OperatorCases.FloatTolerance));
        cases.Add(new("ELU", "int8", r => Elu(r), 1));
        cases.Add(new("LOG_SOFTMAX", "float32", r => Unary(r, BuiltinOperator.LOG_SOFTMAX, TensorType.FLOAT32, (-5, 5)), OperatorCases.FloatTolerance));
        cases.Add(new("LOG_SOFTMAX", "int8", r => LogSoftmaxInt8(r), 1));
        cases.Add(new("L2_NORMALIZATION", "float32", r => Unary(r, BuiltinOperator.L2_NORMALIZATION, TensorType.FLOAT32, (-3, 3)), OperatorCases.FloatTolerance));
        cases.Add(new("L2_NORMALIZATION", "int8", r => L2Int8(r), 1));
        cases.Add(new("RSQRT", "int8", r => RsqrtInt8(r), 1));
        cases.Add(new("ADD_N", "float32", r => AddN(r, TensorType.FLOAT32), OperatorCases.FloatTolerance));
        // TFLM's int8 ADD_N seeds its sum with −zero point (a quirk the kernel keeps): exact against torch only at zero point 0.
        cases.Add(new("ADD_N", "int8 (zero point 0)", r => AddN(r, TensorType.INT8), 1));
        cases.Add(new("BATCH_MATMUL", "float32", r => BatchMatMul(r, TensorType.FLOAT32), OperatorCases.FloatTolerance));
        cases.Add(new("BATCH_MATMUL", "int8", r => BatchMatMul(r, TensorType.INT8), 1));
        cases.Add(new("BATCH_MATMUL", "int16", r => BatchMatMul(r, TensorType.INT16), 1));
        foreach (var mode in new[] { "asymmetric", "align_corners", "half_pixel_centers" })
        {
            foreach (var t in new[] { TensorType.FLOAT32, TensorType.INT8, TensorType.INT16 })
                cases.Add(new("RESIZE_NEAREST_NEIGHBOR", $"{TensorTypes.Name(t)} {mode}", r => Resize(r, t, mode, bilinear: false), 0));
            cases.Add(new("RESIZE_BILINEAR", $"float32 {mode}", r => Resize(r, TensorType.FLOAT32, mode, bilinear: true), OperatorCases.FloatTolerance));
            cases.Add(new("RESIZE_BILINEAR", $"int8 {mode}", r => Resize(r, TensorType.INT8, mode, bilinear: true), 1));
        }
    }

    /// <summary>int8 LOG_SOFTMAX: any input quantization, rows up to 64 wide; the output as TFLM fixes it (1/16, zero point 127).</summary>
    private static (Model, TensorData[]) LogSoftmaxInt8(Random r)
    {
        var m = new SingleOpModels(r);
        var shape = Shape(r);
        shape[^1] = r.Next(1, 65);
        int input = m.Input(TensorType.INT8, shape, Quant.Of(0.01 + r.NextDouble() * 0.3, r.Next(-60, 61)));
        return m.Build(BuiltinOperator.LOG_SOFTMAX, [input], m.Output(TensorType.INT8, shape, Quant.Of(1.0 / 16, 127)));
    }

    /// <summary>int8 L2 normalization: any input quantization, output Q0.7 (scale 1/128, zero point 0) as converters write it.</summary>
    private static (Model, TensorData[]) L2Int8(Random r)
    {
        var m = new SingleOpModels(r);
        var shape = Shape(r);
        int input = m.Input(TensorType.INT8, shape, Quant.Of(0.01 + r.NextDouble() * 0.05, r.Next(-20, 21)));
        return m.Build(BuiltinOperator.L2_NORMALIZATION, [input], m.Output(TensorType.INT8, shape, Quant.Of(1.0 / 128, 0)));
    }

    /// <summary>int8 RSQRT of values at or above the zero point (TFLM refuses the others); the output scale fits 1/√(smallest step).</summary>
    private static (Model, TensorData[]) RsqrtInt8(Random r)
    {
        var m = new SingleOpModels(r);
        var shape = Shape(r);
        int zeroPoint = r.Next(-128, -100);
        double scale = 0.01 + r.NextDouble() * 0.05;
        int input = m.Input(TensorType.INT8, shape, Quant.Of(scale, zeroPoint), (zeroPoint + 1, 127));
        return m.Build(BuiltinOperator.RSQRT, [input], m.Output(TensorType.INT8, shape, Quant.Of(1 / Math.Sqrt(scale) / 120, -128)));
    }

    /// <summary>int8 ELU over [−4, 3] in, [−1, 3] out.</summary>
    private static (Model, TensorData[]) Elu(Random r)
    {
        var m = new SingleOpModels(r);
        var shape = Shape(r);
        int input = m.Input(TensorType.INT8, shape, Quant.Of(7.0 / 255, -128 + 146));
        return m.Build(BuiltinOperator.ELU, [input], m.Output(TensorType.INT8, shape, Quant.Of(4.0 / 255, -128 + 64)));
    }

    /// <summary>Batch dimensions of rank 0 to 3, broadcast one side or the other; either side transposed.</summary>
    private static (Model, TensorData[]) BatchMatMul(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        int rows = r.Next(1, 5), inner = r.Next(1, 7), columns = r.Next(1, 5);
        var batch = Enumerable.Range(0, r.Next(0, 4)).Select(_ => r.Next(1, 4)).ToArray();
        int[] Side(bool keep) => batch.Select(b => keep || r.Next(2) == 0 ? b : 1).ToArray();
        bool adjX = r.Next(2) == 0, adjY = r.Next(2) == 0;
        var lb = Side(r.Next(2) == 0);
        var rb = r.Next(3) == 0 ? [] : Side(true);
        int[] lhsShape = [.. lb, adjX ? inner : rows, adjX ? rows : inner];
        int[] rhsShape = [.. rb, adjY ? columns : inner, adjY ? inner : columns];
        int outRank = Math.Max(lhsShape.Length, rhsShape.Length);
        var outBatch = Enumerable.Range(0, outRank - 2).Select(i =>
        {
            int li = i - (outRank - lhsShape.Length), ri = i - (outRank - rhsShape.Length);
            return Math.Max(li >= 0 ? lhsShape[li] : 1, ri >= 0 ? rhsShape[ri] : 1);
        }).ToArray();
        Quant? ql = null, qr = null, qo = null;
        if (t == TensorType.INT8)
        {
            ql = Quant.Of(0.01 + r.NextDouble() * 0.02, r.Next(-20, 21));
            qr = Quant.Of(0.01 + r.NextDouble() * 0.02, r.Next(-20, 21));
            qo = Quant.Of(ql.Scale * qr.Scale * 128 * 128 * Math.Sqrt(inner) / 100, r.Next(-20, 21));
        }
        else if (t == TensorType.INT16)
        {
            ql = Quant.Of(1e-4 + r.NextDouble() * 1e-4, 0);
            qr = Quant.Of(1e-4 + r.NextDouble() * 1e-4, 0);
            qo = Quant.Of(ql.Scale * qr.Scale * 32768 * 32768 * Math.Sqrt(inner) / 25000, 0);
        }
        int lhs = m.Input(t, lhsShape, ql);
        int rhs = m.Input(t, rhsShape, qr);
        var options = BuiltinOptionsUnion.FromBatchMatMulOptions(new BatchMatMulOptionsT { AdjX = adjX, AdjY = adjY });
        return m.Build(BuiltinOperator.BATCH_MATMUL, [lhs, rhs], m.Output(t, [.. outBatch, rows, columns], qo), options);
    }

    private static (Model, TensorData[]) AddN(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = Shape(r);
        int count = r.Next(1, 5);
        var q = t == TensorType.INT8 ? Quant.Of(0.01 + r.NextDouble() * 0.02, 0) : null;
        var inputs = Enumerable.Range(0, count).Select(_ => m.Input(t, shape, q)).ToArray();
        var qo = t == TensorType.INT8 ? Quant.Of(q!.Scale * Math.Sqrt(count) * 1.5, r.Next(-20, 21)) : null;
        return m.Build(BuiltinOperator.ADD_N, inputs, m.Output(t, shape, qo));
    }

    /// <summary>[N, H, W, C] up- or down-sampled to a random size; input and output share their quantization.</summary>
    private static (Model, TensorData[]) Resize(Random r, TensorType t, string mode, bool bilinear)
    {
        var m = new SingleOpModels(r);
        int[] shape = [r.Next(1, 3), r.Next(1, 7), r.Next(1, 7), r.Next(1, 4)];
        int oh = r.Next(1, 10), ow = r.Next(1, 10);
        var q = t switch
        {
            TensorType.INT8 => Quant.Of(0.01 + r.NextDouble() * 0.05, r.Next(-20, 21)),
            TensorType.INT16 => Quant.Of(1e-4 + r.NextDouble() * 1e-4, 0),
            _ => null,
        };
        int input = m.Input(t, shape, q);
        int size = m.Constant(TensorType.INT32, [2], new[] { oh, ow });
        int output = m.Output(t, [shape[0], oh, ow, shape[3]], q);
        bool align = mode == "align_corners", half = mode == "half_pixel_centers";
        var options = bilinear
            ? BuiltinOptionsUnion.FromResizeBilinearOptions(new ResizeBilinearOptionsT { AlignCorners = align, HalfPixelCenters = half })
            : BuiltinOptionsUnion.FromResizeNearestNeighborOptions(new ResizeNearestNeighborOptionsT { AlignCorners = align, HalfPixelCenters = half });
        return m.Build(bilinear ? BuiltinOperator.RESIZE_BILINEAR : BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, [input, size], output, options);
    }

    /// <summary>(x − y)² with broadcasting; int32 operands small enough that the square fits; int8/int16 output scales fitted to the squares.</summary>
    private static (Model, TensorData[]) SquaredDifference(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var (sa, sb, so) = OperatorCases.BroadcastShapes(r);
        Quant? qa = null, qb = null, qo = null;
        if (t == TensorType.INT8)
        {
            qa = Quant.Of(0.01 + r.NextDouble() * 0.02, r.Next(-20, 21));
            qb = Quant.Of(0.01 + r.NextDouble() * 0.02, r.Next(-20, 21));
            qo = Quant.Of(Math.Pow(255 * Math.Max(qa.Scale, qb.Scale), 2) / 255, -128);
        }
        else if (t == TensorType.INT16)
        {
            qa = Quant.Of(1e-4 + r.NextDouble() * 1e-4, 0);
            qb = Quant.Of(1e-4 + r.NextDouble() * 1e-4, 0);
            qo = Quant.Of(Math.Pow(65535 * Math.Max(qa.Scale, qb.Scale), 2) / 32767, 0);
        }
        (double, double)? range = t == TensorType.INT32 ? (-20000, 20000) : null;
        int a = m.Input(t, sa, qa, range);
        int b = m.Input(t, sb, qb, range);
        return m.Build(BuiltinOperator.SQUARED_DIFFERENCE, [a, b], m.Output(t, so, qo));
    }

    /// <summary>Divisors kept away from 0 and of either sign, so the floor and the sign rule both matter.</summary>
    private static (Model, TensorData[]) FloorDivMod(Random r, BuiltinOperator op)
    {
        var m = new SingleOpModels(r);
        var (sa, sb, so) = OperatorCases.BroadcastShapes(r);
        int a = m.Input(TensorType.FLOAT32, sa, range: (-10, 10));
        var divisors = Enumerable.Range(0, sb.Aggregate(1, (n, d) => n * d)).Select(_ => (float)((r.Next(2) == 0 ? -1 : 1) * (0.5 + r.NextDouble() * 3))).ToArray();
        int b = m.Input(TensorType.FLOAT32, sb, System.Runtime.InteropServices.MemoryMarshal.AsBytes(divisors.AsSpan()).ToArray());
        return m.Build(op, [a, b], m.Output(TensorType.FLOAT32, so));
    }

    /// <summary>Inputs over [−5, 5] (both bends of the curve); int8 output scale fitted to [−0.375, 5].</summary>
    private static (Model, TensorData[]) HardSwish(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = Shape(r);
        var qIn = t == TensorType.INT8 ? Quant.Of(10.0 / 255 * (0.8 + 0.4 * r.NextDouble()), r.Next(-10, 11)) : null;
        var qOut = t == TensorType.INT8 ? Quant.Of(5.375 / 255 * (0.9 + 0.3 * r.NextDouble()), -128 + r.Next(15, 25)) : null;
        int input = m.Input(t, shape, qIn, t == TensorType.FLOAT32 ? (-5, 5) : null);
        return m.Build(BuiltinOperator.HARD_SWISH, [input], m.Output(t, shape, qOut));
    }

    /// <summary>Input [1, H, W, C] and one alpha a channel, as converters write PRELU.</summary>
    private static (Model, TensorData[]) Prelu(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        int[] shape = [1, r.Next(1, 5), r.Next(1, 5), r.Next(1, 6)];
        var qIn = t == TensorType.INT8 ? Quant.Of(0.01 + r.NextDouble() * 0.04, r.Next(-20, 21)) : null;
        var qAlpha = t == TensorType.INT8 ? Quant.Of(0.002 + r.NextDouble() * 0.004, r.Next(-10, 11)) : null;
        var qOut = t == TensorType.INT8 ? Quant.Of(0.01 + r.NextDouble() * 0.04, r.Next(-20, 21)) : null;
        int input = m.Input(t, shape, qIn);
        int alpha = m.Constant(t, [1, 1, shape[3]], qAlpha, t == TensorType.FLOAT32 ? (-0.5, 0.5) : null);
        return m.Build(BuiltinOperator.PRELU, [input, alpha], m.Output(t, shape, qOut));
    }

    private static int[] Shape(Random r) => Enumerable.Range(0, r.Next(1, 5)).Select(_ => r.Next(1, 6)).ToArray();

    private static (Model, TensorData[]) Unary(Random r, BuiltinOperator op, TensorType t, (double, double)? range)
    {
        var m = new SingleOpModels(r);
        var shape = Shape(r);
        Quant? qIn = null, qOut = null;
        if (t == TensorType.INT8)
        {
            qIn = Quant.Of(0.005 + r.NextDouble() * 0.05, r.Next(-40, 41));
            qOut = r.Next(2) == 0 ? qIn : Quant.Of(0.005 + r.NextDouble() * 0.05, r.Next(-128, -100));
        }
        else if (t == TensorType.INT16)
        {
            qIn = Quant.Of(2e-5 + r.NextDouble() * 2e-4, 0);
            qOut = r.Next(2) == 0 ? qIn : Quant.Of(2e-5 + r.NextDouble() * 2e-4, 0);
        }
        int input = m.Input(t, shape, qIn, range);
        int output = m.Output(t, shape, qOut);
        return m.Build(op, [input], output);
    }

    private static (Model, TensorData[]) Logical(Random r, BuiltinOperator op)
    {
        var m = new SingleOpModels(r);
        var (sa, sb, so) = OperatorCases.BroadcastShapes(r);
        int a = m.Input(TensorType.BOOL, sa, range: (0, 1));
        int b = m.Input(TensorType.BOOL, sb, range: (0, 1));
        return m.Build(op, [a, b], m.Output(TensorType.BOOL, so));
    }

    /// <summary>Condition, x and y of broadcastable shapes; x, y and the output share one quantization, so a choice is a copy.</summary>
    private static (Model, TensorData[]) Select(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var (sa, sb, so) = OperatorCases.BroadcastShapes(r);
        var q = t switch
        {
            TensorType.INT8 => Quant.Of(0.005 + r.NextDouble() * 0.05, r.Next(-40, 41)),
            TensorType.INT16 => Quant.Of(2e-5 + r.NextDouble() * 2e-4, 0),
            _ => null,
        };
        int condition = m.Input(TensorType.BOOL, r.Next(2) == 0 ? so : sa, range: (0, 1));
        int x = m.Input(t, sa, q);
        int y = m.Input(t, sb, q);
        return m.Build(BuiltinOperator.SELECT_V2, [condition, x, y], m.Output(t, so, q));
    }

    private static (Model, TensorData[]) ZerosLike(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = Shape(r);
        int input = m.Input(t, shape);
        return m.Build(BuiltinOperator.ZEROS_LIKE, [input], m.Output(t, shape));
    }
}
