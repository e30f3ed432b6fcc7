using System.Diagnostics;

namespace TinyMl.Workbench.Tests;

/// <summary>
/// Debian's Chromium, headless and with the network closed off, rendering an HTML page the way a
/// notebook user's browser would: the DOM after scripts ran (to count what charts drew) and a PNG.
/// CI installs chromium; its absence is a failure, not a skip.
/// </summary>
public static class HeadlessBrowser
{
    public static string Executable =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("Chromium is not installed (apt-get install chromium); .ci/run installs it");

    /// <summary>The serialized DOM of <paramref name="htmlFile"/> after its scripts have had <paramref name="budgetMs"/> of virtual time.</summary>
    public static string DumpDom(string htmlFile, int budgetMs = 8000) =>
        Run($"--dump-dom --virtual-time-budget={budgetMs} \"file://{Path.GetFullPath(htmlFile)}\"", readOutput: true);

    /// <summary>Renders <paramref name="htmlFile"/> into <paramref name="pngFile"/>.</summary>
    public static void Screenshot(string htmlFile, string pngFile, int width = 1100, int height = 900, int budgetMs = 8000) =>
        Run($"--screenshot=\"{Path.GetFullPath(pngFile)}\" --window-size={width},{height} --virtual-time-budget={budgetMs} \"file://{Path.GetFullPath(htmlFile)}\"", readOutput: false);

    private static string Run(string arguments, bool readOutput)
    {
        string profile = Directory.CreateTempSubdirectory("tmw-chromium").FullName;
        var start = new ProcessStartInfo(Executable,
            "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking " +
            "--disable-component-update --disable-sync --disable-dev-shm-usage --hide-scrollbars " +
            $"--user-data-dir=\"{profile}\" " + arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish within 60 s");
        }
        try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {stderr.Result}");
        return readOutput ? stdout.Result : "";
    }
}
