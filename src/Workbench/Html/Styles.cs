namespace TinyMl.Workbench.Html;

/// <summary>
/// The one style sheet of every view. Each output carries it (a notebook shows outputs of many cells
/// on one page, or one at a time; either way the view looks the same), scoped under .tmw so it never
/// restyles the notebook around it. Colours work on light and dark notebook themes.
/// </summary>
public static class Styles
{
    public const string Sheet = """
<style>
.tmw{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:13px;line-height:1.4;color:inherit;max-width:100%;overflow-x:auto}
.tmw h3{font-size:15px;margin:6px 0 4px 0}
.tmw h4{font-size:13px;margin:10px 0 4px 0}
.tmw .answer{font-size:14px;margin:4px 0 8px 0}
.tmw .answer b{font-size:16px}
.tmw .muted{opacity:.7}
.tmw .kv{display:flex;flex-wrap:wrap;gap:4px 18px;margin:4px 0 8px 0}
.tmw .kv span b{font-variant-numeric:tabular-nums}
.tmw-table{border-collapse:collapse;margin:4px 0 8px 0;font-size:12px}
.tmw-table caption{text-align:left;font-weight:600;padding:2px 0}
.tmw-table th,.tmw-table td{border-bottom:1px solid rgba(128,128,128,.3);padding:2px 8px;text-align:left;vertical-align:top}
.tmw-table th{font-weight:600;border-bottom:2px solid rgba(128,128,128,.5)}
.tmw-table td.num,.tmw-table th.num{text-align:right;font-variant-numeric:tabular-nums}
.tmw-table tr.elided td{text-align:center;font-style:italic;opacity:.7}
.tmw-table tr.hot td{background:rgba(230,80,60,.18)}
.tmw-table tr.total td{font-weight:600;border-top:2px solid rgba(128,128,128,.5)}
.tmw .bar{display:inline-block;height:10px;background:#4c78a8;vertical-align:middle}
.tmw .error{border-left:4px solid #d62728;padding:6px 10px;background:rgba(214,39,40,.08)}
.tmw .error pre{white-space:pre-wrap;margin:4px 0 0 0;font-size:11px}
.tmw code,.tmw pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.tmw details>summary{cursor:pointer;margin:4px 0}
.tmw img.pixels{image-rendering:pixelated}
</style>
""";
}
