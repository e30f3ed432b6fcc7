using Google.FlatBuffers;
using Fb = TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>
/// Turns untrusted bytes into a <see cref="Model"/>. Two layers of checks: the structure (every read
/// goes through the bounds-checked FlatBuffers accessors, and vector lengths and strings are bounded,
/// together, by the file size before anything is allocated), then the TFLite rules the runtime
/// depends on (indices in range, constant buffers the size their tensors say). Each failure names
/// where it was found.
/// </summary>
internal sealed class ModelReader
{
    private readonly byte[] _bytes;
    private readonly string _source;
    private readonly ByteBuffer _bb;
    // The place being read, kept current so that any failure can say where it happened. Kept as parts and
    // spelled out only for an error: a string per field read cost as much as the walk itself.
    private Location _where;

    private readonly record struct Location(string? Scope = null, int Index = -1, string? Part = null, int PartIndex = -1,
        string? Name = null, bool QuotedName = false, string? Field = null)
    {
        public bool IsEmpty => Scope is null;

        public override string ToString()
        {
            var text = new System.Text.StringBuilder(Scope);
            if (Index >= 0) text.Append(' ').Append(Index);
            if (Part is not null) text.Append(", ").Append(Part).Append(' ').Append(PartIndex);
            if (!string.IsNullOrEmpty(Name)) text.Append(QuotedName ? $" ('{Name}')" : $" ({Name})");
            if (Field is not null) text.Append(", field ").Append(Field);
            return text.ToString();
        }
    }

    private ModelReader(byte[] bytes, string source)
    {
        _bytes = bytes;
        _source = source;
        _bb = new ByteBuffer(bytes);
    }

    public static Model Read(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var reader = new ModelReader(bytes, source);
        return reader.Read();
    }

    private ModelFormatException Error(string problem, Exception? inner = null) =>
        new(_where.IsEmpty ? _source : $"{_source}: {_where}", problem, inner);

    private Model Read()
    {
        if (_bytes.Length < 8)
            throw Error($"file is {_bytes.Length} bytes, too short to be a flatbuffer");
        if (!Fb.Model.ModelBufferHasIdentifier(_bb))
        {
            var id = new string(_bytes.AsSpan(4, 4).ToArray().Select(b => b is >= 32 and < 127 ? (char)b : '?').ToArray());
            throw Error($"file identifier is '{id}', expected '{Model.FileIdentifier}' (not a TFLite model)");
        }

        // The FlatBuffers verifier of Google.FlatBuffers 25.2.10 is not usable here: it misreads
        // union types (rejecting valid models such as hello_world_float) and, past 32 KB, prints
        // exceptions to stdout and passes the table. So the walk below is the structural check:
        // every field the runtime uses is read once through bounds-checked accessors, option tables
        // get their vtables checked, and any out-of-file read is reported with its location.
        try
        {
            return Walk();
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException)
        {
            // What Google.FlatBuffers' ByteBuffer (spans, array segments, UTF-8 decoding) throws when a read leaves the buffer. Anything
            // else escaping the walk is a bug of this reader and must not be dressed up as a bad file.
            throw new ModelFormatException(_where.IsEmpty ? _source : $"{_source}: {_where}",
                "flatbuffer offset or length points outside the file", e, readOutsideFile: true);
        }
    }

    /// <summary>Checks a table's vtable and inline fields lie inside the file (what a verifier does for scalars).</summary>
    private void CheckTable(int position)
    {
        int length = _bytes.Length;
        if (position < 0 || position > length - 4)
            throw Error($"table at {position} lies outside the file");
        long vtable = position - (long)_bb.GetInt(position);
        if (vtable < 0 || vtable > length - 4)
            throw Error($"vtable of the table at {position} lies outside the file");
        int vtableSize = _bb.GetUshort((int)vtable);
        int tableSize = _bb.GetUshort((int)vtable + 2);
        if (vtableSize < 4 || vtableSize % 2 != 0 || vtable + vtableSize > length || position + (long)tableSize > length)
            throw Error($"table at {position} has a vtable of {vtableSize} bytes and {tableSize} inline bytes that do not fit the file");
        for (int field = 4; field < vtableSize; field += 2)
        {
            int offset = _bb.GetUshort((int)vtable + field);
            if (offset != 0 && offset >= tableSize)
                throw Error($"field {(field - 4) / 2} of the table at {position} points past the table's {tableSize} bytes");
        }
    }

