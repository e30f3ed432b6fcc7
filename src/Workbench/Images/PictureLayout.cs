namespace TinyMl.Workbench.Images;

/// <summary>How a tensor is drawn: as heatmaps (the default for one channel), grayscale, RGB (three channels), or not at all.</summary>
public enum PictureStyle { Auto, Heatmap, Grayscale, Rgb, None }

/// <summary>One picture of a grid: which element its top-left pixel reads, and its caption.</summary>
public sealed record PictureCell(string Label, long Offset);

/// <summary>
/// How a tensor's elements form pictures. Pixel (y, x) of a cell reads element
/// Offset + y·RowStride + x·ColumnStride; an RGB picture reads its three colours
/// <see cref="ChannelStride"/> apart. Large pictures keep every <see cref="Step"/>-th row and column.
/// </summary>
public sealed record PictureLayout
{
    /// <summary>Pictures larger than this many pixels are subsampled (a notebook shows a few hundred pixels across anyway).</summary>
    public const int MaxPixels = 512 * 512;

    public required int Height { get; init; }
    public required int Width { get; init; }
    public required long RowStride { get; init; }
    public required long ColumnStride { get; init; }
    public required IReadOnlyList<PictureCell> Cells { get; init; }
    /// <summary>Pictures the tensor holds (more than <see cref="Cells"/> when capped).</summary>
    public required int TotalCells { get; init; }
    /// <summary>How the shape was read, in words: "96×96 (H×W), 8 channels (last axis)".</summary>
    public required string Reading { get; init; }
    public bool Rgb { get; init; }
    public long ChannelStride { get; init; }
    public int Step { get; init; } = 1;

    public int DrawnHeight => (Height + Step - 1) / Step;
    public int DrawnWidth => (Width + Step - 1) / Step;

    /// <summary>
    /// The layout for <paramref name="shape"/>, or null with the reason. Leading 1s (batch) are
    /// dropped; then [H,W] is one picture, [H,W,C] one per channel (RGB when C = 3 and the style
    /// allows), [3,H,W] with H,W ≥ 8 channels-first RGB (PyTorch exports), [N,H,W,C] one per
    /// (filter, channel), and a 1×1 kernel [N,1,1,C] the N×C matrix. <paramref name="asImage"/>
    /// reads the values row-major as pictures of that size instead (e.g. micro_speech's [1,1960]
    /// features as 49 frames × 40 channels).
    /// </summary>
    public static (PictureLayout? Layout, string? Reason) For(int[] shape, long count, PictureStyle style,
        (int Height, int Width)? asImage = null, bool transpose = false, int maxCells = 64)
    {
        if (style == PictureStyle.None) return (null, null);
        (PictureLayout? Layout, string? Reason) layout = asImage is { } size ? Given(size, count, style) : FromShape(shape, style);
        if (layout.Layout is not { } found) return layout;
        if (transpose)
            found = found with { Height = found.Width, Width = found.Height, RowStride = found.ColumnStride, ColumnStride = found.RowStride, Reading = found.Reading + ", transposed" };
        if ((long)found.Height * found.Width > MaxPixels)
            found = found with { Step = (int)Math.Ceiling(Math.Sqrt((double)found.Height * found.Width / MaxPixels)) };
        if (found.Cells.Count > maxCells) found = found with { Cells = found.Cells.Take(maxCells).ToArray() };
        return (found, null);
    }

    private static (PictureLayout?, string?) Given((int Height, int Width) size, long count, PictureStyle style)
    {
        long pixels = (long)size.Height * size.Width;
        if (size.Height <= 0 || size.Width <= 0 || count % pixels != 0)
            return (null, $"asImage ({size.Height}, {size.Width}) needs a multiple of {size.Height}×{size.Width} = {pixels:N0} values; the tensor has {count:N0}");
        if (style == PictureStyle.Rgb) return (null, "asImage reads one value a pixel; RGB needs a tensor whose last axis is 3");
        int pictures = (int)Math.Min(count / pixels, int.MaxValue);
        return (new PictureLayout
        {
            Height = size.Height,
            Width = size.Width,
            RowStride = size.Width,
            ColumnStride = 1,
            Cells = Enumerable.Range(0, pictures).Select(k => new PictureCell(pictures == 1 ? "" : k.ToString(), k * pixels)).ToArray(),
            TotalCells = pictures,
            Reading = $"values read row-major as {(pictures == 1 ? "" : $"{pictures} pictures of ")}{size.Height} rows × {size.Width} columns",
        }, null);
    }

