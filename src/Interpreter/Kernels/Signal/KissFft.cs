using System.Runtime.InteropServices;

namespace TinyMl.Interpreter.Kernels.Signal;

/// <summary>A complex value laid out as TFLM's Complex&lt;T&gt; and kiss_fft_cpx: real, then imaginary.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Cpx<T> where T : unmanaged
{
    public T R, I;
    public Cpx(T r, T i) { R = r; I = i; }
}

/// <summary>
/// The scalar arithmetic of one KISS FFT build (v130, as TFLM compiles it): FIXED_POINT=16,
/// FIXED_POINT=32, or float. Fixed-point builds scale every butterfly down by its radix (C_FIXDIV)
/// and round products to nearest; the exact order of these steps is what makes results bit-exact.
/// </summary>
internal interface IKissArithmetic<T> where T : unmanaged
{
    static abstract T Add(T a, T b);
    static abstract T Sub(T a, T b);
    static abstract T Neg(T a);
    /// <summary>S_MUL: a product rounded back to the scalar (fixed) or a plain product (float).</summary>
    static abstract T Mul(T a, T b);
    /// <summary>C_MUL.</summary>
    static abstract Cpx<T> Mul(Cpx<T> a, Cpx<T> b);
    /// <summary>C_FIXDIV: divide by the radix in fixed point, nothing in float.</summary>
    static abstract Cpx<T> FixDiv(Cpx<T> c, int div);
    /// <summary>HALF_OF(a ± b), with the sum formed at C's promoted width before halving.</summary>
    static abstract T HalfOfSum(T a, T b);
    static abstract T HalfOfDifference(T a, T b);
    static abstract T Half(T a);
    /// <summary>kf_cexp: a twiddle factor from its phase.</summary>
    static abstract Cpx<T> Twiddle(double phase);
}

internal readonly struct Fixed16 : IKissArithmetic<short>
{
    // FRACBITS 15, products in int32, sround adds half then shifts; sums wrap to int16 on store.
    private static short Round(int product) => (short)((product + (1 << 14)) >> 15);
    public static short Add(short a, short b) => (short)(a + b);
    public static short Sub(short a, short b) => (short)(a - b);
    public static short Neg(short a) => (short)-a;
    public static short Mul(short a, short b) => Round(a * b);
    public static Cpx<short> Mul(Cpx<short> a, Cpx<short> b) => new(Round(a.R * b.R - a.I * b.I), Round(a.R * b.I + a.I * b.R));
    public static Cpx<short> FixDiv(Cpx<short> c, int div) { short k = (short)(short.MaxValue / div); return new(Round(c.R * k), Round(c.I * k)); }
    public static short HalfOfSum(short a, short b) => (short)((a + b) >> 1);
    public static short HalfOfDifference(short a, short b) => (short)((a - b) >> 1);
    public static short Half(short a) => (short)(a >> 1);
    public static Cpx<short> Twiddle(double phase) =>
        new((short)Math.Floor(.5 + short.MaxValue * Math.Cos(phase)), (short)Math.Floor(.5 + short.MaxValue * Math.Sin(phase)));
}

internal readonly struct Fixed32 : IKissArithmetic<int>
{
    // FRACBITS 31, products in int64; int32 sums wrap (C's promoted width is int32 here).
    private static int Round(long product) => (int)((product + (1L << 30)) >> 31);
    public static int Add(int a, int b) => a + b;
    public static int Sub(int a, int b) => a - b;
    public static int Neg(int a) => -a;
    public static int Mul(int a, int b) => Round((long)a * b);
    public static Cpx<int> Mul(Cpx<int> a, Cpx<int> b) => new(Round((long)a.R * b.R - (long)a.I * b.I), Round((long)a.R * b.I + (long)a.I * b.R));
    public static Cpx<int> FixDiv(Cpx<int> c, int div) { int k = int.MaxValue / div; return new(Round((long)c.R * k), Round((long)c.I * k)); }
    public static int HalfOfSum(int a, int b) => (a + b) >> 1;
    public static int HalfOfDifference(int a, int b) => (a - b) >> 1;
    public static int Half(int a) => a >> 1;
    public static Cpx<int> Twiddle(double phase) =>
        new((int)Math.Floor(.5 + int.MaxValue * Math.Cos(phase)), (int)Math.Floor(.5 + int.MaxValue * Math.Sin(phase)));
}

