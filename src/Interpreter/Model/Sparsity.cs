using Fb = TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>
/// A constant stored in TFLite's sparse format (the schema's SparsityParameters): the tensor's dimensions, split
/// into blocks where <see cref="BlockMap"/> says so, are walked in <see cref="TraversalOrder"/>; each level is
/// dense (every position) or compressed (CSR: positions listed per parent). Validated when the model is read, so
/// that <see cref="Expand"/> (DENSIFY) stays inside both buffers.
/// </summary>
public sealed class Sparsity
{
    /// <summary>One level of the traversal: dense with <see cref="Size"/> positions, or CSR with its segments and indices.</summary>
    public sealed record Level(bool Dense, int Size, int[] Segments, int[] Indices);

    public required int[] TraversalOrder { get; init; }
    public required int[] BlockMap { get; init; }
    public required Level[] Levels { get; init; }
    /// <summary>How many values the buffer holds.</summary>
    public required int StoredValues { get; init; }
    /// <summary>The size of each block of <see cref="BlockMap"/>.</summary>
    public required int[] BlockSizes { get; init; }

    // More levels than any real model has (rank ≤ 6, plus one block per dimension); keeps a hostile walk shallow.
    private const int MaxLevels = 12;

    /// <summary>
    /// Reads and checks a tensor's sparsity; <paramref name="fail"/> makes the located format error and
    /// <paramref name="checkedLength"/> (length, element size) bounds every vector length by the file before anything is allocated.
    /// </summary>
    internal static Sparsity Read(Fb.SparsityParameters p, int[] shape, Func<string, Exception> fail, Func<int, int, int> checkedLength)
    {
        int rank = shape.Length;
        if (rank == 0) throw fail("a scalar cannot be sparse");
        int traversalLength = checkedLength(p.TraversalOrderLength, 4), blockLength = checkedLength(p.BlockMapLength, 4);
        int levels = rank + blockLength;
        if (levels > MaxLevels || traversalLength != levels || p.DimMetadataLength != levels)
            throw fail($"sparsity has {traversalLength} traversal entries and {p.DimMetadataLength} dimension entries for rank {rank} with {blockLength} blocked dimensions; {levels} each expected");
        var traversal = Enumerable.Range(0, traversalLength).Select(p.TraversalOrder).ToArray();
        var blockMap = Enumerable.Range(0, blockLength).Select(p.BlockMap).ToArray();
        if (traversal.Order().Where((t, i) => t != i).Any() || traversal.Take(rank).Any(t => t >= rank))
            throw fail($"traversal order [{string.Join(",", traversal)}] is not a permutation with the tensor's {rank} dimensions first");
        if (blockMap.Any(d => d < 0 || d >= rank) || blockMap.Distinct().Count() != blockMap.Length)
            throw fail($"block map [{string.Join(",", blockMap)}] names dimensions outside 0..{rank - 1} or twice");

        var metadata = Enumerable.Range(0, levels).Select(i => p.DimMetadata(i) ?? throw fail($"dimension entry {i} is missing")).ToArray();
        // A block's size is the dense size its traversal entry records (TFLite's FormatConverter reads it so).
        var blockSizes = new int[blockMap.Length];
        var extents = shape.ToArray();
        for (int k = 0; k < blockMap.Length; k++)
        {
            int size = metadata[traversal[rank + k]].DenseSize;
            int d = blockMap[k];
            if (size <= 0 || shape[d] % size != 0)
                throw fail($"block {k} of size {size} does not divide dimension {d} of size {shape[d]}");
            blockSizes[k] = size;
            extents[d] = shape[d] / size;
        }

        var result = new Level[levels];
        long positions = 1;
        for (int l = 0; l < levels; l++)
        {
            int t = traversal[l];
            int extent = t < rank ? extents[t] : blockSizes[t - rank];
            var m = metadata[l];
            if (m.Format == Fb.DimensionType.DENSE)
            {
                if (m.DenseSize != extent)
                    throw fail($"dense level {l} has size {m.DenseSize}; its dimension has {extent}");
                result[l] = new Level(true, extent, [], []);
                positions *= extent;
                if (positions > int.MaxValue) throw fail("sparsity describes more than 2^31 positions");
                continue;
            }
            var segments = IndexVector(m.ArraySegmentsType, m, segments: true, fail, checkedLength, l);
            var indices = IndexVector(m.ArrayIndicesType, m, segments: false, fail, checkedLength, l);
            if (segments.Length != positions + 1)
                throw fail($"compressed level {l} has {segments.Length} segment bounds for {positions} parent positions; {positions + 1} expected");
            for (int i = 0; i < segments.Length; i++)
                if (segments[i] < (i == 0 ? 0 : segments[i - 1]) || segments[i] > indices.Length)
                    throw fail($"compressed level {l}: segment bound {i} is {segments[i]}, outside the non-decreasing range 0..{indices.Length}");
            foreach (int index in indices)
                if (index < 0 || index >= extent)
                    throw fail($"compressed level {l} lists index {index}; its dimension has {extent} positions");
            result[l] = new Level(false, extent, segments, indices);
            positions = segments[^1] - segments[0];
        }
        return new Sparsity { TraversalOrder = traversal, BlockMap = blockMap, Levels = result, StoredValues = (int)positions, BlockSizes = blockSizes };
    }

