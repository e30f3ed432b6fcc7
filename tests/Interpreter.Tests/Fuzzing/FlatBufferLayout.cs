using System.Buffers.Binary;

namespace TinyMl.Interpreter.Tests.Fuzzing;

/// <summary>
/// Where the structure of a valid .tflite file lives: the root offset, every table's soffset to its
/// vtable, every vtable entry, every offset field, every vector's length prefix and the scalars the
/// reader validates (versions, indices, types). Found by walking the bytes with the schema's field
/// numbers, independently of the reader under test, so mutations can aim at exactly these places.
/// </summary>
public sealed class FlatBufferLayout
{
    public enum Kind { RootOffset, TableSoffset, VtableEntry, OffsetField, VectorLength, Scalar, OptionField }

    /// <summary>One structural location: byte position, width (2 for vtable entries, else the field's size) and a label.</summary>
    public readonly record struct Site(int Position, int Width, Kind Kind, string Label);

    private readonly byte[] _b;
    private readonly List<Site> _sites = new();

    public IReadOnlyList<Site> Sites => _sites;

    /// <summary>The sites grouped by kind (only kinds that occur).</summary>
    public IReadOnlyList<IReadOnlyList<Site>> ByKind { get; private set; } = Array.Empty<IReadOnlyList<Site>>();

    private FlatBufferLayout(byte[] bytes) => _b = bytes;

    public static FlatBufferLayout Of(byte[] bytes)
    {
        var layout = new FlatBufferLayout(bytes);
        layout.WalkModel();
        layout.ByKind = layout._sites.GroupBy(s => s.Kind).OrderBy(g => g.Key).Select(g => (IReadOnlyList<Site>)g.ToList()).ToList();
        return layout;
    }

    private int I32(int p) => BinaryPrimitives.ReadInt32LittleEndian(_b.AsSpan(p));
    private ushort U16(int p) => BinaryPrimitives.ReadUInt16LittleEndian(_b.AsSpan(p));

    private void Add(int position, int width, Kind kind, string label) => _sites.Add(new Site(position, width, kind, label));

    /// <summary>Records the table's soffset and vtable; returns the absolute position of each present field (0 if absent).</summary>
    private int[] Table(int table, string label, int fieldCount)
    {
        Add(table, 4, Kind.TableSoffset, $"{label} soffset");
        int vtable = table - I32(table);
        int vtableSize = U16(vtable);
        Add(vtable, 2, Kind.VtableEntry, $"{label} vtable size");
        Add(vtable + 2, 2, Kind.VtableEntry, $"{label} table size");
        var fields = new int[fieldCount];
        for (int f = 0; 4 + 2 * f < vtableSize; f++)
        {
            Add(vtable + 4 + 2 * f, 2, Kind.VtableEntry, $"{label} vtable entry {f}");
            int offset = U16(vtable + 4 + 2 * f);
            if (f < fieldCount) fields[f] = offset == 0 ? 0 : table + offset;
        }
        return fields;
    }

    /// <summary>
    /// An operator's options table: every present field becomes a site of its own kind, so strides,
    /// paddings, axes, masks, ranks and betas are hit as often as the model's other structure. The
    /// schema is not consulted; a field's width is the gap to the next field (at most 4 bytes).
    /// </summary>
    private void OptionFields(int table, string label)
    {
        Table(table, label, 0);
        int vtable = table - I32(table);
        int vtableSize = U16(vtable);
        int tableSize = U16(vtable + 2);
        var offsets = new List<int>();
        for (int f = 0; 4 + 2 * f < vtableSize; f++)
            if (U16(vtable + 4 + 2 * f) is var offset and > 0) offsets.Add(offset);
        offsets.Sort();
        for (int i = 0; i < offsets.Count; i++)
        {
            int gap = (i + 1 < offsets.Count ? offsets[i + 1] : tableSize) - offsets[i];
            int width = gap >= 4 ? 4 : gap >= 2 ? 2 : 1;
            Add(table + offsets[i], width, Kind.OptionField, $"{label} field at +{offsets[i]}");
        }
    }

    /// <summary>Follows an offset field to its target, recording the field.</summary>
    private int Follow(int field, string label)
    {
        Add(field, 4, Kind.OffsetField, $"{label} offset");
        return field + I32(field);
    }

    /// <summary>A vector: records its length prefix, returns (first element position, length).</summary>
    private (int Start, int Length) Vector(int field, string label)
    {
        int vector = Follow(field, label);
        Add(vector, 4, Kind.VectorLength, $"{label} length");
        return (vector + 4, I32(vector));
    }

    private void Scalar(int field, int width, string label)
    {
        if (field != 0) Add(field, width, Kind.Scalar, label);
    }

    private IEnumerable<(int Table, int Index)> TableVector(int field, string label)
    {
        if (field == 0) yield break;
        var (start, length) = Vector(field, label);
        for (int i = 0; i < length; i++)
            yield return (Follow(start + 4 * i, $"{label}[{i}]"), i);
    }

