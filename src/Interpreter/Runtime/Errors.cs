namespace TinyMl.Interpreter;

/// <summary>
/// Base of every error the runtime raises for bad input (a malformed model, an unsupported operator,
/// an arena that is too small, an input of the wrong size). Anything else escaping the runtime is a bug.
/// </summary>
public abstract class TinyMlException : Exception
{
    protected TinyMlException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The model file breaks the TFLite format or the runtime's constraints on it.</summary>
public sealed class ModelFormatException : TinyMlException
{
    /// <summary>Where the problem is, e.g. "subgraph 0, tensor 12 ('conv/weights'), field buffer".</summary>
    public string Location { get; }

    /// <summary>
    /// True when a FlatBuffers accessor stopped a read outside the file (an offset or length the file
    /// lies about); <see cref="Exception.InnerException"/> is then the accessor's own bounds error.
    /// Set only by the model reader, which catches exactly those errors, so that no one has to guess
    /// from a stack trace whether an ArgumentOutOfRangeException was a check or a bug.
    /// </summary>
    public bool ReadOutsideFile { get; }

    public ModelFormatException(string location, string problem, Exception? inner = null)
        : this(location, problem, inner, readOutsideFile: false) { }

    internal ModelFormatException(string location, string problem, Exception? inner, bool readOutsideFile)
        : base(location.Length == 0 ? problem : $"{location}: {problem}", inner)
    {
        Location = location;
        ReadOutsideFile = readOutsideFile;
    }
}

/// <summary>An operator has no registered kernel, or its kernel rejects its types or parameters.</summary>
public sealed class UnsupportedOperatorException : TinyMlException
{
    public int OperatorIndex { get; }
    public string OperatorName { get; }

    public UnsupportedOperatorException(int operatorIndex, string operatorName, string problem, Exception? inner = null)
        : base($"operator {operatorIndex} ({operatorName}) {problem}", inner)
    {
        OperatorIndex = operatorIndex;
        OperatorName = operatorName;
    }
}

/// <summary>The arena given to the interpreter cannot hold the plan.</summary>
public sealed class ArenaTooSmallException : TinyMlException
{
    public long RequiredBytes { get; }
    public long GivenBytes { get; }

    /// <summary>True when <see cref="RequiredBytes"/> is only a lower bound: measuring stopped early.</summary>
    public bool IsLowerBound { get; }

    public ArenaTooSmallException(long requiredBytes, long givenBytes, bool lowerBound = false)
        : base($"arena too small: the plan needs {(lowerBound ? "at least " : "")}{requiredBytes:N0} bytes, {givenBytes:N0} given")
    {
        RequiredBytes = requiredBytes;
        GivenBytes = givenBytes;
        IsLowerBound = lowerBound;
    }
}

/// <summary>The arena asked for cannot be had from the process: past the largest array .NET allows, or out of memory.</summary>
public sealed class ArenaAllocationException : TinyMlException
{
    public long RequestedBytes { get; }

    public ArenaAllocationException(long requestedBytes, string problem, Exception? inner = null)
        : base($"cannot allocate an arena of {requestedBytes:N0} bytes: {problem}", inner)
    {
        RequestedBytes = requestedBytes;
    }
}

/// <summary>Data handed to a tensor does not match its size, or a tensor is used in the wrong state.</summary>
public sealed class TensorDataException : TinyMlException
{
    public TensorDataException(string message) : base(message) { }
}

/// <summary>A kernel failed while running; wraps the cause with the operator that raised it.</summary>
public sealed class KernelInvokeException : TinyMlException
{
    public KernelInvokeException(int operatorIndex, string operatorName, Exception inner)
        : base($"operator {operatorIndex} ({operatorName}) failed: {inner.Message}", inner) { }
}

/// <summary>The interpreter's methods were called out of order (e.g. Invoke before AllocateTensors).</summary>
public sealed class InterpreterStateException : TinyMlException
{
    public InterpreterStateException(string message) : base(message) { }
}

/// <summary>A WHILE loop ran more iterations than <see cref="InterpreterOptions.MaxWhileIterations"/> allows.</summary>
public sealed class LoopLimitException : TinyMlException
{
    public LoopLimitException(int operatorIndex, string operatorName, long limit)
        : base($"operator {operatorIndex} ({operatorName}) ran its body {limit:N0} times and its condition still holds: " +
               "stopped at InterpreterOptions.MaxWhileIterations (raise it if the model really loops that long)")
    {
        OperatorIndex = operatorIndex;
        Limit = limit;
    }

    public int OperatorIndex { get; }
    public long Limit { get; }
}
