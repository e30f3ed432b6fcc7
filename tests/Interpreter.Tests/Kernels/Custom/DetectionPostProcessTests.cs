using TinyMl.Interpreter.Schema;
using TinyMl.Interpreter.Tests.Kernels.Signal;

namespace TinyMl.Interpreter.Tests.Kernels.Custom;

/// <summary>
/// TFLite_Detection_PostProcess on four anchors whose answer can be worked out by hand: A0 and A1 overlap (IoU 0.82),
/// A2 and A3 stand apart, A3 scores below the threshold. Encodings are zero, so each box is its anchor.
/// </summary>
public class DetectionPostProcessTests
{
    private static readonly float[][] Anchors = [[0.2f, 0.2f, 0.2f, 0.2f], [0.21f, 0.21f, 0.2f, 0.2f], [0.7f, 0.7f, 0.2f, 0.2f], [0.5f, 0.5f, 0.1f, 0.1f]];

    // Per anchor: background, class 0, class 1.
    private static readonly float[][] Scores = [[0f, 0.9f, 0.1f], [0f, 0.8f, 0.3f], [0f, 0.2f, 0.75f], [0f, 0.05f, 0.04f]];

    private static MicroInterpreter Build(bool regular, int maxDetections = 3, float[]? encodings = null, double iou = 0.5)
    {
        var b = new ModelBuilder();
        int boxes = b.AddTensor("box_encodings", TensorType.FLOAT32, [1, 4, 4]);
        int scores = b.AddTensor("class_predictions", TensorType.FLOAT32, [1, 4, 3]);
        int anchors = b.AddConstant("anchors", TensorType.FLOAT32, [4, 4], Anchors.SelectMany(a => a).ToArray());
        int outBoxes = b.AddTensor("detection_boxes", TensorType.FLOAT32, [1, maxDetections, 4]);
        int outClasses = b.AddTensor("detection_classes", TensorType.FLOAT32, [1, maxDetections]);
        int outScores = b.AddTensor("detection_scores", TensorType.FLOAT32, [1, maxDetections]);
        int count = b.AddTensor("num_detections", TensorType.FLOAT32, [1]);
        var options = FlexBufferEncoder.Map(4,
            ("max_detections", maxDetections), ("max_classes_per_detection", 1), ("detections_per_class", 100),
            ("use_regular_nms", regular), ("nms_score_threshold", 0.1), ("nms_iou_threshold", iou), ("num_classes", 2),
            ("y_scale", 10.0), ("x_scale", 10.0), ("h_scale", 5.0), ("w_scale", 5.0));
        b.AddOperator(BuiltinOperator.CUSTOM, [boxes, scores, anchors], [outBoxes, outClasses, outScores, count],
            customCode: "TFLite_Detection_PostProcess", customOptions: options);
        b.SetInputs(boxes, scores).SetOutputs(outBoxes, outClasses, outScores, count);
        var interpreter = new MicroInterpreter(b.ToModel(), OpResolver.WithAllBuiltins(), 64 * 1024);
        interpreter.AllocateTensors();
        (encodings ?? new float[16]).CopyTo(interpreter.Input(0).AsSpan<float>());
        Scores.SelectMany(s => s).ToArray().CopyTo(interpreter.Input(1).AsSpan<float>());
        return interpreter;
    }

    private static float[] Corners(int anchor)
    {
        var a = Anchors[anchor];
        return [a[0] - a[2] / 2, a[1] - a[3] / 2, a[0] + a[2] / 2, a[1] + a[3] / 2];
    }

    private static void AssertDetections(MicroInterpreter interpreter, int[] anchors, float[] classes, float[] scores)
    {
        var boxes = interpreter.Output(0).AsReadOnlySpan<float>().ToArray();
        for (int i = 0; i < 3; i++)
        {
            float[] expected = i < anchors.Length ? Corners(anchors[i]) : new float[4];
            for (int k = 0; k < 4; k++) Assert.Equal(expected[k], boxes[i * 4 + k], 6);
        }
        Assert.Equal(classes, interpreter.Output(1).AsReadOnlySpan<float>().ToArray());
        Assert.Equal(scores, interpreter.Output(2).AsReadOnlySpan<float>().ToArray());
        Assert.Equal(anchors.Length, interpreter.Output(3).AsReadOnlySpan<float>()[0]);
    }

    [Fact]
    public void Fast_mode_lets_each_anchor_compete_once_with_its_best_class()
    {
        using var interpreter = Build(regular: false);
        interpreter.Invoke();
        // A0 (0.9, class 0) wins; A1 overlaps it and goes; A2 (0.75, class 1) stays; A3 is below 0.1.
        AssertDetections(interpreter, [0, 2], [0f, 1f, 0f], [0.9f, 0.75f, 0f]);
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Regular_mode_suppresses_per_class_then_keeps_the_best_overall()
    {
        using var interpreter = Build(regular: true);
        interpreter.Invoke();
        // Class 0 keeps A0 (0.9) and A2 (0.2); class 1 keeps A2 (0.75) and A1 (0.3), A0 (0.1) overlapping A1; best three.
        AssertDetections(interpreter, [0, 2, 1], [0f, 1f, 1f], [0.9f, 0.75f, 0.3f]);
        Assert.Equal(0, InvokeAllocations.Measure(interpreter));
    }

    [Fact]
    public void Encodings_move_and_scale_the_anchor_box()
    {
        // Anchor 2 shifted by +0.1 of its height in y (encoding 1 / y_scale 10) and doubled in width (w = 5·ln 2).
        var encodings = new float[16];
        encodings[8] = 1f;
        encodings[11] = 5f * MathF.Log(2f);
        using var interpreter = Build(regular: false, encodings: encodings);
        interpreter.Invoke();
        var box = interpreter.Output(0).AsReadOnlySpan<float>().Slice(4, 4).ToArray();
        Assert.Equal(new[] { 0.62f, 0.5f, 0.82f, 0.9f }, box, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void An_inverted_box_stops_the_run_naming_the_anchor()
    {
        var encodings = new float[16];
        encodings[6] = float.NaN; // anchor 1's height: its box cannot be ordered
        using var interpreter = Build(regular: false, encodings: encodings);
        var e = Assert.Throws<KernelInvokeException>(interpreter.Invoke);
        Assert.Contains("TFLite_Detection_PostProcess", e.Message);
        Assert.Contains("anchor 1", e.Message);
    }

    [Fact]
    public void An_iou_threshold_outside_0_1_is_refused_at_prepare()
    {
        var e = Assert.ThrowsAny<TinyMlException>(() => Build(regular: false, iou: 0));
        Assert.Contains("nms_iou_threshold", e.Message);
    }
}
