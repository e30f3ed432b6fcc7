using TinyMl.Interpreter.Schema;
using TinyMl.Interpreter.Tests.Kernels.Signal;
using TinyMl.Workbench.Tensors;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Oracle.Tests.Operators;

/// <summary>
/// TFLM's custom operators against the oracle: TFLite_Detection_PostProcess in both modes on random anchors, box
/// encodings and scores (boxes within 1e-5 relative; classes, scores and counts exact, as selection is exact).
/// </summary>
public static class CustomCases
{
    public static void Add(List<OperatorCase> cases)
    {
        cases.Add(new("TFLite_Detection_PostProcess", "float32 fast", r => DetectionPostProcess(r, regular: false), OperatorCases.FloatTolerance));
        cases.Add(new("TFLite_Detection_PostProcess", "float32 regular", r => DetectionPostProcess(r, regular: true), OperatorCases.FloatTolerance));
    }

    private static (Model, TensorData[]) DetectionPostProcess(Random r, bool regular)
    {
        var m = new SingleOpModels(r);
        int boxes = r.Next(4, 60), classes = r.Next(1, 7), background = r.Next(2), maxDetections = r.Next(1, 12);
        int encodingWidth = 4 + r.Next(2);
        // Anchors spread over the unit square with sizes 0.05–0.35: enough overlap for suppression to matter.
        var anchors = new float[boxes * 4];
        for (int i = 0; i < boxes; i++)
        {
            anchors[i * 4] = (float)r.NextDouble();
            anchors[i * 4 + 1] = (float)r.NextDouble();
            anchors[i * 4 + 2] = 0.05f + 0.3f * (float)r.NextDouble();
            anchors[i * 4 + 3] = 0.05f + 0.3f * (float)r.NextDouble();
        }
        int encodings = m.Input(TensorType.FLOAT32, [1, boxes, encodingWidth], range: (-2, 2));
        int scores = m.Input(TensorType.FLOAT32, [1, boxes, classes + background], range: (0, 1));
        int anchorTensor = m.Constant(TensorType.FLOAT32, [boxes, 4], anchors);
        int outBoxes = m.Output(TensorType.FLOAT32, [1, maxDetections, 4]);
        int outClasses = m.Output(TensorType.FLOAT32, [1, maxDetections]);
        int outScores = m.Output(TensorType.FLOAT32, [1, maxDetections]);
        int count = m.Output(TensorType.FLOAT32, [1]);
        var options = FlexBufferEncoder.Map(4,
            ("max_detections", maxDetections), ("max_classes_per_detection", 1), ("detections_per_class", r.Next(1, 8)),
            ("use_regular_nms", regular), ("nms_score_threshold", 0.05 + 0.5 * r.NextDouble()), ("nms_iou_threshold", 0.2 + 0.6 * r.NextDouble()),
            ("num_classes", classes), ("y_scale", 10.0), ("x_scale", 10.0), ("h_scale", 5.0), ("w_scale", 5.0));
        return m.BuildCustom("TFLite_Detection_PostProcess", [encodings, scores, anchorTensor], [outBoxes, outClasses, outScores, count], options);
    }
}
