using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using TinyMl.Workbench.Html;

namespace TinyMl.Workbench.Charts;

/// <summary>
/// A plotly.js figure (traces + layout) that the workbench builds itself as JSON — Plotly.NET cannot
/// load inside dotnet-interactive's kernel (its FSharp.Core is older than Plotly.NET needs), and the
/// figure format is plotly.js's own documented schema. Renders as a div plus a script that draws it
/// with the plotly.js bundled in this assembly (see <see cref="PlotlyScript"/>): never a CDN.
/// </summary>
public sealed class PlotlyChart
{
    // The default encoder escapes < > & ' and non-ASCII, so model strings inside the figure can never
    // close the <script> element or inject markup.
    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.Default,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public JsonArray Traces { get; } = new();
    public JsonObject Layout { get; }
    public int Height { get; }

    public PlotlyChart(int height = 420, object? layout = null)
    {
        Height = height;
        Layout = layout is null ? new JsonObject() : (JsonObject)JsonSerializer.SerializeToNode(layout, Json)!;
        Layout["height"] ??= height;
        Layout["margin"] ??= new JsonObject { ["l"] = 70, ["r"] = 20, ["t"] = 40, ["b"] = 50 };
        Layout["paper_bgcolor"] ??= "rgba(0,0,0,0)";
        Layout["plot_bgcolor"] ??= "rgba(0,0,0,0)";
        Layout["font"] ??= new JsonObject { ["size"] = 11 };
    }

    /// <summary>Adds a trace given as any object with plotly's property names (anonymous types work).</summary>
    public PlotlyChart Add(object trace)
    {
        Traces.Add(JsonSerializer.SerializeToNode(trace, Json));
        return this;
    }

    /// <summary>Sets a layout property (e.g. "shapes", "annotations", "xaxis").</summary>
    public PlotlyChart Set(string property, object value)
    {
        Layout[property] = JsonSerializer.SerializeToNode(value, Json);
        return this;
    }

    /// <summary>The figure as plotly.js JSON: {"data": [...], "layout": {...}}.</summary>
    public string ToJson() => new JsonObject { ["data"] = Traces.DeepClone(), ["layout"] = Layout.DeepClone() }.ToJsonString(Json);

    /// <summary>
    /// A div and the script that draws into it. The script waits briefly for plotly.js when an earlier
    /// output of the page carries it (outputs render in order but asynchronously), and says so in the
    /// div if it never arrives instead of leaving a blank box.
    /// </summary>
    public string ToHtml()
    {
        string id = Html.Html.NewId("chart");
        var html = new StringBuilder();
        html.Append(PlotlyScript.TagForNextChart());
        html.Append("<div class=\"tmw-chart\" id=\"").Append(id).Append("\" style=\"width:100%;min-width:480px;height:")
            .Append(Height).Append("px\"></div>");
        html.Append("<script>(function(){var id=\"").Append(id).Append("\";var fig=").Append(ToJson()).Append(';');
        html.Append("""
var tries=0;function draw(){var el=document.getElementById(id);if(!el)return;
if(window.Plotly){window.Plotly.newPlot(el,fig.data,fig.layout,{responsive:true,displaylogo:false});return;}
if(++tries<100){setTimeout(draw,100);return;}
el.style.height="auto";el.textContent="This chart needs plotly.js, which the first chart output of this notebook carries; re-run that cell (or call TinyMl.Workbench.Charts.PlotlyScript.IncludeAgain()) to draw it.";}
draw();})();</script>
""");
        return html.ToString();
    }
}

/// <summary>How often the plotly.js library is written into HTML output.</summary>
public enum PlotlyInclusion
{
    /// <summary>Every chart carries the library: each output stands alone (the default for library use and exported pages).</summary>
    EveryChart,
    /// <summary>Only the first chart of the session carries it (a notebook page shares one window); the kernel extension sets this.</summary>
    OncePerSession,
}

/// <summary>The bundled plotly.js (npm's cartesian bundle, in Charts/plotly) and the policy for including it.</summary>
public static class PlotlyScript
{
    private static readonly Lazy<string> Library = new(LoadLibrary);
    private static int _included;

    public static PlotlyInclusion Inclusion { get; set; } = PlotlyInclusion.EveryChart;

    /// <summary>The plotly.js version bundled.</summary>
    public const string Version = "3.7.0";

    /// <summary>
    /// The library as a script element. It is wrapped so that a page with require.js (classic Jupyter)
    /// still gets window.Plotly instead of an anonymous AMD module.
    /// </summary>
    public static string Tag() => "<script>(function(define,module,exports){\n" + Library.Value + "\n})();</script>";

    /// <summary>The script element if the policy says the next chart must carry it, else "".</summary>
    public static string TagForNextChart()
    {
        if (Inclusion == PlotlyInclusion.OncePerSession)
            return Interlocked.Exchange(ref _included, 1) == 0 ? Tag() : "";
        if (_fragmentDepth == 0) return Tag();
        // Inside one fragment (a view with several charts, a page of views) the first chart carries it.
        if (_fragmentIncluded) return "";
        _fragmentIncluded = true;
        return Tag();
    }

    // Per thread: a view renders on one thread, and concurrent renders must not share the flag.
    [ThreadStatic] private static int _fragmentDepth;
    [ThreadStatic] private static bool _fragmentIncluded;

    /// <summary>
    /// Marks the start of one piece of HTML that ends up in one page (a view, or a whole exported page):
    /// within it, and in fragments nested in it, the library is written once rather than with every chart.
    /// Dispose it when the piece is rendered; <see cref="Fragment.Discard"/> it if the piece is thrown away.
    /// </summary>
    public static Fragment BeginFragment()
    {
        if (_fragmentDepth++ == 0) _fragmentIncluded = false;
        return new Fragment(_fragmentIncluded);
    }

    public readonly struct Fragment(bool includedBefore) : IDisposable
    {
        /// <summary>The HTML rendered since this fragment began is thrown away (e.g. replaced by an error view): a library tag written in it is gone too.</summary>
        public void Discard() => _fragmentIncluded = includedBefore;

        public void Dispose() => _fragmentDepth--;
    }

    /// <summary>Makes the next chart carry the library again (e.g. after the output that had it was cleared).</summary>
    public static void IncludeAgain() => Interlocked.Exchange(ref _included, 0);

    private static string LoadLibrary()
    {
        using var stream = typeof(PlotlyScript).Assembly.GetManifestResourceStream("plotly.min.js")
            ?? throw new InvalidOperationException("plotly.min.js is missing from TinyMl.Workbench (Charts/plotly)");
        using var reader = new StreamReader(stream);
        // A literal "</script" inside the library would end the element early in an HTML page.
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    }
}
