using TinyMl.Workbench.Tensors;

namespace TinyMl.Workbench.Parity;

/// <summary>How a tensor of one run was paired with a tensor of the other.</summary>
public enum MatchKind
{
    /// <summary>Same tensor name.</summary>
    Name,
    /// <summary>Same model input position, or output slot of the n-th operator of the same op type (a model with an extra QUANTIZE in front still lines up).</summary>
    Operator,
    /// <summary>Same operator index and output slot, when op types differ.</summary>
    Position,
}

/// <summary>One tensor of a set, with its place in it.</summary>
public sealed record SetTensor(int Position, TensorData Data, TensorOrigin? Origin)
{
    public string Describe() => Origin is null ? $"'{Data.Name}'" : $"'{Data.Name}' ({Origin})";
}

/// <summary>
/// Pairs the tensors of two runs: first by name (the k-th tensor called X with the k-th called X);
/// what is left by producer — model input i with model input i, the output of the n-th operator of a
/// type with that of the n-th of the same type — and then by operator index. Whatever is still
/// left over has no counterpart and is reported, not guessed.
/// </summary>
public sealed class TensorMatching
{
    public required IReadOnlyList<(SetTensor Reference, SetTensor Candidate, MatchKind By)> Pairs { get; init; }
    public required IReadOnlyList<SetTensor> ReferenceOnly { get; init; }
    public required IReadOnlyList<SetTensor> CandidateOnly { get; init; }

    public static TensorMatching Of(TensorSet reference, TensorSet candidate)
    {
        var refs = Entries(reference);
        var cands = Entries(candidate);
        var pairs = new List<(SetTensor, SetTensor, MatchKind)>();
        var taken = new bool[cands.Count];
        var matched = new bool[refs.Count];

        void Pass(MatchKind kind, Func<SetTensor, int, string?> key)
        {
            var available = new Dictionary<string, Queue<int>>(StringComparer.Ordinal);
            var candKeys = OccurrenceKeys(cands, key);
            for (int c = 0; c < cands.Count; c++)
                if (!taken[c] && candKeys[c] is { } k)
                {
                    if (!available.TryGetValue(k, out var queue)) available[k] = queue = new Queue<int>();
                    queue.Enqueue(c);
                }
            var refKeys = OccurrenceKeys(refs, key);
            for (int r = 0; r < refs.Count; r++)
                if (!matched[r] && refKeys[r] is { } k && available.TryGetValue(k, out var queue) && queue.Count > 0)
                {
                    int c = queue.Dequeue();
                    taken[c] = matched[r] = true;
                    pairs.Add((refs[r], cands[c], kind));
                }
        }

        Pass(MatchKind.Name, (t, _) => t.Data.Name.Length > 0 ? "name:" + t.Data.Name : null);
        Pass(MatchKind.Operator, (t, ordinal) => t.Origin is { } o ? (o.IsModelInput ? $"input:{o.Slot}" : $"op:{o.Op}:{ordinal}:{o.Slot}") : null);
        Pass(MatchKind.Position, (t, _) => t.Origin is { IsModelInput: false } o ? $"index:{o.OperatorIndex}:{o.Slot}" : null);

        return new TensorMatching
        {
            Pairs = pairs.OrderBy(p => p.Item1.Position).ToArray(),
            ReferenceOnly = refs.Where((_, r) => !matched[r]).ToArray(),
            CandidateOnly = cands.Where((_, c) => !taken[c]).ToArray(),
        };
    }

    private static List<SetTensor> Entries(TensorSet set) =>
        set.Tensors.Select((t, i) => new SetTensor(i, t, set.OriginAt(i))).ToList();

    /// <summary>
    /// Keys per tensor; the ordinal passed to <paramref name="key"/> counts earlier operators of the same op type
    /// (so "the 3rd FULLY_CONNECTED"), and repeated keys get an occurrence suffix so the k-th pairs with the k-th.
    /// </summary>
    private static string?[] OccurrenceKeys(List<SetTensor> tensors, Func<SetTensor, int, string?> key)
    {
        var opOrdinal = new Dictionary<string, int>(StringComparer.Ordinal);
        var operatorOrdinal = new Dictionary<int, int>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new string?[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            int ordinal = 0;
            if (tensors[i].Origin is { IsModelInput: false } o)
            {
                if (!operatorOrdinal.TryGetValue(o.OperatorIndex, out ordinal))
                {
                    ordinal = opOrdinal.GetValueOrDefault(o.Op);
                    opOrdinal[o.Op] = ordinal + 1;
                    operatorOrdinal[o.OperatorIndex] = ordinal;
                }
            }
            if (key(tensors[i], ordinal) is not { } k) continue;
            int n = seen.GetValueOrDefault(k);
            seen[k] = n + 1;
            keys[i] = n == 0 ? k : $"{k}#{n}";
        }
        return keys;
    }
}
