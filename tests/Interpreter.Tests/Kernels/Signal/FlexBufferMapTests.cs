using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Tests.Kernels.Signal;

public class FlexBufferMapTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Reads_a_map_of_ints_and_bools_at_every_width(int width)
    {
        long big = width == 1 ? -100 : width == 2 ? -30000 : int.MinValue;
        var map = FlexBufferMap.Parse(FlexBufferEncoder.Map(width, ("shift", 12), ("clamping", true), ("b", big), ("a", false)));
        Assert.Equal(["a", "b", "clamping", "shift"], map.Keys.Order());
        Assert.Equal(12, map.Int32("shift"));
        Assert.True(map.Bool("clamping"));
        Assert.False(map.Bool("a"));
        Assert.Equal(big, map.Int32("b"));
    }

    [Fact]
    public void Reads_the_options_of_TFLMs_own_models()
    {
        // Keys as TFLM's kernels index them (alphabetically) for SignalEnergy in audio_preprocessor_int8.
        var model = Model.Load(SharedData.ModelPath("audio_preprocessor_int8"));
        var energy = model.MainSubgraph.Operators.Single(o => o.Name == "SignalEnergy");
        var map = FlexBufferMap.Parse(energy.CustomOptions.Span);
        Assert.Equal(["end_index", "start_index"], map.Keys.Order());
        Assert.True(map.Int32("start_index") < map.Int32("end_index"));
    }

    public static TheoryData<string, byte[]> Malformed()
    {
        var good = FlexBufferEncoder.Map(1, ("shift", 3));
        var offsetTooFar = (byte[])good.Clone();
        offsetTooFar[^3] = 200; // root offset points before the start
        var notAMap = (byte[])good.Clone();
        notAMap[^2] = (byte)(1 << 2); // root says int
        var badWidth = (byte[])good.Clone();
        badWidth[^1] = 3;
        var tooManyEntries = (byte[])good.Clone();
        tooManyEntries[10] = 50; // "shift\0", keys size and offset, then keys offset, keys width, map size
        // Found by afl++ (fuzz/run.sh): a 64-bit map size past int.MaxValue overflowed a checked cast and escaped
        // as an OverflowException instead of this format error.
        var hugeCount = FlexBufferEncoder.Map(8, ("shift", 3));
        int rootWidth = hugeCount[^1], rootPos = hugeCount.Length - 2 - rootWidth;
        long rootOffset = 0;
        for (int i = rootWidth - 1; i >= 0; i--) rootOffset = rootOffset << 8 | hugeCount[rootPos + i];
        int mapWidth = 1 << (hugeCount[^2] & 3);
        hugeCount.AsSpan((int)(rootPos - rootOffset - mapWidth), mapWidth).Fill(0xFF);
        return new()
        {
            { "map size is 18446744073709551615, more than any buffer holds", hugeCount },
            { "too few for a FlexBuffer", [1, 2] },
            { "points before the buffer start", offsetTooFar },
            { "a map was expected", notAMap },
            { "byte width 3", badWidth },
            { "map of 50 entries runs past the end", tooManyEntries },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_buffers_are_format_errors_saying_why(string expected, byte[] bytes)
    {
        var e = Assert.Throws<FormatException>(() => FlexBufferMap.Parse(bytes));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Malformed_or_incomplete_custom_options_name_the_operator()
    {
        foreach (var (options, expected) in new (byte[], string)[]
                 {
                     ([0xFF, 0x00, 0x07], "malformed FlexBuffer options: root has byte width 7"),
                     (FlexBufferEncoder.Map(4, ("other", 1)), "option 'shift' is missing"),
                 })
        {
            var b = new ModelBuilder();
            int x = b.AddTensor("x", TensorType.INT16, [4]);
            int w = b.AddConstant("w", TensorType.INT16, [4], new short[] { 1, 2, 3, 4 });
            int y = b.AddTensor("y", TensorType.INT16, [4]);
            b.AddOperator(BuiltinOperator.CUSTOM, [x, w], [y], customCode: "SignalWindow", customOptions: options);
            using var interpreter = new MicroInterpreter(b.SetInputs(x).SetOutputs(y).ToModel(), OpResolver.WithAllBuiltins(), 4096);
            var e = Assert.Throws<ModelFormatException>(interpreter.AllocateTensors);
            Assert.Contains("operator 0 (SignalWindow)", e.Message);
            Assert.Contains("custom_options", e.Message);
            Assert.Contains(expected, e.Message);
        }
    }
}
