using Muesli.Core.Commit;
using Muesli.Core.Merge;
using Muesli.Core.Transcripts;

namespace Muesli.Core.Tests.Commit;

public class CommitPolicyTests
{
    private static readonly MergeOptions Merge = new();

    private static LabelledWord W(string text, double start, double end, string speaker = "A")
        => new(new Word(text, start, end), speaker);

    [Fact]
    public void Words_ending_by_the_cutoff_are_committed_and_the_rest_make_the_partial()
    {
        var words = new[] { W("one", 0, 0.5), W("two", 0.5, 1), W("three", 1.25, 1.75, "B"), W("four", 1.75, 2.5, "B") };

        var outcome = CommitPolicy.Apply(CommitState.Initial, words, cutoff: 1.75, Merge);

        Assert.Equal(["one", "two", "three"], outcome.Committed.Select(w => w.Word.Text));
        Assert.Equal([("A", "one two"), ("B", "three")], outcome.CommittedTurns.Select(t => (t.Speaker, t.Text)));
        Assert.Equal(["four"], outcome.Pending.Select(w => w.Word.Text));
        Assert.Equal(("B", 1.75, "four"), (outcome.Partial!.Speaker, outcome.Partial.Start, outcome.Partial.Text));
        Assert.True(outcome.PartialChanged);
        Assert.Equal(new CommitState(1.75, "four"), outcome.State);
    }

    [Fact]
    public void The_partial_is_the_newest_pending_turn_only()
    {
        var words = new[] { W("old", 5, 5.5), W("new", 7, 7.5, "B"), W("est", 7.5, 8, "B") };

        var outcome = CommitPolicy.Apply(CommitState.Initial, words, cutoff: 4, Merge);

        Assert.Equal(["old", "new", "est"], outcome.Pending.Select(w => w.Word.Text));
        Assert.Equal("new est", outcome.Partial!.Text);
    }

    [Fact]
    public void Words_come_out_in_time_order_whatever_order_they_arrive_in()
    {
        var words = new[] { W("b", 1, 1.5), W("d", 3, 3.5), W("a", 0, 0.5), W("c", 2, 2.5) };

        var outcome = CommitPolicy.Apply(CommitState.Initial, words, cutoff: 2.5, Merge);

        Assert.Equal(["a", "b", "c"], outcome.Committed.Select(w => w.Word.Text));
        Assert.Equal(2.5, outcome.State.CommittedUntil);
    }

    [Fact]
    public void Words_at_or_before_what_is_committed_are_not_new()
    {
        var state = new CommitState(10, null);
        var words = new[] { W("old", 9.5, 10.25), W("edge", 9.75, 10.25), W("new", 10.25, 10.75) };

        var outcome = CommitPolicy.Apply(state, words, cutoff: 20, Merge);

        // "old" has its midpoint at 9.875 and "edge" at exactly 10: both were committed by an earlier window.
        Assert.Equal(["new"], outcome.Committed.Select(w => w.Word.Text));
        Assert.Equal(10.75, outcome.State.CommittedUntil);
    }

    [Fact]
    public void Committing_nothing_keeps_the_committed_boundary()
    {
        var state = new CommitState(30, "x");

        var outcome = CommitPolicy.Apply(state, [W("late", 31, 36)], cutoff: 35, Merge);

        Assert.Empty(outcome.Committed);
        Assert.Empty(outcome.CommittedTurns);
        Assert.Equal(30, outcome.State.CommittedUntil);
    }

    [Fact]
    public void The_same_partial_again_is_not_a_change()
    {
        var state = new CommitState(0, "still talking");

        var outcome = CommitPolicy.Apply(state, [W("still", 1, 1.5), W("talking", 1.5, 2)], cutoff: 0.5, Merge);

        Assert.Equal("still talking", outcome.Partial!.Text);
        Assert.False(outcome.PartialChanged);
    }

    [Fact]
    public void A_partial_that_disappears_is_a_change_to_none()
    {
        var state = new CommitState(0, "was pending");

        var outcome = CommitPolicy.Apply(state, [W("was", 1, 1.5), W("pending", 1.5, 2)], cutoff: 5, Merge);

        Assert.Null(outcome.Partial);
        Assert.Empty(outcome.Pending);
        Assert.True(outcome.PartialChanged);
        Assert.Null(outcome.State.LastPartialText);
    }

    [Fact]
    public void No_partial_before_and_none_now_is_no_change()
    {
        var outcome = CommitPolicy.Apply(CommitState.Initial, [W("done", 1, 1.5)], cutoff: 5, Merge);

        Assert.Null(outcome.Partial);
        Assert.False(outcome.PartialChanged);
    }

    [Fact]
    public void A_word_pending_in_one_window_is_committed_as_the_newer_window_heard_it()
    {
        var first = CommitPolicy.Apply(
            CommitState.Initial, [W("we", 9, 9.5), W("shipt", 9.5, 10.25)], cutoff: 10, Merge);
        Assert.Equal(["we"], first.Committed.Select(w => w.Word.Text));
        Assert.Equal("shipt", first.Partial!.Text);

        var second = CommitPolicy.Apply(
            first.State, [W("we", 9.02, 9.48), W("shipped", 9.46, 10.3, "B"), W("it", 10.3, 10.6, "B")], cutoff: 25, Merge);

        var shipped = Assert.Single(second.Committed, w => w.Word.Text.StartsWith("ship", StringComparison.Ordinal));
        Assert.Equal(W("shipped", 9.46, 10.3, "B"), shipped);
        Assert.Equal(["shipped", "it"], second.Committed.Select(w => w.Word.Text));
    }
}
