using System.Numerics;

namespace Muesli.Inference.Features;

/// <summary>
/// Whisper's log-mel front end: periodic Hann(400), 400-point STFT with hop 160, centred with reflect padding of
/// 200 samples each side and the last frame dropped (frames = len / 160), power spectrum, Slaney mel bins (Slaney
/// norm, 0–8000 Hz), log10(max(x, 1e-10)) clamped to (max − 8), then (x + 4) / 4. Output is feature-major [F, T].
/// Frames ride in SIMD lanes as in the other front ends; one instance is not thread-safe.
/// </summary>
public sealed class WhisperMelFrontEnd
{
    public const int SampleRate = 16000;
    public const int FftSize = 400;
    public const int HopLength = 160;

    /// <summary>The 30 s the encoder takes: 3000 frames.</summary>
    public const int ChunkFrames = 3000;

    private const int Padding = FftSize / 2;
    private const float Floor = 1e-10f;
    private const float DynamicRange = 8f;

    private readonly float[] window = Windows.PeriodicHann(FftSize);
    private readonly RealFft fft = new(FftSize);
    private readonly Vector<float>[] frameRows = new Vector<float>[FftSize];
    private readonly Vector<float>[] power = new Vector<float>[(FftSize / 2) + 1];
    private readonly Vector<float>[] mel;

    /// <param name="features">80, or 128 for large-v3.</param>
    public WhisperMelFrontEnd(int features = 80)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        Features = features;
        Filterbank = MelFilterbank.Slaney(SampleRate, FftSize, features, 0, SampleRate / 2);
        mel = new Vector<float>[features];
    }

    public int Features { get; }

    public MelFilterbank Filterbank { get; }

    /// <summary>frames = len / 160: the centred STFT's 1 + len/160 frames without the last one, as Whisper does.</summary>
    public static int FrameCount(int samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        return samples / HopLength;
    }

    /// <summary>Pads with zeros (as Whisper's <c>pad_or_trim</c> pads the mel) or cuts to <paramref name="frames"/> frames.</summary>
    public static FeatureMatrix PadOrTrim(FeatureMatrix mel, int frames = ChunkFrames) => Window(mel, 0, mel.Frames, frames);

    /// <summary>
    /// Frames [<paramref name="first"/>, first + <paramref name="count"/>) of <paramref name="mel"/>, padded with zero
    /// frames (or cut) to <paramref name="frames"/>: openai-whisper's <c>pad_or_trim(mel[:, seek:seek + size])</c>.
    /// </summary>
    public static FeatureMatrix Window(FeatureMatrix mel, int first, int count, int frames = ChunkFrames)
    {
        ArgumentNullException.ThrowIfNull(mel);
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        if (first < 0 || count < 0 || first + count > mel.Frames)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"frames {first}..{first + count} are not within the {mel.Frames} frames of the log-mel");
        }

        var data = new float[mel.Features * frames];
        var kept = Math.Min(frames, count);
        for (var f = 0; f < mel.Features; f++)
        {
            mel.Data.AsSpan((f * mel.Frames) + first, kept).CopyTo(data.AsSpan(f * frames));
        }

        return new FeatureMatrix(data, mel.Features, frames);
    }

    public FeatureMatrix Compute(ReadOnlySpan<float> samples16k)
    {
        using var timing = StageClock.Time(StageClock.Features);
        var frames = FrameCount(samples16k.Length);
        var data = new float[Features * frames];
        if (frames == 0)
        {
            return new FeatureMatrix(data, Features, 0);
        }

        var padded = ReflectPad(samples16k, Padding);
        var lanes = ComplexFft.Lanes;
        var toLog10 = 1f / MathF.Log(10);
        var floor = new Vector<float>(Floor);
        var peak = float.NegativeInfinity;
        for (var first = 0; first < frames; first += lanes)
        {
            var count = Math.Min(lanes, frames - first);
            Framing.Gather(padded, first, count, HopLength, frameRows);
            for (var i = 0; i < FftSize; i++)
            {
                frameRows[i] *= window[i];
            }

            fft.PowerSpectra(frameRows, power);
            Filterbank.Apply(power, mel);
            for (var f = 0; f < Features; f++)
            {
                var values = Vector.Log(Vector.Max(mel[f], floor)) * toLog10;
                var row = data.AsSpan((f * frames) + first, count);
                Framing.Store(values, count, row);
                foreach (var v in row)
                {
                    peak = MathF.Max(peak, v);
                }
            }
        }

        var lowest = peak - DynamicRange;
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (MathF.Max(data[i], lowest) + 4f) / 4f;
        }

        return new FeatureMatrix(data, Features, frames);
    }

    // numpy/torch "reflect": the edge sample is not repeated; a signal shorter than the pad keeps bouncing.
    private static float[] ReflectPad(ReadOnlySpan<float> x, int pad)
    {
        var padded = new float[x.Length + (2 * pad)];
        x.CopyTo(padded.AsSpan(pad));
        for (var i = 0; i < pad; i++)
        {
            padded[i] = x[Reflect(i - pad, x.Length)];
            padded[pad + x.Length + i] = x[Reflect(x.Length + i, x.Length)];
        }

        return padded;
    }

    private static int Reflect(int index, int length)
    {
        if (length == 1)
        {
            return 0;
        }

        var period = 2 * (length - 1);
        var j = ((index % period) + period) % period;
        return j < length ? j : period - j;
    }
}
