using Muesli.Inference.Vad;

namespace Muesli.Inference.Diarization;

/// <summary>From per-frame activity to speaker turns: runs of active frames, then pyannote's min durations.</summary>
public static class SpeakerSpans
{
    /// <summary>
    /// Each run of active frames as the time its frames stand for (<see cref="SegmentationFrames"/>), clipped to
    /// [0, <paramref name="audioSeconds"/>]. <paramref name="active"/>[g] is frame g of the grid that starts at sample 0.
    /// </summary>
    public static IReadOnlyList<SpeechRegion> FromFrames(ReadOnlySpan<bool> active, SegmentationFrames frames, double audioSeconds)
    {
        var spans = new List<SpeechRegion>();
        var g = 0;
        while (g < active.Length)
        {
            if (!active[g])
            {
                g++;
                continue;
            }

            var first = g;
            while (g < active.Length && active[g])
            {
                g++;
            }

            var start = Math.Max(0, frames.StartSeconds(first));
            var end = Math.Min(audioSeconds, frames.EndSeconds(g - 1));
            if (end > start)
            {
                spans.Add(new SpeechRegion(start, end));
            }
        }

        return spans;
    }

    /// <summary>
    /// Joins spans whose gap is shorter than <paramref name="minDurationOff"/>, then drops those shorter than
    /// <paramref name="minDurationOn"/>. <paramref name="spans"/> must be in time order and disjoint.
    /// </summary>
    public static IReadOnlyList<SpeechRegion> ApplyMinDurations(IReadOnlyList<SpeechRegion> spans, double minDurationOn, double minDurationOff)
    {
        var joined = new List<SpeechRegion>();
        foreach (var span in spans)
        {
            if (joined.Count > 0 && span.Start - joined[^1].End < minDurationOff)
            {
                joined[^1] = joined[^1] with { End = Math.Max(joined[^1].End, span.End) };
            }
            else
            {
                joined.Add(span);
            }
        }

        return joined.Where(s => s.Duration >= minDurationOn).ToList();
    }
}
