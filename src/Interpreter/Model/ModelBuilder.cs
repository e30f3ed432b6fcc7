using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>
/// Writes .tflite flatbuffers: tensors (with constant data and quantization), operators, the inputs and
/// outputs of the main subgraph and of any further subgraphs (for control flow), through the schema's object API. Used to make the project's own
/// models (the sine model in data/) and single-operator models in tests and notebooks.
/// </summary>
public sealed class ModelBuilder
{
    private readonly ModelT _model = new()
    {
        Version = (uint)Model.SchemaVersion,
        OperatorCodes = new(),
        Subgraphs = new() { new SubGraphT { Tensors = new(), Operators = new(), Inputs = new(), Outputs = new(), Name = "main" } },
        Buffers = new() { new BufferT() }, // buffer 0 is the empty sentinel, as converters write it
        Metadata = new(),
        Description = "TinyML Workbench",
    };

    private int _current;

    private SubGraphT Graph => _model.Subgraphs[_current];

    /// <summary>
    /// Adds a subgraph (for IF, WHILE or CALL_ONCE to run) and makes it the one later calls build; returns its
    /// index. <see cref="InSubgraph"/> switches back (subgraph 0 is the model's main graph).
    /// </summary>
    public int AddSubgraph(string name)
    {
        _model.Subgraphs.Add(new SubGraphT { Tensors = new(), Operators = new(), Inputs = new(), Outputs = new(), Name = name });
        _current = _model.Subgraphs.Count - 1;
        return _current;
    }

