using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using TinyMl.Workbench.Notebooks;

namespace TinyMl.Extension.Tests;

/// <summary>What one submission produced: its return value and displays per MIME type, and its failure.</summary>
public sealed record Submission(IReadOnlyList<IReadOnlyDictionary<string, string>> Outputs, string? ReturnHtml, string? ReturnText, string? Failure)
{
    public string AllHtml => string.Concat(Outputs.Select(o => o.GetValueOrDefault("text/html")));
}

/// <summary>
/// A real C# kernel (the notebook host) into which the packed extension is loaded exactly as a notebook
/// loads it: <c>#i "nuget:&lt;folder&gt;"</c> then <c>#r "nuget:TinyMl.Workbench.Interactive, 0.1.0"</c>.
/// </summary>
public sealed class ExtensionKernel : IAsyncLifetime
{
    private CompositeKernel? _kernel;

    public Submission Loading { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _kernel = NotebookKernel.Create();
        Loading = await SubmitAsync($"""
            #i "nuget:{PackedExtension.Folder}"
            #r "nuget:{PackedExtension.PackageId}, {PackedExtension.Version}"
            """);
        if (Loading.Failure is not null)
            throw new InvalidOperationException("loading the extension failed: " + Loading.Failure);
    }

    public Task DisposeAsync()
    {
        _kernel?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<Submission> SubmitAsync(string code)
    {
        var result = await _kernel!.SendAsync(new SubmitCode(code));
        var outputs = new List<IReadOnlyDictionary<string, string>>();
        string? returnHtml = null, returnText = null, failure = null;
        foreach (var e in result.Events)
        {
            switch (e)
            {
                case DisplayEvent display:
                    var values = display.FormattedValues.ToDictionary(v => v.MimeType, v => v.Value);
                    outputs.Add(values);
                    if (display is ReturnValueProduced)
                    {
                        returnHtml = values.GetValueOrDefault("text/html");
                        returnText = values.GetValueOrDefault("text/plain");
                    }
                    break;
                case CommandFailed failed:
                    failure ??= failed.Message;
                    break;
            }
        }
        return new Submission(outputs, returnHtml, returnText, failure);
    }
}
