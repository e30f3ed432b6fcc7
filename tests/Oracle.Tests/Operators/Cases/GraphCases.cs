using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Interpreter.Tests.Models;
using TinyMl.Workbench.Tensors;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Oracle.Tests.Operators;

/// <summary>
/// The operators that need more than one operator to mean anything — IF, WHILE, CALL_ONCE and the resource-variable
/// trio, and DENSIFY — in the table too, on the shared control-flow models (ControlFlowModels) and random sparse
/// weights. The oracle follows the subgraphs and keeps the variables itself.
/// </summary>
public static class GraphCases
{
    public static void Add(List<OperatorCase> cases)
    {
        cases.Add(new("IF", "float32, both branches", r => With(ControlFlowModels.IfModel(), r,
            (i, _) => i == 0 ? [(byte)r.Next(2)] : Floats(r, 4)), OperatorCases.FloatTolerance));
        cases.Add(new("WHILE", "int32 counter, float32 values", r => With(ControlFlowModels.WhileModel(), r,
            (i, _) => i == 0 ? BitConverter.GetBytes(r.Next(-2, 12)) : Floats(r, 2)), OperatorCases.FloatTolerance));
        // The accumulator model: CALL_ONCE assigns [10, 20], then VAR_HANDLE, READ_VARIABLE, ADD and ASSIGN_VARIABLE.
        foreach (var op in new[] { "CALL_ONCE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE" })
            cases.Add(new(op, "float32 (accumulator model)", r => With(ControlFlowModels.AccumulatorModel(), r, (_, _) => Floats(r, 2)), OperatorCases.FloatTolerance));
        cases.Add(new("DENSIFY", "float32, blocks of 1", r => Densify(r, 1), 0));
        cases.Add(new("DENSIFY", "float32, blocks of 4", r => Densify(r, 4), 0));
    }

    /// <summary>The model with a random value for each input (by input slot and tensor).</summary>
    private static (Model, TensorData[]) With(Model model, Random r, Func<int, TensorInfo, byte[]> values)
    {
        var graph = model.MainSubgraph;
        var inputs = graph.Inputs.Select((index, slot) =>
        {
            var info = graph.Tensors[index];
            return new TensorData
            {
                Index = index, Name = info.Name, Type = info.Type, Shape = info.Shape.ToArray(),
                Quantization = info.Quantization, IsConstant = false, Bytes = values(slot, info),
            };
        }).ToArray();
        return (model, inputs);
    }

    private static byte[] Floats(Random r, int count) =>
        Enumerable.Range(0, count).SelectMany(_ => BitConverter.GetBytes((float)(r.NextDouble() * 4 - 2))).ToArray();

    /// <summary>A sparse constant (TFLite's CSR format, optionally in column blocks) expanded by DENSIFY: exact.</summary>
    private static (Model, TensorData[]) Densify(Random r, int blockColumns)
    {
        int rows = r.Next(1, 8), columns = blockColumns * r.Next(1, 5);
        var dense = new float[rows * columns];
        // At least one stored block: a sparse constant storing nothing has an empty buffer, which TFLite reads as no constant.
        for (int i = 0; i < dense.Length; i += blockColumns)
            if (i == 0 || r.Next(3) == 0)
                for (int j = 0; j < blockColumns; j++) dense[i + j] = (float)(r.NextDouble() * 2 - 1);
        var b = new ModelBuilder();
        int sparse = b.AddSparseConstant("w_sparse", TensorType.FLOAT32, rows, columns, dense, blockColumns);
        int w = b.AddTensor("w", TensorType.FLOAT32, [rows, columns]);
        b.AddOperator(BuiltinOperator.DENSIFY, [sparse], [w]);
        b.SetOutputs(w);
        return (b.ToModel("DENSIFY case"), []);
    }
}
