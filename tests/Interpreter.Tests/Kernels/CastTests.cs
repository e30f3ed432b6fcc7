using TinyMl.Interpreter.Schema;
using static TinyMl.Interpreter.Tests.Kernels.ElementwiseOpModel;

namespace TinyMl.Interpreter.Tests.Kernels;

public class CastTests
{
    private static MicroInterpreter Cast(TensorType from, TensorType to, int count)
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(from, [count]);
        m.Output(to, [count]);
        return m.Build(BuiltinOperator.CAST, [x]);
    }

    [Fact]
    public void Float_to_int8_truncates_towards_zero()
    {
        using var cast = Cast(TensorType.FLOAT32, TensorType.INT8, 8);
        // TFLM's own cases (100, 1, 0, 0.4, 1.999, 1.1) plus negatives and the range ends.
        Assert.Equal(new sbyte[] { 100, 1, 0, 0, 1, -1, -128, 127 },
            Run<sbyte>(cast, new[] { 100f, 1f, 0f, 0.4f, 1.999f, -1.9f, -128.9f, 127.99f }));
    }

    [Fact]
    public void Float_to_int8_out_of_range_keeps_the_low_byte_of_the_int32_conversion()
    {
        // C++ leaves these undefined; x86 converts to int32 (NaN and overflow give int.MinValue)
        // and keeps the low byte: 300 -> 0x12C -> 44; -129.5 -> -129 = 0x..7F -> 127; NaN -> 0.
        using var cast = Cast(TensorType.FLOAT32, TensorType.INT8, 4);
        Assert.Equal(new sbyte[] { 44, 127, 0, 0 }, Run<sbyte>(cast, new[] { 300f, -129.5f, float.NaN, 3e9f }));
    }

    [Fact]
    public void Float_to_int16_int32_and_uint32_truncate()
    {
        using var toInt16 = Cast(TensorType.FLOAT32, TensorType.INT16, 3);
        Assert.Equal(new short[] { -32768, 12345, -2 }, Run<short>(toInt16, new[] { -32768.7f, 12345.99f, -2.5f }));
        using var toInt32 = Cast(TensorType.FLOAT32, TensorType.INT32, 3);
        Assert.Equal(new[] { 16777216, -7, int.MinValue }, Run<int>(toInt32, new[] { 16777216f, -7.9f, 3e9f }));
        // uint32 goes through a 64-bit conversion: 3e9 fits; -1.5 -> -1 -> 0xFFFFFFFF.
        // Beyond int64, x86 gives long.MinValue, whose low half is 0; -3e9 wraps to 2^32 - 3e9.
        using var toUInt32 = Cast(TensorType.FLOAT32, TensorType.UINT32, 5);
        Assert.Equal(new[] { 3000000000u, 4294967295u, 7u, 0u, 1294967296u }, Run<uint>(toUInt32, new[] { 3e9f, -1.5f, 7.5f, 1e20f, -3e9f }));
    }

    [Fact]
    public void Int8_to_float_gives_the_stored_integers_ignoring_quantization()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT8, [4], 0.5f, 3);
        m.Output(TensorType.FLOAT32, [4]);
        using var cast = m.Build(BuiltinOperator.CAST, [x]);
        Assert.Equal(new[] { -128f, -1f, 0f, 127f }, Run<float>(cast, new sbyte[] { -128, -1, 0, 127 }));
    }

    [Fact]
    public void Integer_casts_sign_extend_and_wrap()
    {
        using var int16ToInt32 = Cast(TensorType.INT16, TensorType.INT32, 3);
        Assert.Equal(new[] { -32768, -1, 32767 }, Run<int>(int16ToInt32, new short[] { -32768, -1, 32767 }));
        using var int32ToInt8 = Cast(TensorType.INT32, TensorType.INT8, 4);
        Assert.Equal(new sbyte[] { 44, 127, -128, 127 }, Run<sbyte>(int32ToInt8, new[] { 300, -129, 128, 127 }));
        using var uint32ToInt32 = Cast(TensorType.UINT32, TensorType.INT32, 3);
        Assert.Equal(new[] { -1, 257, int.MinValue }, Run<int>(uint32ToInt32, new[] { 0xFFFFFFFFu, 257u, 0x80000000u }));
        using var int32ToUInt32 = Cast(TensorType.INT32, TensorType.UINT32, 2);
        Assert.Equal(new[] { 4294967295u, 5u }, Run<uint>(int32ToUInt32, new[] { -1, 5 }));
        using var int8ToInt16 = Cast(TensorType.INT8, TensorType.INT16, 2);
        Assert.Equal(new short[] { -128, 127 }, Run<short>(int8ToInt16, new sbyte[] { -128, 127 }));
    }

    [Fact]
    public void Int32_and_uint32_to_float_round_to_nearest_even()
    {
        // 2^24 + 1 is halfway between two floats and rounds to the even one (2^24); 2^24 + 3 -> 2^24 + 4.
        using var int32ToFloat = Cast(TensorType.INT32, TensorType.FLOAT32, 3);
        Assert.Equal(new[] { 16777216f, 16777220f, -3f }, Run<float>(int32ToFloat, new[] { 16777217, 16777219, -3 }));
        using var uint32ToFloat = Cast(TensorType.UINT32, TensorType.FLOAT32, 2);
        Assert.Equal(new[] { 4294967296f, 1f }, Run<float>(uint32ToFloat, new[] { 0xFFFFFFFFu, 1u }));
    }

    [Fact]
    public void Bool_casts_to_zero_and_one()
    {
        using var toFloat = Cast(TensorType.BOOL, TensorType.FLOAT32, 3);
        Assert.Equal(new[] { 1f, 0f, 1f }, Run<float>(toFloat, new[] { true, false, true }));
        using var toInt32 = Cast(TensorType.BOOL, TensorType.INT32, 2);
        Assert.Equal(new[] { 0, 1 }, Run<int>(toInt32, new[] { false, true }));
    }

    [Theory]
    [InlineData(TensorType.FLOAT32, TensorType.BOOL)]
    [InlineData(TensorType.INT64, TensorType.INT32)]
    [InlineData(TensorType.UINT8, TensorType.FLOAT32)]
    [InlineData(TensorType.INT32, TensorType.INT64)]
    public void Type_pairs_TFLM_does_not_cast_are_rejected(TensorType from, TensorType to)
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(from, [2]);
        m.Output(to, [2]);
        var e = m.Rejects(BuiltinOperator.CAST, [x]);
        Assert.Contains("operator 0 (CAST)", e.Message);
        Assert.Contains($"cannot cast tensor 0 ({TensorTypes.Name(from)}) to tensor 1 ({TensorTypes.Name(to)})", e.Message);
    }

    [Fact]
    public void Different_element_counts_are_rejected()
    {
        var m = new ElementwiseOpModel();
        int x = m.Input(TensorType.INT16, [2, 3]);
        m.Output(TensorType.INT32, [5]);
        var e = m.Rejects(BuiltinOperator.CAST, [x]);
        Assert.Contains("[2,3]", e.Message);
        Assert.Contains("[5]", e.Message);
    }
}
