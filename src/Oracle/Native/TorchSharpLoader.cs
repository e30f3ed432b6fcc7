using System.Runtime.InteropServices;
using TorchSharp;

namespace TinyMl.Oracle.Native;

/// <summary>
/// Makes TorchSharp's native library load where the build could not patch it (a notebook resolves packages
/// straight from the NuGet cache). Before TorchSharp starts, the library is loaded here: as found if it
/// loads, else — it fails for the GLIBCXX_3.4.32 requirement on Debian 12 — as a weakened copy written to a
/// cache folder beside links to its libtorch neighbours. TorchSharp then finds it by its soname, already
/// loaded. The NuGet cache is never modified.
/// </summary>
internal static class TorchSharpLoader
{
    private const string FileName = "libLibTorchSharp.so";
    private const string Requirement = "GLIBCXX_3.4.32";
    private const string OnlyUser = "_ZSt21ios_base_library_initv";

    /// <summary>Loads the library if it can be found; does nothing elsewhere than Linux (TorchSharp's own loading applies).</summary>
    public static void Preload()
    {
        if (!OperatingSystem.IsLinux()) return;
        foreach (var candidate in Candidates())
        {
            if (NativeLibrary.TryLoad(candidate, out _)) return;
            try
            {
                if (TryLoadWeakenedCopy(candidate)) return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                // Fall through: TorchSharp's own loading reports what is wrong.
            }
        }
    }

    /// <summary>Where the library may be: the host's native search folders, beside TorchSharp.dll, and TorchSharp's NuGet package.</summary>
    private static IEnumerable<string> Candidates()
    {
        var folders = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
            folders.AddRange(searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        string? torchSharp = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchSharp))
        {
            folders.Add(torchSharp);
            folders.Add(Path.Combine(torchSharp, "runtimes", "linux-x64", "native"));
            // A package layout: <package>/lib/<tfm>/TorchSharp.dll beside <package>/runtimes/linux-x64/native.
            folders.Add(Path.Combine(torchSharp, "..", "..", "runtimes", "linux-x64", "native"));
        }
        return folders.Select(f => Path.GetFullPath(Path.Combine(f, FileName))).Where(File.Exists).Distinct();
    }

    private static bool TryLoadWeakenedCopy(string library)
    {
        string folder = Path.Combine(CacheRoot(), "torchsharp-" + typeof(torch).Assembly.GetName().Version);
        Directory.CreateDirectory(folder);
        string copy = Path.Combine(folder, FileName);
        string outcome = ElfVersionRequirement.WeakenFile(library, copy, Requirement, OnlyUser);
        if (outcome == "not required") return false;
        // Its RUNPATH is $ORIGIN: libtorch and friends must be found beside the copy.
        foreach (string neighbour in NeighbourFolders(library).SelectMany(Directory.EnumerateFiles))
        {
            string link = Path.Combine(folder, Path.GetFileName(neighbour));
            if (Path.GetFileName(neighbour) == FileName || File.Exists(link)) continue;
            try { File.CreateSymbolicLink(link, neighbour); } catch (IOException) { /* another process made it */ }
        }
        return NativeLibrary.TryLoad(copy, out _);
    }

    /// <summary>The library's own folder and, in a NuGet cache, libtorch's package folder of natives.</summary>
    private static IEnumerable<string> NeighbourFolders(string library)
    {
        string own = Path.GetDirectoryName(library)!;
        yield return own;
        // <cache>/torchsharp/<v>/runtimes/linux-x64/native -> <cache>/libtorch-cpu-linux-x64/*/runtimes/linux-x64/native
        var packages = new DirectoryInfo(own).Parent?.Parent?.Parent?.Parent?.Parent;
        var libtorch = packages is null ? null : new DirectoryInfo(Path.Combine(packages.FullName, "libtorch-cpu-linux-x64"));
        if (libtorch is { Exists: true })
            foreach (var version in libtorch.EnumerateDirectories().OrderByDescending(d => d.Name))
            {
                string natives = Path.Combine(version.FullName, "runtimes", "linux-x64", "native");
                if (Directory.Exists(natives)) { yield return natives; yield break; }
            }
    }

    private static string CacheRoot()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "tinyml-workbench");
    }
}
