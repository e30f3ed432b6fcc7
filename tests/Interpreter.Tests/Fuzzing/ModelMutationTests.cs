using System.Diagnostics;
using System.Text;
using TinyMl.Interpreter.Schema;
using Xunit.Abstractions;

namespace TinyMl.Interpreter.Tests.Fuzzing;

/// <summary>
/// Feeds malformed variants of every shared model to the reader and the interpreter. Each mutant
/// must either run (load, allocate, fill inputs, invoke twice) or stop with a TinyMlException; any
/// other exception, a hang, an OutOfMemoryException or an allocation out of proportion to the file
/// fails the test with the model, the seed that replays the mutant, the mutation and the stack.
/// WORKBENCH_FULL_FUZZ=1 runs the full set (600 mutants a model, ≥ 10,000 in all) and also fails any
/// mutant that takes more than 1 s; the count, time and slowest mutant are printed either way.
/// To replay one mutant under a debugger: TINYML_FUZZ_REPLAY=&lt;model&gt;:&lt;mutant seed&gt; runs only that
/// mutant, on the test's thread, and lets its exception through.
/// </summary>
public class ModelMutationTests
{
    // Fixed so CI is reproducible; TINYML_FUZZ_SEED explores other mutants, TINYML_FUZZ_MUTANTS runs more.
    private const int DefaultSeed = 20251124;
    private const int DefaultMutantsPerModel = 250;
    // WORKBENCH_FULL_FUZZ=1: the full run of issue 8 (≥ 10,000 mutants, each within 1 s); the default is a fast subset.
    private static readonly bool FullRun = Environment.GetEnvironmentVariable("WORKBENCH_FULL_FUZZ") == "1";
    private const int FullMutantsPerModel = 600;
    private const int FullRunMinimum = 10_000;
    private static readonly TimeSpan FullRunMutantLimit = TimeSpan.FromSeconds(1);
    private const int ArenaBytes = 1 << 20;
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan HeavyRun = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan InvokeBudgetPerModel = TimeSpan.FromSeconds(3);

    private readonly ITestOutputHelper _output;

    public ModelMutationTests(ITestOutputHelper output) => _output = output;

    // Allocated: AllocateTensors passed but Invoke was not attempted (the model's invoke budget was spent).
    private enum Stage { Rejected, Loaded, Allocated, Ran }

    private sealed record Outcome(Stage Stage, Exception? Error, long AllocatedBytes);

