using System.Reflection;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive;

namespace TinyMl.Workbench.Notebooks;

/// <summary>
/// Loads the kernel extensions a NuGet package carries in interactive-extensions/dotnet: every
/// <see cref="IKernelExtension"/> in its DLLs, then its extension.dib. The dotnet-interactive tool does
/// this itself, but its loader is not in the library packages, so a hosted kernel needs its own.
/// </summary>
internal sealed class KernelExtensionLoader : IDisposable
{
    private readonly HashSet<string> _loadedPackages = new(StringComparer.Ordinal);
    // Simple assembly name → path, for every assembly of every restored package: an extension's
    // dependencies (the package's own libraries) resolve from here when the process doesn't have them.
    private readonly Dictionary<string, string> _packageAssemblies = new(StringComparer.OrdinalIgnoreCase);

    public KernelExtensionLoader() => AssemblyLoadContext.Default.Resolving += ResolveFromPackages;

    public void Dispose() => AssemblyLoadContext.Default.Resolving -= ResolveFromPackages;

    public async Task LoadAsync(Kernel rootKernel, IReadOnlyList<ResolvedPackageReference> packages)
    {
        foreach (var path in packages.SelectMany(p => p.AssemblyPaths))
            _packageAssemblies.TryAdd(Path.GetFileNameWithoutExtension(path), path);

        foreach (var package in packages)
        {
            var folder = Path.Combine(package.PackageRoot, "interactive-extensions", "dotnet");
            if (!Directory.Exists(folder) || !_loadedPackages.Add(Path.GetFullPath(folder)))
                continue;
            foreach (var dll in Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal))
                await LoadExtensionsFromAsync(rootKernel, dll);
            var dib = Path.Combine(folder, "extension.dib");
            if (File.Exists(dib))
                await rootKernel.LoadAndRunInteractiveDocument(new FileInfo(dib));
        }
    }

    private static async Task LoadExtensionsFromAsync(Kernel rootKernel, string dll)
    {
        var assembly = Load(dll);
        var extensions = assembly.GetExportedTypes()
            .Where(t => typeof(IKernelExtension).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });
        foreach (var type in extensions)
        {
            var extension = (IKernelExtension)Activator.CreateInstance(type)!;
            await extension.OnLoadAsync(rootKernel);
            if (KernelInvocationContext.Current is { } context)
                KernelInvocationContextExtensions.Display(context, $"Loaded kernel extension {type.FullName} from {dll}", "text/plain");
        }
    }

    /// <summary>An assembly of that name already in the process (an earlier kernel loaded it) is used as it is: loading a second copy would split its types.</summary>
    private static Assembly Load(string dll)
    {
        var name = AssemblyName.GetAssemblyName(dll);
        return AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(name, a.GetName()))
            ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(dll);
    }

    private Assembly? ResolveFromPackages(AssemblyLoadContext context, AssemblyName name) =>
        name.Name is not null && _packageAssemblies.TryGetValue(name.Name, out var path) ? context.LoadFromAssemblyPath(path) : null;
}
