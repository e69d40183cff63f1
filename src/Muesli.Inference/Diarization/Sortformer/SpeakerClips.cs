using Muesli.Core.Transcripts;

namespace Muesli.Inference.Diarization.Sortformer;

/// <summary>Which stretches of a window a speaker's embedding is made from.</summary>
public static class SpeakerClips
{
    /// <summary>
    /// The speaker's stretches that no other speaker overlaps, longest first, until <paramref name="maxSeconds"/> are
    /// gathered (the last one cut short to fit); if every moment of the speaker is overlapped, its own segments are
    /// used instead. Returned in time order.
    /// </summary>
    public static IReadOnlyList<(double Start, double End)> Choose(IReadOnlyList<SpeakerSegment> segments, string speaker, double maxSeconds)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSeconds);
        var own = Union(segments.Where(s => s.Speaker == speaker));
        var others = Union(segments.Where(s => s.Speaker != speaker));
        var alone = Subtract(own, others);
        var pool = alone.Count > 0 ? alone : own;

        var chosen = new List<(double Start, double End)>();
        var gathered = 0.0;
        foreach (var (start, end) in pool.OrderByDescending(p => p.End - p.Start).ThenBy(p => p.Start))
        {
            if (gathered >= maxSeconds)
            {
                break;
            }

            var take = Math.Min(end - start, maxSeconds - gathered);
            chosen.Add((start, start + take));
            gathered += take;
        }

        return chosen.OrderBy(c => c.Start).ToList();
    }

    private static List<(double Start, double End)> Union(IEnumerable<SpeakerSegment> segments)
    {
        var union = new List<(double Start, double End)>();
        foreach (var segment in segments.Where(s => s.End > s.Start).OrderBy(s => s.Start))
        {
            if (union.Count > 0 && segment.Start <= union[^1].End)
            {
                union[^1] = (union[^1].Start, Math.Max(union[^1].End, segment.End));
            }
            else
            {
                union.Add((segment.Start, segment.End));
            }
        }

        return union;
    }

    // Both lists are sorted and disjoint, so one pass over each suffices.
    private static List<(double Start, double End)> Subtract(List<(double Start, double End)> spans, List<(double Start, double End)> holes)
    {
        var result = new List<(double Start, double End)>();
        var h = 0;
        foreach (var (start, end) in spans)
        {
            var cursor = start;
            while (h < holes.Count && holes[h].End <= cursor)
            {
                h++;
            }

            for (var i = h; i < holes.Count && holes[i].Start < end; i++)
            {
                if (holes[i].Start > cursor)
                {
                    result.Add((cursor, holes[i].Start));
                }

                cursor = Math.Max(cursor, holes[i].End);
            }

            if (cursor < end)
            {
                result.Add((cursor, end));
            }
        }

        return result;
    }
}
