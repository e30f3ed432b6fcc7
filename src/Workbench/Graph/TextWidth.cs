namespace TinyMl.Workbench.Graph;

/// <summary>
/// How wide a line of text will be drawn, estimated without a font engine: per-character advances
/// of DejaVu Sans (the widest of the usual sans-serif fonts, what Linux browsers fall back to), so
/// boxes sized by it hold their text in Segoe UI, Helvetica or Roboto too.
/// </summary>
public static class TextWidth
{
    public static double Of(string text, double fontSize, bool bold = false)
    {
        double ems = 0;
        foreach (char c in text) ems += Advance(c);
        return ems * fontSize * (bold ? 1.12 : 1.0);
    }

    /// <summary>Advance in ems, rounded up from DejaVu Sans.</summary>
    private static double Advance(char c) => c switch
    {
        'i' or 'l' or 'j' or '.' or ',' or ':' or ';' or '|' or '!' or '\'' => 0.30,
        ' ' or 'f' or 't' or 'r' or 'I' or 'J' or '/' or '(' or ')' or '[' or ']' or '-' => 0.40,
        'm' or 'w' or 'M' or 'W' => 0.98,
        '×' or '…' or '%' or '@' => 0.90,
        '_' => 0.52,
        >= 'A' and <= 'Z' => 0.74,
        >= '0' and <= '9' => 0.64,
        >= 'a' and <= 'z' => 0.62,
        < '\u0080' => 0.68,
        _ => 1.0, // other scripts, symbols: a full em is safe
    };
}
