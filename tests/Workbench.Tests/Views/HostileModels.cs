using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Workbench.Tests.Views;

/// <summary>Models whose every string is a markup payload, for checking that views encode what a model says.</summary>
public static class HostileModels
{
    public static readonly string[] Payloads = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"'><b>"];

    /// <summary>A RELU between two tensors (the runtime can run it), names, description and metadata all payloads.</summary>
    public static Model Runnable()
    {
        var builder = new ModelBuilder { Description = Payloads[0] };
        int input = builder.AddTensor(Payloads[0], TensorType.INT8, [1, 4], scales: [0.5f], zeroPoints: [3]);
        int output = builder.AddTensor(Payloads[1], TensorType.INT8, [1, 4], scales: [0.5f], zeroPoints: [3]);
        builder.AddOperator(BuiltinOperator.RELU, [input], [output]);
        builder.SetInputs(input).SetOutputs(output).AddMetadata(Payloads[2], [1, 2, 3]);
        builder.Edit(m => m.Subgraphs[0].Name = Payloads[2]);
        return builder.ToModel(Payloads[1] + ".tflite");
    }

    /// <summary>A custom op named by a payload, which the runtime has no kernel for (so its error message carries the name).</summary>
    public static Model WithCustomOperator()
    {
        var builder = new ModelBuilder { Description = Payloads[1] };
        int input = builder.AddTensor(Payloads[2], TensorType.FLOAT32, [1, 4]);
        int weights = builder.AddConstant(Payloads[0], TensorType.FLOAT32, [1, 4], new float[] { 1, 2, 3, 4 });
        int output = builder.AddTensor(Payloads[1], TensorType.FLOAT32, [1, 4]);
        builder.AddOperator(BuiltinOperator.CUSTOM, [input, weights], [output], customCode: Payloads[0]);
        builder.SetInputs(input).SetOutputs(output).AddMetadata(Payloads[0], [0]);
        return builder.ToModel(Payloads[2]);
    }

    /// <summary>No payload survives as markup: each is either absent or encoded.</summary>
    public static void AssertNoMarkup(string html)
    {
        foreach (var payload in Payloads)
            Assert.DoesNotContain(payload, html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("<b>\"", html);
    }
}
