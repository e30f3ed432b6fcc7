using TinyMl.Interpreter;
using TinyMl.Oracle.Running;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace TinyMl.Oracle.Operators;

/// <summary>
/// TFLite_Detection_PostProcess in torch: boxes decoded from the anchors in float64 and rounded to float32 (as TFLite
/// casts them), the pairwise IoU of all boxes as one float32 tensor, candidates ordered by torch's stable descending
/// sort, then greedy suppression. Fast mode suppresses over each anchor's best class; regular mode per class, then
/// keeps the best max_detections of all classes' picks. Detections go to slots 0, 1, … (for
/// max_classes_per_detection above 1 each anchor's classes fill consecutive slots, TFLite's layout).
/// </summary>
internal static class Detection
{
    public static void Register(OperatorTable table) => table.AddCustom("TFLite_Detection_PostProcess", PostProcess);

    private sealed record Options(int MaxDetections, int ClassesPerDetection, int DetectionsPerClass, bool Regular,
        double ScoreThreshold, double IouThreshold, int Classes, double YScale, double XScale, double HScale, double WScale);

    private static Options Read(FlexBufferMap o)
    {
        double F(string key) => o.Contains(key) ? (float)o.Double(key) : 0.0; // options are float32 in TFLite
        return new Options(o.Int32("max_detections", 0), o.Int32("max_classes_per_detection", 0), o.Int32("detections_per_class", 100),
            o.Int32("use_regular_nms", 0) != 0, F("nms_score_threshold"), F("nms_iou_threshold"), o.Int32("num_classes", 0),
            F("y_scale"), F("x_scale"), F("h_scale"), F("w_scale"));
    }

    private static Tensor[] PostProcess(OperatorCall call)
    {
        Options o;
        try
        {
            o = Read(call.CustomOptions());
        }
        catch (FormatException e)
        {
            throw call.Unsupported(e.Message);
        }
        var encodings = call.Real(0)[0];   // [boxes, ≥4]: y, x, h, w
        var anchors = call.Real(2);        // [boxes, 4]:  y, x, h, w
        int boxes = (int)encodings.shape[0];
        anchors = anchors[..boxes];
        var yCenter = (encodings[.., 0] / o.YScale * anchors[.., 2] + anchors[.., 0]).to(ScalarType.Float32);
        var xCenter = (encodings[.., 1] / o.XScale * anchors[.., 3] + anchors[.., 1]).to(ScalarType.Float32);
        var halfH = (0.5 * exp(encodings[.., 2] / o.HScale) * anchors[.., 2]).to(ScalarType.Float32);
        var halfW = (0.5 * exp(encodings[.., 3] / o.WScale) * anchors[.., 3]).to(ScalarType.Float32);
        var corners = stack([yCenter - halfH, xCenter - halfW, yCenter + halfH, xCenter + halfW], 1); // float32 [boxes, 4]

        var iou = PairwiseIou(corners);
        var scores = call.Real(1)[0].to(ScalarType.Float32); // [boxes, classes (+ background)]
        int labelOffset = (int)scores.shape[1] - o.Classes;
        var classScores = scores[.., labelOffset..];

        var detections = new List<(int Anchor, int Class, double Score)>();
        if (o.Regular)
        {
            var picks = new List<(int Anchor, int Class, double Score)>();
            for (int c = 0; c < o.Classes; c++)
            {
                var column = classScores[.., c].data<float>().ToArray();
                foreach (int anchor in Suppress(column, iou, o, o.DetectionsPerClass))
                    picks.Add((anchor, c, column[anchor]));
            }
            // The best max_detections over all classes; equal scores keep the order found (class by class).
            var order = tensor(picks.Select(p => p.Score).ToArray()).sort(descending: true, stable: true).Indices.data<long>().ToArray();
            detections.AddRange(order.Take(o.MaxDetections).Select(i => picks[(int)i]));
        }
        else
        {
            int perAnchor = Math.Min(o.ClassesPerDetection, o.Classes);
            var (sorted, classOrder) = classScores.sort(1, descending: true, stable: true);
            var best = sorted[.., 0].data<float>().ToArray();
            var rows = classOrder.data<long>().ToArray();
            var values = sorted.data<float>().ToArray();
            foreach (int anchor in Suppress(best, iou, o, o.MaxDetections))
                for (int k = 0; k < perAnchor; k++)
                    detections.Add((anchor, (int)rows[anchor * o.Classes + k], values[anchor * o.Classes + k]));
        }

        var boxValues = corners.to(ScalarType.Float64).data<double>().ToArray();
        var outBoxes = new double[(int)call.Output(0).ElementCount];
        var outClasses = new double[(int)call.Output(1).ElementCount];
        var outScores = new double[(int)call.Output(2).ElementCount];
        int written = 0;
        foreach (var (anchor, cls, score) in detections)
        {
            if (written >= outScores.Length || (written + 1) * 4 > outBoxes.Length) break;
            Array.Copy(boxValues, anchor * 4, outBoxes, written * 4, 4);
            outClasses[written] = cls;
            outScores[written] = score;
            written++;
        }
        return
        [
            OperatorCall.FromValues(outBoxes, call.Output(0).Shape.ToArray()),
            OperatorCall.FromValues(outClasses, call.Output(1).Shape.ToArray()),
            OperatorCall.FromValues(outScores, call.Output(2).Shape.ToArray()),
            OperatorCall.FromValues(Enumerable.Repeat((double)detections.Count, (int)call.Output(3).ElementCount).ToArray(), call.Output(3).Shape.ToArray()),
        ];
    }

