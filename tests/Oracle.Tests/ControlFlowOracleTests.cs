using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using TinyMl.Interpreter.Tests.Models;
using Model = TinyMl.Interpreter.Model;
using Xunit.Abstractions;

namespace TinyMl.Oracle.Tests;

/// <summary>
/// Models with several subgraphs, resource variables and float16 weights, run by the interpreter and by the
/// TorchSharp oracle (which follows IF, WHILE and CALL_ONCE itself and computes every other operator in torch)
/// on random inputs: the outputs must agree — exactly where the result is a choice, a loop of exact steps or a
/// copy; within 1e-5 relative where float arithmetic is involved.
/// </summary>
public class ControlFlowOracleTests(ITestOutputHelper output)
{
    private static byte[][] Outputs(MicroInterpreter interpreter) =>
        Enumerable.Range(0, interpreter.Outputs.Count).Select(i => interpreter.Output(i).Bytes.ToArray()).ToArray();

    private static byte[][] OracleOutputs(MicroInterpreter interpreter)
    {
        var run = TorchOracle.Run(interpreter);
        return interpreter.Model.MainSubgraph.Outputs
            .Select(index => run.Tensors.Last(t => t.Index == index).Bytes.ToArray()).ToArray();
    }

    private static void Check(Model model, Action<MicroInterpreter, Random> fill, double tolerance, int cases, ITestOutputHelper output)
    {
        var random = new Random(11);
        double worst = 0;
        using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 64 * 1024);
        interpreter.AllocateTensors();
        for (int c = 0; c < cases; c++)
        {
            interpreter.Reset();
            fill(interpreter, random);
            var expected = OracleOutputs(interpreter);
            interpreter.Invoke();
            var actual = Outputs(interpreter);
            for (int o = 0; o < actual.Length; o++)
            {
                if (interpreter.Output(o).Type != TensorType.FLOAT32)
                {
                    Assert.Equal(expected[o], actual[o]);
                    continue;
                }
                var e = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(expected[o]).ToArray();
                var a = interpreter.Output(o).ToArray<float>();
                double norm = Math.Sqrt(e.Sum(v => (double)v * v)) + 1e-30;
                double error = Math.Sqrt(e.Zip(a).Sum(p => Math.Pow(p.First - p.Second, 2))) / norm;
                worst = Math.Max(worst, error);
                Assert.True(error <= tolerance, $"case {c}, output {o}: relative error {error:G3}");
            }
        }
        output.WriteLine($"{model.Source}: {cases} random cases, worst relative error {worst:G3}");
    }

    [Fact]
    public void If_matches_the_oracle_on_both_branches() =>
        Check(ControlFlowModels.IfModel(), (it, r) =>
        {
            it.Input(0).CopyFrom(new[] { r.Next(2) == 0 });
            it.Input(1).CopyFrom(Enumerable.Range(0, 4).Select(_ => (float)(r.NextDouble() * 4 - 2)).ToArray());
        }, 1e-5, 20, output);

    [Fact]
    public void While_matches_the_oracle_for_any_trip_count() =>
        Check(ControlFlowModels.WhileModel(), (it, r) =>
        {
            it.Input(0).CopyFrom(new[] { r.Next(-2, 12) });
            it.Input(1).CopyFrom(Enumerable.Range(0, 2).Select(_ => (float)(r.NextDouble() * 4 - 2)).ToArray());
        }, 1e-5, 20, output);

    [Fact]
    public void Call_once_and_resource_variables_match_the_oracle() =>
        Check(ControlFlowModels.AccumulatorModel(), (it, r) =>
            it.Input(0).CopyFrom(Enumerable.Range(0, 2).Select(_ => (float)(r.NextDouble() * 4 - 2)).ToArray()), 1e-5, 10, output);

    [Fact]
    public void Float16_weights_through_dequantize_and_fully_connected_match_the_oracle()
    {
        var r = new Random(3);
        var b = new ModelBuilder();
        var halves = Enumerable.Range(0, 12).Select(_ => (Half)(r.NextDouble() * 2 - 1)).ToArray();
        int w16 = b.AddConstant("w16", TensorType.FLOAT16, [3, 4], halves);
        int bias = b.AddConstant("bias", TensorType.FLOAT32, [3], new[] { 0.5f, -0.25f, 0f });
        int x = b.AddTensor("x", TensorType.FLOAT32, [1, 4]);
        int w = b.AddTensor("w", TensorType.FLOAT32, [3, 4]);
        int y = b.AddTensor("y", TensorType.FLOAT32, [1, 3]);
        b.AddOperator(BuiltinOperator.DEQUANTIZE, [w16], [w]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, bias], [y]);
        b.SetInputs(x).SetOutputs(y);
        Check(b.ToModel("float16 weights"), (it, rr) =>
            it.Input(0).CopyFrom(Enumerable.Range(0, 4).Select(_ => (float)(rr.NextDouble() * 4 - 2)).ToArray()), 1e-5, 20, output);
    }
}

/// <summary>Sparse weights (DENSIFY → FULLY_CONNECTED), plain and block-sparse, against torch's own sparse tensors.</summary>
public class SparseWeightsOracleTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Sparse_weights_through_densify_and_fully_connected_match_the_oracle(int blockColumns)
    {
        var r = new Random(blockColumns);
        var dense = new float[6 * 8];
        for (int i = 0; i < dense.Length; i += blockColumns)
            if (r.Next(3) == 0)
                for (int j = 0; j < blockColumns; j++) dense[i + j] = (float)(r.NextDouble() * 2 - 1);
        var b = new ModelBuilder();
        int sparse = b.AddSparseConstant("w_sparse", TensorType.FLOAT32, 6, 8, dense, blockColumns);
        int x = b.AddTensor("x", TensorType.FLOAT32, [2, 8]);
        int w = b.AddTensor("w", TensorType.FLOAT32, [6, 8]);
        int y = b.AddTensor("y", TensorType.FLOAT32, [2, 6]);
        b.AddOperator(BuiltinOperator.DENSIFY, [sparse], [w]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, -1], [y]);
        b.SetInputs(x).SetOutputs(y);
        using var interpreter = new MicroInterpreter(b.ToModel($"sparse weights, blocks of {blockColumns}"), OpResolver.WithAllBuiltins(), 64 * 1024);
        interpreter.AllocateTensors();
        double worst = 0;
        for (int c = 0; c < 20; c++)
        {
            interpreter.Input(0).CopyFrom(Enumerable.Range(0, 16).Select(_ => (float)(r.NextDouble() * 4 - 2)).ToArray());
            var run = TorchOracle.Run(interpreter);
            interpreter.Invoke();
            // The expanded weights exactly, the product within float tolerance.
            Assert.Equal(run.Tensors.Last(t => t.Index == w).Bytes, interpreter.Tensors[w].Bytes.ToArray());
            var expected = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(run.Tensors.Last(t => t.Index == y).Bytes).ToArray();
            var actual = interpreter.Output(0).ToArray<float>();
            double norm = Math.Sqrt(expected.Sum(v => (double)v * v)) + 1e-30;
            double error = Math.Sqrt(expected.Zip(actual).Sum(p => Math.Pow(p.First - p.Second, 2))) / norm;
            worst = Math.Max(worst, error);
            Assert.True(error <= 1e-5, $"case {c}: relative error {error:G3}");
        }
        output.WriteLine($"blocks of {blockColumns}: 20 cases, worst relative error {worst:G3}");
    }
}
