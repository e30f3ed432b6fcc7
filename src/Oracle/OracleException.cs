using TinyMl.Interpreter;

namespace TinyMl.Oracle;

/// <summary>The oracle cannot compute an operator: no torch equivalent yet, or options/inputs it does not handle. Names the operator.</summary>
public sealed class OracleException(string message, Exception? inner = null) : TinyMlException(message, inner);
