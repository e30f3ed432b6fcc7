using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>One entry of the model's operator_codes table, with the builtin code already resolved.</summary>
public sealed record OperatorCodeInfo(int Index, BuiltinOperator Builtin, string? CustomName, int Version)
{
    /// <summary>The builtin name (CONV_2D) or, for custom ops, the custom code (SignalWindow).</summary>
    public string Name => Builtin == BuiltinOperator.CUSTOM ? CustomName ?? "CUSTOM" : Builtin.ToString();
}

/// <summary>A tensor as the flatbuffer describes it. Constant data is a view into the model bytes.</summary>
public sealed class TensorInfo
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required TensorType Type { get; init; }
    public required int[] Shape { get; init; }
    public required QuantizationParams? Quantization { get; init; }
    public required int BufferIndex { get; init; }
    public required bool IsVariable { get; init; }
    /// <summary>The tensor's constant (or, for variables, initial) data; empty when it has none.</summary>
    public required ReadOnlyMemory<byte> Data { get; init; }
    /// <summary>Set for a constant stored in TFLite's sparse format: <see cref="Data"/> then holds only the stored values, which DENSIFY expands.</summary>
    public Sparsity? Sparsity { get; init; }

    public bool IsConstant => !IsVariable && !Data.IsEmpty;
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);
    public long ByteCount => ElementCount * TensorTypes.ElementSize(Type);

    public override string ToString() => $"{Index} '{Name}' {TensorTypes.Name(Type)}[{string.Join(",", Shape)}]";
}

/// <summary>An operator of a subgraph: its code, tensor indices (-1 marks an omitted optional input) and options.</summary>
public sealed class OperatorInfo
{
    public required int Index { get; init; }
    public required OperatorCodeInfo Code { get; init; }
    public required int[] Inputs { get; init; }
    public required int[] Outputs { get; init; }
    public required int[] Intermediates { get; init; }
    public required BuiltinOptions OptionsType { get; init; }
    public required BuiltinOptions2 Options2Type { get; init; }
    public required ReadOnlyMemory<byte> CustomOptions { get; init; }
    /// <summary>The zero-copy flatbuffer table, for reading builtin options.</summary>
    internal Operator Table { get; init; }
    /// <summary>"model: subgraph 0, operator 3 (CONV_2D)", for errors found after loading.</summary>
    internal string Location { get; init; } = "";

    public string Name => Code.Name;

    /// <summary>The subgraphs a control-flow operator (CALL_ONCE, IF, WHILE) runs; an absent options table reads as index 0, the flatbuffer default.</summary>
    public int[] CalledSubgraphs => Code.Builtin switch
    {
        BuiltinOperator.CALL_ONCE => [Options<CallOnceOptions>()?.InitSubgraphIndex ?? 0],
        BuiltinOperator.IF => Options<IfOptions>() is { } o ? [o.ThenSubgraphIndex, o.ElseSubgraphIndex] : [0, 0],
        BuiltinOperator.WHILE => Options<WhileOptions>() is { } o ? [o.CondSubgraphIndex, o.BodySubgraphIndex] : [0, 0],
        _ => [],
    };

    /// <summary>
    /// The builtin options table of type <typeparamref name="T"/>, or null when absent. A table of
    /// another type is the model's error: reading it as <typeparamref name="T"/> would give garbage.
    /// </summary>
    public T? Options<T>() where T : struct, Google.FlatBuffers.IFlatbufferObject
    {
        if (OptionsType == BuiltinOptions.NONE) return null;
        if (OptionsType != UnionMember<T, BuiltinOptions>.Tag)
            throw new ModelFormatException($"{Location}, field builtin_options_type", $"the options are {OptionsType}, the kernel reads {typeof(T).Name}");
        return Table.BuiltinOptions<T>();
    }

    /// <summary>The builtin_options_2 table of type <typeparamref name="T"/>, or null when absent; another type is an error.</summary>
    public T? Options2<T>() where T : struct, Google.FlatBuffers.IFlatbufferObject
    {
        if (Options2Type == BuiltinOptions2.NONE) return null;
        if (Options2Type != UnionMember<T, BuiltinOptions2>.Tag)
            throw new ModelFormatException($"{Location}, field builtin_options_2_type", $"the options are {Options2Type}, the kernel reads {typeof(T).Name}");
        return Table.BuiltinOptions2<T>();
    }

    /// <summary>The union tag naming table type <typeparamref name="T"/> (the schema names each member after its table).</summary>
    private static class UnionMember<T, TUnion> where TUnion : struct, Enum
    {
        public static readonly TUnion Tag = Enum.TryParse<TUnion>(typeof(T).Name, out var tag)
            ? tag
            : throw new ArgumentException($"{typeof(T).Name} is not a member of the {typeof(TUnion).Name} union");
    }
}

/// <summary>A subgraph: tensors, operators in execution order, and its input and output tensor indices.</summary>
public sealed class SubGraphInfo
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required IReadOnlyList<TensorInfo> Tensors { get; init; }
    public required IReadOnlyList<OperatorInfo> Operators { get; init; }
    public required int[] Inputs { get; init; }
    public required int[] Outputs { get; init; }
}