    private Model Walk()
    {
        var root = Fb.Model.GetRootAsModel(_bb);
        _where = new("model", Field: "version");
        var version = (long)root.Version;
        if (version != Model.SchemaVersion)
            throw Error($"schema version is {version}, expected {Model.SchemaVersion}");

        _where = new("model", Field: "description");
        var description = CheckedString(root.Description);

        var buffers = ReadBuffers(root);
        var codes = ReadOperatorCodes(root);

        _where = new("model", Field: "subgraphs");
        int subgraphCount = CheckedLength(root.SubgraphsLength, 4);
        if (subgraphCount == 0)
            throw Error("the model has no subgraph 0");
        var subgraphs = new SubGraphInfo[subgraphCount];
        for (int s = 0; s < subgraphCount; s++)
            subgraphs[s] = ReadSubgraph(root, s, buffers, codes);

        CheckSubgraphCalls(subgraphs);
        var metadata = ReadMetadata(root, buffers, subgraphs);
        _where = default;
        return new Model(_source, _bytes, (int)version, description, codes, subgraphs, metadata);
    }

    /// <summary>
    /// Control-flow operators (CALL_ONCE, IF, WHILE) name the subgraphs they run. Each must exist, and no
    /// chain of calls may come back to a subgraph that is still running: TFLM keeps no call stack, and a
    /// recursive model would never finish. Refused here, at load, whether or not kernels for the ops exist.
    /// </summary>
    private void CheckSubgraphCalls(SubGraphInfo[] subgraphs)
    {
        int n = subgraphs.Length;
        var calls = new List<(int Callee, OperatorInfo Op)>[n];
        for (int s = 0; s < n; s++)
        {
            calls[s] = [];
            foreach (var op in subgraphs[s].Operators)
            {
                _where = new("subgraph", s, "operator", op.Index, op.Name, Field: "builtin_options");
                foreach (int callee in op.CalledSubgraphs)
                {
                    if (callee < 0 || callee >= n)
                        throw Error($"calls subgraph {callee}, but the model has {n} subgraphs");
                    calls[s].Add((callee, op));
                }
            }
        }

        // Depth-first search with an explicit stack (a hostile chain of subgraphs must not overflow ours).
        var state = new byte[n]; // 0 not seen, 1 on the current path, 2 finished
        var path = new List<(int Subgraph, int NextCall)>();
        for (int root = 0; root < n; root++)
        {
            if (state[root] != 0) continue;
            path.Add((root, 0));
            state[root] = 1;
            while (path.Count > 0)
            {
                var (s, next) = path[^1];
                if (next == calls[s].Count)
                {
                    state[s] = 2;
                    path.RemoveAt(path.Count - 1);
                    continue;
                }
                path[^1] = (s, next + 1);
                var (callee, op) = calls[s][next];
                if (state[callee] == 1)
                {
                    int from = path.FindIndex(p => p.Subgraph == callee);
                    string cycle = string.Join(" → ", path.Skip(from).Select(p => p.Subgraph).Append(callee));
                    _where = new("subgraph", s, "operator", op.Index, op.Name, Field: "builtin_options");
                    throw Error($"calls subgraph {callee}, which is still running: the calls {cycle} recurse, and the runtime supports no recursion");
                }
                if (state[callee] == 0)
                {
                    state[callee] = 1;
                    path.Add((callee, 0));
                }
            }
        }
    }

    // Vector lengths come from the file: bound them by the file size before allocating anything.
    // The bound is cumulative because distinct vectors cannot together hold more bytes than the file;
    // vectors that overlap (every tensor pointing at one long shape) would otherwise let a small
    // file cost time and memory in the square of its size.
    private long _vectorBytes;

