using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using Padding = TinyMl.Interpreter.Schema.Padding;
using F = TorchSharp.torch.nn.functional;

namespace TinyMl.Oracle.Operators;

/// <summary>Operators that move values without arithmetic: reshapes, transposes, slices, joins, splits, pads, gathers.</summary>
internal static class Shapes
{
    public static void Register(OperatorTable table)
    {
        foreach (var op in new[] { BuiltinOperator.RESHAPE, BuiltinOperator.SQUEEZE, BuiltinOperator.EXPAND_DIMS })
            table.Add(op, call => [call.Real(0).reshape(OutputShape(call, 0))]);
        table.Add(BuiltinOperator.TRANSPOSE, call => [call.Real(0).permute(call.Ints(1).Select(p => (long)p).ToArray())]);
        table.Add(BuiltinOperator.CONCATENATION, call =>
        {
            var o = call.Options<ConcatenationOptions>();
            var parts = Enumerable.Range(0, call.InputCount).Select(call.Real).ToArray();
            return [Activations.Fused(torch.cat(parts, o.Axis), o.FusedActivationFunction)];
        });
        table.Add(BuiltinOperator.PACK, call =>
            [torch.stack(Enumerable.Range(0, call.InputCount).Select(call.Real).ToArray(), call.Options<PackOptions>().Axis)]);
        table.Add(BuiltinOperator.UNPACK, call => call.Real(0).unbind(call.Options<UnpackOptions>().Axis));
        table.Add(BuiltinOperator.SPLIT, call =>
        {
            int axis = call.Ints(0)[0];
            var x = call.Real(1);
            return x.chunk(call.Options<SplitOptions>().NumSplits, axis);
        });
        table.Add(BuiltinOperator.SPLIT_V, call =>
        {
            var x = call.Real(0);
            int axis = call.Ints(2)[0];
            var sizes = call.Ints(1).Select(s => (long)s).ToArray();
            long rest = x.shape[axis < 0 ? axis + x.dim() : axis] - sizes.Where(s => s >= 0).Sum();
            return x.split(sizes.Select(s => s < 0 ? rest : s).ToArray(), axis);
        });
        table.Add(BuiltinOperator.STRIDED_SLICE, StridedSlice);
        table.Add(BuiltinOperator.SLICE, Slice);
        table.Add(BuiltinOperator.PAD, call => [Pad(call, 0)]);
        table.Add(BuiltinOperator.PADV2, call => [Pad(call, call.Has(2) ? call.Real(2).item<double>() : 0)]);
        table.Add(BuiltinOperator.GATHER, call =>
        {
            var o = call.Options<GatherOptions>();
            var x = call.Real(0);
            var indices = call.Raw(1).to(ScalarType.Int64);
            int axis = o.Axis < 0 ? o.Axis + (int)x.dim() : o.Axis;
            int batchDims = o.BatchDims < 0 ? o.BatchDims + (int)indices.dim() : o.BatchDims;
            if (batchDims == 0)
                return [x.index_select(axis, indices.reshape(-1)).reshape(OutputShape(call, 0))];
            // Batched: batch b of the input gathers with batch b of the indices.
            long batches = x.shape.Take(batchDims).Aggregate(1L, (a, b) => a * b);
            var xs = x.reshape([batches, .. x.shape.Skip(batchDims)]);
            var ids = indices.reshape(batches, -1);
            var parts = Enumerable.Range(0, (int)batches).Select(b => xs[b].index_select(axis - batchDims, ids[b])).ToArray();
            return [torch.stack(parts).reshape(OutputShape(call, 0))];
        });
        table.Add(BuiltinOperator.SHAPE, call => [torch.tensor(call.Value(0).Shape.Select(d => (double)d).ToArray(), dtype: ScalarType.Float64)]);
        table.Add(BuiltinOperator.BROADCAST_TO, call => [call.Real(0).broadcast_to(OutputShape(call, 0))]);
        table.Add(BuiltinOperator.REVERSE_V2, call => [call.Real(0).flip(call.Ints(1).Select(a => (long)a).ToArray())]);
    }

    private static long[] OutputShape(OperatorCall call, int slot) => call.Output(slot).Shape.Select(d => (long)d).ToArray();

    /// <summary>PAD / PADV2: paddings is [rank, 2] (before, after) per dimension; quantized models pad with real value 0 (the zero point).</summary>
    private static Tensor Pad(OperatorCall call, double value)
    {
        var x = call.Real(0);
        var paddings = call.Ints(1);
        // torch lists pads from the last dimension backwards.
        var pads = new long[paddings.Length];
        int rank = paddings.Length / 2;
        for (int d = 0; d < rank; d++)
        {
            pads[2 * (rank - 1 - d)] = paddings[2 * d];
            pads[2 * (rank - 1 - d) + 1] = paddings[2 * d + 1];
        }
        return F.pad(x, pads, value: value);
    }

    private static Tensor[] Slice(OperatorCall call)
    {
        var x = call.Real(0);
        var begin = call.Ints(1);
        var size = call.Ints(2);
        for (int d = 0; d < begin.Length; d++)
        {
            long length = size[d] < 0 ? x.shape[d] - begin[d] : size[d];
            x = x.narrow(d, begin[d], length);
        }
        return [x];
    }

    /// <summary>
    /// STRIDED_SLICE by TFLite's rules (masks, negative indices and strides, offset), gathering the chosen
    /// indices per dimension; ellipsis and new-axis masks are not handled (TFLM refuses them too).
    /// </summary>
    private static Tensor[] StridedSlice(OperatorCall call)
    {
        var o = call.Options<StridedSliceOptions>();
        if (o.EllipsisMask != 0 || o.NewAxisMask != 0)
            throw call.Unsupported("ellipsis and new-axis masks");
        var x = call.Real(0);
        int[] begin = call.Ints(1), end = call.Ints(2), strides = call.Ints(3);
        for (int d = 0; d < begin.Length; d++)
        {
            int dim = (int)x.shape[d], stride = strides[d];
            if (stride == 0) throw call.Unsupported($"stride 0 in dimension {d}");
            bool shrink = (o.ShrinkAxisMask >> d & 1) != 0;
            int start = (o.BeginMask >> d & 1) != 0 && !shrink ? (stride > 0 ? 0 : dim - 1) : Clamp(begin[d], dim, stride);
            int stop = shrink ? start + 1
                : (o.EndMask >> d & 1) != 0 ? (stride > 0 ? dim : -1)
                : o.Offset ? Clamp(begin[d] + end[d], dim, stride)
                : Clamp(end[d], dim, stride);
            var picked = new List<long>();
            for (int i = start; stride > 0 ? i < stop : i > stop; i += stride)
                picked.Add(i);
            x = x.index_select(d, torch.tensor(picked.ToArray(), dtype: ScalarType.Int64));
        }
        return [x.reshape(OutputShape(call, 0))];
    }

    /// <summary>A begin/end index: negative counts from the end, then clamped to what the stride's direction can reach.</summary>
    private static int Clamp(int index, int dim, int stride)
    {
        if (index < 0) index += dim;
        return stride > 0 ? Math.Clamp(index, 0, dim) : Math.Clamp(index, -1, dim - 1);
    }
}
