using TinyMl.Interpreter;

namespace TinyMl.Workbench.Tensors;

/// <summary>A saved tensor set cannot be read: <see cref="Path"/> names the file (or directory), <see cref="Problem"/> what is wrong with it.</summary>
public sealed class TensorSetFileException : TinyMlException
{
    public string Path { get; }
    public string Problem { get; }

    public TensorSetFileException(string path, string problem, Exception? inner = null) : base($"{path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }
}
