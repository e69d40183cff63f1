using Muesli.Core.Merge;
using Muesli.Core.Transcripts;

namespace Muesli.Core.Tests.Merge;

public class AssignSpeakersTests
{
    private static readonly MergeOptions Defaults = new();
    private const string U = MergeOptions.Unknown;

    private static string[] Speakers(IReadOnlyList<Word> words, params SpeakerSegment[] segments)
        => SpeakerMerge.AssignSpeakers(words, segments, Defaults).Select(w => w.Speaker).ToArray();

    private static string SpeakerOf(Word word, params SpeakerSegment[] segments) => Speakers([word], segments).Single();

    [Fact]
    public void A_word_takes_the_speaker_it_overlaps_most()
    {
        Assert.Equal("B", SpeakerOf(new Word("w", 1, 2), new(0, 1.25, "A"), new(1.25, 3, "B")));
        Assert.Equal("A", SpeakerOf(new Word("w", 1, 2), new(0, 1.75, "A"), new(1.75, 3, "B")));
    }

    [Fact]
    public void Equal_overlaps_go_to_the_earliest_segment_whatever_the_input_order()
    {
        var word = new Word("w", 1, 2);

        Assert.Equal("A", SpeakerOf(word, new(0, 1.5, "A"), new(1.5, 3, "B")));
        Assert.Equal("A", SpeakerOf(word, new(1.5, 3, "B"), new(0, 1.5, "A")));
    }

    [Fact]
    public void Overlapping_speech_picks_the_segment_covering_more_of_the_word()
    {
        // A speaks 0–5, B talks over from 4 to 10: the word 4.75–5.5 is mostly B's.
        var segments = new SpeakerSegment[] { new(4, 10, "B"), new(0, 5, "A") };

        Assert.Equal("B", SpeakerOf(new Word("w", 4.75, 5.5), segments));
        Assert.Equal("A", SpeakerOf(new Word("w", 3.5, 4.25), segments));
    }

    [Fact]
    public void A_word_inside_a_long_segment_stays_with_it_unless_another_covers_it_as_well()
    {
        // A long segment wholly covering the word gives the largest possible overlap; a later one ties at best.
        var segments = new SpeakerSegment[] { new(0, 100, "A"), new(40, 41, "B"), new(50, 60, "C") };

        Assert.Equal("A", SpeakerOf(new Word("w", 40.25, 40.75), segments));
        Assert.Equal("A", SpeakerOf(new Word("w", 55, 56), segments));
    }

    [Fact]
    public void A_short_segment_inside_the_word_can_win()
    {
        // Word 10–12: A covers 0.25 s of it, B (inside the word) 1 s, C 0.5 s.
        var segments = new SpeakerSegment[] { new(0, 10.25, "A"), new(10.5, 11.5, "B"), new(11.5, 20, "C") };

        Assert.Equal("B", SpeakerOf(new Word("w", 10, 12), segments));
    }

    [Fact]
    public void Without_overlap_the_nearest_segment_within_the_tolerance_is_taken()
    {
        // Midpoint 2.5; A ends 0.25 before it, B starts 0.5 after it.
        var word = new Word("w", 2.25, 2.75);

        Assert.Equal("A", SpeakerOf(word, new(0, 2.25, "A"), new(3, 4, "B")));
        Assert.Equal("B", SpeakerOf(word, new(0, 2, "A"), new(2.75, 4, "B")));
    }

    [Fact]
    public void Equally_near_segments_before_and_after_go_to_the_earlier()
    {
        Assert.Equal("A", SpeakerOf(new Word("w", 2.25, 2.75), new(2.75, 4, "B"), new(0, 2.25, "A")));
    }

    [Fact]
    public void A_segment_beyond_the_tolerance_leaves_the_word_unknown()
    {
        Assert.Equal(U, SpeakerOf(new Word("w", 2.25, 2.75), new(0, 2.0, "A"), new(3.0, 4, "B")));
        Assert.Equal(U, SpeakerOf(new Word("w", 1, 2)));
    }

