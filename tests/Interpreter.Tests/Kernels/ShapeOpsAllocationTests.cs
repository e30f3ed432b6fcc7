using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>
/// Invoke of every data-movement kernel (and CUMSUM, ARG_MAX/MIN) allocates no managed memory, including
/// the paths that check runtime index tensors before moving anything.
/// </summary>
public class ShapeOpsAllocationTests
{
    public static TheoryData<string> Cases() => new(
        "SHAPE", "SQUEEZE", "EXPAND_DIMS", "SLICE", "SLICE runtime", "SPLIT", "SPLIT_V", "PACK", "UNPACK",
        "GATHER", "GATHER runtime", "GATHER_ND runtime", "DEPTH_TO_SPACE", "SPACE_TO_DEPTH",
        "ARG_MAX", "ARG_MIN runtime", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND runtime", "MIRROR_PAD", "MIRROR_PAD runtime",
        "FILL", "BROADCAST_TO", "BROADCAST_ARGS", "REVERSE_V2", "REVERSE_V2 runtime", "DYNAMIC_UPDATE_SLICE",
        "EMBEDDING_LOOKUP", "EMBEDDING_LOOKUP hybrid", "CUMSUM float32", "CUMSUM int8 runtime");

    private static MicroInterpreter Build(string name)
    {
        var m = new ElementwiseOpModel();
        bool runtime = name.EndsWith("runtime");
        var op = Enum.Parse<BuiltinOperator>(name.Split(' ')[0]);
        const TensorType F = TensorType.FLOAT32, I8 = TensorType.INT8, I32 = TensorType.INT32;
        int Ints(int[] values) => runtime ? m.Input(I32, [values.Length]) : m.Constant(I32, [values.Length], values);
        switch (op)
        {
            case BuiltinOperator.SHAPE:
                m.Output(I32, [3]);
                return m.Build(op, [m.Input(F, [2, 3, 4])]);
            case BuiltinOperator.SQUEEZE:
            {
                int x = m.Input(F, [1, 8, 1]);
                m.Output(F, [8]);
                return m.Build(op, [x]);
            }
            case BuiltinOperator.EXPAND_DIMS:
            {
                int x = m.Input(I8, [8]);
                int axis = m.Constant(I32, [1], new[] { 0 });
                m.Output(I8, [1, 8]);
                return m.Build(op, [x, axis]);
            }
            case BuiltinOperator.SLICE:
            {
                int x = m.Input(F, [4, 4]);
                int b = Ints([1, 0]), s = Ints([2, -1]);
                m.Output(F, [2, 4]);
                return m.Build(op, [x, b, s]);
            }
            case BuiltinOperator.SPLIT:
            {
                int axis = m.Constant(I32, [1], new[] { 1 });
                int x = m.Input(I8, [3, 4]);
                m.Output(I8, [3, 2]);
                m.Output(I8, [3, 2]);
                return m.Build(op, [axis, x], BuiltinOptionsUnion.FromSplitOptions(new SplitOptionsT { NumSplits = 2 }));
            }
            case BuiltinOperator.SPLIT_V:
            {
                int x = m.Input(F, [5, 2]);
                int sizes = m.Constant(I32, [2], new[] { 2, 3 });
                int axis = m.Constant(I32, [1], new[] { 0 });
                m.Output(F, [2, 2]);
                m.Output(F, [3, 2]);
                return m.Build(op, [x, sizes, axis]);
            }
            case BuiltinOperator.PACK:
            {
                int a = m.Input(F, [4]), b = m.Input(F, [4]);
                m.Output(F, [4, 2]);
                return m.Build(op, [a, b], BuiltinOptionsUnion.FromPackOptions(new PackOptionsT { ValuesCount = 2, Axis = 1 }));
            }
            case BuiltinOperator.UNPACK:
            {
                int x = m.Input(I32, [2, 4]);
                m.Output(I32, [4]);
                m.Output(I32, [4]);
                return m.Build(op, [x], BuiltinOptionsUnion.FromUnpackOptions(new UnpackOptionsT { Num = 2 }));
            }
            case BuiltinOperator.GATHER:
            {
                int x = m.Input(F, [4, 3]);
                int indices = Ints([3, 0]);
                m.Output(F, [2, 3]);
                return m.Build(op, [x, indices]);
            }
            case BuiltinOperator.GATHER_ND:
            {
                int x = m.Input(I8, [3, 3]);
                int indices = runtime ? m.Input(I32, [2, 2]) : m.Constant(I32, [2, 2], new[] { 0, 0, 2, 1 });
                m.Output(I8, [2]);
                return m.Build(op, [x, indices]);
            }
            case BuiltinOperator.DEPTH_TO_SPACE:
            {
                int x = m.Input(F, [1, 2, 2, 4]);
                m.Output(F, [1, 4, 4, 1]);
                return m.Build(op, [x], BuiltinOptionsUnion.FromDepthToSpaceOptions(new DepthToSpaceOptionsT { BlockSize = 2 }));
            }
            case BuiltinOperator.SPACE_TO_DEPTH:
            {
                int x = m.Input(I8, [1, 4, 4, 1]);
                m.Output(I8, [1, 2, 2, 4]);
                return m.Build(op, [x], BuiltinOptionsUnion.FromSpaceToDepthOptions(new SpaceToDepthOptionsT { BlockSize = 2 }));
            }
            case BuiltinOperator.ARG_MAX or BuiltinOperator.ARG_MIN:
            {
                int x = m.Input(F, [3, 5]);
                int axis = Ints([1]);
                m.Output(I32, [3]);
                return m.Build(op, [x, axis]);
            }
            case BuiltinOperator.BATCH_TO_SPACE_ND or BuiltinOperator.SPACE_TO_BATCH_ND:
            {
                bool toBatch = op == BuiltinOperator.SPACE_TO_BATCH_ND;
                int x = m.Input(F, toBatch ? [1, 2, 2, 1] : [4, 2, 2, 1]);
                int block = Ints([2, 2]);
                int pads = runtime ? m.Input(I32, [2, 2]) : m.Constant(I32, [2, 2], new[] { 1, 1, 1, 1 });
                m.Output(F, toBatch ? [4, 2, 2, 1] : [1, 2, 2, 1]);
                return m.Build(op, [x, block, pads]);
            }
            case BuiltinOperator.MIRROR_PAD:
            {
                int x = m.Input(F, [3, 3]);
                int pads = runtime ? m.Input(I32, [2, 2]) : m.Constant(I32, [2, 2], new[] { 1, 1, 2, 0 });
                m.Output(F, [5, 5]);
                return m.Build(op, [x, pads], BuiltinOptionsUnion.FromMirrorPadOptions(new MirrorPadOptionsT { Mode = MirrorPadMode.REFLECT }));
            }
            case BuiltinOperator.FILL:
            {
                int dims = m.Constant(I32, [2], new[] { 3, 3 });
                int value = m.Input(F, []);
                m.Output(F, [3, 3]);
                return m.Build(op, [dims, value]);
            }
            case BuiltinOperator.BROADCAST_TO:
            {
                int x = m.Input(I8, [3, 1]);
                int shape = m.Constant(I32, [3], new[] { 2, 3, 4 });
                m.Output(I8, [2, 3, 4]);
                return m.Build(op, [x, shape]);
            }
            case BuiltinOperator.BROADCAST_ARGS:
            {
                int a = m.Input(I32, [2]), b = m.Input(I32, [3]);
                m.Output(I32, [3]);
                return m.Build(op, [a, b]);
            }
            case BuiltinOperator.REVERSE_V2:
            {
                int x = m.Input(F, [2, 3, 4]);
                int axes = Ints([1, 2]);
                m.Output(F, [2, 3, 4]);
                return m.Build(op, [x, axes]);
            }
            case BuiltinOperator.DYNAMIC_UPDATE_SLICE:
            {
                int operand = m.Input(F, [4, 4]), update = m.Input(F, [2, 2]), indices = m.Input(I32, [2]);
                m.Output(F, [4, 4]);
                return m.Build(op, [operand, update, indices]);
            }
            case BuiltinOperator.EMBEDDING_LOOKUP:
            {
                bool hybrid = name.EndsWith("hybrid");
                int ids = m.Input(I32, [3]);
                int table = hybrid ? m.Constant(I8, [4, 2], new sbyte[8], scale: 0.1f, zeroPoint: 0) : m.Constant(F, [4, 2], new float[8]);
                m.Output(F, [3, 2]);
                return m.Build(op, [ids, table]);
            }
            case BuiltinOperator.CUMSUM:
            {
                var type = name.Contains("int8") ? I8 : F;
                float? scale = type == I8 ? 0.1f : null;
                int x = m.Input(type, [3, 4], scale, 1);
                int axis = Ints([1]);
                m.Output(type, [3, 4], scale, -1);
                return m.Build(op, [x, axis], BuiltinOptionsUnion.FromCumsumOptions(new CumsumOptionsT { Exclusive = true }));
            }
            default: throw new ArgumentException(name);
        }
    }

