using Microsoft.DotNet.Interactive;
using TinyMl.Workbench.Charts;

namespace TinyMl.Workbench.Interactive;

/// <summary>
/// Loaded by dotnet-interactive from this package's interactive-extensions/dotnet folder when a notebook
/// runs <c>#r "nuget:TinyMl.Workbench.Interactive, …"</c>: from then on, runtime objects and workbench
/// views display as views.
/// </summary>
public sealed class WorkbenchKernelExtension : IKernelExtension
{
    public Task OnLoadAsync(Kernel kernel)
    {
        WorkbenchFormatters.Register();
        // A notebook page is one window: plotly.js (3.5 MB) is written into the first chart's output only.
        // A new kernel is a new page, so the next chart carries the library again.
        PlotlyScript.Inclusion = PlotlyInclusion.OncePerSession;
        PlotlyScript.IncludeAgain();
        return Task.CompletedTask;
    }
}
