using System.Text.Json;
using TinyMl.Interpreter.Tests;

namespace TinyMl.Cli.Tests;

/// <summary>
/// `invoke --input-csv … --output-csv`: the seanet layer goldens (TFLite's CSVs) go in and come out
/// as text. One model per operator here; every one of the 127 runs in-process in SeanetLayerTests.
/// </summary>
public class InvokeCsvTests
{
    public static TheoryData<string> OnePerOperator()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(SharedData.Seanet).Order(StringComparer.Ordinal))
            data.Add(Path.Combine(Path.GetFileName(dir), Path.GetFileName(dir) + "0"));
        return data;
    }

    [Theory]
    [MemberData(nameof(OnePerOperator))]
    public void Seanet_layer_through_csv_is_within_one_of_TFLite(string stem)
    {
        string folder = Path.GetDirectoryName(Path.Combine(SharedData.Seanet, stem))!;
        string name = Path.GetFileName(stem);
        var inputs = Directory.GetFiles(folder, name + "_input*_*.csv").Order(StringComparer.Ordinal).ToArray();
        string golden = Assert.Single(Directory.GetFiles(folder, name + "_golden_*.csv"));
        string outDir = Path.Combine(Path.GetTempPath(), "workbench-csv-" + Guid.NewGuid().ToString("N"));
        try
        {
            var args = new List<string> { "invoke", Path.Combine(folder, name + ".tflite"), "--out", outDir, "--output-csv" };
            foreach (var input in inputs) args.AddRange(["--input-csv", input]);
            var r = WorkbenchProcess.Run([.. args]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var doc = JsonDocument.Parse(r.Stdout);
            string csv = doc.RootElement.GetProperty("outputs")[0].GetProperty("csv").GetString()!;

            var expected = ReadCsv(golden);
            var actual = ReadCsv(csv);
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1, $"{stem}: element {i} is {actual[i]}, TFLite gives {expected[i]}");
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }

    private static long[] ReadCsv(string path) =>
        File.ReadAllText(path).Split([',', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();

    [Fact]
    public void Csv_with_the_wrong_count_or_a_value_outside_the_type_is_a_user_error()
    {
        string dir = Path.Combine(Path.GetTempPath(), "workbench-csv-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string model = SharedData.ModelPath("hello_world_int8");
            File.WriteAllText(Path.Combine(dir, "two.csv"), "1,2\n");
            File.WriteAllText(Path.Combine(dir, "big.csv"), "300\n");
            CommandLineTests.AssertUserError(WorkbenchProcess.Run("invoke", model, "--input-csv", Path.Combine(dir, "two.csv"), "--out", dir),
                "input 0 ('serving_default_dense_input:0') is int8[1,1] = 1 values, but");
            CommandLineTests.AssertUserError(WorkbenchProcess.Run("invoke", model, "--input-csv", Path.Combine(dir, "big.csv"), "--out", dir),
                "value 1 ('300') is not a int8 number");
            CommandLineTests.AssertUserError(WorkbenchProcess.Run("invoke", model, "--input-csv", Path.Combine(dir, "big.csv"),
                    "--input", Path.Combine(dir, "big.csv"), "--out", dir),
                "either as --input (raw bytes) or as --input-csv, not both");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
