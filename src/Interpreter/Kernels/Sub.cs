using TinyMl.Interpreter.Quantization;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// SUB with broadcasting: float32 and int32 with the fused activation's clamp (unlike ADD, TFLM's
/// int32 SUB honours it), and int8/int16 with the rescaling ADD uses (<see cref="QuantizedAdd"/>),
/// the scaled inputs subtracted instead of added.
/// </summary>
internal sealed class SubKernel : OperatorKernel
{
    private sealed class OpData
    {
        public required BroadcastPlan Plan;
        public TensorType Type;
        public float FloatMin, FloatMax;
        public int IntMin, IntMax;
        public QuantizedAdd Quantized;
    }

    public override void Prepare(KernelContext context, Node node)
    {
        var input1 = node.Input(0);
        var input2 = node.Input(1);
        var output = node.Output(0);
        var activation = node.Operator.Options<SubOptions>()?.FusedActivationFunction ?? ActivationFunctionType.NONE;
        var type = ElementwiseSupport.RequireSameTypes(node, input1, input2, output,
            TensorType.FLOAT32, TensorType.INT32, TensorType.INT8, TensorType.INT16);
        var data = new OpData { Plan = BroadcastPlan.Create(node, input1, input2, output), Type = type };
        switch (type)
        {
            case TensorType.FLOAT32:
                (data.FloatMin, data.FloatMax) = ElementwiseSupport.FloatActivation(node, activation);
                break;
            case TensorType.INT32:
                ElementwiseSupport.RequireUnquantized(node, input1, "input");
                ElementwiseSupport.RequireUnquantized(node, input2, "input");
                ElementwiseSupport.RequireUnquantized(node, output, "output");
                (data.IntMin, data.IntMax) = ElementwiseSupport.Int32Activation(node, activation);
                break;
            default:
                data.Quantized = QuantizedAdd.CreateForSub(node, input1, input2, output, activation);
                break;
        }
        node.Data = data;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var data = node.DataAs<OpData>();
        var input1 = node.Inputs[0]!;
        var input2 = node.Inputs[1]!;
        var output = node.Outputs[0];
        switch (data.Type)
        {
            case TensorType.FLOAT32:
                data.Plan.Run(input1.AsReadOnlySpan<float>(), input2.AsReadOnlySpan<float>(), output.AsSpan<float>(),
                    new SubFloat(data.FloatMin, data.FloatMax));
                break;
            case TensorType.INT32:
                data.Plan.Run(input1.AsReadOnlySpan<int>(), input2.AsReadOnlySpan<int>(), output.AsSpan<int>(),
                    new SubInt32(data.IntMin, data.IntMax));
                break;
            case TensorType.INT8:
                data.Plan.Run(input1.AsReadOnlySpan<sbyte>(), input2.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(),
                    new SubInt8(data.Quantized));
                break;
            case TensorType.INT16:
                data.Plan.Run(input1.AsReadOnlySpan<short>(), input2.AsReadOnlySpan<short>(), output.AsSpan<short>(),
                    new SubInt16(data.Quantized));
                break;
        }
    }

    private readonly struct SubFloat(float min, float max) : IBinaryOp<float>
    {
        public float Apply(float a, float b) => ActivationRange.Clamp(a - b, min, max);
    }

    private readonly struct SubInt32(int min, int max) : IBinaryOp<int>
    {
        public int Apply(int a, int b) => ElementwiseSupport.Clamp(unchecked(a - b), min, max);
    }

    private readonly struct SubInt8(QuantizedAdd p) : IBinaryOp<sbyte>
    {
        public sbyte Apply(sbyte a, sbyte b) => (sbyte)p.ComputeDifference(a, b);
    }

    private readonly struct SubInt16(QuantizedAdd p) : IBinaryOp<short>
    {
        public short Apply(short a, short b) => (short)p.ComputeDifference(a, b);
    }
}
