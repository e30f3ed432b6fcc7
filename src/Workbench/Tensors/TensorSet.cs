using TinyMl.Interpreter;
using TinyMl.Workbench.Runs;

namespace TinyMl.Workbench.Tensors;

/// <summary>
/// Every tensor of one run of a model (inputs, then each operator's outputs in execution order), as
/// snapshots, with a label saying where they came from ("int8 model", "reference kernels", "saved set
/// in DIR"). The parity report compares two of these; a set can be saved to disk and loaded as a reference.
/// </summary>
public sealed class TensorSet
{
    public required string Label { get; init; }
    /// <summary>Snapshots in the order operators produced them (model inputs first).</summary>
    public required IReadOnlyList<TensorData> Tensors { get; init; }
    /// <summary>Where each of <see cref="Tensors"/> came from, in the same order; may be empty when unknown.</summary>
    public IReadOnlyList<TensorOrigin> Origins { get; init; } = [];
    /// <summary>The model the run was of (its source path or name), "" when unknown.</summary>
    public string ModelSource { get; init; } = "";

    public int Count => Tensors.Count;

    /// <summary>The origin of the tensor at <paramref name="position"/> in <see cref="Tensors"/>, null when unknown.</summary>
    public TensorOrigin? OriginAt(int position) => (uint)position < (uint)Origins.Count ? Origins[position] : null;

    /// <summary>The first tensor named <paramref name="name"/> (ordinal comparison), or null.</summary>
    public TensorData? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);

    /// <summary>The tensor named <paramref name="name"/>; a name the set does not have is an error that says which names it has.</summary>
    public TensorData this[string name] => Find(name) ?? throw new KeyNotFoundException(
        $"'{name}' is not in tensor set '{Label}'; it has {Count} tensors: " +
        string.Join(", ", Tensors.Take(8).Select(t => $"'{t.Name}'")) + (Count > 8 ? ", …" : ""));

    /// <summary>The tensor with model tensor index <paramref name="index"/>, or null.</summary>
    public TensorData? FindIndex(int index) => Tensors.FirstOrDefault(t => t.Index == index);

    /// <summary>
    /// Runs <paramref name="interpreter"/> once on the inputs it holds and snapshots the inputs (before the
    /// run) and each operator's outputs right after that operator ran (a later operator may reuse their
    /// bytes). An observer already attached keeps being called. A stateful model's state advances by one Invoke.
    /// </summary>
    public static TensorSet Capture(MicroInterpreter interpreter, string label)
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        if (!interpreter.IsAllocated)
            throw new InterpreterStateException("capturing a tensor set runs Invoke: call AllocateTensors (and set the inputs) first");
        var tensors = new List<TensorData>();
        var origins = new List<TensorOrigin>();
        for (int i = 0; i < interpreter.Inputs.Count; i++)
        {
            tensors.Add(TensorData.Snapshot(interpreter.Input(i)));
            origins.Add(TensorOrigin.ModelInput(i));
        }
        var previous = interpreter.Observer;
        interpreter.Observer = new Snapshotter(tensors, origins, previous);
        try
        {
            interpreter.Invoke();
        }
        finally
        {
            interpreter.Observer = previous;
        }
        return new TensorSet { Label = label, Tensors = tensors, Origins = origins, ModelSource = interpreter.Model.Source };
    }

    /// <summary>
    /// Allocates <paramref name="model"/> (arena sized automatically), lets <paramref name="setInputs"/> fill its
    /// inputs (see <see cref="RealInput"/> for writing real values into quantized inputs), and captures one run.
    /// </summary>
    public static TensorSet Capture(Model model, Action<MicroInterpreter> setInputs, string label, IOpResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(setInputs);
        using var interpreter = ArenaSizing.Allocate(model, resolver);
        setInputs(interpreter);
        return Capture(interpreter, label);
    }

    /// <summary>Writes the set to <paramref name="directory"/>: manifest.json and one .bin file per tensor.</summary>
    public void Save(string directory) => TensorSetFiles.Save(this, directory);

    /// <summary>Reads a set written by <see cref="Save"/>, checking every file; problems are <see cref="TensorSetFileException"/>s naming the file and what is wrong.</summary>
    public static TensorSet Load(string directory) => TensorSetFiles.Load(directory);

    public override string ToString() => $"tensor set '{Label}': {Count} tensors";

    /// <summary>Copies each operator's outputs as the interpreter reports it ran.</summary>
    private sealed class Snapshotter(List<TensorData> tensors, List<TensorOrigin> origins, IInvokeObserver? next) : IInvokeObserver
    {
        public void OperatorInvoked(Node node)
        {
            for (int slot = 0; slot < node.Outputs.Length; slot++)
            {
                tensors.Add(TensorData.Snapshot(node.Outputs[slot]));
                origins.Add(new TensorOrigin(node.Index, node.Name, slot));
            }
            next?.OperatorInvoked(node);
        }
    }
}