    private int CheckedLength(int length, int elementSize)
    {
        long bytes = (long)length * elementSize;
        if (length < 0 || bytes > _bytes.Length)
            throw Error($"vector length {length} does not fit in a {_bytes.Length}-byte file");
        Account(bytes, $"vector of {length} entries");
        return length;
    }

    /// <summary>A string read from the file, counted like a vector (a UTF-16 char takes at least one byte of UTF-8).</summary>
    private string CheckedString(string? text)
    {
        if (text is null) return "";
        Account(text.Length, $"string of {text.Length} characters");
        return text;
    }

    private void Account(long bytes, string what)
    {
        _vectorBytes += bytes;
        if (_vectorBytes > _bytes.Length)
            throw Error($"{what} takes the vectors and strings read so far past the {_bytes.Length}-byte file: they overlap");
    }

    private ReadOnlyMemory<byte>[] ReadBuffers(Fb.Model root)
    {
        _where = new("model", Field: "buffers");
        int count = CheckedLength(root.BuffersLength, 4);
        var buffers = new ReadOnlyMemory<byte>[count];
        for (int b = 0; b < count; b++)
        {
            _where = new("buffer", b);
            var buffer = root.Buffers(b);
            if (buffer is null) continue;
            var fb = buffer.Value;
            ulong offset = fb.Offset, size = fb.Size;
            if (offset > 1)
            {
                // Data stored outside the flatbuffer (models over 2 GB): offset/size address the file itself.
                _where = new("buffer", b, Field: "offset");
                if (size > (ulong)_bytes.Length || offset > (ulong)_bytes.Length - size)
                    throw Error($"data at offset {offset} with size {size} lies outside the {_bytes.Length}-byte file");
                buffers[b] = new ReadOnlyMemory<byte>(_bytes, (int)offset, (int)size);
                continue;
            }
            _where = new("buffer", b, Field: "data");
            var segment = fb.GetDataBytes();
            if (segment is { } seg && seg.Count > 0)
            {
                if (seg.Array != _bytes || seg.Offset < 0 || seg.Count > _bytes.Length - seg.Offset)
                    throw Error("data lies outside the file");
                buffers[b] = new ReadOnlyMemory<byte>(_bytes, seg.Offset, seg.Count);
            }
        }
        return buffers;
    }

    private OperatorCodeInfo[] ReadOperatorCodes(Fb.Model root)
    {
        _where = new("model", Field: "operator_codes");
        int count = CheckedLength(root.OperatorCodesLength, 4);
        var codes = new OperatorCodeInfo[count];
        for (int i = 0; i < count; i++)
        {
            _where = new("operator_codes", i);
            var code = root.OperatorCodes(i) ?? throw Error("entry is missing");
            // Newer models keep the code in builtin_code; older ones in deprecated_builtin_code
            // (a byte, 127 meaning "look at builtin_code"). TFLite takes the larger of the two.
            int deprecated = code.DeprecatedBuiltinCode;
            int builtin = (int)code.BuiltinCode;
            int resolved = Math.Max(deprecated, builtin);
            _where = new("operator_codes", i, Field: "builtin_code");
            if (deprecated < 0 || builtin < 0 || !Enum.IsDefined((Fb.BuiltinOperator)resolved))
                throw Error($"builtin code {resolved} (builtin_code {builtin}, deprecated_builtin_code {deprecated}) is not a known operator");
            var op = (Fb.BuiltinOperator)resolved;
            _where = new("operator_codes", i, Field: "custom_code");
            string? custom = op == Fb.BuiltinOperator.CUSTOM ? CheckedString(code.CustomCode) : null;
            if (op == Fb.BuiltinOperator.CUSTOM && string.IsNullOrEmpty(custom))
                throw Error("custom operator has no custom_code");
            codes[i] = new OperatorCodeInfo(i, op, custom, code.Version);
        }
        return codes;
    }

