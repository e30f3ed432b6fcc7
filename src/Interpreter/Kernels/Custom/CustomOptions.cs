namespace TinyMl.Interpreter.Kernels;

/// <summary>A custom operator's options: a FlexBuffer map (TFLM's custom ops and signal library read theirs by key).</summary>
internal static class CustomOptions
{
    /// <summary>The node's custom options as a FlexBuffer map; a malformed buffer is the model's error, naming the operator.</summary>
    public static FlexBufferMap Read(Node node)
    {
        try
        {
            return FlexBufferMap.Parse(node.Operator.CustomOptions.Span);
        }
        catch (FormatException e)
        {
            throw new ModelFormatException($"{node.Operator.Location}, field custom_options", $"malformed FlexBuffer options: {e.Message}");
        }
    }

    /// <summary>Reads options with <paramref name="read"/>; a missing or mistyped key is reported like a malformed buffer.</summary>
    public static T Read<T>(Node node, Func<FlexBufferMap, T> read)
    {
        var map = Read(node);
        try
        {
            return read(map);
        }
        catch (FormatException e)
        {
            throw new ModelFormatException($"{node.Operator.Location}, field custom_options", e.Message);
        }
    }
}
