using Google.FlatBuffers;
using Fb = TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter;

/// <summary>
/// A validated, read-only view of a .tflite flatbuffer. The model bytes are never copied: constant
/// tensor data, custom options and metadata are slices of <see cref="Bytes"/>. Everything the
/// runtime relies on is checked once here, so kernels and the allocator can trust the indices.
/// </summary>
public sealed class Model
{
    public const string FileIdentifier = "TFL3";
    public const int SchemaVersion = 3;
    public const string OfflineMemoryAllocationMetadata = "OfflineMemoryAllocation";

    /// <summary>Where the model came from (a path, or a label given by the caller), used in error messages.</summary>
    public string Source { get; }
    public ReadOnlyMemory<byte> Bytes { get; }
    public int Version { get; }
    public string Description { get; }
    public IReadOnlyList<OperatorCodeInfo> OperatorCodes { get; }
    public IReadOnlyList<SubGraphInfo> Subgraphs { get; }
    /// <summary>Metadata entries by name, each a view of its buffer's bytes.</summary>
    public IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> Metadata { get; }

    public SubGraphInfo MainSubgraph => Subgraphs[0];

    internal Model(string source, ReadOnlyMemory<byte> bytes, int version, string description,
        IReadOnlyList<OperatorCodeInfo> codes, IReadOnlyList<SubGraphInfo> subgraphs,
        IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> metadata)
    {
        Source = source;
        Bytes = bytes;
        Version = version;
        Description = description;
        OperatorCodes = codes;
        Subgraphs = subgraphs;
        Metadata = metadata;
    }

    /// <summary>Reads and validates a .tflite file. Missing files raise <see cref="ModelFormatException"/> too.</summary>
    public static Model Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelFormatException(path, $"cannot read the model file ({e.Message})", e);
        }
        return FromBytes(bytes, path);
    }

    /// <summary>Validates <paramref name="bytes"/> as a TFLite model and returns a zero-copy view of it.</summary>
    public static Model FromBytes(byte[] bytes, string source = "model") => ModelReader.Read(bytes, source);

    public ReadOnlyMemory<byte>? FindMetadata(string name)
    {
        foreach (var (key, value) in Metadata)
            if (key == name) return value;
        return null;
    }
}