    private SubGraphInfo ReadSubgraph(Fb.Model root, int s, ReadOnlyMemory<byte>[] buffers, OperatorCodeInfo[] codes)
    {
        _where = new("subgraph", s);
        var sg = root.Subgraphs(s) ?? throw Error("entry is missing");
        string name = CheckedString(sg.Name);

        _where = new("subgraph", s, Field: "tensors");
        int tensorCount = CheckedLength(sg.TensorsLength, 4);
        var tensors = new TensorInfo[tensorCount];
        for (int t = 0; t < tensorCount; t++)
            tensors[t] = ReadTensor(sg, s, t, buffers);

        _where = new("subgraph", s, Field: "inputs");
        var inputs = ReadIndices(CheckedLength(sg.InputsLength, 4), sg.Inputs, tensorCount, allowOmitted: false);
        _where = new("subgraph", s, Field: "outputs");
        var outputs = ReadIndices(CheckedLength(sg.OutputsLength, 4), sg.Outputs, tensorCount, allowOmitted: false);

        _where = new("subgraph", s, Field: "operators");
        int opCount = CheckedLength(sg.OperatorsLength, 4);
        var operators = new OperatorInfo[opCount];
        for (int o = 0; o < opCount; o++)
            operators[o] = ReadOperator(sg, s, o, tensorCount, codes, tensors);

        return new SubGraphInfo { Index = s, Name = name, Tensors = tensors, Operators = operators, Inputs = inputs, Outputs = outputs };
    }

    private TensorInfo ReadTensor(Fb.SubGraph sg, int s, int t, ReadOnlyMemory<byte>[] buffers)
    {
        _where = new("subgraph", s, "tensor", t);
        var tensor = sg.Tensors(t) ?? throw Error("entry is missing");
        string name = CheckedString(tensor.Name);
        var where = new Location("subgraph", s, "tensor", t, name, QuotedName: true);

        _where = where with { Field = "type" };
        var type = tensor.Type;
        if (!TensorTypes.IsKnown(type))
            throw Error($"tensor type {(sbyte)type} is not a TFLite type");

        _where = where with { Field = "shape" };
        int rank = CheckedLength(tensor.ShapeLength, 4);
        var shape = new int[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++)
        {
            shape[d] = tensor.Shape(d);
            if (shape[d] < 0)
                throw Error($"dimension {d} is {shape[d]} (dynamic shapes are not supported)");
            elements *= shape[d];
            if (elements > int.MaxValue)
                throw Error($"shape [{string.Join(",", shape.Take(d + 1))}...] has more than {int.MaxValue} elements");
        }
        int elementSize = TensorTypes.ElementSize(type);
        if (elements * Math.Max(elementSize, 1) > int.MaxValue)
            throw Error($"shape [{string.Join(",", shape)}] of {TensorTypes.Name(type)} exceeds 2 GB");

        _where = where with { Field = "buffer" };
        long bufferIndex = tensor.Buffer;
        if (bufferIndex >= buffers.Length)
            throw Error($"buffer index {bufferIndex} is out of range (the model has {buffers.Length} buffers)");
        var data = buffers[bufferIndex];
        Sparsity? sparsity = null;
        if (tensor.Sparsity is { } sparse && !data.IsEmpty)
        {
            // A sparse constant holds only its stored values: check it by its own format's rules instead.
            _where = where with { Field = "sparsity" };
            sparsity = Sparsity.Read(sparse, shape, problem => Error(problem), CheckedLength);
            _where = where with { Field = "buffer" };
            if (data.Length != (long)sparsity.StoredValues * elementSize)
                throw Error($"constant buffer {bufferIndex} holds {data.Length} bytes, but its sparsity stores {sparsity.StoredValues} {TensorTypes.Name(type)} values");
        }
        else if (!data.IsEmpty && elementSize > 0)
        {
            long expected = type == Fb.TensorType.INT4 ? (elements + 1) / 2 : elements * elementSize;
            bool ok = data.Length == expected || (type == Fb.TensorType.INT4 && data.Length == elements);
            if (!ok)
                throw Error($"constant buffer {bufferIndex} holds {data.Length} bytes, but {TensorTypes.Name(type)}[{string.Join(",", shape)}] needs {expected}");
        }

        _where = where with { Field = "quantization" };
        var quantization = ReadQuantization(tensor, shape);

        _where = where with { Field = "is_variable" };
        bool isVariable = tensor.IsVariable;

        return new TensorInfo
        {
            Index = t, Name = name, Type = type, Shape = shape, Quantization = quantization,
            BufferIndex = (int)bufferIndex, IsVariable = isVariable, Data = data, Sparsity = sparsity,
        };
    }

