using TinyMl.Interpreter;
using TinyMl.Interpreter.Schema;
using Model = TinyMl.Interpreter.Model;

namespace TinyMl.Workbench.Tests.Views;

/// <summary>A model whose tensor names and custom op name are markup payloads, with a kernel that keeps persistent data and scratch.</summary>
internal static class HostileModel
{
    public const string Script = "<script>alert(1)</script>";
    public const string Image = "<img src=x onerror=alert(1)>";
    public const string Quote = "\"'><b>";

    public static Model Build()
    {
        var builder = new ModelBuilder();
        int input = builder.AddTensor(Script, TensorType.FLOAT32, [1, 8]);
        int state = builder.AddTensor(Image, TensorType.FLOAT32, [1, 8], isVariable: true);
        int output = builder.AddTensor(Quote, TensorType.FLOAT32, [1, 8]);
        builder.AddOperator(BuiltinOperator.CUSTOM, [input, state], [output], customCode: Script);
        builder.SetInputs(input).SetOutputs(output);
        return builder.ToModel(Image);
    }

    public static OpResolver Resolver() => OpResolver.WithAllBuiltins().AddCustom(Script, new Keeper());

    /// <summary>Keeps 40 bytes for its life and asks for 100 bytes of scratch.</summary>
    private sealed class Keeper : OperatorKernel
    {
        public override object? Init(KernelContext context, Node node) => context.AllocatePersistentBuffer(40);
        public override void Prepare(KernelContext context, Node node) => context.RequestScratchBuffer(100);
        public override void Invoke(KernelContext context, Node node) { }
    }

    public static void AssertNoPayloadMarkup(string html)
    {
        Assert.DoesNotContain("<script>alert(1)", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("'><b>", html);
    }

    /// <summary>Strings plotly renders as markup (hover text, names, annotations) must carry no payload either.</summary>
    public static void AssertNoPayloadMarkup(IEnumerable<string> plotlyStrings) =>
        Assert.All(plotlyStrings, text => Assert.DoesNotMatch("<(script|img)|<b>\"|'><b>", text));
}
