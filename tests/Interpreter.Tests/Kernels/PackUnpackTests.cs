using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels;

public class PackUnpackTests
{
    [Fact]
    public void Pack_stacks_along_a_new_inner_axis()
    {
        // TFLM pack_test PackFloatThreeInputsDifferentAxis: three [3] inputs along axis 1 (-1).
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.INT64, [3]), b = m.Input(TensorType.INT64, [3]), c = m.Input(TensorType.INT64, [3]);
        m.Output(TensorType.INT64, [3, 3]);
        using var interpreter = m.Build(BuiltinOperator.PACK, [a, b, c], BuiltinOptionsUnion.FromPackOptions(new PackOptionsT { ValuesCount = 3, Axis = -1 }));
        var result = ElementwiseOpModel.Run<long>(interpreter, new long[] { 1, 4, 7 }, new long[] { 2, 5, 8 }, new long[] { 3, 6, 9 });
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, result);
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Unpack_gives_each_slice_to_its_output()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT8, [3, 2]);
        m.Output(TensorType.INT8, [3]);
        m.Output(TensorType.INT8, [3]);
        using var interpreter = m.Build(BuiltinOperator.UNPACK, [x], BuiltinOptionsUnion.FromUnpackOptions(new UnpackOptionsT { Num = 2, Axis = 1 }));
        ElementwiseOpModel.Run<sbyte>(interpreter, new sbyte[] { 1, -1, 2, -2, 3, -3 });
        Assert.Equal(new sbyte[] { 1, 2, 3 }, interpreter.Output(0).ToArray<sbyte>());
        Assert.Equal(new sbyte[] { -1, -2, -3 }, interpreter.Output(1).ToArray<sbyte>());
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Pack_refuses_inputs_of_different_shapes_and_unpack_a_wrong_num()
    {
        var m = new ElementwiseOpModel();
        int a = m.Input(TensorType.FLOAT32, [2]), b = m.Input(TensorType.FLOAT32, [3]);
        m.Output(TensorType.FLOAT32, [2, 2]);
        Assert.Equal("operator 0 (PACK) input tensor 1 [3] and input tensor 0 [2] differ in shape",
            m.Rejects(BuiltinOperator.PACK, [a, b], BuiltinOptionsUnion.FromPackOptions(new PackOptionsT { ValuesCount = 2 })).Message);

        var u = new ElementwiseOpModel();
        int x = u.Input(TensorType.INT32, [3, 2]);
        u.Output(TensorType.INT32, [2]);
        u.Output(TensorType.INT32, [2]);
        Assert.Equal("operator 0 (UNPACK) num is 2, the operator has 2 outputs and input tensor 0 [3,2] has 3 along axis 0",
            u.Rejects(BuiltinOperator.UNPACK, [x], BuiltinOptionsUnion.FromUnpackOptions(new UnpackOptionsT { Num = 2 })).Message);
    }
}