    private QuantizationParams? ReadQuantization(Fb.Tensor tensor, int[] shape)
    {
        var q = tensor.Quantization;
        if (q is null) return null;
        var qp = q.Value;
        int scaleCount = CheckedLength(qp.ScaleLength, 4);
        int zeroCount = CheckedLength(qp.ZeroPointLength, 8);
        if (scaleCount == 0 && zeroCount == 0) return null;
        if (zeroCount != scaleCount && zeroCount != 0)
            throw Error($"{scaleCount} scales but {zeroCount} zero points");
        // Per-channel models carry thousands of scales: they are checked in place and stay in the file's bytes
        // (QuantizationParams decodes them on demand); copying them dominated opening a 4 MB model.
        var scaleBytes = VectorBytes(qp.GetScaleBytes(), scaleCount, sizeof(float), "scale");
        var zeroBytes = VectorBytes(qp.GetZeroPointBytes(), zeroCount, sizeof(long), "zero_point");
        for (int i = 0; i < scaleCount; i++)
        {
            float scale = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(scaleBytes.Span.Slice(i * sizeof(float)));
            if (!float.IsFinite(scale) || scale < 0)
                throw Error($"scale {i} is {scale}, must be finite and not negative");
        }
        for (int i = 0; i < zeroCount; i++)
        {
            long z = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(zeroBytes.Span.Slice(i * sizeof(long)));
            if (z is < int.MinValue or > int.MaxValue)
                throw Error($"zero point {i} is {z}, outside the 32-bit range");
        }
        int dim = qp.QuantizedDimension;
        if (scaleCount > 1)
        {
            // Converters copy the weights' quantized_dimension onto rank-1 biases (person_detect's
            // biases say 3); TFLM only uses the scale count there, so such a bias is read as dim 0.
            if (shape.Length == 1)
                dim = 0;
            if (dim < 0 || dim >= shape.Length)
                throw Error($"quantized_dimension {dim} is outside the tensor's rank {shape.Length}");
            if (shape[dim] != scaleCount)
                throw Error($"{scaleCount} per-channel scales for dimension {dim} of size {shape[dim]}");
        }
        return new QuantizationParams(scaleBytes, zeroBytes, scaleCount, dim);
    }

    /// <summary>
    /// The bytes of a flatbuffer vector of <paramref name="count"/> elements. The generated accessor's segment
    /// gives the start (and is bounds-checked for count bytes only), so the whole extent is checked here.
    /// </summary>
    private ReadOnlyMemory<byte> VectorBytes(ArraySegment<byte>? segment, int count, int elementSize, string what)
    {
        if (count == 0) return default;
        if (segment is not { Array: not null } start)
            throw Error($"the {what} vector is missing");
        long end = start.Offset + (long)count * elementSize;
        if (start.Array != _bytes || start.Offset < 0 || end > _bytes.Length)
            throw Error($"the {count} {what} values run past the end of the {_bytes.Length}-byte file");
        return new ReadOnlyMemory<byte>(_bytes, start.Offset, count * elementSize);
    }

    private int[] ReadIndices(int count, Func<int, int> get, int tensorCount, bool allowOmitted)
    {
        var result = new int[count];
        for (int i = 0; i < count; i++)
        {
            int index = get(i);
            if (index >= tensorCount || index < (allowOmitted ? -1 : 0))
                throw Error($"entry {i} is tensor index {index}, outside 0..{tensorCount - 1}");
            result[i] = index;
        }
        return result;
    }

