using System.Text;
using Muesli.Core.Transcripts;

namespace Muesli.Core.Merge;

/// <summary>The merge numbers of the original pipeline, with its defaults.</summary>
public sealed record MergeOptions
{
    /// <summary>A silence longer than this between words starts a new turn (<c>--gap-threshold</c>).</summary>
    public double GapThreshold { get; init; } = 0.8;

    /// <summary>How far from a word's midpoint the nearest segment may be (<c>--speaker-tolerance</c>).</summary>
    public double SpeakerTolerance { get; init; } = 0.25;

    public double MaxTurnSeconds { get; init; } = 60;

    /// <summary>How many words ahead the forward pass looks for the next known speaker.</summary>
    public int UnknownLookahead { get; init; } = 10;

    public const string Unknown = "UNKNOWN";
}

/// <summary>Words → speakers → turns, by the rules of the protocol spec, with a sorted search over segments.</summary>
public static class SpeakerMerge
{
    /// <summary>A token starting with one of these joins the word before it without a space.</summary>
    private const string AttachesToPrevious = ".,!?;:)]}\"'";

    /// <summary>
    /// Gives each word (those with end ≤ start dropped) the speaker of the segment it overlaps most, else the
    /// nearest segment within the tolerance of its midpoint, else UNKNOWN; then fills UNKNOWN words forward
    /// (inherit the last known speaker when the next known speaker within the lookahead is the same or absent)
    /// and backward (from the next known). O((N+M) log M).
    /// </summary>
    public static IReadOnlyList<LabelledWord> AssignSpeakers(
        IReadOnlyList<Word> words, IReadOnlyList<SpeakerSegment> segments, MergeOptions options)
    {
        var index = new SegmentIndex(segments);
        var speakers = InTimeOrder(words.Where(w => w.End > w.Start), w => w.Start)
            .Select(w => (Word: w, Speaker: index.SpeakerOf(w, options.SpeakerTolerance)))
            .ToArray();
        var filled = FillUnknown(speakers.Select(s => s.Speaker).ToArray(), options.UnknownLookahead);
        return speakers.Select((s, i) => new LabelledWord(s.Word, filled[i] ?? MergeOptions.Unknown)).ToArray();
    }

    /// <summary>
    /// Takes the words in time order and starts a new turn on speaker change, on a gap above the threshold, or
    /// when the word would make the turn longer than the maximum.
    /// </summary>
    public static IReadOnlyList<Turn> BuildTurns(IReadOnlyList<LabelledWord> words, MergeOptions options)
    {
        var turns = new List<Turn>();
        var current = new List<LabelledWord>();
        foreach (var word in InTimeOrder(words, w => w.Word.Start))
        {
            if (current.Count > 0
                && (word.Speaker != current[0].Speaker
                    || word.Word.Start - current[^1].Word.End > options.GapThreshold
                    || word.Word.End - current[0].Word.Start > options.MaxTurnSeconds))
            {
                turns.Add(TurnOf(current));
                current.Clear();
            }

            current.Add(word);
        }

        if (current.Count > 0)
        {
            turns.Add(TurnOf(current));
        }

        return turns;
    }

    public static IReadOnlyList<Turn> Merge(
        IReadOnlyList<Word> words, IReadOnlyList<SpeakerSegment> segments, MergeOptions options)
        => BuildTurns(AssignSpeakers(words, segments, options), options);

    /// <summary>Joins words with spaces, attaching <c>.,!?;:)]}"'</c> to the word before.</summary>
    public static string JoinText(IEnumerable<string> words)
    {
        var text = new StringBuilder();
        foreach (var raw in words)
        {
            var word = raw.Trim();
            if (word.Length == 0)
            {
                continue;
            }

            if (text.Length > 0 && !AttachesToPreviousWord(word))
            {
                text.Append(' ');
            }

            text.Append(word);
        }

        return text.ToString();
    }

    /// <summary>Whether the (trimmed, non-empty) token joins the word before it without a space, as <see cref="JoinText"/> joins it.</summary>
    public static bool AttachesToPreviousWord(string word) => word.Length > 0 && AttachesToPrevious.Contains(word[0]);

    // A stable sort: words starting together keep the order the recogniser gave them.
    private static IEnumerable<T> InTimeOrder<T>(IEnumerable<T> items, Func<T, double> start) => items.OrderBy(start);

    private static Turn TurnOf(List<LabelledWord> words) => new(
        words[0].Speaker,
        words[0].Word.Start,
        words[^1].Word.End,
        JoinText(words.Select(w => w.Word.Text)),
        words.Select(w => w.Word).ToArray());

    /// <summary>
    /// Forward: an unknown word takes the last known speaker when the next known one within the lookahead is the
    /// same or absent. Backward: what is still unknown takes the next known speaker. Null means unknown.
    /// </summary>
    private static string?[] FillUnknown(string?[] assigned, int lookahead)
    {
        var filled = (string?[])assigned.Clone();
        string? lastKnown = null;
        for (var i = 0; i < filled.Length; i++)
        {
            if (assigned[i] is not null)
            {
                lastKnown = assigned[i];
                continue;
            }

            if (lastKnown is null)
            {
                continue;
            }

            var nextKnown = NextKnown(assigned, i + 1, Math.Min(filled.Length, i + 1 + lookahead));
            if (nextKnown is null || nextKnown == lastKnown)
            {
                filled[i] = lastKnown;
            }
        }

        string? next = null;
        for (var i = filled.Length - 1; i >= 0; i--)
        {
            if (filled[i] is not null)
            {
                next = filled[i];
            }
            else
            {
                filled[i] = next;
            }
        }

        return filled;
    }

    private static string? NextKnown(string?[] assigned, int from, int to)
    {
        for (var j = from; j < to; j++)
        {
            if (assigned[j] is not null)
            {
                return assigned[j];
            }
        }

        return null;
    }
}
