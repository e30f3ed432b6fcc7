using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// TFLite_Detection_PostProcess (TFLM custom op), the tail of SSD detectors: decodes each anchor's box from its
/// centre-size encoding, then keeps the best-scoring boxes that do not overlap a better one (non-max suppression).
/// Inputs: box encodings [1, boxes, ≥4], class scores [1, boxes, classes (+1 background)], anchors [boxes, 4], all
/// float32. Outputs (float32): boxes [1, max_detections, 4] as (ymin, xmin, ymax, xmax), classes, scores, count.
/// Two modes, as in TFLM: "fast" (each anchor competes once, with its best class) and "regular" (NMS per class, then
/// the best max_detections over all classes). Arithmetic and tie-breaking follow TFLM: decoding in double, IoU in
/// float, sorts stable by decreasing score (equal scores keep index order). All work buffers are arena scratch.
/// </summary>
internal sealed class DetectionPostProcessKernel : OperatorKernel
{
    private const int Coordinates = 4;

    private sealed class OpData
    {
        public int MaxDetections, MaxClassesPerDetection, DetectionsPerClass, NumClasses;
        public bool RegularNms;
        public float ScoreThreshold, IouThreshold;
        public float YScale, XScale, HScale, WScale;

        public int Boxes, EncodingStride, ClassesWithBackground;
        // Scratch handles.
        public int DecodedBoxes, Candidates, KeepScores, KeepIndices, SortedIndices, SortScratch, Selected;
        public int ClassScores, MergedIndices, MergedScores, MergeOrder, MergedIndicesSorted, MergedScoresSorted, CategoryIndices, MaxScores;
    }

    public override object? Init(KernelContext context, Node node) => CustomOptions.Read(node, o => new OpData
    {
        // Missing keys read as 0 / false, as flexbuffers' null does in TFLM; detections_per_class defaults to 100.
        MaxDetections = o.Int32("max_detections", 0),
        MaxClassesPerDetection = o.Int32("max_classes_per_detection", 0),
        DetectionsPerClass = o.Int32("detections_per_class", 100),
        RegularNms = o.Int32("use_regular_nms", 0) != 0,
        ScoreThreshold = Float(o, "nms_score_threshold"),
        IouThreshold = Float(o, "nms_iou_threshold"),
        NumClasses = o.Int32("num_classes", 0),
        YScale = Float(o, "y_scale"), XScale = Float(o, "x_scale"), HScale = Float(o, "h_scale"), WScale = Float(o, "w_scale"),
    });

    private static float Float(FlexBufferMap o, string key) => o.Contains(key) ? (float)o.Double(key) : 0f;

