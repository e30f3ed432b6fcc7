using TinyMl.Interpreter;

namespace TinyMl.Workbench.Runs;

/// <summary>
/// A copy of an interpreter's input bytes, put back before each timed run: once an input is dead a
/// later operator may reuse its arena bytes, so the second Invoke would otherwise run on other data.
/// </summary>
public sealed class SavedInputs
{
    private readonly MicroInterpreter _interpreter;
    private readonly byte[][] _bytes;

    private SavedInputs(MicroInterpreter interpreter, byte[][] bytes)
    {
        _interpreter = interpreter;
        _bytes = bytes;
    }

    /// <summary>The inputs <paramref name="interpreter"/> holds now (it must be allocated).</summary>
    public static SavedInputs Of(MicroInterpreter interpreter) =>
        new(interpreter, interpreter.Inputs.Select(t => t.Bytes.ToArray()).ToArray());

    /// <summary>Writes the saved bytes back into the input tensors (no allocation).</summary>
    public void Restore()
    {
        for (int i = 0; i < _bytes.Length; i++)
            _bytes[i].CopyTo(_interpreter.Input(i).AsSpan<byte>());
    }
}
