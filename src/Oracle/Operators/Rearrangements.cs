using TinyMl.Interpreter.Schema;
using TinyMl.Oracle.Running;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using F = TorchSharp.torch.nn.functional;

namespace TinyMl.Oracle.Operators;

/// <summary>
/// Operators that rearrange blocks and rows (space/depth/batch moves, mirror padding, n-d gathers,
/// lookups, in-place updates) and the shape-making FILL, BROADCAST_ARGS and CUMSUM.
/// </summary>
internal static class Rearrangements
{
    public static void Register(OperatorTable table)
    {
        table.Add(BuiltinOperator.GATHER_ND, GatherNd);
        table.Add(BuiltinOperator.FILL, call => [call.Real(1).reshape(1).expand(OutputShape(call)).clone()]);
        table.Add(BuiltinOperator.BROADCAST_ARGS, call =>
        {
            var a = call.Value(0).RawValues().Select(v => (long)v).ToArray();
            var b = call.Value(1).RawValues().Select(v => (long)v).ToArray();
            // torch's own broadcasting, of two zero tensors of these shapes.
            var shape = (torch.zeros(a, dtype: ScalarType.Float64) + torch.zeros(b, dtype: ScalarType.Float64)).shape;
            return [torch.tensor(shape.Select(d => (double)d).ToArray(), dtype: ScalarType.Float64)];
        });
        table.Add(BuiltinOperator.DEPTH_TO_SPACE, call =>
        {
            int block = call.Options<DepthToSpaceOptions>().BlockSize;
            var x = call.Real(0);
            long n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3] / (block * block);
            return [x.reshape(n, h, w, block, block, c).permute(0, 1, 3, 2, 4, 5).reshape(n, h * block, w * block, c)];
        });
        table.Add(BuiltinOperator.SPACE_TO_DEPTH, call =>
        {
            int block = call.Options<SpaceToDepthOptions>().BlockSize;
            var x = call.Real(0);
            long n = x.shape[0], h = x.shape[1] / block, w = x.shape[2] / block, c = x.shape[3];
            return [x.reshape(n, h, block, w, block, c).permute(0, 1, 3, 2, 4, 5).reshape(n, h, w, block * block * c)];
        });
        table.Add(BuiltinOperator.SPACE_TO_BATCH_ND, SpaceToBatch);
        table.Add(BuiltinOperator.BATCH_TO_SPACE_ND, BatchToSpace);
        table.Add(BuiltinOperator.MIRROR_PAD, MirrorPad);
        table.Add(BuiltinOperator.DYNAMIC_UPDATE_SLICE, call =>
        {
            var y = call.Real(0).clone();
            var update = call.Real(1);
            var start = call.Value(2).RawValues();
            var view = y;
            for (int d = 0; d < y.dim(); d++)
            {
                // Start indices are clamped so that the update fits (XLA's rule, which TFLite follows).
                long s = (long)Math.Clamp(start[d], 0, y.shape[d] - update.shape[d]);
                view = view.narrow(d, s, update.shape[d]);
            }
            view.copy_(update);
            return [y];
        });
        table.Add(BuiltinOperator.EMBEDDING_LOOKUP, call =>
        {
            var ids = torch.tensor(call.Ints(0).Select(i => (long)i).ToArray(), dtype: ScalarType.Int64);
            // Real values: the hybrid int8 table dequantizes; an int8 output stores them back with its own quantization.
            return [call.Real(1).index_select(0, ids)];
        });
        table.Add(BuiltinOperator.CUMSUM, call =>
        {
            var o = call.Options<CumsumOptions>();
            var x = call.Real(0);
            int axis = call.Ints(1)[0];
            if (axis < 0) axis += (int)x.dim();
            if (o.Reverse) x = x.flip(axis);
            var y = x.cumsum(axis);
            if (o.Exclusive)
            {
                // Each output sums the elements before it: the inclusive sums moved one place on, from 0.
                var zero = torch.zeros_like(y.narrow(axis, 0, 1));
                y = torch.cat([zero, y.narrow(axis, 0, y.shape[axis] - 1)], axis);
            }
            return [o.Reverse ? y.flip(axis) : y];
        });
    }

    private static long[] OutputShape(OperatorCall call, int slot = 0) => call.Output(slot).Shape.Select(d => (long)d).ToArray();

    private static Tensor[] GatherNd(OperatorCall call)
    {
        var x = call.Real(0);
        var indexInfo = call.Value(1);
        var indices = call.Ints(1);
        int depth = indexInfo.Shape[^1];
        var shape = x.shape;
        long rows = shape.Take(depth).Aggregate(1L, (a, b) => a * b);
        var flat = x.reshape([rows, -1]);
        int count = depth == 0 ? indices.Length : indices.Length / depth;
        if (depth == 0) count = (int)indexInfo.Shape[..^1].Aggregate(1L, (a, b) => a * b);
        var picks = new long[count];
        for (int i = 0; i < count; i++)
        {
            long row = 0;
            for (int j = 0; j < depth; j++) row = row * shape[j] + indices[i * depth + j];
            picks[i] = row;
        }
        return [flat.index_select(0, torch.tensor(picks, dtype: ScalarType.Int64)).reshape(OutputShape(call))];
    }

    /// <summary>TF's definition: pad the spatial dims, split each into (out, block), move the blocks in front of the batch.</summary>
    private static Tensor[] SpaceToBatch(OperatorCall call)
    {
        var x = call.Real(0);
        bool three = x.dim() == 3;
        if (three) x = x.unsqueeze(2);
        var block = call.Ints(1);
        var pads = call.Ints(2);
        int bh = block[0], bw = three ? 1 : block[1];
        long[] torchPads = three ? [0, 0, 0, 0, pads[0], pads[1]] : [0, 0, pads[2], pads[3], pads[0], pads[1]];
        x = F.pad(x, torchPads, value: 0);
        long n = x.shape[0], h = x.shape[1] / bh, w = x.shape[2] / bw, c = x.shape[3];
        var y = x.reshape(n, h, bh, w, bw, c).permute(2, 4, 0, 1, 3, 5).reshape(bh * bw * n, h, w, c);
        return [y.reshape(OutputShape(call))];
    }

    /// <summary>TF's definition: split the batch into (block h, block w, batch), interleave the blocks into space, crop.</summary>
    private static Tensor[] BatchToSpace(OperatorCall call)
    {
        var x = call.Real(0);
        bool three = x.dim() == 3;
        if (three) x = x.unsqueeze(2);
        var block = call.Ints(1);
        var crops = call.Ints(2);
        int bh = block[0], bw = three ? 1 : block[1];
        long n = x.shape[0] / (bh * bw), h = x.shape[1], w = x.shape[2], c = x.shape[3];
        var y = x.reshape(bh, bw, n, h, w, c).permute(2, 3, 0, 4, 1, 5).reshape(n, h * bh, w * bw, c);
        y = y.narrow(1, crops[0], h * bh - crops[0] - crops[1]);
        if (!three) y = y.narrow(2, crops[2], w * bw - crops[2] - crops[3]);
        return [y.reshape(OutputShape(call))];
    }

    /// <summary>Per dimension, the input index each output index copies: REFLECT mirrors about the edge element, SYMMETRIC repeats it.</summary>
    private static Tensor[] MirrorPad(OperatorCall call)
    {
        var x = call.Real(0);
        var pads = call.Ints(1);
        bool reflect = call.Options<MirrorPadOptions>().Mode == MirrorPadMode.REFLECT;
        for (int d = 0; d < x.dim(); d++)
        {
            long size = x.shape[d];
            var picks = new List<long>();
            for (long i = -pads[2 * d]; i < size + pads[2 * d + 1]; i++)
            {
                long j = i;
                if (j < 0) j = reflect ? -j : -j - 1;
                else if (j >= size) j = reflect ? 2 * size - 2 - j : 2 * size - 1 - j;
                picks.Add(j);
            }
            x = x.index_select(d, torch.tensor(picks.ToArray(), dtype: ScalarType.Int64));
        }
        return [x];
    }
}
