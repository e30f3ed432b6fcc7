using TinyMl.Workbench.Images;
using TinyMl.Workbench.Tensors;

namespace TinyMl.Workbench;

/// <summary>How a <see cref="TensorView"/> draws and prints a tensor; the defaults suit most tensors.</summary>
public sealed record TensorViewOptions
{
    /// <summary>
    /// Reads the values row-major as pictures of this many rows and columns instead of going by the
    /// shape, e.g. (49, 40) for micro_speech's [1,1960] input: 49 frames × 40 filterbank channels.
    /// The element count must be a multiple of rows × columns (several pictures then).
    /// </summary>
    public (int Rows, int Columns)? AsImage { get; init; }

    /// <summary>Swaps rows and columns when drawing (a spectrogram stored frames × channels then reads with time left to right).</summary>
    public bool Transpose { get; init; }

    /// <summary>Heatmap (viridis, the default for one channel), grayscale, RGB (the default for three channels) or no picture.</summary>
    public PictureStyle Picture { get; init; } = PictureStyle.Auto;

    /// <summary>At most this many pictures (channels, filters) are drawn; a note says how many were left out.</summary>
    public int MaxPictures { get; init; } = 64;

    /// <summary>Tensors with more elements are printed summarized (numpy's threshold).</summary>
    public int SummarizeAbove { get; init; } = ArrayText.DefaultThreshold;

    /// <summary>Items kept at each end of an axis when summarized (numpy's edgeitems).</summary>
    public int EdgeItems { get; init; } = ArrayText.DefaultEdgeItems;

    public static TensorViewOptions Default { get; } = new();
}
