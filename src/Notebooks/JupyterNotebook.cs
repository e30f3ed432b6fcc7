using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TinyMl.Workbench.Notebooks;

/// <summary>A notebook file that is not an nbformat 4 notebook (a user error, not a failure of a cell).</summary>
public sealed class NotebookFormatException(string message) : Exception(message);

/// <summary>
/// An .ipynb file (nbformat 4) kept as its own JSON, so that everything the runner does not touch —
/// notebook and cell metadata (kernelspec, polyglot_notebook), markdown, attachments, ids — is written
/// back unchanged. Written as nbformat 4.5, which requires every cell to have an id.
/// </summary>
public sealed partial class JupyterNotebook
{
    private readonly JsonObject _root;

    private JupyterNotebook(JsonObject root, IReadOnlyList<NotebookCell> cells)
    {
        _root = root;
        Cells = cells;
    }

    public IReadOnlyList<NotebookCell> Cells { get; }

    public JsonObject Metadata => _root["metadata"] as JsonObject ?? (JsonObject)(_root["metadata"] = new JsonObject());

    /// <summary>The kernel a cell without its own kernel name runs in (polyglot notebooks' metadata, else C#).</summary>
    public string DefaultKernelName =>
        Metadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>() ?? NotebookKernel.CSharp;

    public static JupyterNotebook Read(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new NotebookFormatException($"'{path}' is not a notebook: {e.Message}");
        }
        if (root is not JsonObject notebook || notebook["nbformat"]?.GetValueKind() != JsonValueKind.Number || notebook["cells"] is not JsonArray cells)
            throw new NotebookFormatException($"'{path}' is not a Jupyter notebook (no nbformat and cells)");
        int format = notebook["nbformat"]!.GetValue<int>();
        if (format != 4)
            throw new NotebookFormatException($"'{path}' is nbformat {format}; only nbformat 4 notebooks can be run");
        return new JupyterNotebook(notebook, cells.Select((c, i) => c is JsonObject cell
            ? new NotebookCell(cell)
            : throw new NotebookFormatException($"'{path}': cell {i + 1} is not an object")).ToList());
    }

    public void Write(string path) => File.WriteAllText(path, ToJson());

    public string ToJson()
    {
        // nbformat 4.5: cell ids are required, unique, 1-64 of [A-Za-z0-9-_].
        _root["nbformat_minor"] = Math.Max(5, _root["nbformat_minor"]?.GetValue<int>() ?? 0);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in Cells)
            if (cell.Id is not { } id || !CellId().IsMatch(id) || !ids.Add(id))
            {
                do cell.Id = Guid.NewGuid().ToString("N")[..16];
                while (!ids.Add(cell.Id));
            }
        return _root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex CellId();
}

/// <summary>One cell of a <see cref="JupyterNotebook"/>.</summary>
public sealed class NotebookCell(JsonObject json)
{
    public string CellType => json["cell_type"]?.GetValue<string>() ?? "";
    public bool IsCode => CellType == "code";

    public string? Id
    {
        get => json["id"]?.GetValueKind() == JsonValueKind.String ? json["id"]!.GetValue<string>() : null;
        set => json["id"] = value;
    }

    /// <summary>nbformat stores the source as a string or as a list of lines.</summary>
    public string Source => json["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue text => text.GetValue<string>(),
        _ => "",
    };

    /// <summary>The kernel the cell names (polyglot or the older dotnet_interactive metadata), if any.</summary>
    public string? KernelName =>
        json["metadata"]?["polyglot_notebook"]?["kernelName"]?.GetValue<string>()
        ?? json["metadata"]?["dotnet_interactive"]?["language"]?.GetValue<string>();

    public JsonArray Outputs => json["outputs"] as JsonArray ?? (JsonArray)(json["outputs"] = new JsonArray());

    public int? ExecutionCount => json["execution_count"]?.GetValueKind() == JsonValueKind.Number ? json["execution_count"]!.GetValue<int>() : null;

    public void SetOutputs(IEnumerable<JsonObject> outputs, int? executionCount)
    {
        json["outputs"] = new JsonArray(outputs.ToArray<JsonNode?>());
        json["execution_count"] = executionCount;
    }

    /// <summary>The first non-empty line of the source, to name the cell in messages.</summary>
    public string FirstLine => Source.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
}
