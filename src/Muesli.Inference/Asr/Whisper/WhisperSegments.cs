namespace Muesli.Inference.Asr.Whisper;

/// <summary>A stretch of transcript between two timestamps: seconds from the start of its window, and its text tokens.</summary>
public sealed record WhisperSegment(double Start, double End, IReadOnlyList<int> Tokens);

/// <summary>
/// What a window said, and where the next window starts: <see cref="ResumeTimestamp"/> is the timestamp index (in
/// 0.02 s) of the end of the last complete segment when the output stopped inside an unfinished one; null when the
/// next window starts where this one ends.
/// </summary>
public sealed record WhisperWindowTranscript(IReadOnlyList<WhisperSegment> Segments, int? ResumeTimestamp);

/// <summary>
/// Splits a window's sampled tokens at timestamps, as Whisper reads them: &lt;|t0|&gt; text &lt;|t1|&gt; is one
/// segment, and a closing timestamp is followed by the next segment's opening one. Pure.
/// </summary>
public static class WhisperSegments
{
    /// <param name="windowSeconds">The audio the window really holds (the rest of its 30 s is padding): no segment ends later.</param>
    public static WhisperWindowTranscript Split(IReadOnlyList<int> tokens, WhisperVocabulary vocabulary, double windowSeconds)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfNegative(windowSeconds);
        var segments = new List<WhisperSegment>();
        var text = new List<int>();
        int? opening = null;
        int? lastClosing = null;
        foreach (var token in tokens)
        {
            if (vocabulary.IsTimestamp(token))
            {
                var index = token - vocabulary.TimestampBegin;
                if (opening is { } start && text.Count > 0)
                {
                    segments.Add(Segment(start, index, text, windowSeconds));
                    lastClosing = index;
                    opening = null;
                    text = [];
                }
                else
                {
                    opening = index;
                }
            }
            else if (vocabulary.IsText(token))
            {
                // Text with no opening timestamp continues from the last one heard (or the window's start).
                opening ??= lastClosing ?? 0;
                text.Add(token);
            }
        }

        if (opening is not { } open || (text.Count == 0 && segments.Count == 0))
        {
            return new WhisperWindowTranscript(segments, null);
        }

        if (segments.Count > 0 && lastClosing > 0)
        {
            // Cut off mid-segment: drop the unfinished part; the next window starts where the last segment ended.
            return new WhisperWindowTranscript(segments, lastClosing);
        }

        // Otherwise the unfinished segment runs to the window's end.
        if (text.Count > 0)
        {
            segments.Add(new WhisperSegment(Math.Min(open * WhisperVocabulary.SecondsPerTimestamp, windowSeconds), windowSeconds, text));
        }

        return new WhisperWindowTranscript(segments, null);
    }

    private static WhisperSegment Segment(int start, int end, List<int> text, double windowSeconds)
    {
        var endSeconds = Math.Min(end * WhisperVocabulary.SecondsPerTimestamp, windowSeconds);
        return new WhisperSegment(Math.Min(start * WhisperVocabulary.SecondsPerTimestamp, endSeconds), endSeconds, text);
    }
}