    public override void Prepare(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        node.RequireTensorCounts(3, 4);
        var encodings = node.Input(0);
        var scores = node.Input(1);
        var anchors = node.Input(2);
        node.RequireTensor(encodings, "box encodings", 3, TensorType.FLOAT32);
        node.RequireTensor(scores, "class predictions", 3, TensorType.FLOAT32);
        node.RequireTensor(anchors, "anchors", 2, TensorType.FLOAT32);
        int boxes = encodings.Dim(1);
        node.Require(encodings.Dim(0) == 1 && encodings.Dim(2) >= Coordinates,
            $"box encodings tensor {encodings.Index} {KernelChecks.ShapeText(encodings)} must be [1, boxes, 4 or more]");
        node.Require(scores.Dim(0) == 1 && scores.Dim(1) == boxes,
            $"class predictions tensor {scores.Index} {KernelChecks.ShapeText(scores)} must be [1, {boxes}, classes]");
        node.Require(anchors.Dim(0) >= boxes && anchors.Dim(1) == Coordinates,
            $"anchors tensor {anchors.Index} {KernelChecks.ShapeText(anchors)} must be [{boxes}, 4]");
        int withBackground = scores.Dim(2);
        node.Require(d.NumClasses >= 0 && withBackground >= d.NumClasses && withBackground - d.NumClasses <= 1,
            $"num_classes is {d.NumClasses} but the class predictions have {withBackground} columns (num_classes, or one more for a background class)");
        node.Require(d.MaxDetections >= 0, $"max_detections is {d.MaxDetections}");
        node.Require(d.IouThreshold > 0f && d.IouThreshold <= 1f, $"nms_iou_threshold is {d.IouThreshold:G9}; TFLM needs it in (0, 1]");
        if (d.RegularNms)
            node.Require(d.DetectionsPerClass > 0, $"detections_per_class is {d.DetectionsPerClass}; regular NMS needs at least 1");
        else
            node.Require(d.MaxClassesPerDetection > 0, $"max_classes_per_detection is {d.MaxClassesPerDetection}; fast NMS needs at least 1");

        int perDetection = d.RegularNms ? 1 : Math.Min(d.MaxClassesPerDetection, d.NumClasses);
        long slots = (long)d.MaxDetections * Math.Max(perDetection, 1);
        RequireOutput(node, 0, "boxes", slots * Coordinates);
        RequireOutput(node, 1, "classes", slots);
        RequireOutput(node, 2, "scores", slots);
        RequireOutput(node, 3, "number of detections", 1);

        d.Boxes = boxes;
        d.EncodingStride = encodings.Dim(2);
        d.ClassesWithBackground = withBackground;
        // Regular mode merges the best max_detections so far with one class's picks (at most min(boxes, detections_per_class)).
        int merged = d.RegularNms ? d.MaxDetections + Math.Min(boxes, d.DetectionsPerClass) : 0;
        int sortLength = Math.Max(Math.Max(boxes, merged), d.NumClasses);
        d.DecodedBoxes = context.RequestScratchBuffer(boxes * Coordinates * sizeof(float));
        d.Candidates = context.RequestScratchBuffer(boxes);
        d.KeepScores = context.RequestScratchBuffer(boxes * sizeof(float));
        d.KeepIndices = context.RequestScratchBuffer(boxes * sizeof(int));
        d.SortedIndices = context.RequestScratchBuffer(boxes * sizeof(int));
        d.SortScratch = context.RequestScratchBuffer(sortLength * sizeof(int));
        d.Selected = context.RequestScratchBuffer(boxes * sizeof(int));
        d.ClassScores = context.RequestScratchBuffer(d.RegularNms ? boxes * sizeof(float) : 0);
        d.MergedIndices = context.RequestScratchBuffer(merged * sizeof(int));
        d.MergedScores = context.RequestScratchBuffer(merged * sizeof(float));
        d.MergeOrder = context.RequestScratchBuffer(merged * sizeof(int));
        d.MergedIndicesSorted = context.RequestScratchBuffer(merged * sizeof(int));
        d.MergedScoresSorted = context.RequestScratchBuffer(merged * sizeof(float));
        d.CategoryIndices = context.RequestScratchBuffer(d.RegularNms ? 0 : boxes * d.NumClasses * sizeof(int));
        d.MaxScores = context.RequestScratchBuffer(d.RegularNms ? 0 : boxes * sizeof(float));
    }

    private static void RequireOutput(Node node, int index, string role, long elements)
    {
        var output = node.Output(index);
        node.RequireType(output, role, TensorType.FLOAT32);
        node.Require(output.ElementCount >= elements,
            $"output {index} ({role}) tensor {output.Index} {KernelChecks.ShapeText(output)} holds {output.ElementCount} values; the options need {elements}");
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        var decoded = Floats(context, d.DecodedBoxes);
        Decode(d, node.Inputs[0]!.AsReadOnlySpan<float>(), node.Inputs[2]!.AsReadOnlySpan<float>(), decoded);
        for (int i = 0; i < d.Boxes; i++)
        {
            // TFLM refuses the whole run when any decoded box is empty or inverted (its ValidateBoxes).
            var box = decoded.Slice(i * Coordinates, Coordinates);
            if (!(box[0] < box[2]) || !(box[1] < box[3]))
                throw new KernelInvokeException(node.Index, node.Name, new TensorDataException(
                    $"anchor {i} decodes to an empty or inverted box (ymin {box[0]:G9}, xmin {box[1]:G9}, ymax {box[2]:G9}, xmax {box[3]:G9}); TFLM's non-max suppression refuses it"));
        }

        var outBoxes = node.Outputs[0].AsSpan<float>();
        var outClasses = node.Outputs[1].AsSpan<float>();
        var outScores = node.Outputs[2].AsSpan<float>();
        // Slots no detection fills are zero (TFLM's regular mode writes zeros there; its fast mode leaves them as they were).
        outBoxes.Clear();
        outClasses.Clear();
        outScores.Clear();
        var scores = node.Inputs[1]!.AsReadOnlySpan<float>();
        int count = d.RegularNms
            ? RegularNms(context, d, scores, decoded, outBoxes, outClasses, outScores)
            : FastNms(context, d, scores, decoded, outBoxes, outClasses, outScores);
        node.Outputs[3].AsSpan<float>()[0] = count;
    }

