using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR: values worked out by hand from TFLM's coordinate rules; errors; no allocation.</summary>
public class ResizeTests
{
    private static MicroInterpreter Resize(BuiltinOperator op, TensorType type, int width, BuiltinOptionsUnion? options = null)
    {
        var b = new ModelBuilder();
        float[]? scale = type == TensorType.FLOAT32 ? null : [0.5f];
        long[]? zero = type == TensorType.FLOAT32 ? null : [0];
        int x = b.AddTensor("x", type, [1, 1, 2, 1], scales: scale, zeroPoints: zero);
        int size = b.AddConstant("size", TensorType.INT32, [2], new[] { 1, width });
        int y = b.AddTensor("y", type, [1, 1, width, 1], scales: scale, zeroPoints: zero);
        b.AddOperator(op, [x, size], [y], options);
        var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 16 * 1024);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Fact]
    public void Int8_bilinear_uses_tflms_10_bit_coordinates()
    {
        // [0, 100] to 4 columns: scale (2048 + 2) / 4 = 512 (1/1024ths); sources 0, 512, 1024, 1536 → 0, halfway (50.5 → 50
        // after the 2^19 nudge and the truncating division by 2^20), 100, and 100 (the right neighbour is clamped).
        using var interpreter = Resize(BuiltinOperator.RESIZE_BILINEAR, TensorType.INT8, 4);
        interpreter.Input(0).CopyFrom(new sbyte[] { 0, 100 });
        interpreter.Invoke();
        Assert.Equal([(sbyte)0, (sbyte)50, (sbyte)100, (sbyte)100], interpreter.Output(0).ToArray<sbyte>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Nearest_neighbour_rounds_with_align_corners_and_floors_otherwise()
    {
        // 2 → 3 columns: asymmetric sources 0, 0.67, 1.33 → 0, 0, 1; align_corners sources 0, 0.5, 1 → 0, 1 (half away), 1.
        using var plain = Resize(BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, TensorType.FLOAT32, 3);
        using var aligned = Resize(BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, TensorType.FLOAT32, 3,
            BuiltinOptionsUnion.FromResizeNearestNeighborOptions(new ResizeNearestNeighborOptionsT { AlignCorners = true }));
        foreach (var it in new[] { plain, aligned })
        {
            it.Input(0).CopyFrom(new[] { 1f, 2f });
            it.Invoke();
        }
        Assert.Equal([1f, 1f, 2f], plain.Output(0).ToArray<float>());
        Assert.Equal([1f, 2f, 2f], aligned.Output(0).ToArray<float>());
        Assert.Equal(0, InvokeAllocations.Measure(plain));
    }

    [Fact]
    public void Bilinear_with_both_corner_modes_is_refused()
    {
        var options = BuiltinOptionsUnion.FromResizeBilinearOptions(new ResizeBilinearOptionsT { AlignCorners = true, HalfPixelCenters = true });
        var e = Assert.Throws<UnsupportedOperatorException>(() => Resize(BuiltinOperator.RESIZE_BILINEAR, TensorType.FLOAT32, 4, options));
        Assert.Equal("operator 0 (RESIZE_BILINEAR) sets both align_corners and half_pixel_centers; TFLM allows one at most", e.Message);
    }
}
