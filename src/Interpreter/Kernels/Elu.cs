using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// ELU: x for x ≥ 0, eˣ − 1 below. float32 with expm1 as TFLM's reference; int8 through a 256-entry table filled
/// in Prepare the way TFLM's PopulateLookupTable does (dequantize, transform with expf − 1, round half away from
/// zero at the output scale, add the zero point, clamp).
/// </summary>
internal sealed class EluKernel : OperatorKernel
{
    private sealed class OpData
    {
        public required TensorType Type;
        public required int Count;
        public sbyte[] Table = [];
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var (input, output) = node.RequireElementwiseUnary(TensorType.FLOAT32, TensorType.INT8);
        var d = new OpData { Type = input.Type, Count = input.ElementCount };
        if (input.Type == TensorType.INT8)
        {
            float inverseScale = 1 / output.Scale;
            d.Table = new sbyte[256];
            for (int q = sbyte.MinValue; q <= sbyte.MaxValue; q++)
            {
                float real = input.Scale * (q - input.ZeroPoint);
                float transformed = real < 0f ? MathF.Exp(real) - 1f : real;
                float rescaled = MathF.Round(transformed * inverseScale, MidpointRounding.AwayFromZero);
                int quantized = (int)(rescaled + output.ZeroPoint);
                d.Table[(byte)(sbyte)q] = (sbyte)Math.Clamp(quantized, sbyte.MinValue, sbyte.MaxValue);
            }
        }
        node.Data = d;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        if (d.Type == TensorType.FLOAT32)
        {
            var x = node.Inputs[0]!.AsReadOnlySpan<float>()[..d.Count];
            var y = node.Outputs[0].AsSpan<float>()[..d.Count];
            for (int i = 0; i < x.Length; i++)
                y[i] = x[i] < 0f ? Expm1(x[i]) : x[i];
            return;
        }
        var q = node.Inputs[0]!.AsReadOnlySpan<sbyte>()[..d.Count];
        var o = node.Outputs[0].AsSpan<sbyte>()[..d.Count];
        for (int i = 0; i < q.Length; i++) o[i] = d.Table[(byte)q[i]];
    }

    /// <summary>
    /// TfLiteExpm1 (expm1f): e^x − 1, here formed in double and rounded once to float, which keeps the small-x
    /// digits that computing e^x in float first would cancel; it can differ from a libm expm1f in the last bit.
    /// </summary>
    private static float Expm1(float x) => (float)(Math.Exp(x) - 1.0);
}
