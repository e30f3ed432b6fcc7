namespace TinyMl.Interpreter;

/// <summary>
/// Resource variables as TFLM's MicroResourceVariables keeps them: one per (container, shared name), created by
/// VAR_HANDLE, sized by the first ASSIGN_VARIABLE that is prepared, stored in the arena tail, zeroed on Reset.
/// A resource tensor carries a variable's id (int32) at run time, so handles may be passed between subgraphs.
/// </summary>
internal sealed class ResourceVariables
{
    private readonly List<(string Container, string SharedName)> _names = [];
    private readonly List<Memory<byte>> _storage = [];
    private readonly Dictionary<Tensor, int> _handles = new(ReferenceEqualityComparer.Instance);

    public int Count => _names.Count;

    /// <summary>The id of the variable named (<paramref name="container"/>, <paramref name="sharedName"/>), created when new; <paramref name="handle"/> is the VAR_HANDLE output that will carry it.</summary>
    public int Declare(string container, string sharedName, Tensor handle)
    {
        int id = _names.IndexOf((container, sharedName));
        if (id < 0)
        {
            _names.Add((container, sharedName));
            _storage.Add(Memory<byte>.Empty);
            id = _names.Count - 1;
        }
        _handles[handle] = id;
        return id;
    }

    /// <summary>The variable a handle tensor was declared for in Prepare, when a VAR_HANDLE of the same subgraph wrote it.</summary>
    public int? DeclaredBy(Tensor handle) => _handles.TryGetValue(handle, out int id) ? id : null;

    public string Name(int id) => (uint)id < (uint)_names.Count
        ? (_names[id].Container.Length > 0 ? $"{_names[id].Container}/{_names[id].SharedName}" : _names[id].SharedName)
        : $"#{id}";

    /// <summary>Gives variable <paramref name="id"/> its storage on first use; later uses must agree on the size.</summary>
    public void Allocate(int id, int bytes, KernelContext context, Node node)
    {
        if (!_storage[id].IsEmpty || bytes == 0)
        {
            node.Require(_storage[id].Length == bytes || bytes == 0,
                $"assigns {bytes} bytes to resource variable '{Name(id)}', which holds {_storage[id].Length}");
            return;
        }
        _storage[id] = context.AllocatePersistentBuffer(bytes);
    }

    /// <summary>The bytes of variable <paramref name="id"/> (read from a resource tensor at run time); empty when the id is unknown or never assigned.</summary>
    public Span<byte> Storage(int id) => (uint)id < (uint)_storage.Count ? _storage[id].Span : Span<byte>.Empty;

    public void ResetAll()
    {
        foreach (var storage in _storage) storage.Span.Clear();
    }
}