internal readonly struct Float32 : IKissArithmetic<float>
{
    public static float Add(float a, float b) => a + b;
    public static float Sub(float a, float b) => a - b;
    public static float Neg(float a) => -a;
    public static float Mul(float a, float b) => a * b;
    public static Cpx<float> Mul(Cpx<float> a, Cpx<float> b) => new(a.R * b.R - a.I * b.I, a.R * b.I + a.I * b.R);
    public static Cpx<float> FixDiv(Cpx<float> c, int div) => c;
    // TFLM patches HALF_OF to multiply by a float 0.5, so the arithmetic stays in float.
    public static float HalfOfSum(float a, float b) => (a + b) * .5f;
    public static float HalfOfDifference(float a, float b) => (a - b) * .5f;
    public static float Half(float a) => a * .5f;
    public static Cpx<float> Twiddle(double phase) => new((float)Math.Cos(phase), (float)Math.Sin(phase));
}

/// <summary>
/// KISS FFT v130's mixed-radix complex FFT (radix 4, 2, 3, 5 and generic butterflies) and its
/// real-input wrappers kiss_fftr / kiss_fftri, with the arithmetic of <typeparamref name="TMath"/>.
/// Tables are built once; Forward/Inverse only use the spans they are given (no allocation).
/// </summary>
internal sealed class KissFft<T, TMath> where T : unmanaged where TMath : IKissArithmetic<T>
{
    private readonly int _n; // complex FFT length = real length / 2
    private readonly bool _inverse;
    private readonly Cpx<T>[] _twiddles;
    private readonly Cpx<T>[] _superTwiddles;
    private readonly int[] _factors;

    /// <summary>Tables for a real FFT of <paramref name="realLength"/> (even) points.</summary>
    public KissFft(int realLength, bool inverse)
    {
        if (realLength < 2 || (realLength & 1) != 0) throw new ArgumentException($"a real FFT needs an even length, {realLength} given");
        _n = realLength / 2;
        _inverse = inverse;
        _twiddles = new Cpx<T>[_n];
        for (int i = 0; i < _n; i++)
        {
            double phase = -2 * Math.PI * i / _n;
            if (inverse) phase *= -1;
            _twiddles[i] = TMath.Twiddle(phase);
        }
        _superTwiddles = new Cpx<T>[_n / 2];
        for (int i = 0; i < _n / 2; i++)
        {
            double phase = -Math.PI * ((double)(i + 1) / _n + .5);
            if (inverse) phase *= -1;
            _superTwiddles[i] = TMath.Twiddle(phase);
        }
        _factors = Factor(_n);
        MaxRadix = 0;
        for (int i = 0; i < _factors.Length; i += 2) MaxRadix = Math.Max(MaxRadix, _factors[i]);
    }

    public int ComplexLength => _n;
    /// <summary>Largest radix; the generic butterfly needs that many complex values of scratch.</summary>
    public int MaxRadix { get; }

    // kf_factor: radix 4 first, then 2, then odd numbers; the rest as one generic stage.
    private static int[] Factor(int n)
    {
        var factors = new List<int>();
        int p = 4;
        double floorSqrt = Math.Floor(Math.Sqrt(n));
        do
        {
            while (n % p != 0)
            {
                p = p switch { 4 => 2, 2 => 3, _ => p + 2 };
                if (p > floorSqrt) p = n;
            }
            n /= p;
            factors.Add(p);
            factors.Add(n);
        } while (n > 1);
        return factors.ToArray();
    }

