using System.Numerics;
using System.Runtime.InteropServices;
using Muesli.Inference.Features;

namespace Muesli.Inference.Vad;

/// <summary>The numbers of <see cref="EnergyVoiceDetector"/>.</summary>
public sealed record EnergyDetectorOptions
{
    public static readonly EnergyDetectorOptions Default = new();

    /// <summary>A frame is speech when some band rises this far over that band's noise floor in the window.</summary>
    public double MarginDb { get; init; } = 9;

    /// <summary>Share of the window's sounding frames a band's noise floor is read from (its low percentile).</summary>
    public double FloorPercentile { get; init; } = 0.1;

    /// <summary>Frames quieter than this (dBFS) are digital silence: never speech.</summary>
    public double DigitalSilenceDb { get; init; } = -100;

    /// <summary>
    /// No band's floor is set lower than its share of white noise at this level (dBFS), so speech still stands out of a
    /// window that is otherwise digital silence, and noise a few dB under it never does.
    /// </summary>
    public double MinFloorDb { get; init; } = -60;

    /// <summary>Frames at least this long under the margin end a stretch of speech.</summary>
    public double MinSilenceSeconds { get; init; } = 0.3;

    /// <summary>Stretches of speech shorter than this are dropped (a click, a cough).</summary>
    public double MinSpeechSeconds { get; init; } = 0.1;

    /// <summary>Throws naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(MarginDb > 0 && double.IsFinite(MarginDb)))
        {
            throw new ArgumentOutOfRangeException(nameof(MarginDb), MarginDb, "the margin must be a positive number of dB");
        }

        if (!(FloorPercentile is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(FloorPercentile), FloorPercentile, "the floor percentile must be in [0, 1)");
        }

        if (!double.IsFinite(DigitalSilenceDb) || DigitalSilenceDb >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DigitalSilenceDb), DigitalSilenceDb, "digital silence must be a finite level under 0 dBFS");
        }

        if (!double.IsFinite(MinFloorDb) || MinFloorDb <= DigitalSilenceDb || MinFloorDb >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MinFloorDb), MinFloorDb, $"the lowest floor must be a level between digital silence ({DigitalSilenceDb} dBFS) and 0 dBFS");
        }

        SettingChecks.RequireSeconds(MinSilenceSeconds, nameof(MinSilenceSeconds));
        SettingChecks.RequireSeconds(MinSpeechSeconds, nameof(MinSpeechSeconds));
    }
}

/// <summary>
/// The detector used when no VAD model is installed: a sub-band energy detector. Each 32 ms frame's power spectrum is
/// summed into 500 Hz bands; each band's noise floor is a low percentile of that band over the window, no lower than
/// <see cref="EnergyDetectorOptions.MinFloorDb"/>, and a frame is speech when any band stands
/// <see cref="EnergyDetectorOptions.MarginDb"/> over its floor. Speech concentrates its energy in a few bands at a time
/// (formants, or the tone world's tones), so it clears the margin where a steady noise floor of any level does not;
/// digital silence is never speech.
/// Regions follow from the frames as Silero's do (<see cref="SpeechRegions"/>). One instance is not thread-safe.
/// </summary>
public sealed class EnergyVoiceDetector(EnergyDetectorOptions? options = null) : IVoiceActivityDetector
{
    public const string DetectorName = "energy";
    public const int SampleRate = 16000;
    public const int FrameSamples = 512;
    public const int BandHz = 500;

    private static readonly int BinsPerBand = BandHz * FrameSamples / SampleRate;
    private static readonly int Bands = (FrameSamples / 2) / BinsPerBand;

    private readonly RealFft fft = new(FrameSamples);
    private readonly float[] window = Windows.PeriodicHann(FrameSamples);

    public EnergyDetectorOptions Options { get; } = Validated(options ?? EnergyDetectorOptions.Default);

    public string Name => DetectorName;

