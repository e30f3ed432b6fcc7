using System.Runtime.CompilerServices;

namespace TinyMl.Interpreter.Quantization;

/// <summary>
/// The nonlinearities of TFLM's quantized LOGISTIC, TANH and LSTM kernels:
/// <list type="bullet">
/// <item>int16: interpolation in a 256-entry table of sigmoid(i/24) (TFLM's sigmoid_table_uint16),
/// with tanh derived from it as 2*sigmoid(2x)-1;</item>
/// <item>int8: gemmlowp's fixed-point logistic and tanh on Q4.27 inputs (exp by a Taylor polynomial
/// and a barrel shifter, the reciprocal by Newton-Raphson).</item>
/// </list>
/// Every shift, rounding and saturation below is the one the C++ does; changing any of them breaks
/// bit-exactness.
/// </summary>
public static partial class FixedPoint
{
    // sigmoid(i / 24) in unsigned Q0.16, i = 0..255 (the last entry saturates at 65535). The values are
    // TFLM's table, not recomputed: several entries differ by one from round(65536 * sigmoid(i / 24)).
    private static readonly ushort[] SigmoidTableQ16 =
    {
        32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
        43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
        51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
        57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
        61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
        63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
        64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
        64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
        65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
        65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
        65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
        65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
        65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
        65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
        65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
        65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
    };

    /// <summary>The sigmoid table TFLM's int16 LOGISTIC and TANH interpolate in (exposed for tests).</summary>
    internal static ReadOnlySpan<ushort> SigmoidTable => SigmoidTableQ16;

    /// <summary>
    /// The int16 activations first bring their input to the table's scale of 1/(3*4096) with
    /// (x * multiplier + round) &gt;&gt; shift (TFLM calls the shift input_left_shift although it shifts
    /// right). A zero multiplier marks a power-of-two input scale: the factor 3 then becomes 3 &lt;&lt; shift.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NormalizeInt16ActivationScale(ref int multiplier, ref int rightShift)
    {
        if (multiplier == 0)
        {
            multiplier = 3 << rightShift;
            rightShift = 0;
        }
    }

    /// <summary>Logistic of an input already at the table scale (after multiplier and shift).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short LogisticInt16Scaled(int input)
    {
        // Table steps are 1/24 wide; at the input scale 1/(3*4096) that is 512 units, so the top bits
        // index the table and the low 9 bits interpolate.
        uint magnitude = Magnitude(input);
        uint index = magnitude >> 9;
        uint result;
        if (index >= 255)
        {
            result = 0x7FFFu << 10;
        }
        else
        {
            var table = SigmoidTableQ16;
            uint a = table[(int)index];
            uint b = table[(int)index + 1];
            result = (a << 9) + (magnitude & 0x1FF) * (b - a);
        }
        // sigmoid(-x) = 1 - sigmoid(x); both branches round to nearest before the shift down to Q0.15.
        result = input >= 0 ? result + (1u << 9) : (1u << 25) - result + (1u << 9) - 1;
        return (short)(result >> 10);
    }

    // |x| as the C++ abs() leaves it, without .NET's overflow check (int.MinValue maps to 2^31).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Magnitude(int x) => x < 0 ? unchecked((uint)-x) : (uint)x;

    /// <summary>Tanh of an input already at the table scale: tanh(x) = 2*sigmoid(2x) - 1, read with 8 fractional bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short TanhInt16Scaled(int input)
    {
        uint magnitude = Magnitude(input);
        uint index = magnitude >> 8;
        int result;
        if (index >= 255)
        {
            result = 0xFFFF << 8;
        }
        else
        {
            var table = SigmoidTableQ16;
            uint a = table[(int)index];
            uint b = table[(int)index + 1];
            // The C++ keeps the fraction in a uint8_t and the sum in int32; the same wrap-free values here.
            result = (int)((a << 8) + (magnitude & 0xFF) * (b - a));
        }
        result = input >= 0
            ? result - (1 << 23) + (1 << 7)
            : -result + (1 << 23) + (1 << 7) - 1;
        return (short)(result >> 8);
    }

    /// <summary>
    /// TFLM's CheckedLog2: log2(<paramref name="x"/>) rounded to an integer, computed in float as the C++
    /// does; true when <paramref name="x"/> is a power of two to within 1e-3 in the exponent.
    /// </summary>
    public static bool TryLog2(float x, out int log2)
    {
        float xLog2 = MathF.Log(x) * (1.0f / MathF.Log(2.0f));
        float rounded = MathF.Round(xLog2, MidpointRounding.AwayFromZero);
        log2 = (int)rounded;
        return MathF.Abs(xLog2 - rounded) < 1e-3f;
    }

    /// <summary>
    /// TFLM's CalculateInputRadius: the largest |input| (in input units) that the rescale to a format
    /// with <paramref name="integerBits"/> integer bits cannot overflow; beyond it the activation saturates.
    /// </summary>
    public static int InputRangeRadius(int integerBits, int leftShift, int totalSignedBits = 31)
    {
        double maxInputRescaled = 1.0 * ((1 << integerBits) - 1) * (1L << (totalSignedBits - integerBits)) / (1L << leftShift);
        return (int)Math.Floor(maxInputRescaled);
    }
}
