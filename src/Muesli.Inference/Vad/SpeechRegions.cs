namespace Muesli.Inference.Vad;

/// <summary>
/// Frame probabilities → speech regions, the way Silero's <c>get_speech_timestamps</c> turns them (its maximum speech
/// duration left at infinity): hysteresis between the threshold and the negative threshold, a minimum silence before a
/// region ends, a minimum speech duration for a region to count, and padding that splits gaps too short to pad fully.
/// </summary>
public static class SpeechRegions
{
    /// <param name="probabilities">One speech probability per frame of <paramref name="frameSamples"/> samples.</param>
    /// <param name="sampleCount">Length of the audio the frames came from; regions never end after it.</param>
    public static IReadOnlyList<SpeechRegion> Find(
        ReadOnlySpan<float> probabilities, int frameSamples, long sampleCount, int sampleRate, SileroVadOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameSamples, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var speech = Threshold(probabilities, frameSamples, sampleCount, sampleRate, options);
        Pad(speech, (long)(sampleRate * options.SpeechPadSeconds), sampleCount);
        return speech.Select(r => new SpeechRegion(r.Start / (double)sampleRate, r.End / (double)sampleRate)).ToArray();
    }

    private static List<SampleRange> Threshold(
        ReadOnlySpan<float> probabilities, int frameSamples, long sampleCount, int sampleRate, SileroVadOptions options)
    {
        var threshold = options.Threshold;
        var negative = options.EffectiveNegativeThreshold;
        var minSpeech = sampleRate * options.MinSpeechSeconds;
        var minSilence = sampleRate * options.MinSilenceSeconds;

        var regions = new List<SampleRange>();
        long? start = null;
        long? silenceStart = null;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var at = (long)i * frameSamples;
            var p = probabilities[i];
            if (start is null)
            {
                if (p >= threshold)
                {
                    start = at;
                }

                continue;
            }

            if (p >= threshold)
            {
                silenceStart = null;
                continue;
            }

            // Between the two thresholds a frame neither confirms speech nor counts as silence.
            if (p >= negative)
            {
                continue;
            }

            silenceStart ??= at;
            if (at - silenceStart.Value < minSilence)
            {
                continue;
            }

            if (silenceStart.Value - start.Value > minSpeech)
            {
                regions.Add(new SampleRange(start.Value, silenceStart.Value));
            }

            start = null;
            silenceStart = null;
        }

        if (start is { } open && sampleCount - open > minSpeech)
        {
            regions.Add(new SampleRange(open, sampleCount));
        }

        return regions;
    }

    // Each region grows by pad each side; a gap narrower than two pads is shared half and half instead.
    private static void Pad(List<SampleRange> regions, long pad, long sampleCount)
    {
        for (var i = 0; i < regions.Count; i++)
        {
            if (i == 0)
            {
                regions[0] = regions[0] with { Start = Math.Max(0, regions[0].Start - pad) };
            }

            if (i == regions.Count - 1)
            {
                regions[i] = regions[i] with { End = Math.Min(sampleCount, regions[i].End + pad) };
                continue;
            }

            var gap = regions[i + 1].Start - regions[i].End;
            var grow = gap < 2 * pad ? gap / 2 : pad;
            regions[i] = regions[i] with { End = Math.Min(sampleCount, regions[i].End + grow) };
            regions[i + 1] = regions[i + 1] with { Start = Math.Max(0, regions[i + 1].Start - grow) };
        }
    }

    private readonly record struct SampleRange(long Start, long End);
}