    private OperatorInfo ReadOperator(Fb.SubGraph sg, int s, int o, int tensorCount, OperatorCodeInfo[] codes, TensorInfo[] tensors)
    {
        _where = new("subgraph", s, "operator", o);
        var op = sg.Operators(o) ?? throw Error("entry is missing");

        _where = new("subgraph", s, "operator", o, Field: "opcode_index");
        long opcode = op.OpcodeIndex;
        if (opcode >= codes.Length)
            throw Error($"opcode index {opcode} is out of range (the model has {codes.Length} operator codes)");
        var code = codes[opcode];
        var where = new Location("subgraph", s, "operator", o, code.Name);

        _where = where with { Field = "inputs" };
        var inputs = ReadIndices(CheckedLength(op.InputsLength, 4), op.Inputs, tensorCount, allowOmitted: true);
        _where = where with { Field = "outputs" };
        var outputs = ReadIndices(CheckedLength(op.OutputsLength, 4), op.Outputs, tensorCount, allowOmitted: false);
        foreach (int t in outputs)
            if (tensors[t].IsConstant)
                throw Error($"output tensor {t} is a constant (it has buffer data)");
        _where = where with { Field = "intermediates" };
        var intermediates = ReadIndices(CheckedLength(op.IntermediatesLength, 4), op.Intermediates, tensorCount, allowOmitted: true);

        _where = where with { Field = "builtin_options_type" };
        var optionsType = op.BuiltinOptionsType;
        if (op.BuiltinOptions<RawTable>() is { } options) CheckTable(options.Position);
        _where = where with { Field = "builtin_options_2_type" };
        var options2Type = op.BuiltinOptions2Type;
        if (op.BuiltinOptions2<RawTable>() is { } options2) CheckTable(options2.Position);
        // Every field of the operator (options tables, their vectors and strings) read once, here, where
        // a read outside the file becomes a located ModelFormatException; kernels read the same fields
        // later and can then trust them to be inside the file.
        _where = where with { Field = "builtin_options" };
        op.UnPack();

        _where = where with { Field = "custom_options" };
        ReadOnlyMemory<byte> custom = default;
        ulong largeOffset = op.LargeCustomOptionsOffset, largeSize = op.LargeCustomOptionsSize;
        if (largeOffset > 1)
        {
            if (largeSize > (ulong)_bytes.Length || largeOffset > (ulong)_bytes.Length - largeSize)
                throw Error($"large custom options at offset {largeOffset} with size {largeSize} lie outside the file");
            custom = new ReadOnlyMemory<byte>(_bytes, (int)largeOffset, (int)largeSize);
        }
        else if (op.GetCustomOptionsBytes() is { } seg && seg.Count > 0)
        {
            custom = new ReadOnlyMemory<byte>(_bytes, seg.Offset, seg.Count);
        }

        return new OperatorInfo
        {
            Index = o, Code = code, Inputs = inputs, Outputs = outputs, Intermediates = intermediates,
            OptionsType = optionsType, Options2Type = options2Type, CustomOptions = custom, Table = op,
            Location = $"{_source}: {where}",
        };
    }

    private List<KeyValuePair<string, ReadOnlyMemory<byte>>> ReadMetadata(Fb.Model root, ReadOnlyMemory<byte>[] buffers, SubGraphInfo[] subgraphs)
    {
        _where = new("model", Field: "metadata");
        int count = CheckedLength(root.MetadataLength, 4);
        var result = new List<KeyValuePair<string, ReadOnlyMemory<byte>>>(count);
        for (int i = 0; i < count; i++)
        {
            _where = new("metadata", i);
            var entry = root.Metadata(i) ?? throw Error("entry is missing");
            string name = CheckedString(entry.Name);
            _where = new("metadata", i, Name: name, QuotedName: true, Field: "buffer");
            long b = entry.Buffer;
            if (b >= buffers.Length)
                throw Error($"buffer index {b} is out of range (the model has {buffers.Length} buffers)");
            if (name == Model.OfflineMemoryAllocationMetadata)
                OfflinePlan.Validate(buffers[b].Span, subgraphs.Sum(g => g.Tensors.Count), Error);
            result.Add(new(name, buffers[b]));
        }
        return result;
    }
}

/// <summary>Any table, seen only as its position: lets the reader check union members generically.</summary>
internal struct RawTable : IFlatbufferObject
{
    public int Position;
    public ByteBuffer ByteBuffer { get; private set; }

    public void __init(int position, ByteBuffer bb)
    {
        Position = position;
        ByteBuffer = bb;
    }
}