    /// <summary>
    /// kiss_fftr: <paramref name="time"/> (2n reals) to n + 1 bins in <paramref name="freq"/>;
    /// <paramref name="work"/> holds n + MaxRadix complex values.
    /// </summary>
    public void Forward(ReadOnlySpan<T> time, Span<Cpx<T>> freq, Span<Cpx<T>> work)
    {
        var tmp = work[.._n];
        Transform(MemoryMarshal.Cast<T, Cpx<T>>(time[..(2 * _n)]), tmp, work.Slice(_n, MaxRadix));
        var tdc = TMath.FixDiv(tmp[0], 2);
        freq[0] = new(TMath.Add(tdc.R, tdc.I), default);
        freq[_n] = new(TMath.Sub(tdc.R, tdc.I), default);
        for (int k = 1; k <= _n / 2; k++)
        {
            var fpk = TMath.FixDiv(tmp[k], 2);
            var fpnk = TMath.FixDiv(new Cpx<T>(tmp[_n - k].R, TMath.Neg(tmp[_n - k].I)), 2);
            var f1k = new Cpx<T>(TMath.Add(fpk.R, fpnk.R), TMath.Add(fpk.I, fpnk.I));
            var f2k = new Cpx<T>(TMath.Sub(fpk.R, fpnk.R), TMath.Sub(fpk.I, fpnk.I));
            var tw = TMath.Mul(f2k, _superTwiddles[k - 1]);
            freq[k] = new(TMath.HalfOfSum(f1k.R, tw.R), TMath.HalfOfSum(f1k.I, tw.I));
            freq[_n - k] = new(TMath.HalfOfDifference(f1k.R, tw.R), TMath.HalfOfDifference(tw.I, f1k.I));
        }
    }

    /// <summary>kiss_fftri: n + 1 bins to 2n reals; <paramref name="work"/> as for <see cref="Forward"/>.</summary>
    public void Inverse(ReadOnlySpan<Cpx<T>> freq, Span<T> time, Span<Cpx<T>> work)
    {
        var tmp = work[.._n];
        tmp[0] = TMath.FixDiv(new Cpx<T>(TMath.Add(freq[0].R, freq[_n].R), TMath.Sub(freq[0].R, freq[_n].R)), 2);
        for (int k = 1; k <= _n / 2; k++)
        {
            var fk = TMath.FixDiv(freq[k], 2);
            var fnkc = TMath.FixDiv(new Cpx<T>(freq[_n - k].R, TMath.Neg(freq[_n - k].I)), 2);
            var fek = new Cpx<T>(TMath.Add(fk.R, fnkc.R), TMath.Add(fk.I, fnkc.I));
            var diff = new Cpx<T>(TMath.Sub(fk.R, fnkc.R), TMath.Sub(fk.I, fnkc.I));
            var fok = TMath.Mul(diff, _superTwiddles[k - 1]);
            tmp[k] = new(TMath.Add(fek.R, fok.R), TMath.Add(fek.I, fok.I));
            // C computes tmpbuf[n-k].i *= -1 on the difference; negating the stored value is the same.
            tmp[_n - k] = new(TMath.Sub(fek.R, fok.R), TMath.Neg(TMath.Sub(fek.I, fok.I)));
        }
        Transform(tmp, MemoryMarshal.Cast<T, Cpx<T>>(time[..(2 * _n)]), work.Slice(_n, MaxRadix));
    }

    private void Transform(ReadOnlySpan<Cpx<T>> input, Span<Cpx<T>> output, Span<Cpx<T>> scratch) =>
        Work(output, 0, input, 0, 1, 0, scratch);

