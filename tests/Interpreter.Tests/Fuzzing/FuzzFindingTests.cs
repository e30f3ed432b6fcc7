namespace TinyMl.Interpreter.Tests.Fuzzing;

/// <summary>
/// Every input the coverage-guided fuzzer (fuzz/run.sh) found crashing is kept in fuzz/regressions and must now
/// fail the way a malformed model should: with the runtime's typed error, not an exception behind a safety net.
/// </summary>
public class FuzzFindingTests
{
    private static string Folder => Path.Combine(SharedData.Repository, "fuzz", "regressions");

    public static TheoryData<string> Findings()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Findings))]
    public void A_saved_fuzz_finding_runs_or_fails_with_a_typed_error(string file)
    {
        Exception? error = null;
        try
        {
            var model = Model.FromBytes(File.ReadAllBytes(Path.Combine(Folder, file)), file);
            using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 1 << 20);
            interpreter.AllocateTensors();
            ReferenceInputs.Fill(interpreter);
            interpreter.Invoke();
            interpreter.Invoke();
        }
        catch (Exception e)
        {
            error = e;
        }
        Assert.True(error is null || ModelMutationTests.Classify(error) is null, $"{file}: {error}");
    }
}
