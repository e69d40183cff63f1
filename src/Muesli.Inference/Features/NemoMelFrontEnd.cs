using System.Numerics;

namespace Muesli.Inference.Features;

/// <summary>
/// The NeMo log-mel front end of spec/models.md: pre-emphasis 0.97, symmetric Hann(400) in a 512-point centred
/// STFT with hop 160, power spectrum, Slaney mel filterbank (Slaney norm, 0–8000 Hz), log(x + 2^-24), per-feature
/// normalisation over the frames (std with N−1, + 1e-5). Vectorised; one instance is not thread-safe.
/// </summary>
/// <remarks>
/// The STFT pads n_fft/2 zeros each side: spec/models.md, and current NeMo's <c>FilterbankFeatures</c>, which calls
/// <c>torch.stft(center=True, pad_mode="constant")</c> (older NeMo releases left torch's default reflect padding,
/// which changes only the first and last two frames). Frames are transformed <see cref="ComplexFft.Lanes"/> at a
/// time, one per SIMD lane, so windowing, FFT, power and the mel projection are all vector operations.
/// The valid frames are NeMo's <c>get_seq_len</c>, len / 160: the centred STFT has one frame more, which NeMo masks
/// out of the normalisation and the encoder's <c>length</c>, so it is not computed. Audio under 160 samples has no
/// frame. A single frame has no N−1 spread; it normalises to zeros rather than NeMo's NaN.
/// </remarks>
public sealed class NemoMelFrontEnd
{
    public const int SampleRate = 16000;
    public const int WindowLength = 400;
    public const int HopLength = 160;
    public const int FftSize = 512;
    public const float PreEmphasis = 0.97f;

    private const int Padding = FftSize / 2;

    // torch.stft centres a window shorter than n_fft in the frame.
    private const int WindowOffset = (FftSize - WindowLength) / 2;
    private const float LogGuard = 5.9604645e-8f; // 2^-24
    private const float NormalizationEpsilon = 1e-5f;

    private readonly float[] window = Windows.SymmetricHann(WindowLength);
    private readonly RealFft fft = new(FftSize);
    private readonly Vector<float>[] frameRows = new Vector<float>[FftSize];
    private readonly Vector<float>[] power = new Vector<float>[(FftSize / 2) + 1];
    private readonly Vector<float>[] mel;

    /// <param name="features">Mel bins: 128 for Parakeet, 80 for most other NeMo models (dim 1 of the encoder input).</param>
    /// <param name="normalize">Per-feature normalisation, as the ASR encoders take it; Sortformer takes the raw log-mel.</param>
    public NemoMelFrontEnd(int features, bool normalize = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        Features = features;
        Normalize = normalize;
        Filterbank = MelFilterbank.Slaney(SampleRate, FftSize, features, 0, SampleRate / 2);
        mel = new Vector<float>[features];
    }

    public int Features { get; }

    public bool Normalize { get; }

    public MelFilterbank Filterbank { get; }

    /// <summary>Valid frames, NeMo's <c>get_seq_len</c>: floor((len + 2·256 − 512) / 160), with no + 1.</summary>
    public static int FrameCount(int samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        return (samples + (2 * Padding) - FftSize) / HopLength;
    }

    public FeatureMatrix Compute(ReadOnlySpan<float> samples16k)
    {
        using var timing = StageClock.Time(StageClock.Features);
        var frames = FrameCount(samples16k.Length);
        var padded = new float[samples16k.Length + (2 * Padding)];
        ApplyPreEmphasis(samples16k, padded.AsSpan(Padding, samples16k.Length));

        var data = new float[Features * frames];
        var lanes = ComplexFft.Lanes;
        var windowRows = frameRows.AsSpan(WindowOffset, WindowLength);
        for (var first = 0; first < frames; first += lanes)
        {
            var count = Math.Min(lanes, frames - first);
            Framing.Gather(padded.AsSpan(WindowOffset), first, count, HopLength, windowRows);
            for (var i = 0; i < WindowLength; i++)
            {
                windowRows[i] *= window[i];
            }

            fft.PowerSpectra(frameRows, power);
            Filterbank.Apply(power, mel);
            for (var f = 0; f < Features; f++)
            {
                Framing.Store(Vector.Log(mel[f] + new Vector<float>(LogGuard)), count, data.AsSpan((f * frames) + first));
            }
        }

        if (Normalize)
        {
            FeatureNormalization.PerFeature(data, Features, frames, NormalizationEpsilon);
        }

        return new FeatureMatrix(data, Features, frames);
    }

    /// <summary>y[0] = x[0], y[n] = x[n] − 0.97·x[n−1] over the whole signal, as NeMo does before framing.</summary>
    private static void ApplyPreEmphasis(ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.IsEmpty)
        {
            return;
        }

        y[0] = x[0];
        var lanes = Vector<float>.Count;
        var n = 1;
        for (; n <= x.Length - lanes; n += lanes)
        {
            (new Vector<float>(x[n..]) - (new Vector<float>(x[(n - 1)..]) * PreEmphasis)).CopyTo(y[n..]);
        }

        for (; n < x.Length; n++)
        {
            y[n] = x[n] - (PreEmphasis * x[n - 1]);
        }
    }
}
