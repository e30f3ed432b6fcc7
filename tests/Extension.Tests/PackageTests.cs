using System.IO.Compression;
using System.Xml.Linq;

namespace TinyMl.Extension.Tests;

public class PackageTests
{
    [Fact]
    public void Pack_puts_the_extension_dll_where_dotnet_interactive_looks_for_extensions()
    {
        using var package = ZipFile.OpenRead(PackedExtension.PackagePath(PackedExtension.PackageId));
        var entries = package.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("interactive-extensions/dotnet/TinyMl.Workbench.Interactive.dll", entries);
        // The kernel provides Microsoft.DotNet.Interactive: the package must neither carry nor depend on it.
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.DotNet.Interactive", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(Dependencies(package), d => d.Id.StartsWith("Microsoft.DotNet.Interactive", StringComparison.Ordinal));
    }

    [Fact]
    public void The_runtime_and_the_views_come_along_as_packages_of_the_same_version_with_their_nuget_dependencies()
    {
        using var extension = ZipFile.OpenRead(PackedExtension.PackagePath(PackedExtension.PackageId));
        Assert.Equal(
            [("TinyMl.Interpreter", PackedExtension.Version), ("TinyMl.Workbench", PackedExtension.Version)],
            Dependencies(extension).Select(d => (d.Id, d.Version)).Order().ToArray());

        using var runtime = ZipFile.OpenRead(PackedExtension.PackagePath("TinyMl.Interpreter"));
        Assert.Contains("lib/net10.0/TinyMl.Interpreter.dll", runtime.Entries.Select(e => e.FullName));
        Assert.Equal(["Google.FlatBuffers"], Dependencies(runtime).Select(d => d.Id).ToArray());

        using var views = ZipFile.OpenRead(PackedExtension.PackagePath("TinyMl.Workbench"));
        Assert.Contains("lib/net10.0/TinyMl.Workbench.dll", views.Entries.Select(e => e.FullName));
        Assert.Equal(["AutomaticGraphLayout", "BigGustave", "TinyMl.Interpreter"], Dependencies(views).Select(d => d.Id).Order().ToArray());
    }

    private static List<(string Id, string Version)> Dependencies(ZipArchive package)
    {
        var nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => ((string)e.Attribute("id")!, (string)e.Attribute("version")!)).ToList();
    }
}