    public double FrameSeconds => FrameSamples / (double)SampleRate;

    /// <summary>1 for a frame of speech, 0 otherwise; a short last frame is zero-padded.</summary>
    public float[] Probabilities(ReadOnlySpan<float> samples16k)
    {
        var frames = (samples16k.Length + FrameSamples - 1) / FrameSamples;
        var (bands, sounding) = BandPowers(samples16k, frames);
        var result = new float[frames];
        if (frames == 0)
        {
            return result;
        }

        // White noise of variance σ² gives each windowed bin σ² Σw² on average.
        var lowest = (float)(BinsPerBand * Math.Pow(10, Options.MinFloorDb / 10) * window.Sum(w => (double)w * w));
        var gain = (float)Math.Pow(10, Options.MarginDb / 10);
        var bars = new float[Bands];
        var column = new float[frames];
        for (var b = 0; b < Bands; b++)
        {
            for (var f = 0; f < frames; f++)
            {
                column[f] = Math.Max(bands[(f * Bands) + b], lowest);
            }

            Array.Sort(column);
            bars[b] = gain * column[(int)(Options.FloorPercentile * (frames - 1))];
        }

        for (var f = 0; f < frames; f++)
        {
            if (!sounding[f])
            {
                continue;
            }

            for (var b = 0; b < Bands; b++)
            {
                if (bands[(f * Bands) + b] >= bars[b])
                {
                    result[f] = 1;
                    break;
                }
            }
        }

        return result;
    }

    public IReadOnlyList<SpeechRegion> Detect(ReadOnlySpan<float> samples16k)
        => SpeechRegions.Find(
            Probabilities(samples16k),
            FrameSamples,
            samples16k.Length,
            SampleRate,
            new SileroVadOptions { MinSilenceSeconds = Options.MinSilenceSeconds, MinSpeechSeconds = Options.MinSpeechSeconds, SpeechPadSeconds = 0 });

    public void Dispose()
    {
    }

    private static EnergyDetectorOptions Validated(EnergyDetectorOptions options)
    {
        options.Validate();
        return options;
    }

    // [frames × bands] band powers, and whether each frame is louder than digital silence.
    private (float[] Bands, bool[] Sounding) BandPowers(ReadOnlySpan<float> samples, int frames)
    {
        var lanes = ComplexFft.Lanes;
        var rows = new Vector<float>[FrameSamples];
        var spectra = new Vector<float>[fft.Bins];
        var flat = MemoryMarshal.Cast<Vector<float>, float>(rows.AsSpan());
        var power = MemoryMarshal.Cast<Vector<float>, float>(spectra.AsSpan());
        var bands = new float[frames * Bands];
        var sounding = new bool[frames];
        var silence = FrameSamples * Math.Pow(10, Options.DigitalSilenceDb / 10);
        for (var first = 0; first < frames; first += lanes)
        {
            Array.Clear(rows);
            for (var lane = 0; lane < lanes && first + lane < frames; lane++)
            {
                var start = (first + lane) * FrameSamples;
                var frame = samples.Slice(start, Math.Min(FrameSamples, samples.Length - start));
                var energy = 0.0;
                for (var i = 0; i < frame.Length; i++)
                {
                    energy += frame[i] * (double)frame[i];
                    flat[(i * lanes) + lane] = frame[i] * window[i];
                }

                sounding[first + lane] = energy > silence;
            }

            fft.PowerSpectra(rows, spectra);
            for (var lane = 0; lane < lanes && first + lane < frames; lane++)
            {
                for (var b = 0; b < Bands; b++)
                {
                    var sum = 0f;
                    for (var k = b * BinsPerBand; k < (b + 1) * BinsPerBand; k++)
                    {
                        sum += power[(k * lanes) + lane];
                    }

                    bands[((first + lane) * Bands) + b] = sum;
                }
            }
        }

        return (bands, sounding);
    }
}
