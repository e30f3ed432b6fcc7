using TinyMl.Interpreter.Schema;
using TinyMl.Tools.SineModel;
using Xunit.Abstractions;

namespace TinyMl.Interpreter.Tests;

/// <summary>
/// The project's own models in data/: made by tools/SineModel (checked byte for byte against a fresh
/// run), accurate against Math.Sin, the int8 model close to the float one, both small in the arena.
/// </summary>
public class SineModelTests : IClassFixture<SineModelTests.FreshModels>
{
    /// <summary>One training run shared by the tests of this class.</summary>
    public sealed class FreshModels
    {
        public SineModels Models { get; } = SineModels.Generate();
    }

    private const int Points = 200;
    private const int ArenaLimit = 2048;
    private readonly SineModels _fresh;
    private readonly ITestOutputHelper _output;

    public SineModelTests(FreshModels fresh, ITestOutputHelper output)
    {
        _fresh = fresh.Models;
        _output = output;
    }

    private static string DataPath(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "workbench.sln")))
                return Path.Combine(dir.FullName, "data", file);
        throw new InvalidOperationException("cannot find the repository root (workbench.sln) above " + AppContext.BaseDirectory);
    }

    private static byte[] Committed(string file) => File.ReadAllBytes(DataPath(file));

    private static MicroInterpreter Interpreter(string file)
    {
        var interpreter = new MicroInterpreter(Model.FromBytes(Committed(file), file),
            new OpResolver().Add(BuiltinOperator.FULLY_CONNECTED), 16 * 1024);
        interpreter.AllocateTensors();
        return interpreter;
    }

    private static double X(int i) => 2 * Math.PI * i / (Points - 1);

    private static float[] RunFloat()
    {
        using var interpreter = Interpreter(SineModels.FloatFileName);
        var results = new float[Points];
        for (int i = 0; i < Points; i++)
        {
            interpreter.Input(0).CopyFrom(new[] { (float)X(i) });
            interpreter.Invoke();
            results[i] = interpreter.Output(0).ToArray<float>()[0];
        }
        return results;
    }

    [Fact]
    public void Committed_models_are_exactly_what_the_trainer_makes()
    {
        // A mismatch means data/ is stale: regenerate with `dotnet run --project tools/SineModel -- --out data`.
        Assert.True(Committed(SineModels.FloatFileName).AsSpan().SequenceEqual(_fresh.Float),
            $"data/{SineModels.FloatFileName} differs from a fresh tools/SineModel run");
        Assert.True(Committed(SineModels.Int8FileName).AsSpan().SequenceEqual(_fresh.Int8),
            $"data/{SineModels.Int8FileName} differs from a fresh tools/SineModel run");
    }

    [Fact]
    public void Float_model_is_within_0_02_of_sin_over_200_points()
    {
        var y = RunFloat();
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < Points; i++)
        {
            double error = Math.Abs(y[i] - Math.Sin(X(i)));
            if (error > worst) (worst, worstAt) = (error, i);
        }
        _output.WriteLine($"float model: max |y - sin x| = {worst:F5} at x = {X(worstAt):F4}");
        Assert.True(worst < 0.02, $"max |error| {worst} at x = {X(worstAt)}");
    }

    /// <summary>Max |int8 − float| over the 200 points, in steps of the int8 model's output scale.</summary>
    private static (double Steps, double VsSin, float OutputScale) Int8Deviation(byte[] floatModel, byte[] int8Model)
    {
        var resolver = new OpResolver().Add(BuiltinOperator.FULLY_CONNECTED);
        using var f = new MicroInterpreter(Model.FromBytes(floatModel), resolver, 16 * 1024);
        using var q = new MicroInterpreter(Model.FromBytes(int8Model), resolver, 16 * 1024);
        f.AllocateTensors();
        q.AllocateTensors();
        var input = q.Input(0);
        var output = q.Output(0);
        Assert.Equal(TensorType.INT8, input.Type);
        Assert.Equal(TensorType.INT8, output.Type);

        double worst = 0, worstVsSin = 0;
        for (int i = 0; i < Points; i++)
        {
            f.Input(0).CopyFrom(new[] { (float)X(i) });
            f.Invoke();
            float reference = f.Output(0).ToArray<float>()[0];

            int xq = (int)Math.Round(X(i) / input.Scale, MidpointRounding.AwayFromZero) + input.ZeroPoint;
            input.CopyFrom(new[] { (sbyte)Math.Clamp(xq, -128, 127) });
            q.Invoke();
            double y = output.Scale * (output.ToArray<sbyte>()[0] - output.ZeroPoint);
            worst = Math.Max(worst, Math.Abs(y - reference));
            worstVsSin = Math.Max(worstVsSin, Math.Abs(y - Math.Sin(X(i))));
        }
        return (worst / output.Scale, worstVsSin, output.Scale);
    }

    [Fact]
    public void Int8_model_stays_within_eight_output_steps_of_the_float_model()
    {
        var (steps, vsSin, scale) = Int8Deviation(Committed(SineModels.FloatFileName), Committed(SineModels.Int8FileName));
        // The budget, in output steps (scale ≈ 2/255): rounding x to a step of 2π/255 moves y by up to
        // half that on a curve of slope ~1, ≈ 1.6 steps; rounding the output costs 0.5; rounding the two
        // hidden activations (scales ≈ 0.05 and 0.026, fanned out through 16 weights each) and the
        // 16x16 weights adds 1-5 steps each at worst, partly cancelling. Eight steps (≈ 0.063) covers it.
        _output.WriteLine($"int8 model: max |int8 - float| = {steps * scale:F5} = {steps:F2} output steps (scale {scale:G6}); max |int8 - sin x| = {vsSin:F5}");
        Assert.True(steps <= 8, $"max |int8 - float| is {steps:F2} output steps");
    }

    [Fact]
    public void Int8_model_follows_TFLite_quantization_conventions()
    {
        var model = Model.FromBytes(Committed(SineModels.Int8FileName));
        var graph = model.MainSubgraph;
        Assert.Equal(3, graph.Operators.Count);

        // The input is calibrated on [0, 2π]: scale 2π/255 with -128 standing for 0.
        var input = graph.Tensors[graph.Inputs[0]].Quantization!;
        Assert.Equal(-128, input.ZeroPoint);
        Assert.Equal(2 * Math.PI / 255, input.Scale, 1e-6);

        foreach (var op in graph.Operators)
        {
            var x = graph.Tensors[op.Inputs[0]];
            var w = graph.Tensors[op.Inputs[1]];
            var b = graph.Tensors[op.Inputs[2]];
            var y = graph.Tensors[op.Outputs[0]];
            Assert.Equal(TensorType.INT8, w.Type);
            Assert.Equal(TensorType.INT32, b.Type);
            Assert.All(w.Quantization!.ZeroPoints, zp => Assert.Equal(0, zp));
            Assert.All(b.Quantization!.ZeroPoints, zp => Assert.Equal(0, zp));
            Assert.Equal(w.Shape[0], w.Quantization.Scales.Length); // per-channel along the output dimension
            for (int c = 0; c < w.Quantization.Scales.Length; c++)
                Assert.Equal(x.Quantization!.Scale * w.Quantization.Scales[c], b.Quantization.Scales[c], 1e-12);
            // Symmetric weights use [-127, 127], and each channel's largest weight reaches the end of it.
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(w.Data.Span);
            for (int c = 0; c < w.Shape[0]; c++)
            {
                int largest = 0;
                for (int i = 0; i < w.Shape[1]; i++) largest = Math.Max(largest, Math.Abs((int)values[c * w.Shape[1] + i]));
                Assert.Equal(127, largest);
            }
            // ReLU outputs are never negative, so their calibrated range starts at 0 = -128.
            if (op.Index < 2) Assert.Equal(-128, y.Quantization!.ZeroPoint);
        }
    }

    [Fact]
    public void Both_models_need_less_than_2_KB_of_arena()
    {
        foreach (var file in new[] { SineModels.FloatFileName, SineModels.Int8FileName })
        {
            using var interpreter = Interpreter(file);
            _output.WriteLine($"{file}: arena used {interpreter.ArenaUsedBytes} bytes (head {interpreter.Plan.HeadBytes}, tail {interpreter.Plan.TailBytes})");
            Assert.True(interpreter.ArenaUsedBytes < ArenaLimit, $"{file} uses {interpreter.ArenaUsedBytes} bytes of arena");
        }
    }

    [Fact]
    public void Training_targets_come_from_a_sine_that_matches_Math_Sin()
    {
        for (int i = 0; i <= 1000; i++)
        {
            double x = 2 * Math.PI * i / 1000;
            Assert.Equal(Math.Sin(x), DeterministicMath.Sin(x), 1e-14);
        }
    }
}