    /// <summary>IoU of every pair of boxes, float32; 0 where either box has no area.</summary>
    private static float[,] PairwiseIou(Tensor corners)
    {
        var a = corners.unsqueeze(1);
        var b = corners.unsqueeze(0);
        var area = (corners[.., 2] - corners[.., 0]) * (corners[.., 3] - corners[.., 1]);
        var height = (minimum(a[.., .., 2], b[.., .., 2]) - maximum(a[.., .., 0], b[.., .., 0])).clamp_min(0);
        var width = (minimum(a[.., .., 3], b[.., .., 3]) - maximum(a[.., .., 1], b[.., .., 1])).clamp_min(0);
        var intersection = height * width;
        var iou = intersection / (area.unsqueeze(1) + area.unsqueeze(0) - intersection);
        var valid = (area.unsqueeze(1) > 0).logical_and(area.unsqueeze(0) > 0);
        iou = where(valid, iou, zeros_like(iou));
        int n = (int)corners.shape[0];
        var flat = iou.contiguous().data<float>().ToArray();
        var result = new float[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                result[i, j] = flat[i * n + j];
        return result;
    }

    /// <summary>Greedy non-max suppression: candidates at or above the score threshold, best first (stable), each kept one removing later ones that overlap it by more than the IoU threshold.</summary>
    private static List<int> Suppress(float[] scores, float[,] iou, Options o, int limit)
    {
        var candidates = Enumerable.Range(0, scores.Length).Where(i => scores[i] >= o.ScoreThreshold).ToArray();
        var kept = new List<int>();
        if (candidates.Length == 0) return kept;
        var order = tensor(candidates.Select(i => scores[i]).ToArray()).sort(descending: true, stable: true).Indices.data<long>().ToArray();
        var removed = new bool[order.Length];
        for (int i = 0; i < order.Length && kept.Count < Math.Min(limit, candidates.Length); i++)
        {
            if (removed[i]) continue;
            int box = candidates[order[i]];
            kept.Add(box);
            for (int j = i + 1; j < order.Length; j++)
                if (!removed[j] && iou[box, candidates[order[j]]] > o.IouThreshold)
                    removed[j] = true;
        }
        return kept;
    }
}
