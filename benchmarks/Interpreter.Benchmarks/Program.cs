using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Interpreter.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

public partial class Program;
