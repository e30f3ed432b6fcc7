using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Kernels;

/// <summary>
/// DEPTH_TO_SPACE and SPACE_TO_DEPTH on NHWC float32 and int8 (as TFLM): both are one six-dimensional
/// transpose, the block's two axes moving between the channels and the spatial dimensions.
/// </summary>
internal sealed class SpaceDepthKernel(bool toSpace) : OperatorKernel
{
    private sealed class OpData
    {
        public int ElementSize;
        public int[] Dims = [];
        public int[] Strides = [];
    }

    public override void Prepare(KernelContext context, Node node)
    {
        node.RequireTensorCounts(1, 1);
        var input = node.Input(0);
        var output = node.Output(0);
        node.RequireTensor(input, "input", 4, TensorType.FLOAT32, TensorType.INT8);
        node.RequireSameType(input, output);
        int block = toSpace ? node.Operator.Options<DepthToSpaceOptions>()?.BlockSize ?? 0 : node.Operator.Options<SpaceToDepthOptions>()?.BlockSize ?? 0;
        node.Require(block > 0, $"block_size is {block}; a positive block size is needed");
        int batch = input.Dim(0), h = input.Dim(1), w = input.Dim(2), c = input.Dim(3);
        int[] expected;
        var d = new OpData { ElementSize = TensorTypes.ElementSize(input.Type) };
        if (toSpace)
        {
            node.Require(c % (block * block) == 0, $"input tensor {input.Index} {KernelChecks.ShapeText(input)} has {c} channels, not a multiple of block_size² = {block * block}");
            int oc = c / (block * block);
            expected = [batch, h * block, w * block, oc];
            // Output [b, h, by, w, bx, c] reads input [b, h, w, (by·block + bx)·oc + c].
            d.Dims = [batch, h, block, w, block, oc];
            d.Strides = [h * w * c, w * c, block * oc, c, oc, 1];
        }
        else
        {
            node.Require(h % block == 0 && w % block == 0, $"input tensor {input.Index} {KernelChecks.ShapeText(input)} has height and width not multiples of block_size {block}");
            int oh = h / block, ow = w / block;
            expected = [batch, oh, ow, c * block * block];
            // Output [b, oh, ow, by, bx, c] reads input [b, oh·block + by, ow·block + bx, c].
            d.Dims = [batch, oh, ow, block, block, c];
            d.Strides = [h * w * c, block * w * c, block * c, w * c, c, 1];
        }
        node.Require(output.Shape.SequenceEqual(expected),
            $"output tensor {output.Index} has shape {KernelChecks.ShapeText(output)}; block_size {block} on input {KernelChecks.ShapeText(input)} gives {IndexTensors.ShapeText(expected)}");
        node.Data = d;
    }

    public override void Invoke(KernelContext context, Node node)
    {
        var d = node.DataAs<OpData>();
        StridedCopy.Run(d.ElementSize, node.Inputs[0]!.Bytes, node.Outputs[0].AsSpan<byte>(), d.Dims, d.Strides, 0);
    }
}
