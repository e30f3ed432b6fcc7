using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>Invoke of every elementwise kernel, for each type it supports, allocates no managed memory.</summary>
public class ElementwiseAllocationTests
{
    public static TheoryData<string> Cases() => new(
        "ADD float32", "ADD float32 broadcast", "ADD int32", "ADD int8", "ADD int8 broadcast", "ADD int16",
        "MUL float32", "MUL int32", "MUL int8 broadcast", "MUL int16",
        "DIV float32", "DIV int32", "DIV int8",
        "MINIMUM float32", "MINIMUM int8", "MINIMUM int16", "MINIMUM int32", "MINIMUM int64",
        "MAXIMUM float32", "MAXIMUM int8 broadcast", "MAXIMUM int32",
        "RELU float32", "RELU int8", "RELU int16", "RELU6 float32", "RELU6 int8", "RELU6 int16",
        "CAST float32->int8", "CAST int8->float32", "CAST int16->int32", "CAST uint32->int32", "CAST int32->uint32", "CAST bool->float32",
        "STRIDED_SLICE int32", "STRIDED_SLICE float32 negative stride", "STRIDED_SLICE int8 shrink",
        "CONCATENATION float32", "CONCATENATION int8", "CONCATENATION int32 axis 0");

    private static readonly Dictionary<string, TensorType> Types = new()
    {
        ["float32"] = TensorType.FLOAT32, ["int8"] = TensorType.INT8, ["int16"] = TensorType.INT16,
        ["int32"] = TensorType.INT32, ["int64"] = TensorType.INT64, ["uint32"] = TensorType.UINT32, ["bool"] = TensorType.BOOL,
    };

    private static float? ScaleFor(TensorType type) => type is TensorType.INT8 or TensorType.INT16 ? 0.05f : null;

    private static MicroInterpreter Build(string name)
    {
        var words = name.Split(' ');
        var op = Enum.Parse<BuiltinOperator>(words[0]);
        bool broadcast = name.Contains("broadcast");
        var m = new ElementwiseOpModel();
        switch (op)
        {
            case BuiltinOperator.ADD or BuiltinOperator.MUL or BuiltinOperator.DIV or BuiltinOperator.MINIMUM or BuiltinOperator.MAXIMUM:
            {
                var type = Types[words[1]];
                // int16 MUL and RELU need zero points of 0; int8 gets nonzero ones to exercise the offsets.
                int zero = type == TensorType.INT8 ? 1 : 0;
                int a = m.Input(type, broadcast ? [4, 1, 8] : [4, 8], ScaleFor(type), zero);
                int b = m.Input(type, broadcast ? [1, 3, 8] : [4, 8], ScaleFor(type), -2 * zero);
                m.Output(type, broadcast ? [4, 3, 8] : [4, 8], ScaleFor(type), 0);
                return m.Build(op, [a, b]);
            }
            case BuiltinOperator.RELU or BuiltinOperator.RELU6:
            {
                var type = Types[words[1]];
                int x = m.Input(type, [32], ScaleFor(type), 0);
                m.Output(type, [32], ScaleFor(type), 0);
                return m.Build(op, [x]);
            }
            case BuiltinOperator.CAST:
            {
                var types = words[1].Split("->");
                int x = m.Input(Types[types[0]], [32]);
                m.Output(Types[types[1]], [32]);
                return m.Build(op, [x]);
            }
            case BuiltinOperator.STRIDED_SLICE:
            {
                var type = Types[words[1]];
                var (begin, end, strides, outShape, shrink) = name.Contains("negative")
                    ? (new[] { 0, -1 }, new[] { 4, 0 }, new[] { 2, -3 }, new[] { 2, 3 }, 0)
                    : name.Contains("shrink")
                        ? (new[] { 1, 1 }, new[] { 2, 7 }, new[] { 1, 2 }, new[] { 3 }, 1)
                        : (new[] { 1, 2 }, new[] { 3, 8 }, new[] { 1, 1 }, new[] { 2, 6 }, 0);
                int x = m.Input(type, [4, 8]);
                int b = m.Constant(TensorType.INT32, [2], begin);
                int e = m.Constant(TensorType.INT32, [2], end);
                int s = m.Constant(TensorType.INT32, [2], strides);
                m.Output(type, outShape);
                return m.Build(op, [x, b, e, s],
                    BuiltinOptionsUnion.FromStridedSliceOptions(new StridedSliceOptionsT { ShrinkAxisMask = shrink }));
            }
            case BuiltinOperator.CONCATENATION:
            {
                var type = Types[words[1]];
                bool axis0 = name.Contains("axis 0");
                int a = m.Input(type, axis0 ? [2, 4] : [4, 2], ScaleFor(type), 0);
                int c = m.Constant(type, axis0 ? [1, 4] : [4, 1], new byte[4 * TensorTypes.ElementSize(type)], ScaleFor(type), 0);
                int b = m.Input(type, axis0 ? [3, 4] : [4, 3], ScaleFor(type), 0);
                m.Output(type, axis0 ? [6, 4] : [4, 6], ScaleFor(type), 0);
                return m.Build(op, [a, c, b], BuiltinOptionsUnion.FromConcatenationOptions(new ConcatenationOptionsT { Axis = axis0 ? 0 : -1 }));
            }
            default:
                throw new ArgumentException(name);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Invoke_allocates_nothing(string name)
    {
        using var interpreter = Build(name);
        foreach (var input in interpreter.Inputs)
        {
            // Nonzero data everywhere (divisors included) so every arithmetic path runs.
            var bytes = new byte[input.ByteCount];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(input.Type == TensorType.BOOL ? i & 1 : 1 + i % 5);
            input.CopyFrom<byte>(bytes);
        }
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }
}
