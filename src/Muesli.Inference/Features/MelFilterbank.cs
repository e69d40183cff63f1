using System.Numerics;

namespace Muesli.Inference.Features;

/// <summary>
/// Triangular mel filters over the N/2 + 1 bins of an N-point FFT, stored sparsely: each filter keeps its first
/// non-zero bin and the weights from there to its last non-zero bin, so a projection touches only those bins.
/// </summary>
public sealed class MelFilterbank
{
    private readonly int[] firstBins;
    private readonly float[][] weights;
    private readonly double[] centresHz;

    private MelFilterbank(int bins, int[] firstBins, float[][] weights, double[] centresHz)
    {
        Bins = bins;
        this.firstBins = firstBins;
        this.weights = weights;
        this.centresHz = centresHz;
    }

    public int Filters => weights.Length;

    public int Bins { get; }

    /// <summary>
    /// librosa's <c>filters.mel(htk=False, norm='slaney')</c>: filter edges evenly spaced on the Slaney scale between
    /// <paramref name="lowHz"/> and <paramref name="highHz"/>, each triangle scaled to unit area, 2 / (f_right − f_left).
    /// </summary>
    public static MelFilterbank Slaney(int sampleRate, int fftSize, int filters, double lowHz, double highHz)
    {
        var bins = (fftSize / 2) + 1;
        var lowMel = MelScale.SlaneyFromHz(lowHz);
        var highMel = MelScale.SlaneyFromHz(highHz);
        var edges = new double[filters + 2];
        for (var i = 0; i < edges.Length; i++)
        {
            edges[i] = MelScale.SlaneyToHz(lowMel + ((highMel - lowMel) * i / (filters + 1)));
        }

        var centres = edges[1..^1];
        return Build(bins, centres, (filter, bin) =>
        {
            var hz = (double)bin * sampleRate / fftSize;
            var (left, centre, right) = (edges[filter], edges[filter + 1], edges[filter + 2]);
            var rising = (hz - left) / (centre - left);
            var falling = (right - hz) / (right - centre);
            return Math.Max(0, Math.Min(rising, falling)) * 2 / (right - left);
        });
    }

    /// <summary>
    /// Kaldi's <c>MelBanks</c>: triangles evenly spaced on the 1127·ln(1 + f/700) scale between
    /// <paramref name="lowHz"/> and <paramref name="highHz"/>, peak 1, defined on the mel value of each bin, over bins
    /// 0..N/2 − 1 (the Nyquist bin gets no weight, as in Kaldi).
    /// </summary>
    public static MelFilterbank Kaldi(int sampleRate, int fftSize, int filters, double lowHz, double highHz)
    {
        var bins = (fftSize / 2) + 1;
        var lowMel = MelScale.KaldiFromHz(lowHz);
        var highMel = MelScale.KaldiFromHz(highHz);
        var delta = (highMel - lowMel) / (filters + 1);
        var centres = Enumerable.Range(1, filters).Select(i => MelScale.KaldiToHz(lowMel + (i * delta))).ToArray();
        return Build(bins, centres, (filter, bin) =>
        {
            if (bin == bins - 1)
            {
                return 0;
            }

            var mel = MelScale.KaldiFromHz((double)bin * sampleRate / fftSize);
            var left = lowMel + (filter * delta);
            var centre = left + delta;
            var right = centre + delta;
            if (mel <= left || mel >= right)
            {
                return 0;
            }

            return mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre);
        });
    }

    /// <summary>The filter's weight at an FFT bin (0 outside its support).</summary>
    public float Weight(int filter, int bin)
    {
        var offset = bin - firstBins[filter];
        var w = weights[filter];
        return offset >= 0 && offset < w.Length ? w[offset] : 0f;
    }

    /// <summary>The frequency at the filter's peak.</summary>
    public double CentreHz(int filter) => centresHz[filter];

    /// <summary>The first bin where the filter is non-zero.</summary>
    public int FirstBin(int filter) => firstBins[filter];

    /// <summary>The filter's weights from <see cref="FirstBin"/> to its last non-zero bin.</summary>
    public ReadOnlySpan<float> Weights(int filter) => weights[filter];

    /// <summary>mel[f] = Σ_k weight(f, k)·power[k], for every lane at once.</summary>
    public void Apply(ReadOnlySpan<Vector<float>> power, Span<Vector<float>> mel)
    {
        if (power.Length != Bins || mel.Length != Filters)
        {
            throw new ArgumentException($"expected {Bins} power rows and {Filters} mel rows, got {power.Length} and {mel.Length}");
        }

        for (var f = 0; f < weights.Length; f++)
        {
            var w = weights[f];
            var band = power.Slice(firstBins[f], w.Length);
            var sum = Vector<float>.Zero;
            for (var j = 0; j < w.Length; j++)
            {
                sum += band[j] * w[j];
            }

            mel[f] = sum;
        }
    }

    private static MelFilterbank Build(int bins, double[] centresHz, Func<int, int, double> weight)
    {
        var filters = centresHz.Length;
        var firstBins = new int[filters];
        var weights = new float[filters][];
        var dense = new float[bins];
        for (var f = 0; f < filters; f++)
        {
            for (var k = 0; k < bins; k++)
            {
                dense[k] = (float)weight(f, k);
            }

            var first = Array.FindIndex(dense, w => w != 0);
            if (first < 0)
            {
                weights[f] = [];
                continue;
            }

            var last = Array.FindLastIndex(dense, w => w != 0);
            firstBins[f] = first;
            weights[f] = dense[first..(last + 1)];
        }

        return new MelFilterbank(bins, firstBins, weights, centresHz);
    }
}
