using TinyMl.Interpreter;
using TinyMl.Oracle.Running;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace TinyMl.Oracle.Operators;

/// <summary>
/// TFLM's data-shaping custom operators, one call after a reset: CIRCULAR_BUFFER (a buffer of zero-point slots with the
/// input as its newest) and TFLM_DECODE's LUT and prune encodings (the bit stream unpacked into one bit per element
/// first, then grouped; the prune values placed by a running count of kept elements). Huffman streams are not
/// decoded here: their tables are the decoder's own program, with no second way to read them.
/// </summary>
internal static class Compression
{
    public static void Register(OperatorTable table)
    {
        table.AddCustom("CIRCULAR_BUFFER", call =>
        {
            var output = call.Output(0);
            long slots = output.Shape[1], slot = output.Shape[2] * output.Shape[3];
            var buffer = zeros(slots * slot, dtype: ScalarType.Float64); // real 0 is the zero point the state starts at
            buffer[(int)((slots - 1) * slot)..] = call.Real(0).flatten()[..(int)slot];
            return [buffer.reshape(output.Shape.Select(d => (long)d).ToArray())];
        });
        table.AddCustom("TFLM_DECODE", Decode);
    }

    private static Tensor[] Decode(OperatorCall call)
    {
        var results = new Tensor[call.Operator.Outputs.Length];
        for (int i = 0; i < results.Length; i++)
        {
            var output = call.Output(i);
            var encoded = call.Value(2 * i).Bytes;
            var ancillary = call.Value(2 * i + 1).Bytes;
            var table = ancillary.AsSpan(16).ToArray();
            int count = (int)output.ElementCount, size = Interpreter.TensorTypes.ElementSize(output.Type);
            var bits = Bits(encoded);
            var q = output.Quantization;
            int channels = q is { Count: > 1 } ? q.Count : 1;
            bool channelLast = q is { Count: > 1 } && q.QuantizedDimension == output.Shape.Length - 1;
            int Channel(int e) => channelLast ? e % channels : e / (count / channels);
            var elements = new byte[count * size];
            switch (ancillary[0])
            {
                case 0: // LUT: width-bit indices, most significant bit first, into stride entries per channel
                {
                    int width = ancillary[5] & 7, stride = ancillary[6];
                    for (int e = 0; e < count; e++)
                    {
                        int index = 0;
                        for (int k = 0; k < width; k++) index = index * 2 + bits[e * width + k];
                        Array.Copy(table, (Channel(e) * stride + index) * size, elements, e * size, size);
                    }
                    break;
                }
                case 2: // prune: a kept bit takes the next stored value; a cleared one the channel's zero point
                {
                    int kept = 0;
                    for (int e = 0; e < count; e++)
                    {
                        if (bits[e] == 1) Array.Copy(table, kept++ * size, elements, e * size, size);
                        else if (size == 1 && q is { Count: > 0 }) elements[e] = (byte)(sbyte)q.ZeroPoints[channels > 1 ? Channel(e) : 0];
                    }
                    break;
                }
                default:
                    throw call.Unsupported($"decode type {ancillary[0]} (the oracle reads LUT and prune encodings)");
            }
            // The decoded bytes are the output's stored values: hand them over as real values of its type.
            var data = new Workbench.Tensors.TensorData
            {
                Index = output.Index, Name = output.Name, Type = output.Type, Shape = output.Shape.ToArray(),
                Quantization = output.Quantization, IsConstant = false, Bytes = elements,
            };
            results[i] = OperatorCall.FromValues(data.RealValues(), data.Shape);
        }
        return results;
    }

    /// <summary>Every bit of <paramref name="bytes"/>, most significant first.</summary>
    private static byte[] Bits(byte[] bytes)
    {
        var bits = new byte[bytes.Length * 8];
        for (int i = 0; i < bits.Length; i++) bits[i] = (byte)(bytes[i / 8] >> (7 - i % 8) & 1);
        return bits;
    }
}
