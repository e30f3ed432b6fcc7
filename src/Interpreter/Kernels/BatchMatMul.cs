using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// BATCH_MATMUL in float32: [..., M, K] × [..., K, N] (either side transposed by adj_x / adj_y), the batch
/// dimensions broadcast (up to 3 of them, as TFLM's 5-D reference); each output sums over k in order from 0.
/// (TFLM's int8 and int16 paths are not here yet.)
/// </summary>
internal sealed class BatchMatMulKernel : OperatorKernel
{
    private sealed class OpData
    {
        public required int M, N, K;
        public required bool AdjX, AdjY;
        public required int[] Batch;                        // output batch dims (3)
        public required int[] LhsStride, RhsStride;          // matrix strides per batch dim (0 where broadcast)
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var lhs = node.Input(0);
        var rhs = node.Input(1);
        var output = node.Output(0);
        node.RequireType(lhs, "lhs", TensorType.FLOAT32);
        node.RequireSameType(lhs, rhs);
        node.RequireSameType(lhs, output);
        foreach (var (t, role) in new[] { (lhs, "lhs"), (rhs, "rhs") })
            node.Require(t.Rank is >= 2 and <= 5, $"{role} tensor {t.Index} has shape {KernelChecks.ShapeText(t)}; rank 2 to 5 expected");
        var o = node.Operator.Options<BatchMatMulOptions>();
        bool adjX = o?.AdjX ?? false, adjY = o?.AdjY ?? false;
        int m = adjX ? lhs.Dim(lhs.Rank - 1) : lhs.Dim(lhs.Rank - 2), k = adjX ? lhs.Dim(lhs.Rank - 2) : lhs.Dim(lhs.Rank - 1);
        int rk = adjY ? rhs.Dim(rhs.Rank - 1) : rhs.Dim(rhs.Rank - 2), n = adjY ? rhs.Dim(rhs.Rank - 2) : rhs.Dim(rhs.Rank - 1);
        node.Require(k == rk, $"lhs tensor {lhs.Index} {KernelChecks.ShapeText(lhs)} and rhs tensor {rhs.Index} {KernelChecks.ShapeText(rhs)} disagree on the summed dimension ({k} and {rk})");
        int[] lb = BatchDims(lhs), rb = BatchDims(rhs), batch = new int[3];
        for (int i = 0; i < 3; i++)
        {
            node.Require(lb[i] == rb[i] || lb[i] == 1 || rb[i] == 1,
                $"batch dimensions of {KernelChecks.ShapeText(lhs)} and {KernelChecks.ShapeText(rhs)} do not broadcast");
            batch[i] = Math.Max(lb[i], rb[i]);
        }
        int outRank = Math.Max(lhs.Rank, rhs.Rank);
        var expected = batch.Skip(5 - outRank).Concat([m, n]).ToArray();
        node.Require(output.Shape.SequenceEqual(expected),
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; the product is [{string.Join(",", expected)}]");
        node.Data = new OpData { M = m, N = n, K = k, AdjX = adjX, AdjY = adjY, Batch = batch, LhsStride = Strides(lb, m * k), RhsStride = Strides(rb, k * n) };
    }

    private static int[] BatchDims(Tensor t)
    {
        var dims = new[] { 1, 1, 1 };
        for (int i = 0; i < t.Rank - 2; i++) dims[3 - (t.Rank - 2) + i] = t.Dim(i);
        return dims;
    }

    private static int[] Strides(int[] dims, int matrix) =>
        [dims[0] == 1 ? 0 : dims[1] * dims[2] * matrix, dims[1] == 1 ? 0 : dims[2] * matrix, dims[2] == 1 ? 0 : matrix];

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var lhs = node.Inputs[0]!.AsReadOnlySpan<float>();
        var rhs = node.Inputs[1]!.AsReadOnlySpan<float>();
        var output = node.Outputs[0].AsSpan<float>();
        int o = 0;
        for (int b0 = 0; b0 < d.Batch[0]; b0++)
        for (int b1 = 0; b1 < d.Batch[1]; b1++)
        for (int b2 = 0; b2 < d.Batch[2]; b2++)
        {
            int l = b0 * d.LhsStride[0] + b1 * d.LhsStride[1] + b2 * d.LhsStride[2];
            int r = b0 * d.RhsStride[0] + b1 * d.RhsStride[1] + b2 * d.RhsStride[2];
            for (int i = 0; i < d.M; i++)
            for (int j = 0; j < d.N; j++, o++)
            {
                float total = 0f;
                for (int k = 0; k < d.K; k++)
                    total += lhs[l + (d.AdjX ? k * d.M + i : i * d.K + k)] * rhs[r + (d.AdjY ? j * d.K + k : k * d.N + j)];
                output[o] = total;
            }
        }
    }
}
