using System.Numerics;
using System.Runtime.InteropServices;

namespace Muesli.Inference.Features;

/// <summary>
/// Power spectra |X[k]|², k = 0..N/2, of real frames of even length N. A frame is packed as N/2 complex values
/// (even samples real, odd samples imaginary), transformed by one N/2-point <see cref="ComplexFft"/> and split into
/// the N/2 + 1 bins. Like the complex FFT it works on rows whose lanes are independent frames, so front ends
/// transform <see cref="ComplexFft.Lanes"/> frames per call. One instance is not thread-safe.
/// </summary>
public sealed class RealFft
{
    private readonly ComplexFft half;
    private readonly Vector<float>[] re;
    private readonly Vector<float>[] im;
    private readonly float[] cos;
    private readonly float[] sin;

    public RealFft(int size)
    {
        if (size < 2 || size % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "a real FFT needs an even size of at least 2");
        }

        Size = size;
        half = new ComplexFft(size / 2);
        re = new Vector<float>[size / 2];
        im = new Vector<float>[size / 2];
        cos = new float[Bins];
        sin = new float[Bins];
        for (var k = 0; k < Bins; k++)
        {
            var angle = 2.0 * Math.PI * k / size;
            cos[k] = (float)Math.Cos(angle);
            sin[k] = (float)Math.Sin(angle);
        }
    }

    public int Size { get; }

    /// <summary>N/2 + 1: DC to Nyquist.</summary>
    public int Bins => (Size / 2) + 1;

    /// <summary>
    /// <paramref name="frames"/> holds <see cref="Size"/> rows (row i = sample i of every lane's frame);
    /// <paramref name="power"/> receives <see cref="Bins"/> rows (row k = |X[k]|² of every lane's frame).
    /// </summary>
    public void PowerSpectra(ReadOnlySpan<Vector<float>> frames, Span<Vector<float>> power)
    {
        if (frames.Length != Size || power.Length != Bins)
        {
            throw new ArgumentException($"expected {Size} sample rows and {Bins} power rows, got {frames.Length} and {power.Length}");
        }

        var m = Size / 2;
        for (var n = 0; n < m; n++)
        {
            re[n] = frames[2 * n];
            im[n] = frames[(2 * n) + 1];
        }

        half.Forward(re, im);

        // With Z = FFT(z), z[n] = x[2n] + i·x[2n+1]: X[k] = E[k] + W^k·O[k], where E = (Z[k] + conj Z[m−k]) / 2 is
        // the spectrum of the even samples, O = (Z[k] − conj Z[m−k]) / 2i that of the odd ones, W = e^(−2πi/N).
        for (var k = 0; k <= m; k++)
        {
            var a = k % m;
            var b = (m - k) % m;
            var evenRe = (re[a] + re[b]) * 0.5f;
            var evenIm = (im[a] - im[b]) * 0.5f;
            var oddRe = (im[a] + im[b]) * 0.5f;
            var oddIm = (re[b] - re[a]) * 0.5f;
            var c = cos[k];
            var s = sin[k];
            var xRe = evenRe + (oddRe * c) + (oddIm * s);
            var xIm = evenIm + (oddIm * c) - (oddRe * s);
            power[k] = (xRe * xRe) + (xIm * xIm);
        }
    }

    /// <summary>One frame's power spectrum (it rides in the first lane); convenient, not fast.</summary>
    public void PowerSpectrum(ReadOnlySpan<float> frame, Span<float> power)
    {
        if (frame.Length != Size || power.Length != Bins)
        {
            throw new ArgumentException($"expected {Size} samples and {Bins} bins, got {frame.Length} and {power.Length}");
        }

        var lanes = ComplexFft.Lanes;
        var rows = new Vector<float>[Size];
        var flat = MemoryMarshal.Cast<Vector<float>, float>(rows.AsSpan());
        for (var i = 0; i < Size; i++)
        {
            flat[i * lanes] = frame[i];
        }

        var spectra = new Vector<float>[Bins];
        PowerSpectra(rows, spectra);
        for (var k = 0; k < Bins; k++)
        {
            power[k] = spectra[k][0];
        }
    }
}
