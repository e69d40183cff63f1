using Muesli.Core.Transcripts;

namespace Muesli.Core.Tests.Transcripts;

public class OffsetsTests
{
    private static readonly Word[] Words =
    [
        new("hello", 0.5, 0.9, 0.8),
        new("world", 1.0, 1.4),
    ];

    private static readonly SpeakerSegment[] Segments =
    [
        new(0.25, 1.5, "SPEAKER_00"),
        new(2.0, 3.75, "SPEAKER_01"),
    ];

    [Fact]
    public void A_timestamp_offset_moves_every_word_start_end_and_every_segment_start_end()
    {
        const double offset = 30.5;

        var words = Offsets.Shift(Words, offset);
        var segments = Offsets.Shift(Segments, offset);

        Assert.Equal(
            [new Word("hello", 31.0, 31.4, 0.8), new Word("world", 31.5, 31.9)],
            words);
        Assert.Equal(
            [new SpeakerSegment(30.75, 32.0, "SPEAKER_00"), new SpeakerSegment(32.5, 34.25, "SPEAKER_01")],
            segments);
    }

    [Fact]
    public void Labelled_words_keep_their_speaker_when_shifted()
    {
        var shifted = Offsets.Shift([new LabelledWord(Words[0], "SPEAKER_01")], 10);

        Assert.Equal([new LabelledWord(new Word("hello", 10.5, 10.9, 0.8), "SPEAKER_01")], shifted);
    }

    [Fact]
    public void A_turn_moves_with_all_its_words()
    {
        var turn = new Turn("SPEAKER_00", 0.5, 1.4, "hello world", Words);

        var shifted = Offsets.Shift([turn], 2).Single();

        Assert.Equal(("SPEAKER_00", 2.5, 3.4, "hello world"), (shifted.Speaker, shifted.Start, shifted.End, shifted.Text));
        Assert.Equal([new Word("hello", 2.5, 2.9, 0.8), new Word("world", 3.0, 3.4)], shifted.Words);
    }

    [Fact]
    public void A_zero_offset_leaves_everything_where_it_was()
    {
        Assert.Same(Words, Offsets.Shift(Words, 0));
        Assert.Same(Segments, Offsets.Shift(Segments, 0));
    }

    [Fact]
    public void A_word_midpoint_lies_halfway_between_its_start_and_end()
    {
        Assert.Equal(1.25, new Word("x", 1.0, 1.5).Mid);
        Assert.Equal(1.75, new SpeakerSegment(0.5, 2.25, "S").Duration);
    }
}
