using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels.Signal;

/// <summary>A one-operator model around a signal custom op, allocated with the runtime's resolver.</summary>
public sealed class SignalOpModel : IDisposable
{
    private readonly ModelBuilder _builder = new();
    private readonly List<int> _inputs = new(), _outputs = new(), _modelInputs = new();
    private MicroInterpreter? _interpreter;

    public SignalOpModel Input(TensorType type, int[] shape)
    {
        int t = _builder.AddTensor($"in{_inputs.Count}", type, shape);
        _inputs.Add(t);
        _modelInputs.Add(t);
        return this;
    }

    public SignalOpModel Constant<T>(TensorType type, T[] values, int[]? shape = null) where T : unmanaged
    {
        _inputs.Add(_builder.AddConstant($"in{_inputs.Count}", type, shape ?? [values.Length], values));
        return this;
    }

    public SignalOpModel Output(TensorType type, int[] shape)
    {
        _outputs.Add(_builder.AddTensor($"out{_outputs.Count}", type, shape));
        return this;
    }

    public MicroInterpreter Build(string op, byte[] options)
    {
        _builder.AddOperator(BuiltinOperator.CUSTOM, _inputs.ToArray(), _outputs.ToArray(), customCode: op, customOptions: options);
        _builder.SetInputs(_modelInputs.ToArray()).SetOutputs(_outputs.ToArray());
        _interpreter = new MicroInterpreter(_builder.ToModel(), OpResolver.WithAllBuiltins(), 256 * 1024);
        _interpreter.AllocateTensors();
        return _interpreter;
    }

    public void Dispose() => _interpreter?.Dispose();
}
