using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Workbench.Tensors;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Oracle.Tests.Operators;

/// <summary>
/// Random single-op models for the data-movement operators (shapes, slices, splits, packs, gathers,
/// fills, broadcasts, space/depth/batch moves, mirror pads, reverses, updates, lookups) and for CUMSUM
/// and ARG_MAX/MIN, in every type TFLM's kernel takes. Moves are exact: allowed error 0.
/// </summary>
public static class ShapeCases
{
    private static readonly TensorType F32 = TensorType.FLOAT32, I8 = TensorType.INT8, U8 = TensorType.UINT8, I16 = TensorType.INT16,
        I32 = TensorType.INT32, I64 = TensorType.INT64, Bool = TensorType.BOOL;

    public static void Add(List<OperatorCase> cases)
    {
        void Add(string op, TensorType[] types, Func<Random, TensorType, (Model, TensorData[])> make, double allowed = 0)
        {
            foreach (var t in types) cases.Add(new(op, TensorTypes.Name(t), r => make(r, t), allowed));
        }

        Add("SHAPE", [I32], (r, _) => Shape(r));
        Add("SQUEEZE", [F32, I8, U8, I16, I32, I64, Bool], Squeeze);
        Add("EXPAND_DIMS", [F32, I8, I16], ExpandDims);
        Add("SLICE", [F32, I8, I16, I32, Bool], Slice);
        Add("SPLIT", [F32, I8, I16, I32], (r, t) => Split(r, t, variable: false));
        Add("SPLIT_V", [F32, I8, I16, I32], (r, t) => Split(r, t, variable: true));
        Add("PACK", [F32, I8, I16, I32, I64], Pack);
        Add("UNPACK", [F32, I8, I16, I32], Unpack);
        Add("GATHER", [F32, I8], Gather);
        Add("GATHER_ND", [F32, I8], GatherNd);
        Add("DEPTH_TO_SPACE", [F32, I8], (r, t) => SpaceDepth(r, t, toSpace: true));
        Add("SPACE_TO_DEPTH", [F32, I8], (r, t) => SpaceDepth(r, t, toSpace: false));
        Add("ARG_MAX", [F32, I8], (r, t) => ArgMinMax(r, t, BuiltinOperator.ARG_MAX));
        Add("ARG_MIN", [F32, I8], (r, t) => ArgMinMax(r, t, BuiltinOperator.ARG_MIN));
        Add("BATCH_TO_SPACE_ND", [F32, I8], BatchToSpace);
        Add("SPACE_TO_BATCH_ND", [F32, I8], SpaceToBatch);
        foreach (var mode in new[] { MirrorPadMode.REFLECT, MirrorPadMode.SYMMETRIC })
            foreach (var t in new[] { F32, I8 })
                cases.Add(new("MIRROR_PAD", $"{TensorTypes.Name(t)} {mode}", r => MirrorPad(r, t, mode), 0));
        Add("FILL", [F32, I32, I8], Fill);
        Add("BROADCAST_TO", [F32, I8, U8, I16, I32, I64, Bool], BroadcastTo);
        Add("BROADCAST_ARGS", [I32, I64], (r, t) => BroadcastArgs(r, t));
        Add("REVERSE_V2", [F32, I8, U8, I16, I32, I64, Bool], Reverse);
        Add("DYNAMIC_UPDATE_SLICE", [F32, I8, I16, I32], DynamicUpdateSlice);
        Add("EMBEDDING_LOOKUP", [F32, I8], (r, t) => EmbeddingLookup(r, t, t));
        cases.Add(new("EMBEDDING_LOOKUP", "int8→float32", r => EmbeddingLookup(r, I8, F32), 0));
        Add("CUMSUM", [F32], CumSum, OperatorCases.FloatTolerance);
        Add("CUMSUM", [I8], CumSum, 1);
    }

    private static double Uniform(Random r, double low, double high) => low + r.NextDouble() * (high - low);

