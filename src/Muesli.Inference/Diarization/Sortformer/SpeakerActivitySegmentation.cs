using Muesli.Core.Transcripts;

namespace Muesli.Inference.Diarization.Sortformer;

/// <summary>
/// Activities → speaker segments with <see cref="SortformerPostProcessing"/>, speaker by speaker: hysteresis between
/// onset and offset, padding (overlapping pieces merge), short segments dropped, then short gaps filled — the order of
/// NeMo's diarization post-processing with <c>filter_speech_first</c>.
/// </summary>
public static class SpeakerActivitySegmentation
{
    /// <summary>Slot k's label: SPEAKER_00 … SPEAKER_03, local to one window.</summary>
    public static string SpeakerLabel(int slot) => $"SPEAKER_{slot:00}";

    /// <summary>
    /// Frame t spans [t·dt, (t+1)·dt). A speaker turns on at a frame above the onset and off at the first frame below
    /// the offset; a frame exactly at a threshold changes nothing. Segments never reach past
    /// <paramref name="duration"/> (default: the frames' span). Sorted by start, then speaker.
    /// </summary>
    public static IReadOnlyList<SpeakerSegment> Segments(SpeakerActivity activity, SortformerPostProcessing options, double? duration = null)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var end = duration ?? activity.Duration;
        var segments = new List<SpeakerSegment>();
        for (var speaker = 0; speaker < activity.Speakers; speaker++)
        {
            var spans = Threshold(activity, speaker, options.Onset, options.Offset);
            spans = Merge(spans.Select(s => (Math.Max(0, s.Start - options.PadOnsetSeconds), Math.Min(end, s.End + options.PadOffsetSeconds))), gap: 0);
            spans = spans.Where(s => s.End - s.Start >= options.MinDurationOnSeconds).ToList();
            spans = Merge(spans, options.MinDurationOffSeconds);
            var label = SpeakerLabel(speaker);
            segments.AddRange(spans.Where(s => s.End > s.Start).Select(s => new SpeakerSegment(s.Start, s.End, label)));
        }

        return segments.OrderBy(s => s.Start).ThenBy(s => s.Speaker, StringComparer.Ordinal).ToList();
    }

    private static List<(double Start, double End)> Threshold(SpeakerActivity activity, int speaker, float onset, float offset)
    {
        var spans = new List<(double Start, double End)>();
        int? on = null;
        for (var t = 0; t < activity.Frames; t++)
        {
            var p = activity[t, speaker];
            if (on is null && p > onset)
            {
                on = t;
            }
            else if (on is { } start && p < offset)
            {
                spans.Add((start * activity.FrameSeconds, t * activity.FrameSeconds));
                on = null;
            }
        }

        if (on is { } open)
        {
            spans.Add((open * activity.FrameSeconds, activity.Frames * activity.FrameSeconds));
        }

        return spans;
    }

    // Joins spans that overlap or are separated by less than gap (touching spans join when the gap is zero).
    private static List<(double Start, double End)> Merge(IEnumerable<(double Start, double End)> spans, double gap)
    {
        var merged = new List<(double Start, double End)>();
        foreach (var span in spans.OrderBy(s => s.Start))
        {
            if (merged.Count > 0 && (span.Start - merged[^1].End < gap || span.Start <= merged[^1].End))
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, span.End));
            }
            else
            {
                merged.Add(span);
            }
        }

        return merged;
    }
}
