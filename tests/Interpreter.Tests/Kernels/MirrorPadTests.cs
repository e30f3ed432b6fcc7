using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class MirrorPadTests
{
    private static MicroInterpreter Build(TensorType type, MirrorPadMode mode, int[] shape, int[] pads, int[] outShape, bool runtime = false)
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(type, shape);
        int p = runtime ? m.Input(TensorType.INT64, [shape.Length, 2]) : m.Constant(TensorType.INT32, [shape.Length, 2], pads);
        m.Output(type, outShape);
        return m.Build(BuiltinOperator.MIRROR_PAD, [x, p], BuiltinOptionsUnion.FromMirrorPadOptions(new MirrorPadOptionsT { Mode = mode }));
    }

    private static readonly float[] Matrix = [1, 2, 3, 4, 5, 6];

    [Fact]
    public void Reflect_mirrors_about_the_edge_element()
    {
        // TFLite mirror_pad_test PadBothSides_Reflect: [2,3] padded [[1,1],[2,2]].
        using var interpreter = Build(TensorType.FLOAT32, MirrorPadMode.REFLECT, [2, 3], [1, 1, 2, 2], [4, 7]);
        Assert.Equal(new float[] { 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1 },
            ElementwiseOpModel.Run<float>(interpreter, Matrix));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Symmetric_repeats_the_edge_element()
    {
        using var interpreter = Build(TensorType.INT8, MirrorPadMode.SYMMETRIC, [2, 3], [1, 1, 2, 2], [4, 7]);
        Assert.Equal(new sbyte[] { 2, 1, 1, 2, 3, 3, 2, 2, 1, 1, 2, 3, 3, 2, 5, 4, 4, 5, 6, 6, 5, 5, 4, 4, 5, 6, 6, 5 },
            ElementwiseOpModel.Run<sbyte>(interpreter, Matrix.Select(v => (sbyte)v).ToArray()));
    }

    [Fact]
    public void Reflect_padding_as_wide_as_the_dimension_is_refused_and_fails_at_runtime()
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() => Build(TensorType.FLOAT32, MirrorPadMode.REFLECT, [2, 3], [2, 0, 0, 0], [4, 3]));
        Assert.Equal("operator 0 (MIRROR_PAD) paddings [2,0,0,0] pad dimension 0 (size 2) by 2 and 0; REFLECT allows 0 to 1", e.Message);

        using var interpreter = Build(TensorType.FLOAT32, MirrorPadMode.SYMMETRIC, [2, 3], [0, 0, 0, 0], [4, 3], runtime: true);
        Assert.Equal(new float[] { 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6 }, ElementwiseOpModel.Run<float>(interpreter, Matrix, new long[] { 1, 1, 0, 0 }));
        var runtime = Assert.Throws<KernelInvokeException>(() => ElementwiseOpModel.Run<float>(interpreter, Matrix, new long[] { 3, -1, 0, 0 }));
        Assert.IsType<TensorDataException>(runtime.InnerException);
        Assert.Equal("operator 0 (MIRROR_PAD) failed: paddings tensor 1 ('in1') paddings [3,-1,0,0] pad dimension 0 (size 2) by 3 and -1; SYMMETRIC allows 0 to 2", runtime.Message);
    }
}