    /// <summary>Makes subgraph <paramref name="index"/> the one AddTensor, AddOperator, SetInputs and SetOutputs build.</summary>
    public ModelBuilder InSubgraph(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _model.Subgraphs.Count);
        _current = index;
        return this;
    }

    public string Description
    {
        get => _model.Description;
        set => _model.Description = value;
    }

    /// <summary>Adds a tensor; <paramref name="data"/> makes it a constant (or a variable's initial value).</summary>
    public int AddTensor(string name, TensorType type, int[] shape, byte[]? data = null,
        float[]? scales = null, long[]? zeroPoints = null, int quantizedDimension = 0, bool isVariable = false)
    {
        uint buffer = 0;
        if (data is not null)
        {
            _model.Buffers.Add(new BufferT { Data = data.ToList() });
            buffer = (uint)(_model.Buffers.Count - 1);
        }
        QuantizationParametersT? quantization = null;
        if (scales is not null)
        {
            quantization = new QuantizationParametersT
            {
                Scale = scales.ToList(),
                ZeroPoint = (zeroPoints ?? new long[scales.Length]).ToList(),
                QuantizedDimension = quantizedDimension,
            };
        }
        Graph.Tensors.Add(new TensorT
        {
            Name = name, Type = type, Shape = shape.ToList(), Buffer = buffer, Quantization = quantization, IsVariable = isVariable,
        });
        return Graph.Tensors.Count - 1;
    }

    /// <summary>Adds a constant tensor holding <paramref name="values"/>.</summary>
    public int AddConstant<T>(string name, TensorType type, int[] shape, T[] values,
        float[]? scales = null, long[]? zeroPoints = null, int quantizedDimension = 0) where T : unmanaged =>
        AddTensor(name, type, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), scales, zeroPoints, quantizedDimension);

    /// <summary>Adds an int4 constant: <paramref name="values"/> in −8…7, packed two to a byte, low nibble first, as converters store them.</summary>
    public int AddInt4Constant(string name, int[] shape, sbyte[] values, float[]? scales = null, long[]? zeroPoints = null, int quantizedDimension = 0)
    {
        var packed = new byte[(values.Length + 1) / 2];
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] is < -8 or > 7) throw new ArgumentOutOfRangeException(nameof(values), values[i], $"value {i} does not fit in 4 bits");
            packed[i / 2] |= (byte)((values[i] & 0xF) << (4 * (i % 2)));
        }
        return AddTensor(name, TensorType.INT4, shape, packed, scales, zeroPoints, quantizedDimension);
    }

    /// <summary>
    /// Adds a constant matrix [rows, columns] stored sparse as converters write pruned weights: rows dense, columns
    /// compressed (CSR), only the non-zero values kept — or, with <paramref name="blockColumns"/> above 1, blocks of
    /// that many columns kept or dropped whole (TFLite's block sparsity). Read it through a DENSIFY operator.
    /// </summary>
    public int AddSparseConstant<T>(string name, TensorType type, int rows, int columns, T[] dense, int blockColumns = 1,
        float[]? scales = null, long[]? zeroPoints = null) where T : unmanaged, IEquatable<T>
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(dense.Length, rows * columns);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockColumns, 1);
        if (columns % blockColumns != 0) throw new ArgumentException($"{blockColumns}-column blocks do not divide {columns} columns");
        int blocks = columns / blockColumns;
        var segments = new List<int> { 0 };
        var indices = new List<int>();
        var values = new List<T>();
        for (int r = 0; r < rows; r++)
        {
            for (int b = 0; b < blocks; b++)
            {
                var block = dense.AsSpan(r * columns + b * blockColumns, blockColumns);
                if (!block.ContainsAnyExcept(default(T))) continue;
                indices.Add(b);
                values.AddRange(block.ToArray());
            }
            segments.Add(indices.Count);
        }
        int tensor = AddConstant(name, type, [rows, columns], values.ToArray(), scales, zeroPoints);
        var levels = new List<DimensionMetadataT>
        {
            new() { Format = DimensionType.DENSE, DenseSize = rows },
            new()
            {
                Format = DimensionType.SPARSE_CSR,
                ArraySegments = SparseIndexVectorUnion.FromInt32Vector(new Int32VectorT { Values = segments }),
                ArrayIndices = SparseIndexVectorUnion.FromInt32Vector(new Int32VectorT { Values = indices }),
            },
        };
        var sparsity = new SparsityParametersT { TraversalOrder = [0, 1], BlockMap = [], DimMetadata = levels };
        if (blockColumns > 1)
        {
            sparsity.TraversalOrder = [0, 1, 2];
            sparsity.BlockMap = [1];
            levels.Add(new DimensionMetadataT { Format = DimensionType.DENSE, DenseSize = blockColumns });
        }
        Graph.Tensors[tensor].Sparsity = sparsity;
        return tensor;
    }

    /// <summary>Adds an operator; <paramref name="inputs"/> may hold -1 for an omitted optional input.</summary>
    public int AddOperator(BuiltinOperator op, int[] inputs, int[] outputs, BuiltinOptionsUnion? options = null,
        string? customCode = null, byte[]? customOptions = null, int version = 1)
    {
        int code = _model.OperatorCodes.FindIndex(c =>
            c.BuiltinCode == op && c.CustomCode == customCode && c.Version == version);
        if (code < 0)
        {
            _model.OperatorCodes.Add(new OperatorCodeT
            {
                BuiltinCode = op,
                // Old readers only look at the byte-sized field; 127 there means "see builtin_code".
                DeprecatedBuiltinCode = (sbyte)Math.Min((int)op, 127),
                CustomCode = customCode,
                Version = version,
            });
            code = _model.OperatorCodes.Count - 1;
        }
        Graph.Operators.Add(new OperatorT
        {
            OpcodeIndex = (uint)code,
            Inputs = inputs.ToList(),
            Outputs = outputs.ToList(),
            BuiltinOptions = options ?? new BuiltinOptionsUnion(),
            CustomOptions = customOptions?.ToList(),
        });
        return Graph.Operators.Count - 1;
    }

    public ModelBuilder SetInputs(params int[] tensors)
    {
        Graph.Inputs = tensors.ToList();
        return this;
    }

    public ModelBuilder SetOutputs(params int[] tensors)
    {
        Graph.Outputs = tensors.ToList();
        return this;
    }

    public ModelBuilder AddMetadata(string name, byte[] data)
    {
        _model.Buffers.Add(new BufferT { Data = data.ToList() });
        _model.Metadata.Add(new MetadataT { Name = name, Buffer = (uint)(_model.Buffers.Count - 1) });
        return this;
    }

    /// <summary>
    /// Changes the object model directly before it is written, for models the typed methods refuse
    /// to make: raw indices, codes, versions and sizes (tests of the reader's validation use this).
    /// </summary>
    public ModelBuilder Edit(Action<ModelT> edit)
    {
        edit(_model);
        return this;
    }

    /// <summary>The finished flatbuffer, with the TFL3 identifier.</summary>
    public byte[] Build() => _model.SerializeToBinary();

    /// <summary>Builds and loads the model in one step.</summary>
    public Model ToModel(string source = "built model") => Model.FromBytes(Build(), source);
}
