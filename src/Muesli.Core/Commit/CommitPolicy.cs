using Muesli.Core.Merge;
using Muesli.Core.Transcripts;

namespace Muesli.Core.Commit;

/// <summary>What a stream has committed so far: every word whose midpoint is at or before
/// <see cref="CommittedUntil"/> is final; <see cref="LastPartialText"/> is the partial last sent.</summary>
public sealed record CommitState(double CommittedUntil, string? LastPartialText)
{
    public static readonly CommitState Initial = new(double.NegativeInfinity, null);
}

/// <summary>
/// The result of applying one window: the words it commits (grouped into turns), the words still pending,
/// and the partial turn to send when it changed.
/// </summary>
public sealed record CommitOutcome(
    CommitState State,
    IReadOnlyList<LabelledWord> Committed,
    IReadOnlyList<Turn> CommittedTurns,
    IReadOnlyList<LabelledWord> Pending,
    Turn? Partial,
    bool PartialChanged);

/// <summary>
/// The commit policy for overlapping windows. A window's words on the meeting clock are new when their midpoint
/// lies after <see cref="CommitState.CommittedUntil"/>; new words that end at or before the cutoff
/// (window end − finalize lag while live, window end on the final pass) are committed, as this — the newer —
/// window heard them; the rest are pending and the newest pending turn is the partial. So a word in the overlap
/// of two windows is emitted exactly once.
/// </summary>
public static class CommitPolicy
{
    public static CommitOutcome Apply(
        CommitState state, IReadOnlyList<LabelledWord> windowWords, double cutoff, MergeOptions merge)
    {
        var fresh = windowWords
            .Where(w => w.Word.Mid > state.CommittedUntil)
            .OrderBy(w => w.Word.Start)
            .ToArray();
        var committed = fresh.Where(w => w.Word.End <= cutoff).ToArray();
        var pending = fresh.Where(w => !(w.Word.End <= cutoff)).ToArray();

        var partial = pending.Length == 0 ? null : SpeakerMerge.BuildTurns(pending, merge)[^1];
        var partialText = partial?.Text;
        var committedUntil = committed.Length == 0
            ? state.CommittedUntil
            : Math.Max(state.CommittedUntil, committed.Max(w => w.Word.End));

        return new CommitOutcome(
            new CommitState(committedUntil, partialText),
            committed,
            SpeakerMerge.BuildTurns(committed, merge),
            pending,
            partial,
            PartialChanged: partialText != state.LastPartialText);
    }
}
