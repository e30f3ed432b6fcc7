using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class SpaceDepthTests
{
    // out[0, by, w·2 + bx, 0] = in[0, 0, w, by·2 + bx]: the depth of each pixel becomes a 2x2 patch.
    private static readonly float[] Depth = [1, 2, 3, 4, 5, 6, 7, 8];
    private static readonly float[] Space = [1, 2, 5, 6, 3, 4, 7, 8];

    [Fact]
    public void Depth_to_space_spreads_channels_into_blocks()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.FLOAT32, [1, 1, 2, 4]);
        m.Output(TensorType.FLOAT32, [1, 2, 4, 1]);
        using var interpreter = m.Build(BuiltinOperator.DEPTH_TO_SPACE, [x], BuiltinOptionsUnion.FromDepthToSpaceOptions(new DepthToSpaceOptionsT { BlockSize = 2 }));
        Assert.Equal(Space, ElementwiseOpModel.Run<float>(interpreter, Depth));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Space_to_depth_is_the_inverse()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT8, [1, 2, 4, 1]);
        m.Output(TensorType.INT8, [1, 1, 2, 4]);
        using var interpreter = m.Build(BuiltinOperator.SPACE_TO_DEPTH, [x], BuiltinOptionsUnion.FromSpaceToDepthOptions(new SpaceToDepthOptionsT { BlockSize = 2 }));
        Assert.Equal(Depth.Select(v => (sbyte)v), ElementwiseOpModel.Run<sbyte>(interpreter, Space.Select(v => (sbyte)v).ToArray()));
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Block_sizes_that_do_not_divide_are_refused()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.FLOAT32, [1, 3, 4, 1]);
        m.Output(TensorType.FLOAT32, [1, 1, 2, 4]);
        Assert.Equal("operator 0 (SPACE_TO_DEPTH) input tensor 0 [1,3,4,1] has height and width not multiples of block_size 2",
            m.Rejects(BuiltinOperator.SPACE_TO_DEPTH, [x], BuiltinOptionsUnion.FromSpaceToDepthOptions(new SpaceToDepthOptionsT { BlockSize = 2 })).Message);
    }
}