    /// <summary>Runtime index tensors get values that are in range (zeros are not, for every case).</summary>
    private static void SetRuntimeIndices(string name, MicroInterpreter interpreter)
    {
        if (!name.EndsWith("runtime")) return;
        switch (name.Split(' ')[0])
        {
            case "SLICE": interpreter.Input(1).CopyFrom(new[] { 1, 0 }); interpreter.Input(2).CopyFrom(new[] { 2, -1 }); break;
            case "GATHER": interpreter.Input(1).CopyFrom(new[] { 3, 0 }); break;
            case "GATHER_ND": interpreter.Input(1).CopyFrom(new[] { 0, 0, 2, 1 }); break;
            case "ARG_MIN": interpreter.Input(1).CopyFrom(new[] { 1 }); break;
            case "SPACE_TO_BATCH_ND": interpreter.Input(1).CopyFrom(new[] { 2, 2 }); interpreter.Input(2).CopyFrom(new[] { 1, 1, 1, 1 }); break;
            case "MIRROR_PAD": interpreter.Input(1).CopyFrom(new[] { 1, 1, 2, 0 }); break;
            case "REVERSE_V2": interpreter.Input(1).CopyFrom(new[] { 1, 2 }); break;
            case "CUMSUM": interpreter.Input(1).CopyFrom(new[] { 1 }); break;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Invoke_allocates_nothing(string name)
    {
        using var interpreter = Build(name);
        SetRuntimeIndices(name, interpreter);
        if (name == "BROADCAST_ARGS")
        {
            interpreter.Input(0).CopyFrom(new[] { 3, 1 });
            interpreter.Input(1).CopyFrom(new[] { 2, 1, 4 });
        }
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }
}
