using System.Text.Json;
using TinyMl.Interpreter.Tests;

namespace TinyMl.Cli.Tests;

/// <summary>The exact command forms and error contract of `workbench`, exercised as a process.</summary>
public class CommandLineTests
{
    private static string ModelPath(string name) => SharedData.ModelPath(name);

    internal static void AssertUserError(WorkbenchProcess.Result result, string expectedFragment)
    {
        Assert.Equal(2, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expectedFragment, lines[0]);
        Assert.DoesNotContain("   at ", result.Stderr); // no stack trace
    }

    [Fact]
    public void Inspect_json_lists_operators_tensors_and_metadata()
    {
        var r = WorkbenchProcess.Run("inspect", ModelPath("hello_world_int8"), "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var sg = doc.RootElement.GetProperty("subgraphs")[0];
        Assert.Equal(3, sg.GetProperty("operators").GetArrayLength());
        Assert.Equal("FULLY_CONNECTED", sg.GetProperty("operators")[0].GetProperty("op").GetString());
        var input = sg.GetProperty("tensors")[0];
        Assert.Equal("int8", input.GetProperty("type").GetString());
        Assert.Equal(-128, input.GetProperty("quantization").GetProperty("zero_point")[0].GetInt32());
        Assert.Contains(doc.RootElement.GetProperty("metadata").EnumerateArray(), m => m.GetString() == "min_runtime_version");
    }

    [Fact]
    public void Inspect_prints_tables_without_json()
    {
        var r = WorkbenchProcess.Run("inspect", ModelPath("hello_world_float"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("FULLY_CONNECTED", r.Stdout);
        Assert.Contains("serving_default_dense_input:0", r.Stdout);
    }

    [Fact]
    public void Invoke_writes_TFLMs_output_bytes_and_reports_the_outputs()
    {
        string dir = Path.Combine(Path.GetTempPath(), "workbench-cli-" + Guid.NewGuid().ToString("N"));
        var r = WorkbenchProcess.Run("invoke", ModelPath("hello_world_int8"),
            "--input", SharedData.GoldenPath("hello_world_int8", "input0.bin"), "--out", dir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(File.ReadAllBytes(SharedData.GoldenPath("hello_world_int8", "output0.bin")), File.ReadAllBytes(Path.Combine(dir, "output0.bin")));
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.True(doc.RootElement.GetProperty("arena_used_bytes").GetInt32() > 0);
        var output = doc.RootElement.GetProperty("outputs")[0];
        Assert.Equal("StatefulPartitionedCall:0", output.GetProperty("name").GetString());
        Assert.Equal("int8", output.GetProperty("type").GetString());
        Assert.Equal(new[] { 1, 1 }, output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void Bench_prints_one_json_object_with_the_agreed_fields()
    {
        var r = WorkbenchProcess.Run("bench", ModelPath("hello_world_float"), "--runs", "50", "--warmup", "5", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal("hello_world_float", root.GetProperty("model").GetString());
        Assert.Equal(50, root.GetProperty("runs").GetInt32());
        Assert.True(root.GetProperty("median_us").GetDouble() >= root.GetProperty("min_us").GetDouble());
        Assert.True(root.GetProperty("arena_used_bytes").GetInt32() > 0);
        Assert.Equal(0, root.GetProperty("allocated_bytes_per_invoke").GetDouble());
    }

    [Fact]
    public void Plan_json_reports_both_planners_and_greedy_is_no_larger()
    {
        var greedy = WorkbenchProcess.Run("plan", ModelPath("hello_world_int8"), "--planner", "greedy", "--json");
        var linear = WorkbenchProcess.Run("plan", ModelPath("hello_world_int8"), "--planner", "linear", "--json");
        Assert.Equal(0, greedy.ExitCode);
        Assert.Equal(0, linear.ExitCode);
        using var g = JsonDocument.Parse(greedy.Stdout);
        using var l = JsonDocument.Parse(linear.Stdout);
        Assert.Equal("greedy", g.RootElement.GetProperty("planner").GetString());
        Assert.Equal("linear", l.RootElement.GetProperty("planner").GetString());
        Assert.True(g.RootElement.GetProperty("head_bytes").GetInt32() <= l.RootElement.GetProperty("head_bytes").GetInt32());
        var buffer = g.RootElement.GetProperty("buffers")[0];
        foreach (var field in new[] { "kind", "id", "name", "bytes", "first_op", "last_op", "offset" })
            Assert.True(buffer.TryGetProperty(field, out _), field);
    }

    [Fact]
    public void Missing_model_is_a_one_line_user_error()
    {
        AssertUserError(WorkbenchProcess.Run("inspect", "/no/such/model.tflite"), "model file '/no/such/model.tflite' not found");
    }

    [Fact]
    public void Malformed_model_is_a_one_line_user_error()
    {
        string path = Path.Combine(Path.GetTempPath(), "workbench-cli-" + Guid.NewGuid().ToString("N") + ".tflite");
        var bytes = File.ReadAllBytes(ModelPath("hello_world_int8"));
        File.WriteAllBytes(path, bytes.AsSpan(0, 100).ToArray());
        AssertUserError(WorkbenchProcess.Run("invoke", path, "--input", SharedData.GoldenPath("hello_world_int8", "input0.bin"), "--out", Path.GetTempPath()), "error: ");
    }

    [Fact]
    public void Too_small_arena_names_the_needed_and_given_bytes()
    {
        var r = WorkbenchProcess.Run("invoke", ModelPath("hello_world_int8"),
            "--input", SharedData.GoldenPath("hello_world_int8", "input0.bin"), "--out", Path.GetTempPath(), "--arena", "16");
        AssertUserError(r, "arena too small: the plan needs ");
        Assert.Contains(", 16 given", r.Stderr);
    }

    [Fact]
    public void Input_of_the_wrong_size_names_tensor_and_sizes()
    {
        var r = WorkbenchProcess.Run("invoke", ModelPath("hello_world_int8"),
            "--input", SharedData.GoldenPath("hello_world_float", "input0.bin"), "--out", Path.GetTempPath());
        AssertUserError(r, "input 0 ('serving_default_dense_input:0') is int8[1,1] = 1 bytes, but");
    }

    [Fact]
    public void Wrong_number_of_inputs_is_a_user_error()
    {
        AssertUserError(WorkbenchProcess.Run("invoke", ModelPath("hello_world_int8"), "--input", "a", "--input", "b", "--out", Path.GetTempPath()),
            "the model has 1 input tensor(s), 2 --input file(s) given");
    }

    [Fact]
    public void Unsupported_operator_names_operator_index_and_op()
    {
        // A custom operator no resolver registers.
        var builder = new TinyMl.Interpreter.ModelBuilder();
        int x = builder.AddTensor("x", TinyMl.Interpreter.Schema.TensorType.INT8, [4]);
        int y = builder.AddTensor("y", TinyMl.Interpreter.Schema.TensorType.INT8, [4]);
        builder.AddOperator(TinyMl.Interpreter.Schema.BuiltinOperator.CUSTOM, [x], [y], customCode: "NoSuchCustomOp");
        string path = Path.Combine(Path.GetTempPath(), $"unsupported-{Guid.NewGuid():N}.tflite");
        File.WriteAllBytes(path, builder.SetInputs(x).SetOutputs(y).Build());
        try
        {
            var r = WorkbenchProcess.Run("bench", path, "--runs", "1");
            AssertUserError(r, "operator 0 (NoSuchCustomOp)");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Bad_arguments_are_user_errors_too()
    {
        AssertUserError(WorkbenchProcess.Run("plan", ModelPath("hello_world_int8"), "--planner", "best"), "'best'");
        AssertUserError(WorkbenchProcess.Run("bench"), "MODEL");
    }
}
