using System.Runtime.InteropServices;
using TinyMl.Interpreter.Schema;

namespace TinyMl.Interpreter.Benchmarks.Peer;

/// <summary>One TensorFlow Lite interpreter on one thread, with or without the XNNPACK delegate.</summary>
internal sealed class TfLiteRunner : IDisposable
{
    private readonly IntPtr _modelBytes, _model, _options, _delegate, _interpreter;

    public TfLiteRunner(byte[] tflite, bool xnnpack)
    {
        var bytes = CompatibleCopy(tflite);
        // The model keeps pointing into these bytes: they live in native memory until Dispose.
        _modelBytes = Marshal.AllocHGlobal(bytes.Length);
        Marshal.Copy(bytes, 0, _modelBytes, bytes.Length);
        _model = TfLiteC.TfLiteModelCreate(_modelBytes, (nuint)bytes.Length);
        if (_model == IntPtr.Zero) throw new InvalidOperationException("TfLiteModelCreate refused the model");
        _options = TfLiteC.TfLiteInterpreterOptionsCreate();
        TfLiteC.TfLiteInterpreterOptionsSetNumThreads(_options, 1);
        if (xnnpack)
        {
            var options = TfLiteC.TfLiteXNNPackDelegateOptionsDefault();
            options.NumThreads = 1;
            options.Flags |= TfLiteC.XnnPackSignedInt8;
            options.WeightsCache = IntPtr.Zero;
            _delegate = TfLiteC.TfLiteXNNPackDelegateCreate(ref options);
            TfLiteC.TfLiteInterpreterOptionsAddDelegate(_options, _delegate);
        }
        _interpreter = TfLiteC.TfLiteInterpreterCreate(_model, _options);
        if (_interpreter == IntPtr.Zero) throw new InvalidOperationException("TfLiteInterpreterCreate failed");
        if (TfLiteC.TfLiteInterpreterAllocateTensors(_interpreter) != 0) throw new InvalidOperationException("TfLiteInterpreterAllocateTensors failed");
    }

    public unsafe void SetInput(int index, ReadOnlySpan<byte> data)
    {
        var tensor = TfLiteC.TfLiteInterpreterGetInputTensor(_interpreter, index);
        if ((int)TfLiteC.TfLiteTensorByteSize(tensor) != data.Length)
            throw new InvalidOperationException($"TFLite input {index} has {TfLiteC.TfLiteTensorByteSize(tensor)} bytes; {data.Length} given");
        fixed (byte* p = data) TfLiteC.TfLiteTensorCopyFromBuffer(tensor, (IntPtr)p, (nuint)data.Length);
    }

    public unsafe byte[] Output(int index)
    {
        var tensor = TfLiteC.TfLiteInterpreterGetOutputTensor(_interpreter, index);
        var bytes = new byte[(int)TfLiteC.TfLiteTensorByteSize(tensor)];
        fixed (byte* p = bytes) TfLiteC.TfLiteTensorCopyToBuffer(tensor, (IntPtr)p, (nuint)bytes.Length);
        return bytes;
    }

    public void Invoke()
    {
        if (TfLiteC.TfLiteInterpreterInvoke(_interpreter) != 0) throw new InvalidOperationException("TfLiteInterpreterInvoke failed");
    }

    /// <summary>
    /// TFLite 2.9 refuses a per-tensor quantization whose quantized_dimension points past the tensor's rank
    /// (person_detect's per-channel biases say 3 on a rank-1 tensor); TFLM ignores it. Set such fields to 0 in a copy.
    /// (The copy is written through the object API; every other field is carried over as it was.)
    /// </summary>
    private static byte[] CompatibleCopy(byte[] tflite)
    {
        var model = Schema.Model.GetRootAsModel(new Google.FlatBuffers.ByteBuffer(tflite)).UnPack();
        foreach (var tensor in model.Subgraphs.SelectMany(g => g.Tensors))
            if (tensor.Quantization is { } q && q.QuantizedDimension >= Math.Max(tensor.Shape?.Count ?? 0, 1))
                q.QuantizedDimension = 0;
        // The object API reads an absent custom_options as an empty list and would write it back as present,
        // which TFLite refuses on builtin operators.
        foreach (var op in model.Subgraphs.SelectMany(g => g.Operators))
            if (op.CustomOptions is { Count: 0 }) op.CustomOptions = null;
        return model.SerializeToBinary();
    }

    public void Dispose()
    {
        TfLiteC.TfLiteInterpreterDelete(_interpreter);
        if (_delegate != IntPtr.Zero) TfLiteC.TfLiteXNNPackDelegateDelete(_delegate);
        TfLiteC.TfLiteInterpreterOptionsDelete(_options);
        TfLiteC.TfLiteModelDelete(_model);
        Marshal.FreeHGlobal(_modelBytes);
    }
}