    /// <summary>A vector of 4-byte scalars (indices, dimensions, scales): its length and every element are sites.</summary>
    private void IntVector(int field, string label, bool elements = true)
    {
        if (field == 0) return;
        var (start, length) = Vector(field, label);
        if (!elements) return;
        for (int i = 0; i < length; i++)
            Add(start + 4 * i, 4, Kind.Scalar, $"{label}[{i}]");
    }

    private void WalkModel()
    {
        Add(0, 4, Kind.RootOffset, "root offset");
        int root = I32(0);
        // Model: version, operator_codes, subgraphs, description, buffers, metadata_buffer, metadata.
        var f = Table(root, "model", 7);
        Scalar(f[0], 4, "model version");
        foreach (var (code, i) in TableVector(f[1], "model operator_codes"))
        {
            var c = Table(code, $"operator_codes {i}", 4);
            Scalar(c[0], 1, $"operator_codes {i} deprecated_builtin_code");
            if (c[1] != 0) Vector(c[1], $"operator_codes {i} custom_code");
            Scalar(c[3], 4, $"operator_codes {i} builtin_code");
        }
        foreach (var (subgraph, s) in TableVector(f[2], "model subgraphs"))
            WalkSubgraph(subgraph, s);
        if (f[3] != 0) Vector(f[3], "model description");
        // Metadata first: the buffers it names hold structured words (an offline memory plan) worth hitting one by one.
        var metadataBuffers = new HashSet<int>();
        foreach (var (entry, m) in TableVector(f[6], "model metadata"))
        {
            var mf = Table(entry, $"metadata {m}", 2);
            if (mf[0] != 0) Vector(mf[0], $"metadata {m} name");
            Scalar(mf[1], 4, $"metadata {m} buffer");
            if (mf[1] != 0) metadataBuffers.Add(I32(mf[1]));
        }
        foreach (var (buffer, b) in TableVector(f[4], "model buffers"))
        {
            var bf = Table(buffer, $"buffer {b}", 3);
            if (bf[0] != 0)
            {
                var (start, length) = Vector(bf[0], $"buffer {b} data");
                if (metadataBuffers.Contains(b))
                    for (int w = 0; w + 4 <= length; w += 4)
                        Add(start + w, 4, Kind.Scalar, $"buffer {b} (metadata) word {w / 4}");
            }
            Scalar(bf[1], 8, $"buffer {b} offset");
            Scalar(bf[2], 8, $"buffer {b} size");
        }
        IntVector(f[5], "model metadata_buffer");
    }

    private void WalkSubgraph(int table, int s)
    {
        // SubGraph: tensors, inputs, outputs, operators, name.
        var f = Table(table, $"subgraph {s}", 5);
        foreach (var (tensor, t) in TableVector(f[0], $"subgraph {s} tensors"))
        {
            string label = $"subgraph {s} tensor {t}";
            // Tensor: shape, type, buffer, name, quantization, is_variable.
            var tf = Table(tensor, label, 6);
            IntVector(tf[0], $"{label} shape");
            Scalar(tf[1], 1, $"{label} type");
            Scalar(tf[2], 4, $"{label} buffer");
            if (tf[3] != 0) Vector(tf[3], $"{label} name");
            if (tf[4] != 0)
            {
                // QuantizationParameters: min, max, scale, zero_point, details_type, details, quantized_dimension.
                var q = Table(Follow(tf[4], $"{label} quantization"), $"{label} quantization", 7);
                IntVector(q[0], $"{label} quantization min", elements: false);
                IntVector(q[1], $"{label} quantization max", elements: false);
                IntVector(q[2], $"{label} quantization scale");
                if (q[3] != 0) Vector(q[3], $"{label} quantization zero_point");
                Scalar(q[6], 4, $"{label} quantization quantized_dimension");
            }
            Scalar(tf[5], 1, $"{label} is_variable");
        }
        IntVector(f[1], $"subgraph {s} inputs");
        IntVector(f[2], $"subgraph {s} outputs");
        foreach (var (op, o) in TableVector(f[3], $"subgraph {s} operators"))
        {
            string label = $"subgraph {s} operator {o}";
            // Operator: opcode_index, inputs, outputs, builtin_options_type, builtin_options, custom_options, .., intermediates (8).
            var of = Table(op, label, 9);
            Scalar(of[0], 4, $"{label} opcode_index");
            IntVector(of[1], $"{label} inputs");
            IntVector(of[2], $"{label} outputs");
            Scalar(of[3], 1, $"{label} builtin_options_type");
            if (of[4] != 0)
            {
                int options = Follow(of[4], $"{label} builtin_options");
                OptionFields(options, $"{label} builtin_options");
            }
            if (of[5] != 0) Vector(of[5], $"{label} custom_options");
            IntVector(of[8], $"{label} intermediates");
        }
        if (f[4] != 0) Vector(f[4], $"subgraph {s} name");
    }
}
