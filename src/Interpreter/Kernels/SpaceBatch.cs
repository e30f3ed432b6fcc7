using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND on rank-3 ([b, h, c]) or rank-4 NHWC tensors, float32 and int8
/// as TFLM. The int32 block shape and paddings/crops may be runtime tensors; the output's shape is the
/// model's, so they are checked against it (in Prepare when constant, at the start of Invoke otherwise).
/// SPACE_TO_BATCH_ND pads with stored 0 in every type: TFLM never sets the pad value it reads (TFLite
/// would use the output's zero point), and its arena's fresh persistent memory holds zero.
/// </summary>
internal sealed class SpaceBatchKernel(bool toBatch) : OperatorKernel
{
    private sealed class OpData
    {
        public int ElementSize;
        public bool Constant;
        public int BlockH, BlockW, Top, Left;
        // Extended to 4-D: [batch, height, width, depth].
        public readonly int[] In = new int[4];
        public readonly int[] Out = new int[4];
    }

    private string Role => toBatch ? "paddings" : "crops";

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(3, 1);
        var input = node.Input(0);
        var block = node.Input(1);
        var pads = node.Input(2);
        var output = node.Output(0);
        node.RequireType(input, "input", TensorType.FLOAT32, TensorType.INT8);
        node.RequireSameType(input, output);
        node.Require(input.Rank is 3 or 4 && output.Rank == input.Rank,
            $"input tensor {input.Index} {KernelChecks.ShapeText(input)} and output tensor {output.Index} {KernelChecks.ShapeText(output)} must both have rank 3 or 4");
        node.RequireType(block, "block_shape", TensorType.INT32);
        node.RequireType(pads, Role, TensorType.INT32);
        int spatial = input.Rank - 2;
        node.Require(block.ElementCount == spatial && pads.ElementCount == 2 * spatial,
            $"block_shape tensor {block.Index} {KernelChecks.ShapeText(block)} and {Role} tensor {pads.Index} {KernelChecks.ShapeText(pads)} must be [{spatial}] and [{spatial},2] for input {KernelChecks.ShapeText(input)}");
        var d = new OpData { ElementSize = TensorTypes.ElementSize(input.Type), Constant = block.IsConstant && pads.IsConstant };
        Extend(input, d.In);
        Extend(output, d.Out);
        if (d.Constant && Check(d, block, pads) is { } problem)
            throw node.Unsupported(problem);
        node.Data = d;
    }

    private static void Extend(Tensor t, int[] dims)
    {
        dims[0] = t.Dim(0);
        dims[1] = t.Dim(1);
        dims[2] = t.Rank == 4 ? t.Dim(2) : 1;
        dims[3] = t.Dim(t.Rank - 1);
    }

    /// <summary>Reads the block and paddings/crops into <paramref name="d"/>; null when they turn the input's shape into the output's.</summary>
    private string? Check(OpData d, Tensor block, Tensor pads)
    {
        var b = block.AsReadOnlySpan<int>();
        var p = pads.AsReadOnlySpan<int>();
        bool four = b.Length == 2;
        int bh = b[0], bw = four ? b[1] : 1;
        int top = p[0], bottom = p[1], left = four ? p[2] : 0, right = four ? p[3] : 0;
        string What() => $"block_shape {IndexTensors.Text(block)} and {Role} {IndexTensors.Text(pads)}";
        if (bh < 1 || bw < 1 || top < 0 || bottom < 0 || left < 0 || right < 0)
            return $"has {What()}; blocks must be positive and {Role} non-negative";
        int[] i = d.In, o = d.Out;
        // Four scalars, not an array: this runs on every Invoke when the block is a runtime tensor.
        long e0, e1, e2, e3 = i[3];
        if (toBatch)
        {
            long h = (long)i[1] + top + bottom, w = (long)i[2] + left + right;
            if (h % bh != 0 || w % bw != 0) return $"has {What()}: the padded height {h} and width {w} are not multiples of the block";
            (e0, e1, e2) = ((long)i[0] * bh * bw, h / bh, w / bw);
        }
        else
        {
            // In long: two large runtime block sizes must not wrap to a zero divisor.
            long blocks = (long)bh * bw;
            if (i[0] % blocks != 0) return $"has {What()}: input batch {i[0]} is not a multiple of the block's {blocks}";
            (e0, e1, e2) = (i[0] / blocks, (long)i[1] * bh - top - bottom, (long)i[2] * bw - left - right);
        }
        if (e0 != o[0] || e1 != o[1] || e2 != o[2] || e3 != o[3])
            return $"has {What()}, which give output [{e0},{e1},{e2},{e3}] (as 4-D) but the output is [{string.Join(",", o)}]";
        (d.BlockH, d.BlockW, d.Top, d.Left) = (bh, bw, top, left);
        return null;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        if (!d.Constant && Check(d, node.Inputs[1]!, node.Inputs[2]!) is { } problem)
            throw IndexTensors.OutOfRange(node, "block_shape", node.Inputs[1]!, problem);
        var input = node.Inputs[0]!.Bytes;
        var output = node.Outputs[0].AsSpan<byte>();
        int[] i = d.In, o = d.Out;
        int depth = i[3] * d.ElementSize;
        if (toBatch)
        {
            for (int ob = 0; ob < o[0]; ob++)
            {
                int inBatch = ob % i[0], shiftW = ob / i[0] % d.BlockW, shiftH = ob / i[0] / d.BlockW;
                for (int oh = 0; oh < o[1]; oh++)
                for (int ow = 0; ow < o[2]; ow++)
                {
                    var to = output.Slice(((ob * o[1] + oh) * o[2] + ow) * depth, depth);
                    int h = oh * d.BlockH + shiftH - d.Top, w = ow * d.BlockW + shiftW - d.Left;
                    if (h < 0 || h >= i[1] || w < 0 || w >= i[2]) to.Clear();
                    else input.Slice(((inBatch * i[1] + h) * i[2] + w) * depth, depth).CopyTo(to);
                }
            }
        }
        else
        {
            for (int ib = 0; ib < i[0]; ib++)
            {
                int outBatch = ib % o[0], offset = ib / o[0];
                for (int ih = 0; ih < i[1]; ih++)
                {
                    int oh = ih * d.BlockH + offset / d.BlockW - d.Top;
                    if (oh < 0 || oh >= o[1]) continue;
                    for (int iw = 0; iw < i[2]; iw++)
                    {
                        int ow = iw * d.BlockW + offset % d.BlockW - d.Left;
                        if (ow < 0 || ow >= o[2]) continue;
                        input.Slice(((ib * i[1] + ih) * i[2] + iw) * depth, depth).CopyTo(output.Slice(((outBatch * o[1] + oh) * o[2] + ow) * depth, depth));
                    }
                }
            }
        }
    }
}
