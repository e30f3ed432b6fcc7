using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace TinyMl.Workbench.Notebooks;

/// <summary>
/// A C# kernel hosted in this process that behaves like the one dotnet-interactive runs for Jupyter and
/// VS Code: the kernel helpers (display, HTML...), value sharing, and <c>#i</c>/<c>#r "nuget:…"</c>
/// directives whose packages' kernel extensions (interactive-extensions/dotnet) are loaded as the tool
/// loads them.
/// </summary>
public static class NotebookKernel
{
    public const string CSharp = "csharp";

    public static CompositeKernel Create()
    {
        var extensions = new KernelExtensionLoader();
        var csharp = new CSharpKernel()
            .UseKernelHelpers()
            .UseValueSharing()
            .UseNugetDirective((kernel, packages) =>
            {
                kernel.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
                return extensions.LoadAsync(kernel.RootKernel, packages);
            });
        var composite = new CompositeKernel { csharp };
        composite.DefaultKernelName = CSharp;
        composite.RegisterForDisposal(extensions);
        return composite;
    }
}
