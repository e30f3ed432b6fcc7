using System.Buffers.Binary;

namespace TinyMl.Interpreter;

/// <summary>
/// The model's "OfflineMemoryAllocation" metadata: int32 words [version, subgraph, tensor count,
/// offset per tensor...], where an offset of -1 leaves that tensor to the online planner.
/// </summary>
public static class OfflinePlan
{
    private const int HeaderWords = 3;

    internal static void Validate(ReadOnlySpan<byte> data, int tensorCount, Func<string, Exception?, ModelFormatException> error)
    {
        if (data.Length < HeaderWords * 4 || data.Length % 4 != 0)
            throw error($"OfflineMemoryAllocation metadata is {data.Length} bytes, not a whole number of int32 words with a 3-word header", null);
        int count = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(8));
        if (count != tensorCount)
            throw error($"OfflineMemoryAllocation lists {count} tensor offsets, the model has {tensorCount} tensors", null);
        if (data.Length != (HeaderWords + count) * 4)
            throw error($"OfflineMemoryAllocation is {data.Length} bytes, {count} offsets need {(HeaderWords + count) * 4}", null);
        for (int i = 0; i < count; i++)
        {
            int offset = BinaryPrimitives.ReadInt32LittleEndian(data.Slice((HeaderWords + i) * 4));
            if (offset < -1)
                throw error($"OfflineMemoryAllocation offset for tensor {i} is {offset}", null);
        }
    }

    /// <summary>Offsets for the tensors of subgraph 0, or null when the model has no offline plan.</summary>
    public static int[]? ForMainSubgraph(Model model)
    {
        if (model.FindMetadata(Model.OfflineMemoryAllocationMetadata) is not { } data) return null;
        var span = data.Span;
        int count = model.MainSubgraph.Tensors.Count;
        var offsets = new int[count];
        for (int i = 0; i < count; i++)
            offsets[i] = BinaryPrimitives.ReadInt32LittleEndian(span.Slice((HeaderWords + i) * 4));
        return offsets;
    }
}
