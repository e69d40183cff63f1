using System.Numerics;

namespace Muesli.Inference.Features;

/// <summary>
/// A forward complex FFT of any size: mixed radix (4, 2, then odd primes) in Stockham autosort form, so the output
/// comes out in natural order without a bit-reversal pass. Signals are split rows of real and imaginary parts, and
/// each row is a <see cref="Vector{T}"/> whose lanes carry <see cref="Lanes"/> independent signals: one call
/// transforms that many signals and every butterfly is a vector operation. Twiddles are computed in double and
/// stored as float. One instance is not thread-safe (it owns its scratch rows).
/// </summary>
public sealed class ComplexFft
{
    private readonly Stage[] stages;
    private readonly Vector<float>[] scratchRe;
    private readonly Vector<float>[] scratchIm;

    public ComplexFft(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
        stages = Plan(size);
        scratchRe = new Vector<float>[size];
        scratchIm = new Vector<float>[size];
    }

    /// <summary>How many signals one call transforms: the SIMD width of this machine in floats.</summary>
    public static int Lanes => Vector<float>.Count;

    public int Size { get; }

    /// <summary>The radices of the stages, in the order they run (e.g. 4, 4, 4, 4 for 256; 4, 2, 5, 5 for 200).</summary>
    public IReadOnlyList<int> Radices => stages.Select(s => s.Radix).ToArray();

    /// <summary>Replaces each lane's signal in <paramref name="re"/>, <paramref name="im"/> by its DFT
    /// X[k] = Σ x[n]·e^(−2πi·kn/N).</summary>
    public void Forward(Span<Vector<float>> re, Span<Vector<float>> im)
    {
        if (re.Length != Size || im.Length != Size)
        {
            throw new ArgumentException($"expected {Size} rows of real and imaginary parts, got {re.Length} and {im.Length}");
        }

        var inWork = false;
        foreach (var stage in stages)
        {
            if (inWork)
            {
                stage.Run(scratchRe, scratchIm, re, im);
            }
            else
            {
                stage.Run(re, im, scratchRe, scratchIm);
            }

            inWork = !inWork;
        }

        if (inWork)
        {
            scratchRe.CopyTo(re);
            scratchIm.CopyTo(im);
        }
    }

    private static Stage[] Plan(int size)
    {
        var stages = new List<Stage>();
        var length = size;
        var stride = 1;
        foreach (var radix in Factor(size))
        {
            stages.Add(new Stage(radix, length, stride));
            length /= radix;
            stride *= radix;
        }

        return [.. stages];
    }

    private static List<int> Factor(int n)
    {
        var factors = new List<int>();
        while (n % 4 == 0)
        {
            factors.Add(4);
            n /= 4;
        }

        while (n % 2 == 0)
        {
            factors.Add(2);
            n /= 2;
        }

        for (var f = 3; f * f <= n; f += 2)
        {
            while (n % f == 0)
            {
                factors.Add(f);
                n /= f;
            }
        }

        if (n > 1)
        {
            factors.Add(n);
        }

        return factors;
    }

    /// <summary>
    /// One Stockham pass. It sees <c>stride</c> interleaved sequences of <c>length</c> points (element i of
    /// sequence q at q + stride·i), splits each into <c>radix</c> decimated-in-frequency sequences of
    /// length/radix points and writes them interleaved with stride·radix.
    /// </summary>
    private sealed class Stage
    {
        private readonly int quotient;
        private readonly int stride;
        private readonly float[] twiddleRe;
        private readonly float[] twiddleIm;
        private readonly float[] rootRe;
        private readonly float[] rootIm;
        private readonly Vector<float>[] legRe;
        private readonly Vector<float>[] legIm;

        public Stage(int radix, int length, int stride)
        {
            Radix = radix;
            this.stride = stride;
            quotient = length / radix;

            // W_length^(j·p) for j = 1..radix−1, p = 0..quotient−1, at [(j − 1)·quotient + p].
            twiddleRe = new float[(radix - 1) * quotient];
            twiddleIm = new float[(radix - 1) * quotient];
            for (var j = 1; j < radix; j++)
            {
                for (var p = 0; p < quotient; p++)
                {
                    var angle = -2.0 * Math.PI * ((long)j * p % length) / length;
                    twiddleRe[((j - 1) * quotient) + p] = (float)Math.Cos(angle);
                    twiddleIm[((j - 1) * quotient) + p] = (float)Math.Sin(angle);
                }
            }

            // W_radix^r for the generic butterfly.
            rootRe = new float[radix];
            rootIm = new float[radix];
            for (var r = 0; r < radix; r++)
            {
                var angle = -2.0 * Math.PI * r / radix;
                rootRe[r] = (float)Math.Cos(angle);
                rootIm[r] = (float)Math.Sin(angle);
            }

            legRe = new Vector<float>[radix];
            legIm = new Vector<float>[radix];
        }

        public int Radix { get; }

        public void Run(ReadOnlySpan<Vector<float>> xRe, ReadOnlySpan<Vector<float>> xIm, Span<Vector<float>> yRe, Span<Vector<float>> yIm)
        {
            switch (Radix)
            {
                case 2:
                    Radix2(xRe, xIm, yRe, yIm);
                    break;
                case 4:
                    Radix4(xRe, xIm, yRe, yIm);
                    break;
                default:
                    Generic(xRe, xIm, yRe, yIm);
                    break;
            }
        }