    // kf_work: p decimated sub-FFTs of length m, then one butterfly pass of radix p.
    private void Work(Span<Cpx<T>> fout, int outStart, ReadOnlySpan<Cpx<T>> f, int fIndex, int fstride, int factor, Span<Cpx<T>> scratch)
    {
        int p = _factors[factor], m = _factors[factor + 1];
        int end = outStart + p * m;
        if (m == 1)
        {
            for (int o = outStart; o < end; o++, fIndex += fstride)
                fout[o] = f[fIndex];
        }
        else
        {
            for (int o = outStart; o < end; o += m, fIndex += fstride)
                Work(fout, o, f, fIndex, fstride * p, factor + 2, scratch);
        }
        var block = fout.Slice(outStart, p * m);
        switch (p)
        {
            case 2: Butterfly2(block, fstride, m); break;
            case 3: Butterfly3(block, fstride, m); break;
            case 4: Butterfly4(block, fstride, m); break;
            case 5: Butterfly5(block, fstride, m); break;
            default: ButterflyGeneric(block, fstride, m, p, scratch); break;
        }
    }

    private static Cpx<T> Add(Cpx<T> a, Cpx<T> b) => new(TMath.Add(a.R, b.R), TMath.Add(a.I, b.I));
    private static Cpx<T> Sub(Cpx<T> a, Cpx<T> b) => new(TMath.Sub(a.R, b.R), TMath.Sub(a.I, b.I));

    private void Butterfly2(Span<Cpx<T>> fout, int fstride, int m)
    {
        for (int k = 0; k < m; k++)
        {
            var a = TMath.FixDiv(fout[k], 2);
            var b = TMath.FixDiv(fout[k + m], 2);
            var t = TMath.Mul(b, _twiddles[k * fstride]);
            fout[k + m] = Sub(a, t);
            fout[k] = Add(a, t);
        }
    }

    private void Butterfly4(Span<Cpx<T>> fout, int fstride, int m)
    {
        for (int k = 0; k < m; k++)
        {
            var f0 = TMath.FixDiv(fout[k], 4);
            var s0 = TMath.Mul(TMath.FixDiv(fout[k + m], 4), _twiddles[k * fstride]);
            var s1 = TMath.Mul(TMath.FixDiv(fout[k + 2 * m], 4), _twiddles[2 * k * fstride]);
            var s2 = TMath.Mul(TMath.FixDiv(fout[k + 3 * m], 4), _twiddles[3 * k * fstride]);
            var s5 = Sub(f0, s1);
            f0 = Add(f0, s1);
            var s3 = Add(s0, s2);
            var s4 = Sub(s0, s2);
            fout[k + 2 * m] = Sub(f0, s3);
            fout[k] = Add(f0, s3);
            if (_inverse)
            {
                fout[k + m] = new(TMath.Sub(s5.R, s4.I), TMath.Add(s5.I, s4.R));
                fout[k + 3 * m] = new(TMath.Add(s5.R, s4.I), TMath.Sub(s5.I, s4.R));
            }
            else
            {
                fout[k + m] = new(TMath.Add(s5.R, s4.I), TMath.Sub(s5.I, s4.R));
                fout[k + 3 * m] = new(TMath.Sub(s5.R, s4.I), TMath.Add(s5.I, s4.R));
            }
        }
    }

    private void Butterfly3(Span<Cpx<T>> fout, int fstride, int m)
    {
        var epi3 = _twiddles[fstride * m];
        for (int k = 0; k < m; k++)
        {
            var f0 = TMath.FixDiv(fout[k], 3);
            var s1 = TMath.Mul(TMath.FixDiv(fout[k + m], 3), _twiddles[k * fstride]);
            var s2 = TMath.Mul(TMath.FixDiv(fout[k + 2 * m], 3), _twiddles[2 * k * fstride]);
            var s3 = Add(s1, s2);
            var s0 = Sub(s1, s2);
            var fm = new Cpx<T>(TMath.Sub(f0.R, TMath.Half(s3.R)), TMath.Sub(f0.I, TMath.Half(s3.I)));
            s0 = new(TMath.Mul(s0.R, epi3.I), TMath.Mul(s0.I, epi3.I));
            fout[k] = Add(f0, s3);
            fout[k + 2 * m] = new(TMath.Add(fm.R, s0.I), TMath.Sub(fm.I, s0.R));
            fout[k + m] = new(TMath.Sub(fm.R, s0.I), TMath.Add(fm.I, s0.R));
        }
    }

