using System.Diagnostics;
using System.Globalization;
using TinyMl.Tools.SineModel;

// dotnet run --project tools/SineModel -- --out data
string outDir = "data";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out" when i + 1 < args.Length:
            outDir = args[++i];
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: SineModel [--out DIR]   writes DIR/sine_float.tflite and DIR/sine_int8.tflite (default DIR: data)");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

var options = new SineTrainingOptions();
var clock = Stopwatch.StartNew();
var models = SineModels.Generate(options);
clock.Stop();

Directory.CreateDirectory(outDir);
string floatPath = Path.Combine(outDir, SineModels.FloatFileName);
string int8Path = Path.Combine(outDir, SineModels.Int8FileName);
File.WriteAllBytes(floatPath, models.Float);
File.WriteAllBytes(int8Path, models.Int8);

var inv = CultureInfo.InvariantCulture;
Console.WriteLine(string.Format(inv, "trained {0} parameters: {1}", models.Training.Network.ParameterCount, options.Summary));
Console.WriteLine(string.Format(inv, "final training MSE {0:E3}; train + quantize + export took {1:F2} s", models.Training.FinalLoss, clock.Elapsed.TotalSeconds));
Console.WriteLine(string.Format(inv, "int8: input scale {0:G9} zero point {1}, output scale {2:G9} zero point {3}, {4} weights",
    models.Quantized.Input.Scale, models.Quantized.Input.ZeroPoint, models.Quantized.Output.Scale, models.Quantized.Output.ZeroPoint,
    models.Quantized.PerChannelWeights ? "per-channel" : "per-tensor"));
Console.WriteLine($"wrote {floatPath} ({models.Float.Length} bytes) and {int8Path} ({models.Int8.Length} bytes)");
return 0;