    /// <summary>Centre-size encodings relative to the anchors → corners, in double as TFLM computes them.</summary>
    private static void Decode(OpData d, ReadOnlySpan<float> encodings, ReadOnlySpan<float> anchors, Span<float> decoded)
    {
        for (int i = 0; i < d.Boxes; i++)
        {
            var e = encodings.Slice(i * d.EncodingStride, Coordinates); // y, x, h, w
            var a = anchors.Slice(i * Coordinates, Coordinates);        // y, x, h, w
            float yCenter = (float)(e[0] / (double)d.YScale * a[2] + a[0]);
            float xCenter = (float)(e[1] / (double)d.XScale * a[3] + a[1]);
            float halfH = (float)(0.5 * Math.Exp(e[2] / (double)d.HScale) * a[2]);
            float halfW = (float)(0.5 * Math.Exp(e[3] / (double)d.WScale) * a[3]);
            var box = decoded.Slice(i * Coordinates, Coordinates);
            box[0] = yCenter - halfH;
            box[1] = xCenter - halfW;
            box[2] = yCenter + halfH;
            box[3] = xCenter + halfW;
        }
    }

    /// <summary>Fast mode: each anchor's best classes (max_classes_per_detection) ride on one NMS over its best score.</summary>
    private static int FastNms(KernelContext context, OpData d, ReadOnlySpan<float> scores, ReadOnlySpan<float> decoded,
        Span<float> outBoxes, Span<float> outClasses, Span<float> outScores)
    {
        int labelOffset = d.ClassesWithBackground - d.NumClasses;
        int perAnchor = Math.Min(d.MaxClassesPerDetection, d.NumClasses);
        var maxScores = Floats(context, d.MaxScores);
        var categories = Ints(context, d.CategoryIndices);
        var scratch = Ints(context, d.SortScratch);
        for (int row = 0; row < d.Boxes; row++)
        {
            var rowScores = scores.Slice(row * d.ClassesWithBackground + labelOffset, d.NumClasses);
            var order = categories.Slice(row * d.NumClasses, d.NumClasses);
            SortDecreasing(rowScores, order, scratch);
            maxScores[row] = d.NumClasses > 0 ? rowScores[order[0]] : 0f;
        }

        var selected = Ints(context, d.Selected);
        int selectedCount = SingleClassNms(context, d, maxScores, decoded, selected, d.MaxDetections);
        int written = 0;
        for (int i = 0; i < selectedCount; i++)
        {
            int anchor = selected[i];
            var rowScores = scores.Slice(anchor * d.ClassesWithBackground + labelOffset, d.NumClasses);
            var order = categories.Slice(anchor * d.NumClasses, d.NumClasses);
            for (int c = 0; c < perAnchor; c++)
            {
                // TFLM's slot: perAnchor × (detections written so far) + c. With one class per anchor (every published
                // SSD) that is simply the next slot; with more it spreads out, and slots past the outputs are dropped.
                long slot = (long)perAnchor * written + c;
                if (slot < outScores.Length && (slot + 1) * Coordinates <= outBoxes.Length)
                {
                    decoded.Slice(anchor * Coordinates, Coordinates).CopyTo(outBoxes.Slice((int)slot * Coordinates, Coordinates));
                    outClasses[(int)slot] = order[c];
                    outScores[(int)slot] = rowScores[order[c]];
                }
                written++;
            }
        }
        return written;
    }

    /// <summary>Regular mode: NMS class by class, merged into the best max_detections (score, then earlier entry).</summary>
    private static int RegularNms(KernelContext context, OpData d, ReadOnlySpan<float> scores, ReadOnlySpan<float> decoded,
        Span<float> outBoxes, Span<float> outClasses, Span<float> outScores)
    {
        int labelOffset = d.ClassesWithBackground - d.NumClasses;
        var classScores = Floats(context, d.ClassScores);
        var selected = Ints(context, d.Selected);
        var mergedIndices = Ints(context, d.MergedIndices);
        var mergedScores = Floats(context, d.MergedScores);
        var order = Ints(context, d.MergeOrder);
        var sortedIndices = Ints(context, d.MergedIndicesSorted);
        var sortedScores = Floats(context, d.MergedScoresSorted);
        var scratch = Ints(context, d.SortScratch);
        int kept = 0;
        for (int c = 0; c < d.NumClasses; c++)
        {
            for (int row = 0; row < d.Boxes; row++)
                classScores[row] = scores[row * d.ClassesWithBackground + c + labelOffset];
            int selectedCount = SingleClassNms(context, d, classScores, decoded, selected, d.DetectionsPerClass);
            int total = kept;
            for (int i = 0; i < selectedCount; i++)
            {
                mergedIndices[total] = selected[i] * d.ClassesWithBackground + c + labelOffset;
                mergedScores[total] = classScores[selected[i]];
                total++;
            }
            int keep = Math.Min(total, d.MaxDetections);
            SortDecreasing(mergedScores[..total], order[..total], scratch);
            for (int i = 0; i < keep; i++)
            {
                sortedIndices[i] = mergedIndices[order[i]];
                sortedScores[i] = mergedScores[order[i]];
            }
            sortedIndices[..keep].CopyTo(mergedIndices);
            sortedScores[..keep].CopyTo(mergedScores);
            kept = keep;
        }

        for (int i = 0; i < kept; i++)
        {
            int anchor = mergedIndices[i] / d.ClassesWithBackground;
            decoded.Slice(anchor * Coordinates, Coordinates).CopyTo(outBoxes.Slice(i * Coordinates, Coordinates));
            outClasses[i] = mergedIndices[i] - anchor * d.ClassesWithBackground - labelOffset;
            outScores[i] = mergedScores[i];
        }
        return kept;
    }

