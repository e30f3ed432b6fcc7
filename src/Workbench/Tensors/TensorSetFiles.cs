using System.Security.Cryptography;
using System.Text.Json;
using TinyMl.Interpreter;
using TensorType = TinyMl.Interpreter.Schema.TensorType;

namespace TinyMl.Workbench.Tensors;

/// <summary>
/// A tensor set on disk: manifest.json (label, model, and per tensor its name, index, type, shape,
/// quantization, producing operator, file, byte count and SHA-256) and one raw little-endian .bin file
/// per tensor. File names are made from positions, never from tensor names (a model's names may hold
/// anything, slashes and "..", included). Loading checks every field and file against the manifest.
/// </summary>
public static class TensorSetFiles
{
    public const string ManifestName = "manifest.json";
    public const string Format = "tinyml-workbench-tensor-set";
    public const int Version = 1;

    public static void Save(TensorSet set, string directory)
    {
        ArgumentNullException.ThrowIfNull(set);
        Directory.CreateDirectory(directory);
        using var manifest = new MemoryStream();
        using (var w = new Utf8JsonWriter(manifest, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("version", Version);
            w.WriteString("label", set.Label);
            w.WriteString("model", set.ModelSource);
            w.WriteStartArray("tensors");
            for (int i = 0; i < set.Tensors.Count; i++)
            {
                var t = set.Tensors[i];
                string file = $"tensor{i:D4}.bin";
                File.WriteAllBytes(Path.Combine(directory, file), t.Bytes);
                w.WriteStartObject();
                w.WriteString("file", file);
                w.WriteString("name", t.Name);
                w.WriteNumber("index", t.Index);
                w.WriteString("type", t.Type.ToString());
                w.WriteStartArray("shape");
                foreach (int d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteNumber("bytes", t.Bytes.Length);
                w.WriteString("sha256", Convert.ToHexStringLower(SHA256.HashData(t.Bytes)));
                w.WriteBoolean("constant", t.IsConstant);
                if (t.Quantization is { } q)
                {
                    w.WriteStartObject("quantization");
                    w.WriteStartArray("scales");
                    foreach (float s in q.Scales) w.WriteNumberValue(s);
                    w.WriteEndArray();
                    w.WriteStartArray("zero_points");
                    foreach (int z in q.ZeroPoints) w.WriteNumberValue(z);
                    w.WriteEndArray();
                    w.WriteNumber("quantized_dimension", q.QuantizedDimension);
                    w.WriteEndObject();
                }
                if (set.OriginAt(i) is { } origin)
                {
                    w.WriteStartObject("producer");
                    w.WriteNumber("operator", origin.OperatorIndex);
                    w.WriteString("op", origin.Op);
                    w.WriteNumber("slot", origin.Slot);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        // The manifest is written last: a save interrupted half-way leaves no manifest claiming files that are not there.
        File.WriteAllBytes(Path.Combine(directory, ManifestName), manifest.ToArray());
    }

    public static TensorSet Load(string directory)
    {
        if (!Directory.Exists(directory))
            throw new TensorSetFileException(directory, "no such directory");
        string manifestPath = Path.Combine(directory, ManifestName);
        if (!File.Exists(manifestPath))
            throw new TensorSetFileException(manifestPath, "is missing: the directory holds no saved tensor set (TensorSet.Save writes one)");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(manifestPath));
        }
        catch (JsonException e)
        {
            throw new TensorSetFileException(manifestPath, $"is not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = new Fields(manifestPath, "manifest", document.RootElement);
            if (root.String("format") != Format)
                throw root.Problem($"field 'format' is not '{Format}': not a tensor set manifest");
            int version = root.Int("version");
            if (version != Version)
                throw root.Problem($"is version {version}; this workbench reads version {Version}");
            var tensors = new List<TensorData>();
            var origins = new List<TensorOrigin>();
            int position = 0;
            foreach (var element in root.Array("tensors"))
            {
                var fields = new Fields(manifestPath, $"tensor {position}", element);
                tensors.Add(ReadTensor(directory, fields, out var origin));
                if (origin is not null) origins.Add(origin);
                position++;
            }
            if (origins.Count != 0 && origins.Count != tensors.Count)
                throw root.Problem($"gives a producer for {origins.Count} of {tensors.Count} tensors; either all or none have one");
            return new TensorSet { Label = root.String("label"), ModelSource = root.OptionalString("model") ?? "", Tensors = tensors, Origins = origins };
        }
    }

    private static TensorData ReadTensor(string directory, Fields fields, out TensorOrigin? origin)
    {
        string name = fields.String("name");
        fields = fields.Named($"{fields.What} ('{name}')");
        string typeName = fields.String("type");
        if (!Enum.TryParse<TensorType>(typeName, ignoreCase: false, out var type) || !Enum.IsDefined(type) || int.TryParse(typeName, out _))
            throw fields.Problem($"type '{typeName}' is not a TFLite tensor type");
        int[] shape = fields.Array("shape").Select((d, i) => d.TryGetInt32(out int v) && v >= 0 ? v : throw fields.Problem($"shape dimension {i} is not a non-negative integer")).ToArray();
        long bytes = fields.Long("bytes");
        long elements = shape.Aggregate(1L, (n, d) => n * d);
        int elementSize = TensorTypes.ElementSize(type);
        if (bytes != 0 && elementSize > 0 && bytes != elements * elementSize)
            throw fields.Problem($"says {bytes} bytes, but {TensorTypes.Name(type)}[{string.Join(",", shape)}] holds {elements * elementSize}");

        string file = fields.String("file");
        if (file.Length == 0 || Path.GetFileName(file) != file || file is "." or "..")
            throw fields.Problem($"file '{file}' is not a plain file name inside the set's directory");
        string path = Path.Combine(directory, file);
        if (!File.Exists(path))
            throw new TensorSetFileException(path, $"is missing ({fields.What} of the manifest)");
        byte[] data = File.ReadAllBytes(path);
        if (data.Length != bytes)
            throw new TensorSetFileException(path, $"has {data.Length} bytes; the manifest says {bytes} for {fields.What}");
        if (fields.OptionalString("sha256") is { } sha && !string.Equals(sha, Convert.ToHexStringLower(SHA256.HashData(data)), StringComparison.OrdinalIgnoreCase))
            throw new TensorSetFileException(path, $"differs from what was saved (SHA-256 mismatch): the file is corrupted or was replaced ({fields.What})");

        QuantizationParams? quantization = null;
        if (fields.Optional("quantization") is { } q)
        {
            var qf = fields.Named($"{fields.What}, quantization").Of(q);
            var scales = qf.Array("scales").Select(s => s.ValueKind == JsonValueKind.Number ? s.GetSingle() : throw qf.Problem("a scale is not a number")).ToArray();
            var zeros = qf.Array("zero_points").Select(z => z.TryGetInt32(out int v) ? v : throw qf.Problem("a zero point is not an integer")).ToArray();
            if (zeros.Length != scales.Length)
                throw qf.Problem($"has {scales.Length} scales but {zeros.Length} zero points");
            quantization = new QuantizationParams(scales, zeros, qf.Int("quantized_dimension"));
        }
        origin = null;
        if (fields.Optional("producer") is { } p)
        {
            var pf = fields.Named($"{fields.What}, producer").Of(p);
            origin = new TensorOrigin(pf.Int("operator"), pf.String("op"), pf.Int("slot"));
        }
        return new TensorData
        {
            Index = fields.Int("index"),
            Name = name,
            Type = type,
            Shape = shape,
            Quantization = quantization,
            IsConstant = fields.OptionalBool("constant") ?? false,
            Bytes = data,
        };
    }

    /// <summary>Reads one JSON object's fields; a missing or mistyped field is an error naming the manifest, the object and the field.</summary>
    private readonly record struct Fields(string Manifest, string What, JsonElement Element)
    {
        public Fields Named(string what) => this with { What = what };
        public Fields Of(JsonElement element) => this with { Element = element };

        public TensorSetFileException Problem(string problem) => new(Manifest, $"{What}: {problem}");

        public JsonElement? Optional(string name) =>
            Element.ValueKind == JsonValueKind.Object && Element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

        private JsonElement Required(string name, JsonValueKind kind, string kindName) =>
            Element.ValueKind != JsonValueKind.Object ? throw Problem("is not a JSON object")
            : Optional(name) is not { } v ? throw Problem($"field '{name}' is missing")
            : v.ValueKind != kind ? throw Problem($"field '{name}' is not {kindName}")
            : v;

        public string String(string name) => Required(name, JsonValueKind.String, "a string").GetString()!;
        public string? OptionalString(string name) => Optional(name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
        public bool? OptionalBool(string name) => Optional(name) is { ValueKind: JsonValueKind.True or JsonValueKind.False } v ? v.GetBoolean() : null;
        public int Int(string name) => Required(name, JsonValueKind.Number, "a number").TryGetInt32(out int v) ? v : throw Problem($"field '{name}' is not a 32-bit integer");
        public long Long(string name) => Required(name, JsonValueKind.Number, "a number").TryGetInt64(out long v) && v >= 0 ? v : throw Problem($"field '{name}' is not a non-negative integer");
        public JsonElement.ArrayEnumerator Array(string name) => Required(name, JsonValueKind.Array, "an array").EnumerateArray();
    }
}
