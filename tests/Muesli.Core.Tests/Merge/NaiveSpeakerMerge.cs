using Muesli.Core.Merge;
using Muesli.Core.Transcripts;

namespace Muesli.Core.Tests.Merge;

/// <summary>
/// The merge rules written the slow, obvious way (every segment for every word), as the reference the sorted
/// search must agree with. Segments are visited in the order "earliest" means: by start, then input order.
/// </summary>
internal static class NaiveSpeakerMerge
{
    public static IReadOnlyList<LabelledWord> AssignSpeakers(
        IReadOnlyList<Word> words, IReadOnlyList<SpeakerSegment> segments, MergeOptions options)
    {
        var ordered = segments.Where(s => s.End > s.Start).OrderBy(s => s.Start).ToList();
        var labels = new List<(Word Word, string? Speaker)>();
        foreach (var word in words.OrderBy(w => w.Start).Where(w => w.End > w.Start))
        {
            string? best = null;
            var bestOverlap = 0.0;
            string? nearest = null;
            var nearestDistance = double.PositiveInfinity;
            var mid = (word.Start + word.End) / 2;
            foreach (var segment in ordered)
            {
                var overlap = Math.Min(word.End, segment.End) - Math.Max(word.Start, segment.Start);
                if (overlap > bestOverlap)
                {
                    bestOverlap = overlap;
                    best = segment.Speaker;
                }

                var distance = mid < segment.Start ? segment.Start - mid : mid > segment.End ? mid - segment.End : 0;
                if (distance < nearestDistance)
                {
                    nearestDistance = distance;
                    nearest = segment.Speaker;
                }
            }

            if (best is null && nearestDistance <= options.SpeakerTolerance)
            {
                best = nearest;
            }

            labels.Add((word, best));
        }

        var speakers = labels.Select(l => l.Speaker).ToArray();
        for (var i = 0; i < speakers.Length; i++)
        {
            var last = LastKnownBefore(speakers, i);
            if (speakers[i] is null && last is not null)
            {
                var next = labels.Skip(i + 1).Take(options.UnknownLookahead).Select(l => l.Speaker)
                    .FirstOrDefault(s => s is not null);
                if (next is null || next == last)
                {
                    speakers[i] = last;
                }
            }
        }

        for (var i = speakers.Length - 1; i >= 0; i--)
        {
            speakers[i] ??= speakers.Skip(i + 1).FirstOrDefault(s => s is not null);
        }

        return labels.Select((l, i) => new LabelledWord(l.Word, speakers[i] ?? MergeOptions.Unknown)).ToArray();
    }

    private static string? LastKnownBefore(string?[] speakers, int index)
    {
        for (var j = index - 1; j >= 0; j--)
        {
            if (speakers[j] is not null)
            {
                return speakers[j];
            }
        }

        return null;
    }
}