    /// <summary>Moves keep their input's quantization: in and out share it, so the values survive exactly.</summary>
    private static Quant? MoveQuant(Random r, TensorType t) => t switch
    {
        TensorType.INT8 => Quant.Of(Uniform(r, 0.005, 0.05), r.Next(-40, 41)),
        TensorType.INT16 => Quant.Of(Uniform(r, 2e-5, 2e-4), 0),
        _ => null,
    };

    private static int[] RandomShape(Random r, int minRank = 1, int maxRank = 4, int maxDim = 5) =>
        Enumerable.Range(0, r.Next(minRank, maxRank + 1)).Select(_ => r.Next(1, maxDim + 1)).ToArray();

    private static (Model, TensorData[]) Shape(Random r)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r, maxRank: 5);
        var type = new[] { F32, I8, I32 }[r.Next(3)];
        int input = m.Input(type, shape, MoveQuant(r, type));
        int output = m.Output(I32, [shape.Length]);
        return m.Build(BuiltinOperator.SHAPE, [input], output,
            BuiltinOptionsUnion.FromShapeOptions(new ShapeOptionsT { OutType = I32 }));
    }

    private static (Model, TensorData[]) Squeeze(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        // Some size-1 dimensions to drop; list them, or none (drop all).
        var shape = Enumerable.Range(0, r.Next(1, 6)).Select(_ => r.Next(3) == 0 ? 1 : r.Next(1, 5)).ToArray();
        var ones = Enumerable.Range(0, shape.Length).Where(i => shape[i] == 1).ToList();
        var listed = r.Next(2) == 0 ? [] : ones.Where(_ => r.Next(2) == 0).ToList();
        var dropped = listed.Count == 0 ? ones : listed;
        var q = MoveQuant(r, t);
        int input = m.Input(t, shape, q);
        int output = m.Output(t, shape.Where((_, i) => !dropped.Contains(i)).ToArray(), q);
        var written = listed.Select(a => r.Next(2) == 0 ? a : a - shape.Length).ToList();
        return m.Build(BuiltinOperator.SQUEEZE, [input], output,
            BuiltinOptionsUnion.FromSqueezeOptions(new SqueezeOptionsT { SqueezeDims = written }));
    }

    private static (Model, TensorData[]) ExpandDims(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r);
        int axis = r.Next(0, shape.Length + 1);
        var q = MoveQuant(r, t);
        int input = m.Input(t, shape, q);
        int axisTensor = m.Constant(I32, [1], new[] { r.Next(2) == 0 ? axis : axis - shape.Length - 1 });
        var outShape = shape.ToList();
        outShape.Insert(axis, 1);
        int output = m.Output(t, [.. outShape], q);
        return m.Build(BuiltinOperator.EXPAND_DIMS, [input, axisTensor], output);
    }

    private static (Model, TensorData[]) Slice(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r, maxRank: 5);
        var begin = shape.Select(d => r.Next(d)).ToArray();
        var size = shape.Select((d, i) => r.Next(4) == 0 ? -1 : r.Next(1, d - begin[i] + 1)).ToArray();
        var q = MoveQuant(r, t);
        int input = m.Input(t, shape, q);
        bool wide = r.Next(2) == 0;
        int b = wide ? m.Constant(I64, [shape.Length], begin.Select(v => (long)v).ToArray()) : m.Constant(I32, [shape.Length], begin);
        int s = wide ? m.Constant(I64, [shape.Length], size.Select(v => (long)v).ToArray()) : m.Constant(I32, [shape.Length], size);
        int output = m.Output(t, shape.Select((d, i) => size[i] == -1 ? d - begin[i] : size[i]).ToArray(), q);
        return m.Build(BuiltinOperator.SLICE, [input, b, s], output);
    }

    private static (Model, TensorData[]) Split(Random r, TensorType t, bool variable)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r);
        int axis = r.Next(shape.Length), parts = r.Next(1, 4);
        int[] extents;
        if (variable)
        {
            extents = Enumerable.Range(0, parts).Select(_ => r.Next(1, 4)).ToArray();
        }
        else
        {
            int each = r.Next(1, 4);
            extents = Enumerable.Repeat(each, parts).ToArray();
        }
        shape[axis] = extents.Sum();
        var q = MoveQuant(r, t);
        int input = m.Input(t, shape, q);
        int axisTensor = m.Constant(I32, [1], new[] { r.Next(2) == 0 ? axis : axis - shape.Length });
        var outputs = extents.Select(e =>
        {
            var s = (int[])shape.Clone();
            s[axis] = e;
            return m.Output(t, s, q);
        }).ToArray();
        if (!variable)
            return m.Build(BuiltinOperator.SPLIT, [axisTensor, input], outputs,
                BuiltinOptionsUnion.FromSplitOptions(new SplitOptionsT { NumSplits = parts }));
        // One size may be written as −1: the rest.
        var sizes = extents.ToArray();
        if (r.Next(2) == 0) sizes[r.Next(parts)] = -1;
        int sizeTensor = m.Constant(I32, [parts], sizes);
        return m.Build(BuiltinOperator.SPLIT_V, [input, sizeTensor, axisTensor], outputs,
            BuiltinOptionsUnion.FromSplitVOptions(new SplitVOptionsT { NumSplits = parts }));
    }

    private static (Model, TensorData[]) Pack(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r, maxRank: 3);
        int count = r.Next(1, 4), axis = r.Next(shape.Length + 1);
        var q = MoveQuant(r, t);
        var inputs = Enumerable.Range(0, count).Select(_ => m.Input(t, shape, q)).ToArray();
        var outShape = shape.ToList();
        outShape.Insert(axis, count);
        int output = m.Output(t, [.. outShape], q);
        return m.Build(BuiltinOperator.PACK, inputs, output, BuiltinOptionsUnion.FromPackOptions(new PackOptionsT
        {
            ValuesCount = count, Axis = r.Next(2) == 0 ? axis : axis - outShape.Count,
        }));
    }

    private static (Model, TensorData[]) Unpack(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r, maxDim: 4);
        int axis = r.Next(shape.Length);
        var q = MoveQuant(r, t);
        int input = m.Input(t, shape, q);
        var outShape = shape.Where((_, i) => i != axis).ToArray();
        var outputs = Enumerable.Range(0, shape[axis]).Select(_ => m.Output(t, outShape, q)).ToArray();
        return m.Build(BuiltinOperator.UNPACK, [input], outputs, BuiltinOptionsUnion.FromUnpackOptions(new UnpackOptionsT
        {
            Num = shape[axis], Axis = r.Next(2) == 0 ? axis : axis - shape.Length,
        }));
    }

    private static (Model, TensorData[]) Gather(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r);
        int axis = r.Next(shape.Length);
        int batchDims = r.Next(Math.Min(axis, 2) + 1);
        var indexShape = shape.Take(batchDims).Concat(RandomShape(r, minRank: 0, maxRank: 2, maxDim: 4)).ToArray();
        var q = MoveQuant(r, t);
        int input = m.Input(t, shape, q);
        int count = indexShape.Aggregate(1, (a, b) => a * b);
        // Constant indices, or runtime ones drawn inside the axis.
        int indices = r.Next(2) == 0
            ? m.Constant(I32, indexShape, Enumerable.Range(0, count).Select(_ => r.Next(shape[axis])).ToArray())
            : m.Input(I32, indexShape, range: (0, shape[axis] - 1));
        var outShape = shape.Take(axis).Concat(indexShape.Skip(batchDims)).Concat(shape.Skip(axis + 1)).ToArray();
        int output = m.Output(t, outShape, q);
        return m.Build(BuiltinOperator.GATHER, [input, indices], output, BuiltinOptionsUnion.FromGatherOptions(new GatherOptionsT
        {
            Axis = r.Next(2) == 0 ? axis : axis - shape.Length, BatchDims = batchDims,
        }));
    }

    private static (Model, TensorData[]) GatherNd(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r);
        int depth = r.Next(1, shape.Length + 1);
        var lead = RandomShape(r, minRank: 1, maxRank: 2, maxDim: 4);
        var q = MoveQuant(r, t);
        int input = m.Input(t, shape, q);
        int vectors = lead.Aggregate(1, (a, b) => a * b);
        var values = new int[vectors * depth];
        for (int i = 0; i < vectors; i++)
            for (int j = 0; j < depth; j++) values[i * depth + j] = r.Next(shape[j]);
        int indices = m.Constant(I32, [.. lead, depth], values);
        int output = m.Output(t, lead.Concat(shape.Skip(depth)).ToArray(), q);
        return m.Build(BuiltinOperator.GATHER_ND, [input, indices], output);
    }

    private static (Model, TensorData[]) SpaceDepth(Random r, TensorType t, bool toSpace)
    {
        var m = new SingleOpModels(r);
        int block = r.Next(1, 4), n = r.Next(1, 3), h = r.Next(1, 4), w = r.Next(1, 4), c = r.Next(1, 4);
        var q = MoveQuant(r, t);
        int[] inShape = toSpace ? [n, h, w, c * block * block] : [n, h * block, w * block, c];
        int[] outShape = toSpace ? [n, h * block, w * block, c] : [n, h, w, c * block * block];
        int input = m.Input(t, inShape, q);
        int output = m.Output(t, outShape, q);
        return toSpace
            ? m.Build(BuiltinOperator.DEPTH_TO_SPACE, [input], output, BuiltinOptionsUnion.FromDepthToSpaceOptions(new DepthToSpaceOptionsT { BlockSize = block }))
            : m.Build(BuiltinOperator.SPACE_TO_DEPTH, [input], output, BuiltinOptionsUnion.FromSpaceToDepthOptions(new SpaceToDepthOptionsT { BlockSize = block }));
    }

    private static (Model, TensorData[]) ArgMinMax(Random r, TensorType t, BuiltinOperator op)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r);
        int axis = r.Next(shape.Length);
        int input = m.Input(t, shape, MoveQuant(r, t));
        int axisTensor = m.Constant(I32, [1], new[] { r.Next(2) == 0 ? axis : axis - shape.Length });
        int output = m.Output(I32, shape.Where((_, i) => i != axis).ToArray());
        return op == BuiltinOperator.ARG_MAX
            ? m.Build(op, [input, axisTensor], output, BuiltinOptionsUnion.FromArgMaxOptions(new ArgMaxOptionsT { OutputType = I32 }))
            : m.Build(op, [input, axisTensor], output, BuiltinOptionsUnion.FromArgMinOptions(new ArgMinOptionsT { OutputType = I32 }));
    }

    private static (Model, TensorData[]) BatchToSpace(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        bool four = r.Next(3) != 0;
        int bh = r.Next(1, 4), bw = four ? r.Next(1, 4) : 1, n = r.Next(1, 3), h = r.Next(1, 4), w = four ? r.Next(1, 4) : 1, c = r.Next(1, 4);
        int top = r.Next(0, bh), bottom = r.Next(0, Math.Min(bh, h * bh - top)), left = four ? r.Next(0, bw) : 0, right = four ? r.Next(0, Math.Min(bw, w * bw - left)) : 0;
        var q = MoveQuant(r, t);
        int input = m.Input(t, four ? [n * bh * bw, h, w, c] : [n * bh, h, c], q);
        int block = m.Constant(I32, [four ? 2 : 1], four ? new[] { bh, bw } : new[] { bh });
        int crops = m.Constant(I32, [four ? 2 : 1, 2], four ? new[] { top, bottom, left, right } : new[] { top, bottom });
        int output = m.Output(t, four ? [n, h * bh - top - bottom, w * bw - left - right, c] : [n, h * bh - top - bottom, c], q);
        return m.Build(BuiltinOperator.BATCH_TO_SPACE_ND, [input, block, crops], output);
    }

    private static (Model, TensorData[]) SpaceToBatch(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        bool four = r.Next(3) != 0;
        int bh = r.Next(1, 4), bw = four ? r.Next(1, 4) : 1, n = r.Next(1, 3), c = r.Next(1, 4);
        int oh = r.Next(1, 4), ow = four ? r.Next(1, 4) : 1;
        // Padded extents are whole blocks; the padding before is at most a block.
        int top = r.Next(0, bh), left = four ? r.Next(0, bw) : 0;
        int h = r.Next(1, oh * bh - top + 1), w = four ? r.Next(1, ow * bw - left + 1) : 1;
        int bottom = oh * bh - top - h, right = four ? ow * bw - left - w : 0;
        // TFLM pads with stored 0 (not the zero point): a zero point of 0 makes that real 0, as torch pads.
        var q = t == I8 ? Quant.Of(Uniform(r, 0.005, 0.05), 0) : null;
        int input = m.Input(t, four ? [n, h, w, c] : [n, h, c], q);
        int block = m.Constant(I32, [four ? 2 : 1], four ? new[] { bh, bw } : new[] { bh });
        int pads = m.Constant(I32, [four ? 2 : 1, 2], four ? new[] { top, bottom, left, right } : new[] { top, bottom });
        int output = m.Output(t, four ? [n * bh * bw, oh, ow, c] : [n * bh, oh, c], q);
        return m.Build(BuiltinOperator.SPACE_TO_BATCH_ND, [input, block, pads], output);
    }

    private static (Model, TensorData[]) MirrorPad(Random r, TensorType t, MirrorPadMode mode)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r);
        int reach = mode == MirrorPadMode.REFLECT ? 1 : 0;
        var pads = shape.SelectMany(d => new[] { r.Next(0, d - reach + 1), r.Next(0, d - reach + 1) }).ToArray();
        var q = MoveQuant(r, t);
        int input = m.Input(t, shape, q);
        bool wide = r.Next(2) == 0;
        int paddings = wide ? m.Constant(I64, [shape.Length, 2], pads.Select(p => (long)p).ToArray()) : m.Constant(I32, [shape.Length, 2], pads);
        int output = m.Output(t, shape.Select((d, i) => d + pads[2 * i] + pads[2 * i + 1]).ToArray(), q);
        return m.Build(BuiltinOperator.MIRROR_PAD, [input, paddings], output,
            BuiltinOptionsUnion.FromMirrorPadOptions(new MirrorPadOptionsT { Mode = mode }));
    }

    private static (Model, TensorData[]) Fill(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r);
        var q = MoveQuant(r, t);
        var dimsType = new[] { I8, I16, I32, I64 }[r.Next(4)];
        int dims = dimsType switch
        {
            TensorType.INT8 => m.Constant(dimsType, [shape.Length], shape.Select(d => (sbyte)d).ToArray()),
            TensorType.INT16 => m.Constant(dimsType, [shape.Length], shape.Select(d => (short)d).ToArray()),
            TensorType.INT64 => m.Constant(dimsType, [shape.Length], shape.Select(d => (long)d).ToArray()),
            _ => m.Constant(dimsType, [shape.Length], shape),
        };
        int value = m.Input(t, [], q);
        int output = m.Output(t, shape, q);
        return m.Build(BuiltinOperator.FILL, [dims, value], output);
    }

    private static (Model, TensorData[]) BroadcastTo(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var outShape = RandomShape(r, maxRank: 5, maxDim: 4);
        var inShape = outShape.Skip(r.Next(outShape.Length)).Select(d => r.Next(2) == 0 ? 1 : d).ToArray();
        var q = MoveQuant(r, t);
        int input = m.Input(t, inShape, q);
        int shape = r.Next(2) == 0 ? m.Constant(I32, [outShape.Length], outShape) : m.Constant(I64, [outShape.Length], outShape.Select(d => (long)d).ToArray());
        int output = m.Output(t, outShape, q);
        return m.Build(BuiltinOperator.BROADCAST_TO, [input, shape], output);
    }

    private static (Model, TensorData[]) BroadcastArgs(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var full = RandomShape(r, maxRank: 5, maxDim: 6);
        var a = full.Skip(r.Next(full.Length)).Select(d => r.Next(3) == 0 ? 1 : d).ToArray();
        var b = full.Skip(r.Next(full.Length)).Select(d => r.Next(3) == 0 ? 1 : d).ToArray();
        int Shape(int[] s) => t == I64 ? m.Constant(I64, [s.Length], s.Select(d => (long)d).ToArray()) : m.Constant(I32, [s.Length], s);
        int x = Shape(a), y = Shape(b);
        int output = m.Output(t, [Math.Max(a.Length, b.Length)]);
        return m.Build(BuiltinOperator.BROADCAST_ARGS, [x, y], output);
    }

    private static (Model, TensorData[]) Reverse(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r, maxRank: 5, maxDim: 4);
        // TFLM reverses one contiguous run of axes.
        int first = r.Next(shape.Length), count = r.Next(1, shape.Length - first + 1);
        var axes = Enumerable.Range(first, count).Select(a => r.Next(2) == 0 ? a : a - shape.Length).OrderBy(_ => r.Next()).ToArray();
        var q = MoveQuant(r, t);
        int input = m.Input(t, shape, q);
        int axis = m.Constant(I32, [axes.Length], axes);
        int output = m.Output(t, shape, q);
        return m.Build(BuiltinOperator.REVERSE_V2, [input, axis], output);
    }

    private static (Model, TensorData[]) DynamicUpdateSlice(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r);
        var updateShape = shape.Select(d => r.Next(1, d + 1)).ToArray();
        var q = MoveQuant(r, t);
        int operand = m.Input(t, shape, q);
        int update = m.Input(t, updateShape, q);
        // Runtime start indices, some past either end: they are clamped.
        int indices = r.Next(2) == 0
            ? m.Input(I32, [shape.Length], range: (-2, 6))
            : m.Input(I64, [shape.Length], range: (-2, 6));
        int output = m.Output(t, shape, q);
        return m.Build(BuiltinOperator.DYNAMIC_UPDATE_SLICE, [operand, update, indices], output);
    }

    private static (Model, TensorData[]) EmbeddingLookup(Random r, TensorType valueType, TensorType outputType)
    {
        var m = new SingleOpModels(r);
        int rows = r.Next(1, 8);
        var rowShape = RandomShape(r, maxRank: 2);
        int count = r.Next(1, 6);
        int ids = r.Next(2) == 0
            ? m.Input(I32, [count], range: (0, rows - 1))
            : m.Constant(I32, [count], Enumerable.Range(0, count).Select(_ => r.Next(rows)).ToArray());
        // Hybrid tables are symmetric (zero point 0), as TFLM requires.
        var q = valueType == I8 ? Quant.Of(Uniform(r, 0.005, 0.05), outputType == F32 ? 0 : r.Next(-40, 41)) : null;
        int value = m.Constant(valueType, [rows, .. rowShape], q);
        int output = m.Output(outputType, [count, .. rowShape], outputType == I8 ? q : null);
        return m.Build(BuiltinOperator.EMBEDDING_LOOKUP, [ids, value], output);
    }

    private static (Model, TensorData[]) CumSum(Random r, TensorType t)
    {
        var m = new SingleOpModels(r);
        var shape = RandomShape(r);
        int axis = r.Next(shape.Length);
        // TFLM's int8 sum starts from the scaled input offset instead of 0: a zero point of 0 keeps that 0, as torch sums.
        var inQ = t == I8 ? Quant.Of(Uniform(r, 0.005, 0.05), 0) : null;
        var outQ = t == I8 ? Quant.Of(inQ!.Scale * Math.Sqrt(shape[axis]) * Uniform(r, 0.8, 1.5), r.Next(-20, 21)) : null;
        int input = m.Input(t, shape, inQ);
        int axisTensor = m.Constant(I32, [1], new[] { r.Next(2) == 0 ? axis : axis - shape.Length });
        int output = m.Output(t, shape, outQ);
        return m.Build(BuiltinOperator.CUMSUM, [input, axisTensor], output,
            BuiltinOptionsUnion.FromCumsumOptions(new CumsumOptionsT { Exclusive = r.Next(2) == 0, Reverse = r.Next(2) == 0 }));
    }
}
