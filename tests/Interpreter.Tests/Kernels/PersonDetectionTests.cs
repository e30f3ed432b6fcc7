using System.Buffers.Binary;

namespace TinyMl.Interpreter.Tests.Kernels;

/// <summary>
/// person_detect (MobileNetV1 0.25, int8) end to end on TFLM's two test images. The oracle is TFLM:
/// golden/person_detect/{person,no_person}.output0.bin, produced by its reference kernels from the
/// image bytes used as int8 input unchanged (what TFLM's person_detection_test does). Output index 0
/// is "no person", 1 is "person".
/// </summary>
public class PersonDetectionTests
{
    private static MicroInterpreter NewInterpreter()
    {
        var interpreter = new MicroInterpreter(Model.Load(SharedData.ModelPath("person_detect")), OpResolver.WithAllBuiltins(), 1 << 20);
        interpreter.AllocateTensors();
        return interpreter;
    }

    private static sbyte[] Classify(MicroInterpreter interpreter, byte[] image)
    {
        interpreter.Input(0).CopyFrom(image);
        interpreter.Invoke();
        return interpreter.Output(0).ToArray<sbyte>();
    }

    [Theory]
    [InlineData("person", -113, 113)]
    [InlineData("no_person", 57, -57)]
    public void Golden_image_input_gives_TFLMs_scores(string image, int noPersonScore, int personScore)
    {
        using var interpreter = NewInterpreter();
        var scores = Classify(interpreter, File.ReadAllBytes(SharedData.GoldenPath("person_detect", $"{image}.input0.bin")));

        var golden = File.ReadAllBytes(SharedData.GoldenPath("person_detect", $"{image}.output0.bin"));
        GoldenModelTests.AssertOutputMatches(interpreter.Output(0), golden, $"person_detect on {image}");
        // The scores the shared data's README quotes for TFLM, as a readable cross-check of the file.
        Assert.Equal(new[] { (sbyte)noPersonScore, (sbyte)personScore }, scores);
    }

    [Theory]
    [InlineData("person", -113, 113)]
    [InlineData("no_person", 57, -57)]
    public void Decoded_bmp_is_the_golden_input_and_gives_the_same_scores(string image, int noPersonScore, int personScore)
    {
        var pixels = DecodeGrayscaleBmp(File.ReadAllBytes(Path.Combine(SharedData.TestData, $"{image}.bmp")), out int width, out int height);
        Assert.Equal((96, 96), (width, height));
        Assert.Equal(File.ReadAllBytes(SharedData.GoldenPath("person_detect", $"{image}.input0.bin")), pixels);

        using var interpreter = NewInterpreter();
        Assert.Equal(new[] { (sbyte)noPersonScore, (sbyte)personScore }, Classify(interpreter, pixels));
    }

    [Fact]
    public void Classifying_again_without_reset_gives_the_same_scores()
    {
        using var interpreter = NewInterpreter();
        var person = File.ReadAllBytes(SharedData.GoldenPath("person_detect", "person.input0.bin"));
        var noPerson = File.ReadAllBytes(SharedData.GoldenPath("person_detect", "no_person.input0.bin"));
        Assert.Equal(new sbyte[] { -113, 113 }, Classify(interpreter, person));
        Assert.Equal(new sbyte[] { 57, -57 }, Classify(interpreter, noPerson));
        Assert.Equal(new sbyte[] { -113, 113 }, Classify(interpreter, person));
    }

    /// <summary>
    /// A minimal reader for uncompressed 8-bit palettised BMPs (BITMAPINFOHEADER) with a gray palette.
    /// Returns the gray levels row by row from the top: a positive height in the header means the
    /// file stores the rows bottom-up, and rows are padded to 4 bytes.
    /// </summary>
    private static byte[] DecodeGrayscaleBmp(byte[] file, out int width, out int height)
    {
        Assert.True(file.Length >= 54 && file[0] == (byte)'B' && file[1] == (byte)'M', "not a BMP file");
        int pixelOffset = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(10));
        int headerSize = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(14));
        width = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(18));
        int signedHeight = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(22));
        int bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(28));
        int compression = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(30));
        int paletteCount = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(46));
        Assert.Equal(8, bitsPerPixel);
        Assert.Equal(0, compression);
        if (paletteCount == 0) paletteCount = 256;

        // Palette entries are B, G, R, reserved; a grayscale image has B == G == R.
        var gray = new byte[256];
        int palette = 14 + headerSize;
        for (int i = 0; i < paletteCount; i++)
        {
            var entry = file.AsSpan(palette + 4 * i, 4);
            Assert.True(entry[0] == entry[1] && entry[1] == entry[2], $"palette entry {i} is not gray");
            gray[i] = entry[0];
        }

        bool bottomUp = signedHeight > 0;
        height = Math.Abs(signedHeight);
        int stride = (width + 3) / 4 * 4;
        var pixels = new byte[width * height];
        for (int row = 0; row < height; row++)
        {
            int stored = bottomUp ? height - 1 - row : row;
            var source = file.AsSpan(pixelOffset + stored * stride, width);
            for (int x = 0; x < width; x++)
                pixels[row * width + x] = gray[source[x]];
        }
        return pixels;
    }
}