    /// <summary>
    /// Greedy NMS over one score per box: boxes at or above the score threshold, best first; each taken box drops the
    /// later ones overlapping it by more than the IoU threshold; at most <paramref name="maxDetections"/> are taken.
    /// </summary>
    private static int SingleClassNms(KernelContext context, OpData d, ReadOnlySpan<float> scores, ReadOnlySpan<float> decoded,
        Span<int> selected, int maxDetections)
    {
        var keepScores = Floats(context, d.KeepScores);
        var keepIndices = Ints(context, d.KeepIndices);
        int kept = 0;
        for (int i = 0; i < d.Boxes; i++)
        {
            if (scores[i] >= d.ScoreThreshold)
            {
                keepScores[kept] = scores[i];
                keepIndices[kept] = i;
                kept++;
            }
        }
        var order = Ints(context, d.SortedIndices)[..kept];
        SortDecreasing(keepScores[..kept], order, Ints(context, d.SortScratch));

        int outputSize = Math.Min(kept, maxDetections);
        var active = context.GetScratchBuffer(d.Candidates)[..kept];
        active.Fill(1);
        int activeCount = kept, count = 0;
        for (int i = 0; i < kept; i++)
        {
            if (activeCount == 0 || count >= outputSize) break;
            if (active[i] == 0) continue;
            int box = keepIndices[order[i]];
            selected[count++] = box;
            active[i] = 0;
            activeCount--;
            for (int j = i + 1; j < kept; j++)
            {
                if (active[j] == 1 && IntersectionOverUnion(decoded, box, keepIndices[order[j]]) > d.IouThreshold)
                {
                    active[j] = 0;
                    activeCount--;
                }
            }
        }
        return count;
    }

    private static float IntersectionOverUnion(ReadOnlySpan<float> decoded, int i, int j)
    {
        var a = decoded.Slice(i * Coordinates, Coordinates);
        var b = decoded.Slice(j * Coordinates, Coordinates);
        float areaA = (a[2] - a[0]) * (a[3] - a[1]);
        float areaB = (b[2] - b[0]) * (b[3] - b[1]);
        if (areaA <= 0 || areaB <= 0) return 0f;
        float height = Math.Max(Math.Min(a[2], b[2]) - Math.Max(a[0], b[0]), 0f);
        float width = Math.Max(Math.Min(a[3], b[3]) - Math.Max(a[1], b[1]), 0f);
        float intersection = height * width;
        return intersection / (areaA + areaB - intersection);
    }

    /// <summary>
    /// order = 0..n−1 sorted by decreasing value, stable (equal values keep index order): a merge sort, as TFLM's
    /// DecreasingArgSort; for its partial sort with an index tie-break this is the same order. Never throws on NaN.
    /// </summary>
    private static void SortDecreasing(ReadOnlySpan<float> values, Span<int> order, Span<int> scratch)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        for (int width = 1; width < order.Length; width *= 2)
        {
            for (int start = 0; start < order.Length - width; start += 2 * width)
            {
                int middle = start + width, end = Math.Min(start + 2 * width, order.Length);
                int left = start, right = middle;
                for (int k = start; k < end; k++)
                {
                    // Take from the right only when strictly greater, so ties keep the left (earlier) entry first.
                    bool takeRight = left >= middle || (right < end && values[order[right]] > values[order[left]]);
                    scratch[k] = takeRight ? order[right++] : order[left++];
                }
                scratch[start..end].CopyTo(order[start..end]);
            }
        }
    }

    private static Span<float> Floats(KernelContext context, int handle) => MemoryMarshal.Cast<byte, float>(context.GetScratchBuffer(handle));
    private static Span<int> Ints(KernelContext context, int handle) => MemoryMarshal.Cast<byte, int>(context.GetScratchBuffer(handle));
}
