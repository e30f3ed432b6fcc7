using BigGustave;

namespace TinyMl.Workbench.Images;

/// <summary>
/// An RGB picture built pixel by pixel and written as a PNG data: URI (BigGustave encodes it), so a
/// view's pictures travel inside its HTML with no file or network. Pictures are kept at one pixel per
/// value; the page scales them up with image-rendering:pixelated.
/// </summary>
public sealed class PngImage
{
    private readonly PngBuilder _builder;

    public int Width { get; }
    public int Height { get; }

    public PngImage(int width, int height)
    {
        Width = width;
        Height = height;
        // With an alpha channel: BigGustave 1.0.6 writes pictures of ≤ 256 colours without one as
        // palette images with pixels in the wrong places (seen on person_detect's feature maps).
        _builder = PngBuilder.Create(width, height, true);
    }

    public void Set(int x, int y, (byte R, byte G, byte B) colour) => _builder.SetPixel(new Pixel(colour.R, colour.G, colour.B, 255, false), x, y);

    public byte[] ToBytes()
    {
        using var memory = new MemoryStream();
        _builder.Save(memory);
        return memory.ToArray();
    }

    public string ToDataUri() => "data:image/png;base64," + Convert.ToBase64String(ToBytes());
}