    private static (PictureLayout?, string?) FromShape(int[] shape, PictureStyle style)
    {
        var dims = shape.SkipWhile(d => d == 1).ToArray();
        if (dims.Length == 3 && dims[0] == 3 && dims[1] >= 8 && dims[2] >= 8)
            return Channels(dims[1], dims[2], dims[0], channelsFirst: true, style);
        switch (dims.Length)
        {
            case 0 or 1:
                return (null, style == PictureStyle.Auto ? null : "a vector has no rows and columns; pass asImage: (rows, columns) to draw it");
            case 2:
                if (style == PictureStyle.Rgb) return (null, "RGB needs a last axis of 3");
                return (Matrix(dims[0], dims[1], "rows × columns"), null);
            case 3:
                return Channels(dims[0], dims[1], dims[2], channelsFirst: false, style);
            case 4:
                int n = dims[0], h = dims[1], w = dims[2], c = dims[3];
                if (style == PictureStyle.Rgb) return (null, "RGB draws [H,W,3] tensors (with any leading 1s)");
                if (h * w == 1) return (Matrix(n, c, "a 1×1 kernel: output channels × input channels"), null);
                var cells = new List<PictureCell>();
                for (int i = 0; i < n; i++)
                    for (int k = 0; k < c; k++)
                        cells.Add(new PictureCell(c == 1 ? i.ToString() : $"{i},{k}", (long)i * h * w * c + k));
                return (new PictureLayout
                {
                    Height = h, Width = w, RowStride = (long)w * c, ColumnStride = c, Cells = cells, TotalCells = cells.Count,
                    Reading = $"{n} × {h}×{w} (H×W){(c == 1 ? "" : $" × {c} channels")}, captioned {(c == 1 ? "by first index" : "first index,channel")}",
                }, null);
            default:
                return (null, $"a rank-{dims.Length} tensor is not drawn; pass asImage: (rows, columns) to draw its values");
        }
    }

    private static PictureLayout Matrix(int rows, int columns, string reading) => new()
    {
        Height = rows, Width = columns, RowStride = columns, ColumnStride = 1,
        Cells = [new PictureCell("", 0)], TotalCells = 1, Reading = $"{rows}×{columns} ({reading})",
    };

    private static (PictureLayout?, string?) Channels(int h, int w, int c, bool channelsFirst, PictureStyle style)
    {
        long plane = (long)h * w;
        long channelStride = channelsFirst ? plane : 1;
        long rowStride = channelsFirst ? w : (long)w * c, columnStride = channelsFirst ? 1 : c;
        string axes = channelsFirst ? "channels first, C×H×W" : "channels last, H×W×C";
        if (style == PictureStyle.Rgb && c != 3) return (null, $"RGB needs 3 channels; this tensor has {c}");
        if (c == 3 && style is PictureStyle.Auto or PictureStyle.Rgb)
            return (new PictureLayout
            {
                Height = h, Width = w, RowStride = rowStride, ColumnStride = columnStride, ChannelStride = channelStride, Rgb = true,
                Cells = [new PictureCell("", 0)], TotalCells = 1, Reading = $"{h}×{w} RGB ({axes})",
            }, null);
        return (new PictureLayout
        {
            Height = h, Width = w, RowStride = rowStride, ColumnStride = columnStride, ChannelStride = channelStride,
            Cells = Enumerable.Range(0, c).Select(k => new PictureCell(c == 1 ? "" : k.ToString(), k * channelStride)).ToArray(),
            TotalCells = c,
            Reading = c == 1 ? $"{h}×{w} (H×W)" : $"{h}×{w} (H×W), one picture per channel of {c} ({axes})",
        }, null);
    }
}