    private void Butterfly5(Span<Cpx<T>> fout, int fstride, int m)
    {
        var ya = _twiddles[fstride * m];
        var yb = _twiddles[fstride * 2 * m];
        for (int u = 0; u < m; u++)
        {
            var s0 = TMath.FixDiv(fout[u], 5);
            var s1 = TMath.Mul(TMath.FixDiv(fout[u + m], 5), _twiddles[u * fstride]);
            var s2 = TMath.Mul(TMath.FixDiv(fout[u + 2 * m], 5), _twiddles[2 * u * fstride]);
            var s3 = TMath.Mul(TMath.FixDiv(fout[u + 3 * m], 5), _twiddles[3 * u * fstride]);
            var s4 = TMath.Mul(TMath.FixDiv(fout[u + 4 * m], 5), _twiddles[4 * u * fstride]);
            var s7 = Add(s1, s4);
            var s10 = Sub(s1, s4);
            var s8 = Add(s2, s3);
            var s9 = Sub(s2, s3);
            fout[u] = new(TMath.Add(s0.R, TMath.Add(s7.R, s8.R)), TMath.Add(s0.I, TMath.Add(s7.I, s8.I)));
            var s5 = new Cpx<T>(
                TMath.Add(TMath.Add(s0.R, TMath.Mul(s7.R, ya.R)), TMath.Mul(s8.R, yb.R)),
                TMath.Add(TMath.Add(s0.I, TMath.Mul(s7.I, ya.R)), TMath.Mul(s8.I, yb.R)));
            var s6 = new Cpx<T>(
                TMath.Add(TMath.Mul(s10.I, ya.I), TMath.Mul(s9.I, yb.I)),
                TMath.Sub(TMath.Neg(TMath.Mul(s10.R, ya.I)), TMath.Mul(s9.R, yb.I)));
            fout[u + m] = Sub(s5, s6);
            fout[u + 4 * m] = Add(s5, s6);
            var s11 = new Cpx<T>(
                TMath.Add(TMath.Add(s0.R, TMath.Mul(s7.R, yb.R)), TMath.Mul(s8.R, ya.R)),
                TMath.Add(TMath.Add(s0.I, TMath.Mul(s7.I, yb.R)), TMath.Mul(s8.I, ya.R)));
            var s12 = new Cpx<T>(
                TMath.Add(TMath.Neg(TMath.Mul(s10.I, yb.I)), TMath.Mul(s9.I, ya.I)),
                TMath.Sub(TMath.Mul(s10.R, yb.I), TMath.Mul(s9.R, ya.I)));
            fout[u + 2 * m] = Add(s11, s12);
            fout[u + 3 * m] = Sub(s11, s12);
        }
    }

    private void ButterflyGeneric(Span<Cpx<T>> fout, int fstride, int m, int p, Span<Cpx<T>> scratch)
    {
        for (int u = 0; u < m; u++)
        {
            for (int q1 = 0, k = u; q1 < p; q1++, k += m)
                scratch[q1] = TMath.FixDiv(fout[k], p);
            for (int q1 = 0, k = u; q1 < p; q1++, k += m)
            {
                int twidx = 0;
                var sum = scratch[0];
                for (int q = 1; q < p; q++)
                {
                    twidx += fstride * k;
                    if (twidx >= _n) twidx -= _n;
                    sum = Add(sum, TMath.Mul(scratch[q], _twiddles[twidx]));
                }
                fout[k] = sum;
            }
        }
    }
}