    [Fact]
    public void The_tolerance_is_an_option()
    {
        var words = new[] { new Word("w", 2.25, 2.75) };
        var segments = new SpeakerSegment[] { new(0, 2.0, "A") };

        var labelled = SpeakerMerge.AssignSpeakers(words, segments, Defaults with { SpeakerTolerance = 0.5 });

        Assert.Equal("A", labelled.Single().Speaker);
    }

    [Fact]
    public void Words_without_duration_are_dropped_and_the_rest_come_in_time_order()
    {
        var words = new[]
        {
            new Word("later", 3, 3.5),
            new Word("empty", 2, 2),
            new Word("backwards", 2.5, 2.25),
            new Word("first", 1, 1.5),
        };

        var labelled = SpeakerMerge.AssignSpeakers(words, [new(0, 5, "A")], Defaults);

        Assert.Equal(["first", "later"], labelled.Select(w => w.Word.Text));
        Assert.Same(words[3], labelled[0].Word);
    }

    [Fact]
    public void Segments_without_duration_are_ignored()
    {
        Assert.Equal(U, SpeakerOf(new Word("w", 1, 2), new(1.5, 1.5, "A"), new(1.75, 1.25, "B")));
    }

    /// <summary>Words i..i+0.5 at second i; segment lists make chosen words known and leave the rest unknown.</summary>
    private static string[] Fill(params string?[] known)
    {
        var words = known.Select((_, i) => new Word($"w{i}", i, i + 0.5)).ToArray();
        var segments = known
            .Select((speaker, i) => speaker is null ? null : new SpeakerSegment(i, i + 0.5, speaker))
            .OfType<SpeakerSegment>()
            .ToArray();
        return Speakers(words, segments);
    }

    [Fact]
    public void Unknown_words_between_the_same_speaker_take_that_speaker()
    {
        Assert.Equal(["A", "A", "A", "A"], Fill("A", null, null, "A"));
    }

    [Fact]
    public void Unknown_words_before_another_speaker_take_the_next_speaker()
    {
        Assert.Equal(["A", "B", "B", "B"], Fill("A", null, null, "B"));
    }

    [Fact]
    public void Unknown_words_at_the_end_take_the_last_speaker()
    {
        Assert.Equal(["A", "B", "B", "B"], Fill("A", "B", null, null));
    }

    [Fact]
    public void Unknown_words_at_the_start_take_the_first_speaker()
    {
        Assert.Equal(["B", "B", "B", "A"], Fill(null, null, "B", "A"));
    }

    [Fact]
    public void With_no_known_speaker_every_word_stays_unknown()
    {
        Assert.Equal([U, U, U], Fill(null, null, null));
    }

    [Fact]
    public void The_forward_pass_looks_exactly_ten_words_ahead()
    {
        // Word 1 sees B at word 11 (ten ahead): not the same speaker, so the backward pass gives it B.
        string?[] seen = ["A", .. Enumerable.Repeat<string?>(null, 10), "B"];
        Assert.Equal(["A", .. Enumerable.Repeat("B", 11)], Fill(seen));

        // With B at word 12, word 1 sees no one ahead and inherits A; word 2 sees B and takes it.
        string?[] unseen = ["A", .. Enumerable.Repeat<string?>(null, 11), "B"];
        Assert.Equal(["A", "A", .. Enumerable.Repeat("B", 11)], Fill(unseen));
    }

    [Fact]
    public void The_lookahead_is_an_option()
    {
        var words = Enumerable.Range(0, 4).Select(i => new Word($"w{i}", i, i + 0.5)).ToArray();
        var segments = new SpeakerSegment[] { new(0, 0.5, "A"), new(3, 3.5, "B") };

        var labelled = SpeakerMerge.AssignSpeakers(words, segments, Defaults with { UnknownLookahead = 1 });

        // Word 1 sees only word 2 (unknown), inherits A; word 2 sees B, takes B from the backward pass.
        Assert.Equal(["A", "A", "B", "B"], labelled.Select(w => w.Speaker));
    }
}