    /// <summary>
    /// The shared models, plus small models built here that run end to end with today's kernels and
    /// carry what the shared ones lack there: a variable tensor, an offline memory plan, RESHAPE
    /// options, per-channel weights. Mutating those reaches the allocator and planner, not only the reader.
    /// </summary>
    private static List<(string Name, byte[] Bytes)> Corpus()
    {
        var corpus = Directory.GetFiles(SharedData.Models, "*.tflite").Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileNameWithoutExtension(path), File.ReadAllBytes(path))).ToList();
        Assert.True(corpus.Count > 0, $"no models in {SharedData.Models}");
        // One seanet layer model per operator it covers (the smallest of each): int16 and int8 PAD, LEAKY_RELU,
        // SUB, TRANSPOSE_CONV, STRIDED_SLICE, QUANTIZE, ADD and CONV_2D as a converter writes them.
        foreach (string dir in Directory.GetDirectories(SharedData.Seanet).Order(StringComparer.Ordinal))
        {
            var smallest = Directory.GetFiles(dir, "*.tflite").MinBy(path => new FileInfo(path).Length);
            if (smallest is not null)
                corpus.Add(("seanet_" + Path.GetFileNameWithoutExtension(smallest), File.ReadAllBytes(smallest)));
        }
        corpus.Add(("built_int8_reshape_fc", BuildInt8ReshapeFullyConnected()));
        corpus.Add(("built_float_fc_chain", BuildFloatFullyConnectedChain()));
        corpus.Add(("built_int16_fc", BuildInt16FullyConnected()));
        // The shared models never use these kernels; mutating their options and shapes needs a model that does.
        corpus.Add(("built_float_ops", BuildFloatOperatorChain()));
        corpus.Add(("built_quantized_ops", BuildQuantizedOperatorChain()));
        corpus.Add(("built_int32_ops", BuildInt32OperatorChain()));
        // Several subgraphs, resource variables, sparse and int4 weights, and data-movement ops: what the reader
        // and allocator learned last, mutated like the rest.
        corpus.Add(("built_if", Models.ControlFlowModels.IfModel().Bytes.ToArray()));
        corpus.Add(("built_while", Models.ControlFlowModels.WhileModel().Bytes.ToArray()));
        corpus.Add(("built_variables", Models.ControlFlowModels.AccumulatorModel().Bytes.ToArray()));
        corpus.Add(("built_sparse_int4_shapes", BuildSparseInt4ShapeChain()));
        corpus.Add(("built_math_resize_matmul", BuildMathResizeMatMulChain()));
        corpus.Add(("built_custom_ops", BuildCustomOperatorChain()));
        foreach (string dir in (Environment.GetEnvironmentVariable("TINYML_FUZZ_EXTRA") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            corpus.AddRange(Directory.GetFiles(dir, "*.tflite", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(path => ("extra_" + Path.GetFileNameWithoutExtension(path), File.ReadAllBytes(path))));
        return corpus;
    }

    /// <summary>
    /// TFLM's custom operators: CIRCULAR_BUFFER into a FULLY_CONNECTED whose weights TFLM_DECODE expands from a 4-bit
    /// LUT, then int8 LOG_SOFTMAX; and TFLite_Detection_PostProcess on float boxes. Their FlexBuffer options, DCM
    /// headers, bit-packed indices and value tables are what the mutations reach.
    /// </summary>
    private static byte[] BuildCustomOperatorChain()
    {
        const TensorType Q = TensorType.INT8, F = TensorType.FLOAT32, U = TensorType.UINT8;
        var b = new ModelBuilder();
        int x = b.AddTensor("x", Q, [1, 1, 1, 4], scales: [0.05f], zeroPoints: [2]);
        int buffer = b.AddTensor("buffer", Q, [1, 3, 1, 4], scales: [0.05f], zeroPoints: [2], isVariable: true);
        b.AddOperator(BuiltinOperator.CUSTOM, [x], [buffer], customCode: "CIRCULAR_BUFFER",
            customOptions: Kernels.Signal.FlexBufferEncoder.Map(1, ("cycles_max", 1)));
        int shape = b.AddConstant("shape", TensorType.INT32, [2], new[] { 1, 12 });
        int flat = b.AddTensor("flat", Q, [1, 12], scales: [0.05f], zeroPoints: [2]);
        b.AddOperator(BuiltinOperator.RESHAPE, [buffer, shape], [flat]);
        var packed = Kernels.Custom.DecodeEncoder.Pack(Enumerable.Range(0, 60).Select(i => i * 7 % 16).ToArray(), 4);
        var ancillary = Kernels.Custom.DecodeEncoder.Header(Kernels.Custom.DecodeEncoder.Lut, 4, 16)
            .Concat(Enumerable.Range(0, 16).Select(i => (byte)(sbyte)(i * 15 - 120))).ToArray();
        int encoded = b.AddConstant("encoded", U, [packed.Length], packed);
        int aux = b.AddConstant("ancillary", U, [ancillary.Length], ancillary);
        int w = b.AddTensor("w", Q, [5, 12], scales: [0.02f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.CUSTOM, [encoded, aux], [w], customCode: "TFLM_DECODE");
        int logits = b.AddTensor("logits", Q, [1, 5], scales: [0.1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [flat, w, -1], [logits]);
        int logProbabilities = b.AddTensor("log_probabilities", Q, [1, 5], scales: [16f / 256], zeroPoints: [127]);
        b.AddOperator(BuiltinOperator.LOG_SOFTMAX, [logits], [logProbabilities]);

        int boxes = b.AddTensor("boxes", F, [1, 4, 4]);
        int scores = b.AddTensor("scores", F, [1, 4, 3]);
        int anchors = b.AddConstant("anchors", F, [4, 4], Enumerable.Range(0, 16).Select(i => 0.1f + 0.05f * i).ToArray());
        int detected = b.AddTensor("detected", F, [1, 2, 4]);
        int classes = b.AddTensor("classes", F, [1, 2]);
        int confidences = b.AddTensor("confidences", F, [1, 2]);
        int count = b.AddTensor("count", F, [1]);
        b.AddOperator(BuiltinOperator.CUSTOM, [boxes, scores, anchors], [detected, classes, confidences, count],
            customCode: "TFLite_Detection_PostProcess", customOptions: Kernels.Signal.FlexBufferEncoder.Map(4,
                ("max_detections", 2), ("max_classes_per_detection", 1), ("use_regular_nms", true), ("nms_score_threshold", 0.2),
                ("nms_iou_threshold", 0.5), ("num_classes", 2), ("y_scale", 10.0), ("x_scale", 10.0), ("h_scale", 5.0), ("w_scale", 5.0)));
        b.SetInputs(x, boxes, scores).SetOutputs(logProbabilities, detected, classes, confidences, count);
        return b.Build();
    }

    /// <summary>
    /// RESIZE_BILINEAR, HARD_SWISH, SQUARED_DIFFERENCE, REDUCE_MAX, comparisons and SELECT_V2 in float32, then
    /// BATCH_MATMUL, L2_NORMALIZATION and ADD_N in int8: the newest kernels' options and shapes, mutated.
    /// </summary>
    private static byte[] BuildMathResizeMatMulChain()
    {
        const TensorType F = TensorType.FLOAT32, Q = TensorType.INT8;
        var b = new ModelBuilder();
        int x = b.AddTensor("x", F, [1, 3, 3, 2]);
        int size = b.AddConstant("size", TensorType.INT32, [2], new[] { 5, 4 });
        int resized = b.AddTensor("resized", F, [1, 5, 4, 2]);
        b.AddOperator(BuiltinOperator.RESIZE_BILINEAR, [x, size], [resized], BuiltinOptionsUnion.FromResizeBilinearOptions(new ResizeBilinearOptionsT { HalfPixelCenters = true }));
        int swished = b.AddTensor("swished", F, [1, 5, 4, 2]);
        b.AddOperator(BuiltinOperator.HARD_SWISH, [resized], [swished]);
        int squared = b.AddTensor("squared", F, [1, 5, 4, 2]);
        b.AddOperator(BuiltinOperator.SQUARED_DIFFERENCE, [swished, resized], [squared]);
        int axes = b.AddConstant("axes", TensorType.INT32, [2], new[] { 1, 2 });
        int peak = b.AddTensor("peak", F, [1, 2]);
        b.AddOperator(BuiltinOperator.REDUCE_MAX, [squared, axes], [peak], BuiltinOptionsUnion.FromReducerOptions(new ReducerOptionsT { KeepDims = false }));
        int threshold = b.AddConstant("threshold", F, [1], new[] { 0.5f });
        int big = b.AddTensor("big", TensorType.BOOL, [1, 2]);
        b.AddOperator(BuiltinOperator.GREATER, [peak, threshold], [big]);
        int chosen = b.AddTensor("chosen", F, [1, 2]);
        b.AddOperator(BuiltinOperator.SELECT_V2, [big, peak, threshold], [chosen]);

        int q = b.AddTensor("q", Q, [2, 3], scales: [0.05f], zeroPoints: [1]);
        int w = b.AddConstant("w", Q, [3, 4], Enumerable.Range(0, 12).Select(i => (sbyte)(i * 7 - 40)).ToArray(), [0.02f], [0]);
        int product = b.AddTensor("product", Q, [2, 4], scales: [0.1f], zeroPoints: [-3]);
        b.AddOperator(BuiltinOperator.BATCH_MATMUL, [q, w], [product]);
        int normalized = b.AddTensor("normalized", Q, [2, 4], scales: [1 / 128f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.L2_NORMALIZATION, [product], [normalized]);
        int summed = b.AddTensor("summed", Q, [2, 4], scales: [1 / 64f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.ADD_N, [normalized, normalized], [summed]);
        b.SetInputs(x, q).SetOutputs(chosen, summed);
        return b.Build();
    }

    /// <summary>DENSIFY of block-sparse weights into FULLY_CONNECTED, an int4-weight FULLY_CONNECTED, then SPLIT, PACK and GATHER.</summary>
    private static byte[] BuildSparseInt4ShapeChain()
    {
        const TensorType F = TensorType.FLOAT32;
        var b = new ModelBuilder();
        int x = b.AddTensor("x", F, [2, 8]);
        int sparse = b.AddSparseConstant("w_sparse", F, 6, 8, Enumerable.Range(0, 48).Select(i => i % 5 < 2 ? 0f : i * 0.01f).ToArray(), blockColumns: 2);
        int w = b.AddTensor("w", F, [6, 8]);
        int y = b.AddTensor("y", F, [2, 6]);
        b.AddOperator(BuiltinOperator.DENSIFY, [sparse], [w]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, -1], [y]);
        int axis = b.AddConstant("axis", TensorType.INT32, [], new[] { 1 });
        int left = b.AddTensor("left", F, [2, 3]);
        int right = b.AddTensor("right", F, [2, 3]);
        b.AddOperator(BuiltinOperator.SPLIT, [axis, y], [left, right], BuiltinOptionsUnion.FromSplitOptions(new SplitOptionsT { NumSplits = 2 }));
        int packed = b.AddTensor("packed", F, [2, 2, 3]);
        b.AddOperator(BuiltinOperator.PACK, [left, right], [packed], BuiltinOptionsUnion.FromPackOptions(new PackOptionsT { ValuesCount = 2, Axis = 0 }));
        int indices = b.AddConstant("indices", TensorType.INT32, [2], new[] { 1, 0 });
        int gathered = b.AddTensor("gathered", F, [2, 2, 3]);
        b.AddOperator(BuiltinOperator.GATHER, [packed, indices], [gathered], BuiltinOptionsUnion.FromGatherOptions(new GatherOptionsT { Axis = 0 }));

        int q = b.AddTensor("q", TensorType.INT8, [1, 8], scales: [0.05f], zeroPoints: [2]);
        int w4 = b.AddInt4Constant("w4", [4, 8], Enumerable.Range(0, 32).Select(i => (sbyte)(i % 16 - 8)).ToArray(), [0.02f, 0.03f, 0.01f, 0.04f], new long[4]);
        int q4 = b.AddTensor("q4", TensorType.INT8, [1, 4], scales: [0.1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [q, w4, -1], [q4], BuiltinOptionsUnion.FromFullyConnectedOptions(new FullyConnectedOptionsT()));
        b.SetInputs(x, q).SetOutputs(gathered, q4);
        return b.Build();
    }

    private static byte[] BuildFloatOperatorChain()
    {
        const TensorType F = TensorType.FLOAT32;
        var b = new ModelBuilder();
        int input = b.AddTensor("input", F, [1, 4, 4, 2]);
        int pooled = b.AddTensor("pooled", F, [1, 2, 2, 2]);
        b.AddOperator(BuiltinOperator.MAX_POOL_2D, [input], [pooled], BuiltinOptionsUnion.FromPool2DOptions(new Pool2DOptionsT
        {
            Padding = Padding.VALID, StrideH = 2, StrideW = 2, FilterHeight = 2, FilterWidth = 2,
        }));
        int clipped = b.AddTensor("clipped", F, [1, 2, 2, 2]);
        b.AddOperator(BuiltinOperator.RELU6, [pooled], [clipped]);
        int filter = b.AddConstant("filter", F, [3, 1, 1, 2], new[] { 0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f });
        int bias = b.AddConstant("bias", F, [3], new[] { 0.1f, -0.2f, 0.3f });
        int conv = b.AddTensor("conv", F, [1, 2, 2, 3]);
        b.AddOperator(BuiltinOperator.CONV_2D, [clipped, filter, bias], [conv], BuiltinOptionsUnion.FromConv2DOptions(new Conv2DOptionsT
        {
            Padding = Padding.SAME, StrideH = 1, StrideW = 1, DilationHFactor = 1, DilationWFactor = 1,
        }));
        int scale = b.AddConstant("scale", F, [3], new[] { 2f, -3f, 0.5f });
        int scaled = b.AddTensor("scaled", F, [1, 2, 2, 3]);
        b.AddOperator(BuiltinOperator.MUL, [conv, scale], [scaled], BuiltinOptionsUnion.FromMulOptions(new MulOptionsT()));
        int divisor = b.AddConstant("divisor", F, [1], new[] { 4f });
        int divided = b.AddTensor("divided", F, [1, 2, 2, 3]);
        b.AddOperator(BuiltinOperator.DIV, [scaled, divisor], [divided], BuiltinOptionsUnion.FromDivOptions(new DivOptionsT { FusedActivationFunction = ActivationFunctionType.RELU_N1_TO_1 }));
        int ceiling = b.AddConstant("ceiling", F, [3], new[] { 0.5f, 0.25f, 1f });
        int lower = b.AddTensor("lower", F, [1, 2, 2, 3]);
        b.AddOperator(BuiltinOperator.MINIMUM, [divided, ceiling], [lower]);
        int floor = b.AddConstant("floor", F, [], new[] { -0.5f });
        int bounded = b.AddTensor("bounded", F, [1, 2, 2, 3]);
        b.AddOperator(BuiltinOperator.MAXIMUM, [lower, floor], [bounded]);
        int sigmoid = b.AddTensor("sigmoid", F, [1, 2, 2, 3]);
        b.AddOperator(BuiltinOperator.LOGISTIC, [bounded], [sigmoid]);
        int tanh = b.AddTensor("tanh", F, [1, 2, 2, 3]);
        b.AddOperator(BuiltinOperator.TANH, [conv], [tanh]);
        int joined = b.AddTensor("joined", F, [1, 2, 2, 6]);
        b.AddOperator(BuiltinOperator.CONCATENATION, [sigmoid, tanh], [joined],
            BuiltinOptionsUnion.FromConcatenationOptions(new ConcatenationOptionsT { Axis = -1 }));
        int begin = b.AddConstant("begin", TensorType.INT32, [4], new[] { 0, 0, 1, 0 });
        int end = b.AddConstant("end", TensorType.INT32, [4], new[] { 1, 2, 2, 6 });
        int strides = b.AddConstant("strides", TensorType.INT32, [4], new[] { 1, 1, 1, 2 });
        int sliced = b.AddTensor("sliced", F, [1, 2, 1, 3]);
        b.AddOperator(BuiltinOperator.STRIDED_SLICE, [joined, begin, end, strides], [sliced],
            BuiltinOptionsUnion.FromStridedSliceOptions(new StridedSliceOptionsT()));
        int output = b.AddTensor("output", TensorType.INT32, [1, 2, 1, 3]);
        b.AddOperator(BuiltinOperator.CAST, [sliced], [output]);
        return b.SetInputs(input).SetOutputs(output, tanh).Build();
    }

    private static byte[] BuildQuantizedOperatorChain()
    {
        const TensorType I8 = TensorType.INT8, I16 = TensorType.INT16, F = TensorType.FLOAT32;
        var b = new ModelBuilder();
        int input = b.AddTensor("input", F, [2, 6]);
        int q = b.AddTensor("q", I8, [2, 6], scales: [0.02f], zeroPoints: [3]);
        b.AddOperator(BuiltinOperator.QUANTIZE, [input], [q]);
        int relu = b.AddTensor("relu", I8, [2, 6], scales: [0.01f], zeroPoints: [-5]);
        b.AddOperator(BuiltinOperator.RELU, [q], [relu]);
        int offset = b.AddConstant("offset", I8, [6], new sbyte[] { 10, -20, 30, -40, 50, -60 }, scales: [0.05f], zeroPoints: [1]);
        int sum = b.AddTensor("sum", I8, [2, 6], scales: [0.05f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.ADD, [relu, offset], [sum], BuiltinOptionsUnion.FromAddOptions(new AddOptionsT { FusedActivationFunction = ActivationFunctionType.RELU6 }));
        int product = b.AddTensor("product", I8, [2, 6], scales: [0.01f], zeroPoints: [-2]);
        b.AddOperator(BuiltinOperator.MUL, [sum, q], [product], BuiltinOptionsUnion.FromMulOptions(new MulOptionsT()));
        int divisor = b.AddConstant("divisor", I8, [1], new sbyte[] { 40 }, scales: [0.05f], zeroPoints: [0]);
        int quotient = b.AddTensor("quotient", I8, [2, 6], scales: [0.05f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.DIV, [product, divisor], [quotient], BuiltinOptionsUnion.FromDivOptions(new DivOptionsT()));
        int joined = b.AddTensor("joined", I8, [2, 12], scales: [0.05f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.CONCATENATION, [quotient, sum], [joined],
            BuiltinOptionsUnion.FromConcatenationOptions(new ConcatenationOptionsT { Axis = 1 }));
        int begin = b.AddConstant("begin", TensorType.INT32, [2], new[] { 0, 1 });
        int end = b.AddConstant("end", TensorType.INT32, [2], new[] { 2, 12 });
        int strides = b.AddConstant("strides", TensorType.INT32, [2], new[] { 1, 3 });
        int sliced = b.AddTensor("sliced", I8, [2, 4], scales: [0.05f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.STRIDED_SLICE, [joined, begin, end, strides], [sliced],
            BuiltinOptionsUnion.FromStridedSliceOptions(new StridedSliceOptionsT()));
        int relu6 = b.AddTensor("relu6", I8, [2, 4], scales: [0.05f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.RELU6, [sliced], [relu6]);
        int smallest = b.AddTensor("smallest", I8, [2, 4], scales: [0.05f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.MINIMUM, [relu6, sliced], [smallest]);
        int sigmoid = b.AddTensor("sigmoid", I8, [2, 4], scales: [1f / 256], zeroPoints: [-128]);
        b.AddOperator(BuiltinOperator.LOGISTIC, [smallest], [sigmoid]);
        int tanh = b.AddTensor("tanh", I8, [2, 4], scales: [1f / 128], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.TANH, [sliced], [tanh]);
        int pooledIn = b.AddTensor("pool_in", I8, [1, 2, 2, 2], scales: [1f / 128], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.RESHAPE, [tanh], [pooledIn]);
        int pooled = b.AddTensor("pooled", I8, [1, 1, 1, 2], scales: [1f / 128], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.MAX_POOL_2D, [pooledIn], [pooled], BuiltinOptionsUnion.FromPool2DOptions(new Pool2DOptionsT
        {
            Padding = Padding.VALID, StrideH = 1, StrideW = 1, FilterHeight = 2, FilterWidth = 2,
        }));
        int dequantized = b.AddTensor("dequantized", F, [2, 4]);
        b.AddOperator(BuiltinOperator.DEQUANTIZE, [sigmoid], [dequantized]);
        int probabilities = b.AddTensor("probabilities", F, [2, 4]);
        b.AddOperator(BuiltinOperator.SOFTMAX, [dequantized], [probabilities],
            BuiltinOptionsUnion.FromSoftmaxOptions(new SoftmaxOptionsT { Beta = 1f }));

        // The int16 paths: table-based LOGISTIC/TANH, ADD, SOFTMAX.
        int q16 = b.AddTensor("q16", I16, [2, 6], scales: [1f / 4096], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.QUANTIZE, [input], [q16]);
        int sigmoid16 = b.AddTensor("sigmoid16", I16, [2, 6], scales: [1f / 32768], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.LOGISTIC, [q16], [sigmoid16]);
        int tanh16 = b.AddTensor("tanh16", I16, [2, 6], scales: [1f / 32768], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.TANH, [q16], [tanh16]);
        int sum16 = b.AddTensor("sum16", I16, [2, 6], scales: [1f / 16384], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.ADD, [sigmoid16, tanh16], [sum16], BuiltinOptionsUnion.FromAddOptions(new AddOptionsT()));
        int softmax16 = b.AddTensor("softmax16", I16, [2, 6], scales: [1f / 32768], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.SOFTMAX, [sum16], [softmax16], BuiltinOptionsUnion.FromSoftmaxOptions(new SoftmaxOptionsT { Beta = 1f }));
        int output16 = b.AddTensor("output16", F, [2, 6]);
        b.AddOperator(BuiltinOperator.DEQUANTIZE, [softmax16], [output16]);
        return b.SetInputs(input).SetOutputs(probabilities, pooled, output16).Build();
    }

    private static byte[] BuildInt32OperatorChain()
    {
        const TensorType I32 = TensorType.INT32;
        var b = new ModelBuilder();
        int input = b.AddTensor("input", I32, [2, 3]);
        int divisor = b.AddConstant("divisor", I32, [3], new[] { 3, -7, 1000 });
        int quotient = b.AddTensor("quotient", I32, [2, 3]);
        b.AddOperator(BuiltinOperator.DIV, [input, divisor], [quotient], BuiltinOptionsUnion.FromDivOptions(new DivOptionsT()));
        int factor = b.AddConstant("factor", I32, [1, 3], new[] { 5, -1, 65536 });
        int product = b.AddTensor("product", I32, [2, 3]);
        b.AddOperator(BuiltinOperator.MUL, [quotient, factor], [product], BuiltinOptionsUnion.FromMulOptions(new MulOptionsT { FusedActivationFunction = ActivationFunctionType.RELU }));
        int sum = b.AddTensor("sum", I32, [2, 3]);
        b.AddOperator(BuiltinOperator.ADD, [product, input], [sum], BuiltinOptionsUnion.FromAddOptions(new AddOptionsT()));
        int largest = b.AddTensor("largest", I32, [2, 3]);
        b.AddOperator(BuiltinOperator.MAXIMUM, [sum, quotient], [largest]);
        // An ellipsis and a new axis: [..., newaxis, 1:3] of [2, 3] gives [2, 1, 2].
        int begin = b.AddConstant("begin", I32, [3], new[] { 0, 0, 1 });
        int end = b.AddConstant("end", I32, [3], new[] { 0, 1, 3 });
        int strides = b.AddConstant("strides", I32, [3], new[] { 1, 1, 1 });
        int sliced = b.AddTensor("sliced", I32, [2, 1, 2]);
        b.AddOperator(BuiltinOperator.STRIDED_SLICE, [largest, begin, end, strides], [sliced],
            BuiltinOptionsUnion.FromStridedSliceOptions(new StridedSliceOptionsT { EllipsisMask = 1, NewAxisMask = 2 }));
        int floats = b.AddTensor("floats", TensorType.FLOAT32, [2, 1, 2]);
        b.AddOperator(BuiltinOperator.CAST, [sliced], [floats]);
        int output = b.AddTensor("output", TensorType.FLOAT32, [4, 1, 2]);
        b.AddOperator(BuiltinOperator.CONCATENATION, [floats, floats], [output],
            BuiltinOptionsUnion.FromConcatenationOptions(new ConcatenationOptionsT { Axis = 0 }));
        return b.SetInputs(input).SetOutputs(output).Build();
    }

    private static byte[] BuildInt8ReshapeFullyConnected()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("input", TensorType.INT8, [1, 8], scales: [0.5f], zeroPoints: [-1]);
        int shape = b.AddConstant("shape", TensorType.INT32, [2], new[] { 2, 4 });
        int rows = b.AddTensor("rows", TensorType.INT8, [2, 4], scales: [0.5f], zeroPoints: [-1]);
        int weights = b.AddConstant("weights", TensorType.INT8, [3, 4], new sbyte[] { 1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12 },
            scales: [0.1f, 0.2f, 0.3f], zeroPoints: [0, 0, 0], quantizedDimension: 0);
        int bias = b.AddConstant("bias", TensorType.INT32, [3], new[] { 10, -20, 30 }, scales: [0.05f, 0.1f, 0.15f], zeroPoints: [0, 0, 0]);
        int output = b.AddTensor("output", TensorType.INT8, [2, 3], scales: [0.25f], zeroPoints: [3]);
        b.AddTensor("state", TensorType.INT16, [4], isVariable: true, scales: [1f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.RESHAPE, [input, shape], [rows],
            BuiltinOptionsUnion.FromReshapeOptions(new ReshapeOptionsT { NewShape = [2, 4] }));
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [rows, weights, bias], [output],
            BuiltinOptionsUnion.FromFullyConnectedOptions(new FullyConnectedOptionsT { FusedActivationFunction = ActivationFunctionType.RELU }));
        b.SetInputs(input).SetOutputs(output);
        // version, subgraph, tensor count, then one offset per tensor (-1: planned online).
        int[] plan = [1, 0, 7, 0, -1, 16, -1, -1, 32, -1];
        b.AddMetadata(Model.OfflineMemoryAllocationMetadata, System.Runtime.InteropServices.MemoryMarshal.AsBytes(plan.AsSpan()).ToArray());
        return b.Build();
    }

    private static byte[] BuildInt16FullyConnected()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("input", TensorType.INT16, [2, 4], scales: [0.01f], zeroPoints: [0]);
        int weights = b.AddConstant("weights", TensorType.INT8, [3, 4], new sbyte[] { 7, -3, 0, 2, 1, 1, -1, -1, 100, -100, 50, -50 },
            scales: [0.02f, 0.01f, 0.005f], zeroPoints: [0, 0, 0], quantizedDimension: 0);
        int bias = b.AddConstant("bias", TensorType.INT64, [3], new long[] { 1000, -1000, 0 });
        int output = b.AddTensor("output", TensorType.INT16, [2, 3], scales: [0.001f], zeroPoints: [0]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [input, weights, bias], [output]);
        return b.SetInputs(input).SetOutputs(output).Build();
    }

    private static byte[] BuildFloatFullyConnectedChain()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("input", TensorType.FLOAT32, [2, 3]);
        int w1 = b.AddConstant("w1", TensorType.FLOAT32, [4, 3], Enumerable.Range(0, 12).Select(i => i * 0.25f - 1f).ToArray());
        int hidden = b.AddTensor("hidden", TensorType.FLOAT32, [2, 4]);
        int w2 = b.AddConstant("w2", TensorType.FLOAT32, [2, 4], Enumerable.Range(0, 8).Select(i => 1f - i * 0.125f).ToArray());
        int b2 = b.AddConstant("b2", TensorType.FLOAT32, [2], new[] { 0.5f, -0.5f });
        int flat = b.AddTensor("flat", TensorType.FLOAT32, [4]);
        int output = b.AddTensor("output", TensorType.FLOAT32, [2, 2]);
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [input, w1, -1], [hidden],
            BuiltinOptionsUnion.FromFullyConnectedOptions(new FullyConnectedOptionsT { FusedActivationFunction = ActivationFunctionType.RELU6 }));
        b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [hidden, w2, b2], [output]);
        b.AddOperator(BuiltinOperator.RESHAPE, [output], [flat]);
        b.SetInputs(input).SetOutputs(flat);
        return b.Build();
    }

    [Fact]
    public async Task Malformed_models_fail_with_typed_errors_and_never_crash_hang_or_overallocate()
    {
        int baseSeed = EnvInt("TINYML_FUZZ_SEED") ?? DefaultSeed;
        int perModel = EnvInt("TINYML_FUZZ_MUTANTS") ?? (FullRun ? FullMutantsPerModel : DefaultMutantsPerModel);
        var corpus = Corpus();
        if (Environment.GetEnvironmentVariable("TINYML_FUZZ_REPLAY") is { Length: > 0 } replay)
        {
            var (name, original) = corpus.Single(m => m.Name == replay[..replay.LastIndexOf(':')]);
            var mutant = ModelMutator.Create(original, FlatBufferLayout.Of(original), int.Parse(replay[(replay.LastIndexOf(':') + 1)..]));
            _output.WriteLine($"replaying {replay}: {mutant.Description}");
            var outcome = RunMutant(mutant.Bytes, name, invoke: true);
            if (outcome.Error is not null && Classify(outcome.Error) is not null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(outcome.Error);
            return;
        }

        var master = new Random(baseSeed);
        var failures = new List<string>();
        var stages = new Dictionary<Stage, int>();
        var errorKinds = new Dictionary<string, int>();
        var boundsSites = new Dictionary<string, int>();
        int total = 0, skipped = 0;
        (TimeSpan Time, string Where) slowest = (TimeSpan.Zero, "");
        var clock = Stopwatch.StartNew();
        foreach (var (name, original) in corpus)
        {
            // The unmutated model must load (and the built ones run), or the corpus itself is broken.
            var baseline = RunMutant(original, name, invoke: true);
            var baselineClock = Stopwatch.StartNew();
            if (baseline.Stage == Stage.Ran) RunMutant(original, name, invoke: true); // timed warm, after the JIT
            var baselineTime = baselineClock.Elapsed;
            _output.WriteLine($"{name}: unmutated reaches {baseline.Stage}{(baseline.Error is null ? "" : $" ({baseline.Error.Message})")}");
            Assert.True(baseline.Stage >= Stage.Loaded && (baseline.Stage == Stage.Ran || !name.StartsWith("built_", StringComparison.Ordinal)),
                $"unmutated {name} stopped at {baseline.Stage}: {baseline.Error}");
            var layout = FlatBufferLayout.Of(original);
            // Most mutants of a big model only touch weights and run like the original. Once the
            // kernels exist a model like mobilenet_v2 takes seconds per run, so heavy models invoke
            // only within a time budget; every mutant still loads and allocates.
            var invokeBudgetTime = FullRun ? InvokeBudgetPerModel * 10 : InvokeBudgetPerModel;
            int invokeBudget = baseline.Stage == Stage.Ran && baselineTime > HeavyRun
                ? Math.Max(3, (int)(invokeBudgetTime / baselineTime)) : int.MaxValue;
            int invoked = 0;
            // Allocation budget: the arena, a few copies' worth of the file (tensor tables, names), slack.
            long budget = ArenaBytes + 8L * original.Length + (32 << 20);
            for (int i = 0; i < perModel; i++)
            {
                int seed = master.Next();
                var mutant = ModelMutator.Create(original, layout, seed);
                string where = $"{name} mutant {i} (base seed {baseSeed}, mutant seed {seed}): {mutant.Description}";
                total++;

                bool invoke = invoked++ < invokeBudget;
                if (!invoke) skipped++;
                var mutantClock = Stopwatch.StartNew();
                var task = Task.Run(() => RunMutant(mutant.Bytes, name, invoke));
                if (await Task.WhenAny(task, Task.Delay(TimeLimit)) != task)
                {
                    // The worker is still spinning; stop here rather than pile more work on the cores.
                    failures.Add($"HANG (> {TimeLimit.TotalSeconds} s) {where}");
                    goto done;
                }
                var outcome = await task;
                slowest = mutantClock.Elapsed > slowest.Time ? (mutantClock.Elapsed, where) : slowest;
                if (FullRun && mutantClock.Elapsed > FullRunMutantLimit)
                    failures.Add($"SLOW ({mutantClock.Elapsed.TotalSeconds:F2} s > {FullRunMutantLimit.TotalSeconds} s) {where}");
                stages[outcome.Stage] = stages.GetValueOrDefault(outcome.Stage) + 1;
                if (outcome.Error is { } error)
                {
                    string kind = error.GetType().Name;
                    errorKinds[kind] = errorKinds.GetValueOrDefault(kind) + 1;
                    if (Classify(error) is { } problem)
                        failures.Add($"{problem} {where}\n{Describe(error)}");
                    else if (Cause(error) is { } cause and not TinyMlException)
                    {
                        string site = $"{cause.GetType().Name} at {ThrowSite(cause)}";
                        boundsSites[site] = boundsSites.GetValueOrDefault(site) + 1;
                    }
                }
                if (outcome.AllocatedBytes > budget)
                    failures.Add($"ALLOCATED {outcome.AllocatedBytes:N0} bytes (budget {budget:N0}) {where}");
            }
        }
    done:
        clock.Stop();
        _output.WriteLine($"{total} mutants of {corpus.Count} models in {clock.Elapsed.TotalSeconds:F1} s (base seed {baseSeed})");
        _output.WriteLine($"slowest mutant: {slowest.Time.TotalMilliseconds:F0} ms ({slowest.Where})");
        _output.WriteLine($"invokes skipped past the time budget of heavy models: {skipped}");
        _output.WriteLine("stage reached: " + string.Join(", ", stages.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
        _output.WriteLine("errors: " + string.Join(", ", errorKinds.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}")));
        _output.WriteLine("wrapped causes: " + string.Join(", ", boundsSites.OrderByDescending(p => p.Value).Take(12).Select(p => $"{p.Key} {p.Value}")));
        Assert.True(total >= (FullRun ? FullRunMinimum : 1000) || EnvInt("TINYML_FUZZ_MUTANTS") is not null, $"only {total} mutants ran");
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {total} mutants broke the runtime (showing up to 10):\n\n" + string.Join("\n\n", failures.Take(10)));
    }

    private static Outcome RunMutant(byte[] bytes, string name, bool invoke)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var stage = Stage.Rejected;
        Exception? error = null;
        try
        {
            var model = Model.FromBytes(bytes, name + " (mutant)");
            stage = Stage.Loaded;
            using var interpreter = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), ArenaBytes);
            interpreter.AllocateTensors();
            stage = Stage.Allocated;
            if (!invoke) return new Outcome(stage, null, GC.GetAllocatedBytesForCurrentThread() - before);
            ReferenceInputs.Fill(interpreter);
            interpreter.Invoke();
            interpreter.Invoke();
            stage = Stage.Ran;
        }
        catch (Exception e)
        {
            error = e;
        }
        return new Outcome(stage, error, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// Null when the error is the typed failure a malformed model deserves. A TinyMlException that
    /// merely wraps a crash (IndexOutOfRange in a kernel, say) is a bug caught by a safety net, not a
    /// validation. One wrapped cause is by design, and the reader says so explicitly: a read outside
    /// the file stopped by the FlatBuffers accessors' bounds checks is a ModelFormatException with
    /// ReadOutsideFile set. The verdict never looks at stack frames, so inlining (Release) cannot change it.
    /// </summary>
    internal static string? Classify(Exception error)
    {
        if (error is OutOfMemoryException) return "OUT OF MEMORY";
        if (error is not TinyMlException) return $"UNTYPED {error.GetType().Name}";
        for (var x = error; x is TinyMlException; x = x.InnerException)
        {
            if (x is ModelFormatException { ReadOutsideFile: true }) return null;
            if (x.InnerException is null) return null;
        }
        var cause = Cause(error);
        if (cause is NotSupportedException) return null; // a deliberate refusal (e.g. an unknown fused activation)
        return $"CRASH BEHIND A SAFETY NET ({cause.GetType().Name} inside {error.GetType().Name})";
    }

    /// <summary>The innermost exception under the chain of TinyMlExceptions (the error itself if none wraps anything).</summary>
    private static Exception Cause(Exception error)
    {
        var cause = error;
        while (cause is TinyMlException && cause.InnerException is not null) cause = cause.InnerException;
        return cause;
    }

    /// <summary>Where a wrapped cause was thrown, for the statistics printed at the end only (never the verdict).</summary>
    private static string ThrowSite(Exception e)
    {
        foreach (var frame in new StackTrace(e, false).GetFrames())
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            if (type is null) continue;
            string ns = type.Namespace ?? "";
            if (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal)) continue;
            return $"{type.FullName}.{method!.Name}";
        }
        return "?";
    }

    private static string Describe(Exception e)
    {
        var text = new StringBuilder();
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x != e) text.Append("--- caused by ");
            text.Append(x.GetType().FullName).Append(": ").Append(x.Message).Append('\n');
            text.Append(x.StackTrace).Append('\n');
        }
        return text.ToString();
    }

    private static int? EnvInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : null;
}