    private static int[] IndexVector(Fb.SparseIndexVector type, Fb.DimensionMetadata m, bool segments, Func<string, Exception> fail,
        Func<int, int, int> checkedLength, int level)
    {
        string what = segments ? "array_segments" : "array_indices";
        return type switch
        {
            Fb.SparseIndexVector.Int32Vector when (segments ? m.ArraySegments<Fb.Int32Vector>() : m.ArrayIndices<Fb.Int32Vector>()) is { } v
                => Enumerable.Range(0, checkedLength(v.ValuesLength, 4)).Select(v.Values).ToArray(),
            Fb.SparseIndexVector.Uint16Vector when (segments ? m.ArraySegments<Fb.Uint16Vector>() : m.ArrayIndices<Fb.Uint16Vector>()) is { } v
                => Enumerable.Range(0, checkedLength(v.ValuesLength, 2)).Select(i => (int)v.Values(i)).ToArray(),
            Fb.SparseIndexVector.Uint8Vector when (segments ? m.ArraySegments<Fb.Uint8Vector>() : m.ArrayIndices<Fb.Uint8Vector>()) is { } v
                => Enumerable.Range(0, checkedLength(v.ValuesLength, 1)).Select(i => (int)v.Values(i)).ToArray(),
            _ => throw fail($"compressed level {level} has no {what}"),
        };
    }

    /// <summary>
    /// Writes the stored values (<paramref name="elementSize"/> bytes each) into their dense places, every other
    /// element zero — TFLite's sparse-to-dense walk, level by level with an explicit stack.
    /// </summary>
    public void Expand(ReadOnlySpan<byte> stored, Span<byte> dense, int[] shape, int elementSize)
    {
        dense.Clear();
        int levels = Levels.Length, rank = shape.Length, next = 0;
        Span<int> position = stackalloc int[levels];   // the index chosen at each level
        Span<int> end = stackalloc int[levels];         // one past the last choice at each level
        Span<int> cursor = stackalloc int[levels];      // dense: 0..size; compressed: the entry in Indices
        Span<int> parent = stackalloc int[levels + 1];  // the position number each level's children hang from
        Span<int> index = stackalloc int[rank];
        int level = 0;
        parent[0] = 0;
        Start(Levels[0], 0, cursor, end, parent);
        while (level >= 0)
        {
            if (cursor[level] == end[level])
            {
                level--;
                if (level >= 0) cursor[level]++;
                continue;
            }
            var l = Levels[level];
            position[level] = l.Dense ? cursor[level] : l.Indices[cursor[level]];
            parent[level + 1] = l.Dense ? parent[level] * l.Size + cursor[level] : cursor[level];
            if (level < levels - 1)
            {
                level++;
                Start(Levels[level], level, cursor, end, parent);
                continue;
            }
            // A leaf: the original index from the traversal positions, blocks folded back in.
            for (int i = 0; i < rank; i++) index[TraversalOrder[i]] = position[i];
            for (int i = rank; i < levels; i++)
            {
                int block = TraversalOrder[i] - rank, d = BlockMap[block];
                index[d] = index[d] * BlockSizes[block] + position[i];
            }
            int flat = 0;
            for (int i = 0; i < rank; i++) flat = flat * shape[i] + index[i];
            stored.Slice(next++ * elementSize, elementSize).CopyTo(dense.Slice(flat * elementSize, elementSize));
            cursor[level]++;
        }
    }

    /// <summary>Enters level <paramref name="at"/> under the parent position chosen above it.</summary>
    private static void Start(Level l, int at, Span<int> cursor, Span<int> end, Span<int> parent)
    {
        cursor[at] = l.Dense ? 0 : l.Segments[parent[at]];
        end[at] = l.Dense ? l.Size : l.Segments[parent[at] + 1];
    }
}