        private void Radix2(ReadOnlySpan<Vector<float>> xRe, ReadOnlySpan<Vector<float>> xIm, Span<Vector<float>> yRe, Span<Vector<float>> yIm)
        {
            var m = quotient;
            var s = stride;
            for (var p = 0; p < m; p++)
            {
                var wr = twiddleRe[p];
                var wi = twiddleIm[p];
                var in0 = s * p;
                var in1 = s * (p + m);
                var out0 = s * 2 * p;
                var out1 = out0 + s;
                for (var q = 0; q < s; q++)
                {
                    var ar = xRe[in0 + q];
                    var ai = xIm[in0 + q];
                    var br = xRe[in1 + q];
                    var bi = xIm[in1 + q];
                    yRe[out0 + q] = ar + br;
                    yIm[out0 + q] = ai + bi;
                    var dr = ar - br;
                    var di = ai - bi;
                    yRe[out1 + q] = (dr * wr) - (di * wi);
                    yIm[out1 + q] = (dr * wi) + (di * wr);
                }
            }
        }

        private void Radix4(ReadOnlySpan<Vector<float>> xRe, ReadOnlySpan<Vector<float>> xIm, Span<Vector<float>> yRe, Span<Vector<float>> yIm)
        {
            var m = quotient;
            var s = stride;
            for (var p = 0; p < m; p++)
            {
                var w1r = twiddleRe[p];
                var w1i = twiddleIm[p];
                var w2r = twiddleRe[m + p];
                var w2i = twiddleIm[m + p];
                var w3r = twiddleRe[(2 * m) + p];
                var w3i = twiddleIm[(2 * m) + p];
                var in0 = s * p;
                var in1 = s * (p + m);
                var in2 = s * (p + (2 * m));
                var in3 = s * (p + (3 * m));
                var out0 = s * 4 * p;
                for (var q = 0; q < s; q++)
                {
                    var a0r = xRe[in0 + q];
                    var a0i = xIm[in0 + q];
                    var a1r = xRe[in1 + q];
                    var a1i = xIm[in1 + q];
                    var a2r = xRe[in2 + q];
                    var a2i = xIm[in2 + q];
                    var a3r = xRe[in3 + q];
                    var a3i = xIm[in3 + q];

                    var t0r = a0r + a2r;
                    var t0i = a0i + a2i;
                    var t1r = a0r - a2r;
                    var t1i = a0i - a2i;
                    var t2r = a1r + a3r;
                    var t2i = a1i + a3i;

                    // (a1 − a3)·(−i)
                    var t3r = a1i - a3i;
                    var t3i = a3r - a1r;

                    var o = out0 + q;
                    yRe[o] = t0r + t2r;
                    yIm[o] = t0i + t2i;

                    var b1r = t1r + t3r;
                    var b1i = t1i + t3i;
                    yRe[o + s] = (b1r * w1r) - (b1i * w1i);
                    yIm[o + s] = (b1r * w1i) + (b1i * w1r);

                    var b2r = t0r - t2r;
                    var b2i = t0i - t2i;
                    yRe[o + (2 * s)] = (b2r * w2r) - (b2i * w2i);
                    yIm[o + (2 * s)] = (b2r * w2i) + (b2i * w2r);

                    var b3r = t1r - t3r;
                    var b3i = t1i - t3i;
                    yRe[o + (3 * s)] = (b3r * w3r) - (b3i * w3i);
                    yIm[o + (3 * s)] = (b3r * w3i) + (b3i * w3r);
                }
            }
        }

        private void Generic(ReadOnlySpan<Vector<float>> xRe, ReadOnlySpan<Vector<float>> xIm, Span<Vector<float>> yRe, Span<Vector<float>> yIm)
        {
            var r = Radix;
            var m = quotient;
            var s = stride;
            for (var p = 0; p < m; p++)
            {
                for (var q = 0; q < s; q++)
                {
                    for (var k = 0; k < r; k++)
                    {
                        legRe[k] = xRe[q + (s * (p + (k * m)))];
                        legIm[k] = xIm[q + (s * (p + (k * m)))];
                    }

                    for (var j = 0; j < r; j++)
                    {
                        var sumRe = legRe[0];
                        var sumIm = legIm[0];
                        for (var k = 1; k < r; k++)
                        {
                            var root = j * k % r;
                            var cr = rootRe[root];
                            var ci = rootIm[root];
                            sumRe += (legRe[k] * cr) - (legIm[k] * ci);
                            sumIm += (legRe[k] * ci) + (legIm[k] * cr);
                        }

                        var o = q + (s * ((r * p) + j));
                        if (j == 0)
                        {
                            yRe[o] = sumRe;
                            yIm[o] = sumIm;
                        }
                        else
                        {
                            var wr = twiddleRe[((j - 1) * m) + p];
                            var wi = twiddleIm[((j - 1) * m) + p];
                            yRe[o] = (sumRe * wr) - (sumIm * wi);
                            yIm[o] = (sumRe * wi) + (sumIm * wr);
                        }
                    }
                }
            }
        }
    }
}
