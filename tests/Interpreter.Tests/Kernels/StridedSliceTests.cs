using TinyMl.Interpreter.Schema;
using static TinyMl.Interpreter.Tests.Kernels.ElementwiseOpModel;

namespace TinyMl.Interpreter.Tests.Kernels;

public class StridedSliceTests
{
    private sealed record Slice(int[] Begin, int[] End, int[] Strides)
    {
        public int BeginMask { get; init; }
        public int EndMask { get; init; }
        public int EllipsisMask { get; init; }
        public int NewAxisMask { get; init; }
        public int ShrinkAxisMask { get; init; }
        public bool Offset { get; init; }
    }

    private static ElementwiseOpModel Model(TensorType type, int[] inputShape, int[] outputShape, Slice s, out int[] inputs)
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(type, inputShape);
        int b = m.Constant(TensorType.INT32, [s.Begin.Length], s.Begin);
        int e = m.Constant(TensorType.INT32, [s.End.Length], s.End);
        int st = m.Constant(TensorType.INT32, [s.Strides.Length], s.Strides);
        m.Output(type, outputShape);
        inputs = [x, b, e, st];
        return m;
    }

    private static BuiltinOptionsUnion Options(Slice s) => BuiltinOptionsUnion.FromStridedSliceOptions(new StridedSliceOptionsT
    {
        BeginMask = s.BeginMask, EndMask = s.EndMask, EllipsisMask = s.EllipsisMask,
        NewAxisMask = s.NewAxisMask, ShrinkAxisMask = s.ShrinkAxisMask, Offset = s.Offset,
    });

    private static MicroInterpreter Build(TensorType type, int[] inputShape, int[] outputShape, Slice s)
    {
        var m = Model(type, inputShape, outputShape, s, out var inputs);
        return m.Build(BuiltinOperator.STRIDED_SLICE, inputs, Options(s));
    }

    private static UnsupportedOperatorException Rejects(TensorType type, int[] inputShape, int[] outputShape, Slice s)
    {
        var m = Model(type, inputShape, outputShape, s, out var inputs);
        return m.Rejects(BuiltinOperator.STRIDED_SLICE, inputs, Options(s));
    }

    private static int[] Iota(int n) => Enumerable.Range(0, n).ToArray();

    [Fact]
    public void Int32_slice_of_the_audio_front_end_takes_bins_5_to_240()
    {
        using var slice = Build(TensorType.INT32, [257], [236], new Slice([5], [241], [1]));
        Assert.Equal(Enumerable.Range(5, 236).ToArray(), Run<int>(slice, Iota(257)));
    }

    [Fact]
    public void Negative_stride_walks_backwards_from_a_negative_begin()
    {
        // begin -2 -> 8; end 1; stride -3: 8, 5, 2 (1 is excluded).
        using var slice = Build(TensorType.FLOAT32, [10], [3], new Slice([-2], [1], [-3]));
        Assert.Equal(new[] { 8f, 5f, 2f }, Run<float>(slice, Iota(10).Select(i => (float)i).ToArray()));
    }

    [Fact]
    public void Masks_with_a_negative_stride_reverse_the_whole_axis()
    {
        // begin_mask and end_mask with stride -1: start at size - 1, stop before index 0 (-1).
        using var slice = Build(TensorType.INT16, [5], [5], new Slice([0], [0], [-1]) { BeginMask = 1, EndMask = 1 });
        Assert.Equal(new short[] { 4, 3, 2, 1, 0 }, Run<short>(slice, new short[] { 0, 1, 2, 3, 4 }));
    }

    [Fact]
    public void Begin_and_end_masks_ignore_the_given_indices()
    {
        // [3,4] = 0..11; axis 0: begin 1, end masked (-> 3); axis 1: begin masked (-> 0), end 3.
        using var slice = Build(TensorType.INT32, [3, 4], [2, 3], new Slice([1, 3], [0, 3], [1, 1]) { BeginMask = 2, EndMask = 1 });
        Assert.Equal(new[] { 4, 5, 6, 8, 9, 10 }, Run<int>(slice, Iota(12)));
    }

    [Fact]
    public void Two_dimensional_slice_with_stride_2_and_a_negative_stride()
    {
        // rows 0, 2; columns from -1 (= 3) down to 0 exclusive by 2: 3, 1.
        using var slice = Build(TensorType.INT32, [3, 4], [2, 2], new Slice([0, -1], [3, 0], [2, -2]));
        Assert.Equal(new[] { 3, 1, 11, 9 }, Run<int>(slice, Iota(12)));
    }

    [Fact]
    public void Shrink_axis_takes_the_row_at_begin_even_when_negative()
    {
        // Row -1 (= 2), columns 1..2; the end given for the shrunk axis (0) does not matter.
        using var row = Build(TensorType.INT32, [3, 4], [2], new Slice([-1, 1], [0, 3], [1, 1]) { ShrinkAxisMask = 1 });
        Assert.Equal(new[] { 9, 10 }, Run<int>(row, Iota(12)));
        // Both axes shrunk: a scalar.
        using var scalar = Build(TensorType.INT32, [3, 4], [], new Slice([1, 2], [2, 3], [1, 1]) { ShrinkAxisMask = 3 });
        Assert.Equal(new[] { 6 }, Run<int>(scalar, Iota(12)));
    }

    [Fact]
    public void Ellipsis_spans_the_leading_axes()
    {
        // x[..., 1:3] on [2,3,4]: out[i, j, k] = x[i, j, 1 + k].
        using var slice = Build(TensorType.INT8, [2, 3, 4], [2, 3, 2], new Slice([0, 1], [0, 3], [1, 1]) { EllipsisMask = 1 });
        var expected = new sbyte[12];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 2; k++)
                    expected[i * 6 + j * 2 + k] = (sbyte)(i * 12 + j * 4 + 1 + k);
        Assert.Equal(expected, Run<sbyte>(slice, Iota(24).Select(v => (sbyte)v).ToArray()));
    }

    [Fact]
    public void New_axis_adds_a_size_one_dimension()
    {
        // x[newaxis, 0:2] on [3] -> [1, 2].
        using var slice = Build(TensorType.FLOAT32, [3], [1, 2], new Slice([0, 0], [0, 2], [1, 1]) { NewAxisMask = 1 });
        Assert.Equal(new[] { 10f, 11f }, Run<float>(slice, new[] { 10f, 11f, 12f }));
    }

    [Fact]
    public void Offset_makes_end_a_size()
    {
        using var slice = Build(TensorType.INT32, [10], [3], new Slice([2], [3], [1]) { Offset = true });
        Assert.Equal(new[] { 2, 3, 4 }, Run<int>(slice, Iota(10)));
    }

    [Fact]
    public void Bool_elements_are_copied_as_bytes()
    {
        using var slice = Build(TensorType.BOOL, [4], [2], new Slice([1], [4], [2]));
        Assert.Equal(new byte[] { 1, 0 }, Run<byte>(slice, new[] { false, true, true, false }));
    }

    [Fact]
    public void An_output_shape_other_than_the_slice_is_rejected_with_both_shapes()
    {
        var e = Rejects(TensorType.INT32, [3, 4], [3, 3], new Slice([1, 0], [3, 3], [1, 1]));
        Assert.Contains("operator 0 (STRIDED_SLICE)", e.Message);
        Assert.Contains("slicing input [3,4] gives [2,3]", e.Message);
        Assert.Contains("has shape [3,3]", e.Message);
    }

    [Fact]
    public void Zero_stride_out_of_range_shrink_and_bad_index_tensors_are_rejected()
    {
        Assert.Contains("stride of axis 0 is 0", Rejects(TensorType.INT32, [4], [0], new Slice([0], [4], [0])).Message);
        Assert.Contains("outside the input's 4 elements",
            Rejects(TensorType.INT32, [4], [], new Slice([4], [5], [1]) { ShrinkAxisMask = 1 }).Message);
        Assert.Contains("positive stride",
            Rejects(TensorType.INT32, [4], [], new Slice([2], [1], [-1]) { ShrinkAxisMask = 1 }).Message);

        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT32, [4]);
        int begin = m.Input(TensorType.INT32, [1]);
        int end = m.Constant(TensorType.INT32, [1], new[] { 2 });
        int strides = m.Constant(TensorType.INT32, [1], new[] { 1 });
        m.Output(TensorType.INT32, [2]);
        Assert.Contains("begin tensor 1 must be a constant", m.Rejects(BuiltinOperator.STRIDED_SLICE, [x, begin, end, strides]).Message);

        var l = new ElementwiseOpModel();
        int y = l.Input(TensorType.INT32, [4]);
        int b64 = l.Constant(TensorType.INT64, [1], new[] { 0L });
        int e64 = l.Constant(TensorType.INT32, [1], new[] { 2 });
        int s64 = l.Constant(TensorType.INT32, [1], new[] { 1 });
        l.Output(TensorType.INT32, [2]);
        Assert.Contains("begin tensor 1 is int64", l.Rejects(BuiltinOperator.STRIDED_SLICE, [y, b64, e64, s64]).Message);
    }
}
