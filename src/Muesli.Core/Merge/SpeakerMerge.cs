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
    /// <summary>
    /// Gives each word (those with end ≤ start dropped) the speaker of the segment it overlaps most, else the
    /// nearest segment within the tolerance of its midpoint, else UNKNOWN; then fills UNKNOWN words forward
    /// (inherit the last known speaker when the next known speaker within the lookahead is the same or absent)
    /// and backward (from the next known). O((N+M) log M).
    /// </summary>
    public static IReadOnlyList<LabelledWord> AssignSpeakers(
        IReadOnlyList<Word> words, IReadOnlyList<SpeakerSegment> segments, MergeOptions options)
        => throw new NotImplementedException();

    /// <summary>A new turn on speaker change, on a gap above the threshold, or past the maximum turn length.</summary>
    public static IReadOnlyList<Turn> BuildTurns(IReadOnlyList<LabelledWord> words, MergeOptions options)
        => throw new NotImplementedException();

    public static IReadOnlyList<Turn> Merge(
        IReadOnlyList<Word> words, IReadOnlyList<SpeakerSegment> segments, MergeOptions options)
        => BuildTurns(AssignSpeakers(words, segments, options), options);

    /// <summary>Joins words with spaces, attaching <c>.,!?;:)]}"'</c> to the word before.</summary>
    public static string JoinText(IEnumerable<string> words)
        => throw new NotImplementedException();
}
