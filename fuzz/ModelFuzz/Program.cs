using SharpFuzz;
using TinyMl.Interpreter;

namespace TinyMl.Fuzz;

/// <summary>
/// One fuzz input = one .tflite file: load it, allocate, fill the inputs, invoke twice. A malformed
/// model may fail only with a TinyMlException; anything else escapes, and afl++ records a crash.
/// `ModelFuzz --replay FILE...` runs saved inputs directly and says what each did (exit 1 on a crash).
/// </summary>
public static class Program
{
    private const int ArenaBytes = 1 << 20;

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--replay")
            return Replay(args[1..]);
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            Run(memory.ToArray());
        });
        return 0;
    }

    /// <summary>The fuzz target. Returns how far the model got; throws only for a bug.</summary>
    public static string Run(byte[] bytes)
    {
        try
        {
            var model = Model.FromBytes(bytes, "fuzz input");
            using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), ArenaBytes);
            interpreter.AllocateTensors();
            ReferenceInputs.Fill(interpreter);
            interpreter.Invoke();
            interpreter.Invoke();
            return "ran";
        }
        catch (TinyMlException e) when (IsTyped(e))
        {
            return $"refused: {e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>
    /// A TinyMlException counts as a verdict unless it wraps a crash (a kernel's IndexOutOfRange, say):
    /// then it is a bug caught by a safety net, and the fuzzer must see it.
    /// </summary>
    private static bool IsTyped(Exception error)
    {
        for (var x = error; x is TinyMlException; x = x.InnerException)
        {
            if (x is ModelFormatException { ReadOutsideFile: true } || x.InnerException is null) return true;
        }
        var cause = error;
        while (cause is TinyMlException && cause.InnerException is not null) cause = cause.InnerException;
        return cause is NotSupportedException;
    }

    private static int Replay(string[] files)
    {
        int crashes = 0;
        foreach (var file in files.SelectMany(f => Directory.Exists(f) ? Directory.GetFiles(f) : [f]).Order(StringComparer.Ordinal))
        {
            try
            {
                Console.WriteLine($"{file}: {Run(File.ReadAllBytes(file))}");
            }
            catch (Exception e)
            {
                crashes++;
                Console.WriteLine($"{file}: CRASH {e}");
            }
        }
        Console.WriteLine($"{files.Length} argument(s), {crashes} crash(es)");
        return crashes == 0 ? 0 : 1;
    }
}
