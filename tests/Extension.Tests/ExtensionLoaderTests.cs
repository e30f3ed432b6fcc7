using System.IO.Compression;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using TinyMl.Workbench.Notebooks;

namespace TinyMl.Extension.Tests;

/// <summary>The notebook host's own extension loader, on a package made here that carries only an extension.dib.</summary>
public class ExtensionLoaderTests
{
    [Fact]
    public async Task A_packages_extension_dib_runs_when_the_package_is_referenced()
    {
        var feed = Directory.CreateTempSubdirectory("tinyml-dib-feed-").FullName;
        // A fixed id: the package never changes, so NuGet's cached copy (after the first run) is the same.
        const string id = "TinyMl.Tests.DibOnly";
        WritePackage(Path.Combine(feed, $"{id}.1.0.0.nupkg"), id, """
            #!csharp

            var answerFromDib = 6 * 7;
            """);
        using var kernel = NotebookKernel.Create();

        var load = await kernel.SendAsync(new SubmitCode($"#i \"nuget:{feed}\"\n#r \"nuget:{id}, 1.0.0\""));
        var read = await kernel.SendAsync(new SubmitCode("answerFromDib"));

        Assert.DoesNotContain(load.Events, e => e is CommandFailed);
        var value = Assert.Single(read.Events.OfType<ReturnValueProduced>());
        Assert.Equal(42, value.Value);
    }

    /// <summary>A minimal .nupkg: a nuspec and interactive-extensions/dotnet/extension.dib, nothing else.</summary>
    private static void WritePackage(string path, string id, string dib)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Write(zip, $"{id}.nuspec", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
              <metadata><id>{id}</id><version>1.0.0</version><authors>tests</authors><description>extension.dib only</description></metadata>
            </package>
            """);
        Write(zip, "interactive-extensions/dotnet/extension.dib", dib);
    }

    private static void Write(ZipArchive zip, string name, string text)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open());
        writer.Write(text);
    }
}
