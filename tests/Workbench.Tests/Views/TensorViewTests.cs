using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using BigGustave;
using TinyMl.Interpreter;
using TinyMl.Workbench.Images;
using TinyMl.Workbench.Runs;
using TinyMl.Workbench.Tensors;
using Xunit.Abstractions;
using Model = TinyMl.Interpreter.Model;
using TensorType = TinyMl.Interpreter.Schema.TensorType;

using TinyMl.Workbench.Tests.Security;

namespace TinyMl.Workbench.Tests.Views;

public class TensorViewTests(ITestOutputHelper output)
{
    /// <summary>
    /// person.bmp's pixels, top row first, decoded here by hand: the file header gives the pixel
    /// offset, the info header width, height (positive = rows stored bottom-up) and 8 bits a pixel;
    /// rows are padded to 4 bytes.
    /// </summary>
    private static byte[,] PersonBmp()
    {
        byte[] file = File.ReadAllBytes(Path.Combine(SharedData.TestData, "person.bmp"));
        Assert.Equal((byte)'B', file[0]);
        Assert.Equal((byte)'M', file[1]);
        int pixelOffset = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(10));
        int width = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(18));
        int height = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(22));
        Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(28)));
        int stride = (width + 3) / 4 * 4;
        var pixels = new byte[Math.Abs(height), width];
        for (int row = 0; row < Math.Abs(height); row++)
        {
            int stored = height > 0 ? Math.Abs(height) - 1 - row : row;
            for (int x = 0; x < width; x++) pixels[row, x] = file[pixelOffset + stored * stride + x];
        }
        return pixels;
    }

    /// <summary>person_detect run on person.bmp with every intermediate kept.</summary>
    private static readonly Lazy<MicroInterpreter> PersonRun = new(() =>
    {
        var interpreter = ArenaSizing.Allocate(Model.Load(SharedData.ModelPath("person_detect")), options: new InterpreterOptions { PreserveAllTensors = true });
        interpreter.Input(0).CopyFrom(File.ReadAllBytes(SharedData.GoldenPath("person_detect", "person.input0.bin")));
        interpreter.Invoke();
        return interpreter;
    });

    /// <summary>The numbers of the bracketed block that follows <paramref name="heading"/> in the text view, in order.</summary>
    private static double[] PrintedNumbers(string text, string heading)
    {
        int start = text.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{heading}' not in:\n{text}");
        int open = text.IndexOf('[', text.IndexOf('\n', start)), end = open, depth = 0;
        do depth += text[end] == '[' ? 1 : text[end] == ']' ? -1 : 0;
        while (depth > 0 && ++end < text.Length);
        return Regex.Matches(text[open..end], @"-?\d+(\.\d+)?(e[+-]\d+)?")
            .Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>The PNG pictures of a view's HTML, decoded by BigGustave.</summary>
    private static List<Png> Pictures(string html) =>
        Regex.Matches(html, "<img class=\"pixels\"[^>]*src=\"data:image/png;base64,([^\"]+)\"")
            .Select(m => Png.Open(Convert.FromBase64String(m.Groups[1].Value))).ToList();

    /// <summary>The (x, y) positions of a picture's brightest pixels.</summary>
    private static HashSet<(int X, int Y)> Brightest(Png png)
    {
        double best = double.MinValue;
        var at = new HashSet<(int, int)>();
        for (int y = 0; y < png.Height; y++)
            for (int x = 0; x < png.Width; x++)
            {
                var p = png.GetPixel(x, y);
                double luminance = 0.299 * p.R + 0.587 * p.G + 0.114 * p.B;
                if (luminance > best + 1e-9) { best = luminance; at.Clear(); }
                if (Math.Abs(luminance - best) <= 1e-9) at.Add((x, y));
            }
        return at;
    }

    [Fact]
    public void Person_input_shows_the_bmp_pixels_read_as_int8_with_statistics_computed_from_the_bmp()
    {
        var pixels = PersonBmp();
        int h = pixels.GetLength(0), w = pixels.GetLength(1);
        // person_detection_test copies the pixel bytes as they are into the int8 input.
        var expected = new sbyte[h * w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) expected[y * w + x] = (sbyte)pixels[y, x];
        Assert.Equal(expected.Select(v => (byte)v), File.ReadAllBytes(SharedData.GoldenPath("person_detect", "person.input0.bin")));

        var input = PersonRun.Value.Input(0);
        var view = TensorView.Of(input);
        var stats = view.Statistics!;
        double mean = expected.Average(v => (double)v);
        double std = Math.Sqrt(expected.Average(v => (v - mean) * (v - mean)));
        Assert.Equal(expected.Min(), stats.Raw.Min);
        Assert.Equal(expected.Max(), stats.Raw.Max);
        Assert.Equal(mean, stats.Raw.Mean, 9);
        Assert.Equal(std, stats.Raw.Std, 9);
        Assert.Equal(expected.Count(v => v == -128), stats.AtTypeMin);
        Assert.Equal(expected.Count(v => v == 127), stats.AtTypeMax);
        Assert.Equal(expected.Count(v => v == 0), stats.Zeros);
        float scale = input.Scale;
        int zeroPoint = input.ZeroPoint;
        Assert.Equal(scale * (expected.Max() - zeroPoint), stats.Real.Max, 6);
        Assert.Equal(expected.Count(v => v == zeroPoint), stats.AtZeroPoint);

        // Printed like numpy: rows 0-2 and 93-95, each with columns 0-2 and 93-95.
        string text = view.ToText();
        int[] kept = [0, 1, 2, h - 3, h - 2, h - 1];
        var shown = kept.SelectMany(y => kept.Select(x => (double)expected[y * w + x])).ToArray();
        Assert.Equal(shown, PrintedNumbers(text, "stored (int8):"));
        Assert.Contains($"36 of {h * w:N0} values shown", text);
        Assert.Contains(Html.Html.Float(stats.Raw.Mean), text);

        // The picture: one pixel per value, top row first, brightest exactly where the tensor is largest.
        string html = view.ToHtml();
        var png = Assert.Single(Pictures(html));
        Assert.Equal((w, h), (png.Width, png.Height));
        var largest = Enumerable.Range(0, h * w).Where(i => expected[i] == expected.Max()).Select(i => (i % w, i / w)).ToHashSet();
        Assert.Equal(largest, Brightest(png));
        Assert.Matches($"<img class=\"pixels\"[^>]* width=\"{w * 3}\" height=\"{h * 3}\"", html);
    }

    [Fact]
    public void Per_channel_weights_dequantize_as_the_channel_scale_times_stored_minus_zero_point()
    {
        var model = Model.Load(SharedData.ModelPath("person_detect"));
        var weights = model.MainSubgraph.Tensors.Where(t => t.IsConstant && t.Quantization is { IsPerChannel: true } && t.ElementCount <= 1000).ToList();
        Assert.Contains(weights, t => t.Quantization!.QuantizedDimension == 0);
        Assert.Contains(weights, t => t.Quantization!.QuantizedDimension == 3);
        Assert.Contains(weights, t => t.Type == TensorType.INT32);
        foreach (var tensor in weights)
        {
            var q = tensor.Quantization!;
            // int8 weights and their int32 biases.
            var bytes = tensor.Data.ToArray();
            long[] stored = tensor.Type == TensorType.INT32
                ? Enumerable.Range(0, bytes.Length / 4).Select(i => (long)BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * i))).ToArray()
                : bytes.Select(b => (long)(sbyte)b).ToArray();
            // The channel of element i is its coordinate along the quantized axis.
            long inner = tensor.Shape.Skip(q.QuantizedDimension + 1).Aggregate(1L, (a, d) => a * d);
            var real = stored.Select((v, i) =>
            {
                int c = (int)(i / inner % tensor.Shape[q.QuantizedDimension]);
                return (double)q.Scales[c] * (v - q.ZeroPoints[c]);
            }).ToArray();

            string text = TensorView.Of(tensor).ToText();
            Assert.Equal(stored.Select(v => (double)v), PrintedNumbers(text, $"stored ({tensor.Type.ToString().ToLowerInvariant()}):"));
            var printed = PrintedNumbers(text, "real = scale[c]");
            double tolerance = real.Max(Math.Abs) * 1e-4;
            Assert.Equal(real.Length, printed.Length);
            for (int i = 0; i < real.Length; i++) Assert.True(Math.Abs(real[i] - printed[i]) <= tolerance, $"{tensor.Name}[{i}]: {printed[i]} vs {real[i]}");
            Assert.Contains($"per-channel ×{q.Scales.Length} (axis {q.QuantizedDimension}): scale {Html.Html.Float(q.Scales.Min())}…{Html.Html.Float(q.Scales.Max())}", text);
        }
    }

    [Fact]
    public void Saturated_counts_are_the_activations_at_each_type_limit()
    {
        var interpreter = PersonRun.Value;
        // Every int8 activation the run wrote, with both limits counted straight from its bytes.
        var activations = interpreter.Tensors.Where(t => !t.IsConstant && t.Type == TensorType.INT8 && t.HasData).ToList();
        Assert.NotEmpty(activations);
        bool sawBoth = false;
        foreach (var tensor in activations)
        {
            var bytes = tensor.Bytes.ToArray();
            long low = bytes.Count(b => (sbyte)b == -128), high = bytes.Count(b => (sbyte)b == 127);
            var view = TensorView.Of(tensor);
            Assert.Equal(low, view.Statistics!.AtTypeMin);
            Assert.Equal(high, view.Statistics.AtTypeMax);
            Assert.Matches($"at type min -128( \\(zero point\\))? +{Regex.Escape(low.ToString("N0", CultureInfo.InvariantCulture))}", view.ToText());
            sawBoth |= low > 0 && high > 0;
        }
        Assert.True(sawBoth, "some activation of person_detect saturates at both ends");
    }

    /// <summary>Each pixel's colour as one number.</summary>
    private static int Colour(Png png, int x, int y)
    {
        var p = png.GetPixel(x, y);
        return p.R << 16 | p.G << 8 | p.B;
    }

    /// <summary>The colour bar of a view's HTML: for each colour, the positions (0 = low end … 255 = high end) it takes.</summary>
    private static ILookup<int, int> ColourBar(string html)
    {
        var strip = Png.Open(Convert.FromBase64String(Regex.Match(html, "colour bar\" src=\"data:image/png;base64,([^\"]+)\"").Groups[1].Value));
        Assert.Equal((256, 1), (strip.Width, strip.Height));
        return Enumerable.Range(0, 256).ToLookup(x => Colour(strip, x, 0));
    }

    [Fact]
    public void Feature_maps_draw_one_picture_per_channel_in_the_tensors_pixel_order()
    {
        var tensor = PersonRun.Value.Tensors.First(t => !t.IsConstant && t.Shape.SequenceEqual([1, 48, 48, 8]));
        var stored = tensor.Bytes.ToArray().Select(b => (sbyte)b).ToArray();
        string html = TensorView.Of(tensor).ToHtml();
        var pictures = Pictures(html);
        var bar = ColourBar(html);
        Assert.Equal(8, pictures.Count);
        // One colour scale for the grid: the tensor's smallest value at the bar's low end, its largest at the high end.
        double min = stored.Min(), max = stored.Max();
        for (int c = 0; c < 8; c++)
        {
            var png = pictures[c];
            Assert.Equal((48, 48), (png.Width, png.Height));
            // Pixel (x, y) of picture c shows element [0, y, x, c], in the colour the bar gives its value (±1 of 256 steps).
            for (int y = 0; y < 48; y++)
                for (int x = 0; x < 48; x++)
                {
                    double expected = (stored[(y * 48 + x) * 8 + c] - min) / (max - min) * 255;
                    var positions = bar[Colour(png, x, y)].ToArray();
                    Assert.True(positions.Length > 0 && positions.Min(p => Math.Abs(p - expected)) <= 1,
                        $"channel {c} ({x},{y}): value at {expected:F1} of 255, colour at [{string.Join(",", positions)}]");
                }
        }
        for (int c = 0; c < 8; c++) Assert.Contains($"<figcaption>{c}</figcaption>", html);
    }

    [Fact]
    public void Many_channels_are_capped_with_a_note()
    {
        var tensor = PersonRun.Value.Tensors.First(t => !t.IsConstant && t.Rank == 4 && t.Dim(1) > 1 && t.Dim(3) > 64);
        int channels = tensor.Dim(3);
        var view = TensorView.Of(tensor);
        string html = view.ToHtml();
        Assert.Equal(64, Pictures(html).Count);
        Assert.Contains($"first 64 of {channels} pictures shown", view.ToText());
        Assert.Contains("<figcaption>63</figcaption>", html);
        Assert.DoesNotContain("<figcaption>64</figcaption>", html);
    }

    [Fact]
    public void A_channels_first_image_input_draws_as_one_rgb_picture_with_true_levels()
    {
        // mobilenet_v2 exported from PyTorch keeps NCHW: [1,3,224,224].
        // The input is the model's description plus bytes made here (no interpreter needed).
        var model = Model.Load(SharedData.ModelPath("mobilenet_v2_quantized_1x3x224x224"));
        var input = model.MainSubgraph.Tensors[model.MainSubgraph.Inputs[0]];
        Assert.Equal([1, 3, 224, 224], input.Shape);
        Assert.Equal(TensorType.INT8, input.Type);
        var stored = new sbyte[3 * 224 * 224];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 224; y++)
                for (int x = 0; x < 224; x++)
                    stored[(c * 224 + y) * 224 + x] = (sbyte)((x + 2 * y + 85 * c) % 256 - 128);
        var data = new TensorData
        {
            Index = input.Index, Name = input.Name, Type = input.Type, Shape = input.Shape, Quantization = input.Quantization,
            IsConstant = false, Bytes = stored.Select(v => (byte)v).ToArray(),
        };

        string html = TensorView.Of(data).ToHtml();
        var png = Assert.Single(Pictures(html));
        Assert.Equal((224, 224), (png.Width, png.Height));
        // RGB of an int8 tensor spans the type's whole range, so each colour level is the stored value + 128.
        for (int y = 0; y < 224; y += 7)
            for (int x = 0; x < 224; x += 5)
            {
                var p = png.GetPixel(x, y);
                Assert.Equal((stored[y * 224 + x] + 128, stored[(224 + y) * 224 + x] + 128, stored[(2 * 224 + y) * 224 + x] + 128), (p.R, p.G, p.B));
            }
        Assert.Contains("224×224 RGB (channels first, C×H×W)", WebUtility.HtmlDecode(html));
    }

    [Fact]
    public void Micro_speech_features_draw_as_a_49_by_40_spectrogram_when_given_that_layout()
    {
        var features = File.ReadAllBytes(Path.Combine(SharedData.Golden, "micro_speech_pipeline", "yes_1000ms", "features.bin"));
        Assert.Equal(49 * 40, features.Length);
        using var interpreter = ArenaSizing.Allocate(Model.Load(SharedData.ModelPath("micro_speech_quantized")));
        var input = interpreter.Input(0);
        Assert.Equal([1, 49 * 40], input.ShapeArray());
        input.CopyFrom(features);

        // A vector has no picture of its own; the caller's layout gives it one.
        Assert.Empty(Pictures(TensorView.Of(input).ToHtml()));
        var frames = Pictures(TensorView.Of(input, asImage: (49, 40)).ToHtml());
        var png = Assert.Single(frames);
        Assert.Equal((40, 49), (png.Width, png.Height));
        sbyte max = features.Max(b => (sbyte)b);
        var largest = Enumerable.Range(0, features.Length).Where(i => (sbyte)features[i] == max).ToArray();
        Assert.Equal(largest.Select(i => (i % 40, i / 40)).ToHashSet(), Brightest(png));

        var timeAcross = Assert.Single(Pictures(TensorView.Of(input, new TensorViewOptions { AsImage = (49, 40), Transpose = true }).ToHtml()));
        Assert.Equal((49, 40), (timeAcross.Width, timeAcross.Height));
        Assert.Equal(largest.Select(i => (i / 40, i % 40)).ToHashSet(), Brightest(timeAcross));

        string wrong = WebUtility.HtmlDecode(TensorView.Of(input, asImage: (50, 40)).ToHtml());
        Assert.Contains("needs a multiple of 50×40 = 2,000 values; the tensor has 1,960", wrong);
    }

    [Fact]
    public void A_large_tensor_is_summarized_sampled_and_subsampled_with_notes_saying_so()
    {
        const int rows = 1000, columns = 10_000;
        var bytes = new byte[rows * columns * 4];
        for (int i = 0; i < rows * columns; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), (i % 1009) / 1009f - 0.5f);
        var tensor = new TensorData
        {
            Index = 0, Name = "big", Type = TensorType.FLOAT32, Shape = [rows, columns], Quantization = null, IsConstant = false, Bytes = bytes,
        };
        var clock = Stopwatch.StartNew();
        var view = TensorView.Of(tensor);
        string html = WebUtility.HtmlDecode(view.ToHtml());
        string text = view.ToText();
        output.WriteLine($"10 M float32 elements: HTML {html.Length:N0} chars, text {text.Length:N0} chars, {clock.ElapsedMilliseconds} ms");

        Assert.Contains("36 of 10,000,000 values shown (first and last 3 along each axis)", html);
        Assert.Contains("…", text);
        Assert.Contains("sampled: every 10th value, 1,000,000 of 10,000,000", html);
        var png = Assert.Single(Pictures(html));
        int step = (int)Math.Ceiling(Math.Sqrt(rows * (double)columns / PictureLayout.MaxPixels));
        Assert.Equal(((columns + step - 1) / step, (rows + step - 1) / step), (png.Width, png.Height));
        Assert.Contains($"every {step}th row and column drawn", html);
        // The statistics are exact, not sampled.
        Assert.Equal(rows * (long)columns, view.Statistics!.Raw.Count);
    }

    [Fact]
    public void A_tensor_without_data_or_of_an_unknown_type_shows_the_cause_instead_of_values()
    {
        var model = Model.Load(SharedData.ModelPath("person_detect"));
        var activation = model.MainSubgraph.Tensors.First(t => !t.IsConstant);
        var described = TensorView.Of(activation);
        Assert.Null(described.Statistics);
        Assert.Contains("Values not shown: it has no data yet", described.ToHtml());
        Assert.Contains("Values not shown: it has no data yet", described.ToText());
        Assert.Contains(activation.Name, described.ToText());

        using var unallocated = new MicroInterpreter(model, OpResolver.WithAllBuiltins(), 1 << 20);
        Assert.Contains("it has no data yet", TensorView.Of(unallocated.Input(0)).ToHtml());

        var unknown = new TensorData { Index = 3, Name = "odd", Type = (TensorType)99, Shape = [2], Quantization = null, IsConstant = true, Bytes = [1, 2] };
        string html = TensorView.Of(unknown).ToHtml();
        Assert.Contains("type99", html);
        Assert.Contains("not a TFLite element type", html);
        Assert.DoesNotContain("cannot be shown", html);

        var truncated = new TensorData { Index = 4, Name = "short", Type = TensorType.INT32, Shape = [4], Quantization = null, IsConstant = true, Bytes = [1, 2, 3] };
        Assert.Contains("it holds 3 bytes, fewer than its shape [4] needs", TensorView.Of(truncated).ToText());
    }

    [Fact]
    public void Float_statistics_count_nan_and_infinities_and_leave_them_out_of_the_range()
    {
        float[] values = [1f, float.NaN, -2f, float.PositiveInfinity, 0f, float.NegativeInfinity, float.NaN, 3f];
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        var view = TensorView.Of(new TensorData { Index = 0, Name = "f", Type = TensorType.FLOAT32, Shape = [2, 4], Quantization = null, IsConstant = true, Bytes = bytes });
        var s = view.Statistics!;
        var finite = values.Where(float.IsFinite).Select(v => (double)v).ToArray();
        Assert.Equal((2, 1, 1), (s.NaN, s.PositiveInfinity, s.NegativeInfinity));
        Assert.Equal((finite.Min(), finite.Max(), finite.Average(), finite.Length), (s.Raw.Min, s.Raw.Max, s.Raw.Mean, s.Raw.Count));
        Assert.Equal(values.Count(v => v == 0), s.Zeros);
        Assert.Contains("[[   1  nan   -2  inf]\n [   0 -inf  nan    3]]", view.ToText());
    }

    [Fact]
    public void Values_print_like_numpy()
    {
        // numpy: print(np.arange(24).reshape(2, 3, 4)) and print(np.arange(2000)), with "…" for numpy's "...".
        var small = ArrayText.Of(Enumerable.Range(0, 24).Select(i => (double)i).ToArray(), [2, 3, 4]);
        Assert.Equal("[[[ 0  1  2  3]\n  [ 4  5  6  7]\n  [ 8  9 10 11]]\n\n [[12 13 14 15]\n  [16 17 18 19]\n  [20 21 22 23]]]", small.Text);
        Assert.False(small.Elided);
        var long1d = ArrayText.Of(Enumerable.Range(0, 2000).Select(i => (double)i).ToArray(), [2000]);
        Assert.Equal("[   0    1    2 … 1997 1998 1999]", long1d.Text);
        Assert.Equal((6, 2000), (long1d.Shown, long1d.Total));
        // numpy wraps rows past 75 characters: print(np.arange(30)).
        var wrapped = ArrayText.Of(Enumerable.Range(0, 30).Select(i => (double)i).ToArray(), [30]);
        Assert.Equal("[ 0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19 20 21 22 23\n 24 25 26 27 28 29]", wrapped.Text);
    }

    [Fact]
    public void Hostile_tensor_names_never_reach_the_html_as_markup()
    {
        var model = HostileModels.Runnable();
        using var interpreter = ArenaSizing.Allocate(model);
        interpreter.Input(0).CopyFrom(new sbyte[] { -5, 0, 7, 100 });
        interpreter.Invoke();
        foreach (var tensor in interpreter.Tensors)
        {
            HostileModels.AssertNoMarkup(TensorView.Of(tensor).ToHtml());
            HostileModels.AssertNoMarkup(TensorView.Of(tensor.Info).ToHtml());
            Assert.Contains(WebUtility.HtmlEncode(tensor.Name), TensorView.Of(tensor).ToHtml());
        }
        var constant = HostileModels.WithCustomOperator().MainSubgraph.Tensors.First(t => t.IsConstant);
        HostileModels.AssertNoMarkup(TensorView.Of(constant, new TensorViewOptions { AsImage = (2, 2) }).ToHtml());
    }

    [Fact]
    public void Packed_int4_constants_unpack_low_nibble_first()
    {
        // 0x21 → 1, 2; 0xF8 → -8, -1; 0x07 → 7 (the odd last value's high nibble is padding).
        var tensor = new TensorData { Index = 0, Name = "w", Type = TensorType.INT4, Shape = [5], Quantization = null, IsConstant = true, Bytes = [0x21, 0xF8, 0x07] };
        Assert.Equal([1, 2, -8, -1, 7], tensor.RawValues());
        var view = TensorView.Of(tensor);
        Assert.Equal((1, 1), (view.Statistics!.AtTypeMin, view.Statistics.AtTypeMax));
    }

    /// <summary>The views a person looks at first: person_detect's input, a feature-map grid, a conv filter, micro_speech's features.</summary>
    private static TensorView[] Showcase()
    {
        var run = PersonRun.Value;
        var features = File.ReadAllBytes(Path.Combine(SharedData.Golden, "micro_speech_pipeline", "yes_1000ms", "features.bin"));
        var speech = ArenaSizing.Allocate(Model.Load(SharedData.ModelPath("micro_speech_quantized")));
        speech.Input(0).CopyFrom(features);
        return
        [
            TensorView.Of(run.Input(0)),
            TensorView.Of(run.Tensors.First(t => !t.IsConstant && t.Shape.SequenceEqual([1, 48, 48, 8]))),
            TensorView.Of(run.Tensors.First(t => t.IsConstant && t.Shape.SequenceEqual([1, 3, 3, 8]))),
            TensorView.Of(run.Tensors.First(t => t.IsConstant && t.Shape.SequenceEqual([16, 1, 1, 8]))),
            TensorView.Of(speech.Input(0), new TensorViewOptions { AsImage = (49, 40), Transpose = true, FirstRowAtBottom = true }),
        ];
    }

    [Fact]
    public void Pictures_and_histograms_draw_in_a_browser()
    {
        var views = Showcase();
        string file = Path.Combine(Directory.CreateTempSubdirectory("tmw-tensor").FullName, "tensors.html");
        // After load, the page records how many pictures the browser decoded, for the DOM dump to show.
        File.WriteAllText(file, Html.HtmlPage.Of("Tensors", views).Replace("</body>", """
<script>window.addEventListener("load",function(){var imgs=[].slice.call(document.querySelectorAll("img.pixels"));
document.body.setAttribute("data-decoded",imgs.filter(function(i){return i.complete&&i.naturalWidth>0;}).length+"/"+imgs.length);});</script></body>
"""));
        string dom = HeadlessBrowser.DumpDom(file, 2000);
        int pictures = views.Sum(v => Pictures(v.ToHtml()).Count);
        Assert.Equal(1 + 8 + 8 + 1 + 1, pictures);
        Assert.Contains($"data-decoded=\"{pictures}/{pictures}\"", dom);
        Assert.Equal(views.Length, Regex.Matches(dom, "<svg class=\"tmw-histogram\"").Count);
        Assert.True(Regex.Matches(dom, "<rect ").Count >= views.Length * 2);
        // TMW_LOOK=<folder> writes each view as a page and a screenshot there, for a person to look at.
        if (Environment.GetEnvironmentVariable("TMW_LOOK") is { } look)
            for (int i = 0; i < views.Length; i++)
            {
                string page = Path.Combine(look, $"tensor{i}.html");
                File.WriteAllText(page, Html.HtmlPage.Of(views[i].Title, views[i]));
                HeadlessBrowser.Screenshot(page, Path.ChangeExtension(page, ".png"), 1100, 1000);
            }
    }
    [Fact]
    public void A_live_tensor_whose_bytes_a_later_buffer_takes_says_so_and_a_captured_one_does_not()
    {
        using var interpreter = ArenaSizing.Allocate(Model.Load(SharedData.ModelPath("person_detect")));
        var input = interpreter.Input(0);
        input.CopyFrom(File.ReadAllBytes(SharedData.GoldenPath("person_detect", "person.input0.bin")));
        var captured = TensorSet.Capture(interpreter, "person");

        // The plan's own buffers say which operator first lands on the input's bytes.
        var own = interpreter.Plan.Buffers.Single(b => b.Kind == PlannedBufferKind.Tensor && b.Id == input.Index);
        int reuser = interpreter.Plan.Buffers
            .Where(b => b.FirstOperator > own.LastOperator && b.Offset < own.Offset + own.Bytes && own.Offset < b.Offset + b.Bytes)
            .Min(b => b.FirstOperator);
        var live = TensorView.Of(input);
        Assert.Contains($"gives these bytes to operator {reuser} once", live.ToHtml());
        Assert.Contains($"gives these bytes to operator {reuser} once", live.ToText());

        // Captured before the run (inputs) or right after their operator (outputs): their own values, no warning.
        Assert.All(captured.Tensors, t => Assert.DoesNotContain("gives these bytes", TensorView.Of(t).ToHtml()));
        // The model's output is never reused.
        Assert.DoesNotContain("gives these bytes", TensorView.Of(interpreter.Output(0)).ToHtml());
    }
}
