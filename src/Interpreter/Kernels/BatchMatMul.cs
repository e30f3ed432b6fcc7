using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// BATCH_MATMUL: [..., M, K] × [..., K, N] (either side transposed by adj_x / adj_y), the batch dimensions
/// broadcast (up to 3 of them, as TFLM's 5-D reference). float32 sums over k in order from 0; int8 (int32 sums)
/// and int16 (int64 sums, zero points 0) as TFLM: Σ(l − zpₗ)(r − zpᵣ), requantized by scaleₗ·scaleᵣ/scaleₒ,
/// plus the output zero point, clamped to the type (BATCH_MATMUL has no fused activation).
/// </summary>
internal sealed class BatchMatMulKernel : OperatorKernel
{
    private sealed class OpData
    {
        public required int M, N, K;
        public required bool AdjX, AdjY;
        public required int[] Batch;                        // output batch dims (3)
        public required int[] LhsStride, RhsStride;          // matrix strides per batch dim (0 where broadcast)
        public required TensorType Type;
        public int LhsOffset, RhsOffset, OutputOffset, Multiplier, Shift;

        public int Batches => Batch[0] * Batch[1] * Batch[2];

        /// <summary>Where output batch <paramref name="batch"/>'s lhs and rhs matrices start (a broadcast dimension steps 0).</summary>
        public (int Lhs, int Rhs) MatrixStarts(int batch)
        {
            int b2 = batch % Batch[2], b1 = batch / Batch[2] % Batch[1], b0 = batch / (Batch[2] * Batch[1]);
            return (b0 * LhsStride[0] + b1 * LhsStride[1] + b2 * LhsStride[2], b0 * RhsStride[0] + b1 * RhsStride[1] + b2 * RhsStride[2]);
        }

        public int LhsIndex(int i, int k) => AdjX ? k * M + i : i * K + k;
        public int RhsIndex(int k, int j) => AdjY ? j * K + k : k * N + j;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(2, 1);
        var lhs = node.Input(0);
        var rhs = node.Input(1);
        var output = node.Output(0);
        node.RequireType(lhs, "lhs", TensorType.FLOAT32, TensorType.INT8, TensorType.INT16);
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
        var d = new OpData { M = m, N = n, K = k, AdjX = adjX, AdjY = adjY, Batch = batch, LhsStride = Strides(lb, m * k), RhsStride = Strides(rb, k * n), Type = lhs.Type };
        if (lhs.Type != TensorType.FLOAT32)
        {
            foreach (var (t, role) in new[] { (lhs, "lhs"), (rhs, "rhs"), (output, "output") })
                node.RequirePerTensorQuantization(t, role);
            if (lhs.Type == TensorType.INT16)
                node.Require(lhs.ZeroPoint == 0 && rhs.ZeroPoint == 0 && output.ZeroPoint == 0, "int16 zero points must be 0");
            var q = Quantization.QuantizedMultiplier.FromDouble((double)lhs.Scale * rhs.Scale / output.Scale);
            (d.LhsOffset, d.RhsOffset, d.OutputOffset, d.Multiplier, d.Shift) = (-lhs.ZeroPoint, -rhs.ZeroPoint, output.ZeroPoint, q.Multiplier, q.Shift);
        }
        node.Data = d;
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
        var lhsTensor = node.Inputs[0]!;
        var rhsTensor = node.Inputs[1]!;
        var outTensor = node.Outputs[0];
        switch (d.Type)
        {
            case TensorType.INT8:
                Quantized(d, lhsTensor.AsReadOnlySpan<sbyte>(), rhsTensor.AsReadOnlySpan<sbyte>(), outTensor.AsSpan<sbyte>(), sbyte.MinValue, sbyte.MaxValue);
                return;
            case TensorType.INT16:
                Quantized(d, lhsTensor.AsReadOnlySpan<short>(), rhsTensor.AsReadOnlySpan<short>(), outTensor.AsSpan<short>(), short.MinValue, short.MaxValue);
                return;
        }
        var lhs = lhsTensor.AsReadOnlySpan<float>();
        var rhs = rhsTensor.AsReadOnlySpan<float>();
        var output = outTensor.AsSpan<float>();
        int o = 0;
        for (int batch = 0; batch < d.Batches; batch++)
        {
            var (l, r) = d.MatrixStarts(batch);
            for (int i = 0; i < d.M; i++)
            for (int j = 0; j < d.N; j++, o++)
            {
                float total = 0f;
                for (int k = 0; k < d.K; k++)
                    total += lhs[l + d.LhsIndex(i, k)] * rhs[r + d.RhsIndex(k, j)];
                output[o] = total;
            }
        }
    }

    /// <summary>The integer product: int8 sums in int32 (wrapping, as C), int16 in int64, then TFLM's requantization.</summary>
    private static void Quantized<T>(OpData d, ReadOnlySpan<T> lhs, ReadOnlySpan<T> rhs, Span<T> output, int min, int max)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        bool wide = typeof(T) == typeof(short);
        int o = 0;
        for (int batch = 0; batch < d.Batches; batch++)
        {
            var (l, r) = d.MatrixStarts(batch);
            for (int i = 0; i < d.M; i++)
            for (int j = 0; j < d.N; j++, o++)
            {
                long total = 0;
                for (int k = 0; k < d.K; k++)
                {
                    long a = int.CreateTruncating(lhs[l + d.LhsIndex(i, k)]) + d.LhsOffset;
                    long b = int.CreateTruncating(rhs[r + d.RhsIndex(k, j)]) + d.RhsOffset;
                    total = wide ? total + a * b : unchecked((int)total + (int)(a * b));
                }
                int scaled = wide
                    ? FixedPoint.MultiplyByQuantizedMultiplier(total, d.Multiplier, d.Shift)
                    : FixedPoint.MultiplyByQuantizedMultiplier((int)total, d.Multiplier, d.Shift);
                output[o] = T.CreateTruncating(Math.Clamp(scaled + d.OutputOffset, min, max));
            }
        }
    }
}
