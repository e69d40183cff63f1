using System.Numerics;

namespace Muesli.Inference.Features;

/// <summary>The analysis window of Kaldi's fbank: "povey" is Kaldi's default, the WeSpeaker/pyannote recipe uses Hamming.</summary>
public enum KaldiWindow
{
    Hamming,
    Povey,
}

/// <summary>How the speaker-embedding models want their fbank (spec/models.md "Speaker embeddings").</summary>
public sealed record KaldiFbankOptions
{
    /// <summary>WeSpeaker ResNet34 (pyannote recipe): Hamming window, 16-bit scale, mean over time removed.</summary>
    public static readonly KaldiFbankOptions WeSpeaker = new() { Window = KaldiWindow.Hamming, InputScale = 32768, SubtractMean = true };

    /// <summary>3D-Speaker CAM++: torchaudio's Kaldi defaults (povey window), samples as they are, mean removed.</summary>
    public static readonly KaldiFbankOptions CamPlusPlus = new() { Window = KaldiWindow.Povey, InputScale = 1, SubtractMean = true };

    public KaldiWindow Window { get; init; } = KaldiWindow.Hamming;

    /// <summary>Multiplies the [-1, 1] samples first: 32768 for models trained on 16-bit integer waveforms.</summary>
    public float InputScale { get; init; } = 1;

    /// <summary>Per-utterance CMN: subtract each feature's mean over the frames.</summary>
    public bool SubtractMean { get; init; }

    public int MelBins { get; init; } = 80;
}

/// <summary>
/// Kaldi-compatible fbank at 16 kHz: 25 ms frames every 10 ms with snip_edges (no padding), DC offset removed per
/// frame, Kaldi pre-emphasis 0.97, a Hamming or povey window, 512-point power spectrum, triangular bins on Kaldi's
/// mel scale from 20 Hz to Nyquist, natural log floored at float epsilon; no dither, no energy. Output is time-major
/// [T, MelBins]. Frames ride in SIMD lanes as in the other front ends; one instance is not thread-safe.
/// </summary>
public sealed class KaldiFbankFrontEnd
{
    public const int SampleRate = 16000;
    public const int FrameLength = 400;
    public const int FrameShift = 160;
    public const int FftSize = 512;
    public const float PreEmphasis = 0.97f;
    public const double LowHz = 20;

    // Kaldi floors at std::numeric_limits<float>::epsilon() (2^-23), not at C#'s float.Epsilon (the smallest denormal).
    private const float EnergyFloor = 1.1920929e-7f;

    private readonly float[] window;
    private readonly RealFft fft = new(FftSize);
    private readonly Vector<float>[] frameRows = new Vector<float>[FftSize];
    private readonly Vector<float>[] power = new Vector<float>[(FftSize / 2) + 1];
    private readonly Vector<float>[] mel;

    public KaldiFbankFrontEnd(KaldiFbankOptions? options = null)
    {
        Options = options ?? new KaldiFbankOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MelBins, 1);
        window = Options.Window == KaldiWindow.Povey ? Windows.Povey(FrameLength) : Windows.Hamming(FrameLength);
        Filterbank = MelFilterbank.Kaldi(SampleRate, FftSize, Options.MelBins, LowHz, SampleRate / 2);
        mel = new Vector<float>[Options.MelBins];
    }

    public KaldiFbankOptions Options { get; }

    public MelFilterbank Filterbank { get; }

    public ReadOnlySpan<float> Window => window;

    /// <summary>snip_edges: frames = 1 + (len − 400) / 160, or 0 when shorter than one frame.</summary>
    public static int FrameCount(int samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        return samples < FrameLength ? 0 : 1 + ((samples - FrameLength) / FrameShift);
    }

    public TimeMajorFeatures Compute(ReadOnlySpan<float> samples16k)
    {
        using var timing = StageClock.Time(StageClock.Features);
        var frames = FrameCount(samples16k.Length);
        var bins = Options.MelBins;
        var data = new float[frames * bins];
        var lanes = ComplexFft.Lanes;
        var rows = frameRows.AsSpan(0, FrameLength);
        var floor = new Vector<float>(EnergyFloor);
        for (var first = 0; first < frames; first += lanes)
        {
            var count = Math.Min(lanes, frames - first);
            Framing.Gather(samples16k, first, count, FrameShift, rows);
            PrepareFrames(rows);
            fft.PowerSpectra(frameRows, power);
            Filterbank.Apply(power, mel);
            for (var f = 0; f < bins; f++)
            {
                var values = Vector.Log(Vector.Max(mel[f], floor));
                for (var lane = 0; lane < count; lane++)
                {
                    data[((first + lane) * bins) + f] = values[lane];
                }
            }
        }

        if (Options.SubtractMean)
        {
            FeatureNormalization.SubtractMeanOverTime(data, bins, frames);
        }

        return new TimeMajorFeatures(data, frames, bins);
    }

    // Kaldi's ProcessWindow for every lane at once: scale, remove the DC offset, pre-emphasise, window.
    private void PrepareFrames(Span<Vector<float>> rows)
    {
        var sum = Vector<float>.Zero;
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] *= Options.InputScale;
            sum += rows[i];
        }

        var mean = sum / rows.Length;
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] -= mean;
        }

        for (var i = rows.Length - 1; i > 0; i--)
        {
            rows[i] -= rows[i - 1] * PreEmphasis;
        }

        rows[0] -= rows[0] * PreEmphasis;
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] *= window[i];
        }
    }
}
