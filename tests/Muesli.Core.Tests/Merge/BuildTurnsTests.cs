using Muesli.Core.Merge;
using Muesli.Core.Transcripts;

namespace Muesli.Core.Tests.Merge;

public class BuildTurnsTests
{
    private static readonly MergeOptions Defaults = new();

    private static LabelledWord W(string text, double start, double end, string speaker = "A")
        => new(new Word(text, start, end), speaker);

    [Fact]
    public void No_words_make_no_turns()
    {
        Assert.Empty(SpeakerMerge.BuildTurns([], Defaults));
    }

    [Fact]
    public void Consecutive_words_of_one_speaker_make_one_turn()
    {
        var words = new[] { W("Hello", 1, 1.5), W(",", 1.5, 1.5625), W("world", 1.75, 2.25), W(".", 2.25, 2.3) };

        var turn = Assert.Single(SpeakerMerge.BuildTurns(words, Defaults));

        Assert.Equal(("A", 1.0, 2.3, "Hello, world."), (turn.Speaker, turn.Start, turn.End, turn.Text));
        Assert.Equal(words.Select(w => w.Word), turn.Words);
    }

    [Fact]
    public void A_speaker_change_starts_a_new_turn()
    {
        var words = new[] { W("a", 0, 0.5), W("b", 0.5, 1, "B"), W("c", 1, 1.5, "B"), W("d", 1.5, 2) };

        var turns = SpeakerMerge.BuildTurns(words, Defaults);

        Assert.Equal([("A", "a"), ("B", "b c"), ("A", "d")], turns.Select(t => (t.Speaker, t.Text)));
    }

    [Fact]
    public void A_gap_above_the_threshold_starts_a_new_turn_and_one_at_it_does_not()
    {
        var options = Defaults with { GapThreshold = 0.5 };
        var words = new[] { W("a", 0, 0.5), W("b", 1.0, 1.5), W("c", 2.0625, 2.5) };

        var turns = SpeakerMerge.BuildTurns(words, options);

        Assert.Equal(["a b", "c"], turns.Select(t => t.Text));
    }

    [Fact]
    public void A_turn_never_grows_past_the_maximum_length()
    {
        // 61 one-second words back to back: the first 60 make exactly 60 s, the 61st would make 61 s.
        var words = Enumerable.Range(0, 61).Select(i => W($"w{i}", i, i + 1)).ToArray();

        var turns = SpeakerMerge.BuildTurns(words, Defaults);

        Assert.Equal([(0.0, 60.0, 60), (60.0, 61.0, 1)], turns.Select(t => (t.Start, t.End, t.Words.Count)));
    }

    [Fact]
    public void The_maximum_turn_length_is_an_option()
    {
        var words = Enumerable.Range(0, 6).Select(i => W($"w{i}", i, i + 1)).ToArray();

        var turns = SpeakerMerge.BuildTurns(words, Defaults with { MaxTurnSeconds = 2 });

        Assert.Equal(["w0 w1", "w2 w3", "w4 w5"], turns.Select(t => t.Text));
    }

    [Fact]
    public void Words_are_taken_in_time_order()
    {
        var words = new[] { W("world", 1, 1.5), W("hello", 0, 0.5) };

        Assert.Equal("hello world", Assert.Single(SpeakerMerge.BuildTurns(words, Defaults)).Text);
    }

    [Fact]
    public void Merge_assigns_speakers_then_builds_turns()
    {
        var words = new[] { new Word("hi", 0, 0.5), new Word("there", 0.5, 1), new Word("bye", 2, 2.5) };
        var segments = new SpeakerSegment[] { new(0, 1, "A"), new(1.75, 3, "B") };

        var turns = SpeakerMerge.Merge(words, segments, Defaults);

        Assert.Equal([("A", "hi there"), ("B", "bye")], turns.Select(t => (t.Speaker, t.Text)));
    }
}
