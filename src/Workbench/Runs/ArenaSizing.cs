using TinyMl.Interpreter;

namespace TinyMl.Workbench.Runs;

/// <summary>
/// Allocates a model in an arena of the size it needs, without the caller guessing — the answer to
/// TFLM's "find the arena size by experimentation": start small, and when the arena is too small,
/// retry with the size the allocator reported as required.
/// </summary>
public static class ArenaSizing
{
    /// <summary>First attempt; most microcontroller models fit.</summary>
    public const int FirstAttemptBytes = 1 << 20;
    /// <summary>Largest arena tried (a model needing more is reported, not allocated).</summary>
    public const int MaximumBytes = 1 << 30;

    /// <summary>
    /// An interpreter with tensors allocated. Throws the runtime's typed errors (unsupported operator,
    /// malformed model) as they are, and <see cref="ArenaTooSmallException"/> past <see cref="MaximumBytes"/>.
    /// </summary>
    public static MicroInterpreter Allocate(Model model, IOpResolver? resolver = null, InterpreterOptions? options = null)
    {
        resolver ??= OpResolver.WithAllBuiltins();
        long arena = FirstAttemptBytes;
        while (true)
        {
            var interpreter = new MicroInterpreter(model, resolver, (int)arena, options);
            try
            {
                interpreter.AllocateTensors();
                return interpreter;
            }
            catch (ArenaTooSmallException e) when (arena < MaximumBytes)
            {
                interpreter.Dispose();
                // A lower bound means measuring stopped early: grow at least geometrically.
                long next = e.IsLowerBound ? Math.Max(e.RequiredBytes, arena * 4) : e.RequiredBytes;
                arena = Math.Min(Math.Max(next, arena + 1), MaximumBytes);
            }
            catch
            {
                interpreter.Dispose();
                throw;
            }
        }
    }
}
