using System.Reflection;
using System.Runtime.InteropServices;

namespace TinyMl.Interpreter.Benchmarks.Peer;

/// <summary>
/// TensorFlow Lite 2.9's C API (libtensorflowlite_c.so from npm tfjs-tflite-node@0.0.2, fetched by
/// benchmarks/fetch-tflite.sh into artifacts/tflite/, or wherever TFLITE_C_LIBRARY points). Benchmarks only.
/// </summary>
internal static partial class TfLiteC
{
    private const string Library = "tensorflowlite_c";

    static TfLiteC() => NativeLibrary.SetDllImportResolver(typeof(TfLiteC).Assembly, Resolve);

    public static string? LibraryPath()
    {
        if (Environment.GetEnvironmentVariable("TFLITE_C_LIBRARY") is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "workbench.sln")))
            {
                string candidate = Path.Combine(dir.FullName, "artifacts", "tflite", "libtensorflowlite_c.so");
                return File.Exists(candidate) ? candidate : null;
            }
        return null;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == Library && LibraryPath() is { } file ? NativeLibrary.Load(file) : IntPtr.Zero;

    /// <summary>TfLiteXNNPackDelegateOptions of 2.9: threads, flags, weights cache (null).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct XnnPackOptions
    {
        public int NumThreads;
        public uint Flags;
        public IntPtr WeightsCache;
    }

    public const uint XnnPackSignedInt8 = 0x1;   // TFLITE_XNNPACK_DELEGATE_FLAG_QS8

    [LibraryImport(Library)] public static partial IntPtr TfLiteModelCreate(IntPtr data, nuint size);
    [LibraryImport(Library)] public static partial void TfLiteModelDelete(IntPtr model);
    [LibraryImport(Library)] public static partial IntPtr TfLiteInterpreterOptionsCreate();
    [LibraryImport(Library)] public static partial void TfLiteInterpreterOptionsDelete(IntPtr options);
    [LibraryImport(Library)] public static partial void TfLiteInterpreterOptionsSetNumThreads(IntPtr options, int threads);
    [LibraryImport(Library)] public static partial void TfLiteInterpreterOptionsAddDelegate(IntPtr options, IntPtr @delegate);
    [LibraryImport(Library)] public static partial IntPtr TfLiteInterpreterCreate(IntPtr model, IntPtr options);
    [LibraryImport(Library)] public static partial void TfLiteInterpreterDelete(IntPtr interpreter);
    [LibraryImport(Library)] public static partial int TfLiteInterpreterAllocateTensors(IntPtr interpreter);
    [LibraryImport(Library)] public static partial int TfLiteInterpreterInvoke(IntPtr interpreter);
    [LibraryImport(Library)] public static partial int TfLiteInterpreterGetInputTensorCount(IntPtr interpreter);
    [LibraryImport(Library)] public static partial IntPtr TfLiteInterpreterGetInputTensor(IntPtr interpreter, int index);
    [LibraryImport(Library)] public static partial IntPtr TfLiteInterpreterGetOutputTensor(IntPtr interpreter, int index);
    [LibraryImport(Library)] public static partial nuint TfLiteTensorByteSize(IntPtr tensor);
    [LibraryImport(Library)] public static partial int TfLiteTensorCopyFromBuffer(IntPtr tensor, IntPtr data, nuint size);
    [LibraryImport(Library)] public static partial int TfLiteTensorCopyToBuffer(IntPtr tensor, IntPtr data, nuint size);
    [LibraryImport(Library)] public static partial XnnPackOptions TfLiteXNNPackDelegateOptionsDefault();
    [LibraryImport(Library)] public static partial IntPtr TfLiteXNNPackDelegateCreate(ref XnnPackOptions options);
    [LibraryImport(Library)] public static partial void TfLiteXNNPackDelegateDelete(IntPtr @delegate);
}
