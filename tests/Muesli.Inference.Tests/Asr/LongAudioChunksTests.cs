using Muesli.Core.Transcripts;
using Muesli.Inference.Asr;

namespace Muesli.Inference.Tests.Asr;

public sealed class LongAudioChunksTests
{
    [Fact]
    public void Audio_that_fits_is_one_chunk_keeping_every_word()
    {
        Assert.Equal([new AudioChunk(0, 100, 0, int.MaxValue)], LongAudioChunks.Plan(100, 100, 10));
        Assert.Equal([new AudioChunk(0, 0, 0, int.MaxValue)], LongAudioChunks.Plan(0, 100, 10));
    }

    [Fact]
    public void Chunks_step_by_the_chunk_less_the_overlap_and_cut_each_overlap_in_its_middle()
    {
        Assert.Equal(
            [new AudioChunk(0, 40, 0, 35), new AudioChunk(30, 40, 35, 65), new AudioChunk(60, 40, 65, int.MaxValue)],
            LongAudioChunks.Plan(100, 40, 10));
    }

    [Fact]
    public void The_last_chunk_is_aligned_to_the_end_and_may_overlap_more()
    {
        // Starts 0, 30, then 60 would leave a 30-sample stub: the last chunk starts at 90 − 40 = 50 instead.
        Assert.Equal(
            [new AudioChunk(0, 40, 0, 35), new AudioChunk(30, 40, 35, 60), new AudioChunk(50, 40, 60, int.MaxValue)],
            LongAudioChunks.Plan(90, 40, 10));
    }

    [Fact]
    public void Chunks_start_on_the_alignment_grid()
    {
        // Step 40 − 10 = 30 rounds down to 24; the last chunk's earliest start 90 − 40 = 50 rounds up to 56.
        Assert.Equal(
            [new AudioChunk(0, 40, 0, 32), new AudioChunk(24, 40, 32, 56), new AudioChunk(48, 40, 56, 72), new AudioChunk(56, 34, 72, int.MaxValue)],
            LongAudioChunks.Plan(90, 40, 10, alignment: 8));
    }

    [Theory]
    [InlineData(1_000, 100, 0, 1)]
    [InlineData(1_001, 100, 30, 1)]
    [InlineData(19_999, 1_000, 333, 7)]
    [InlineData(24_000_000, 19_200_000, 160_000, 1280)]
    public void Chunks_cover_the_audio_within_the_limit_and_their_keep_ranges_tile_it(int samples, int maxChunk, int overlap, int alignment)
    {
        var chunks = LongAudioChunks.Plan(samples, maxChunk, overlap, alignment);

        Assert.Equal(0, chunks[0].Start);
        Assert.Equal(samples, chunks[^1].End);
        Assert.All(chunks, c => Assert.InRange(c.Length, 1, maxChunk));
        Assert.All(chunks, c => Assert.Equal(0, c.Start % alignment));
        Assert.Equal(0, chunks[0].KeepFrom);
        Assert.Equal(int.MaxValue, chunks[^1].KeepUntil);
        foreach (var (earlier, later) in chunks.Zip(chunks.Skip(1)))
        {
            Assert.True(earlier.End - later.Start >= overlap, $"{earlier} and {later} overlap by less than {overlap}");
            Assert.Equal(earlier.KeepUntil, later.KeepFrom);

            // Each chunk keeps only what it heard with at least half the overlap of audio around it.
            Assert.InRange(later.KeepFrom, later.Start + (overlap / 2), earlier.End - (overlap / 2));
        }
    }

    [Fact]
    public void An_overlap_that_leaves_no_step_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LongAudioChunks.Plan(100, 40, 40));
        Assert.Throws<ArgumentOutOfRangeException>(() => LongAudioChunks.Plan(100, 40, 35, alignment: 8));
    }

    [Fact]
    public void The_default_layout_takes_300_s_chunks_overlapping_by_10_s_on_the_encoder_grid()
    {
        Assert.Equal(new ChunkLayout(300 * 16000, 10 * 16000, 1280, 16000), ChunkLayout.For(LongAudioOptions.Default, 16000, 1280, null, "m.onnx"));

        // The real table of 5000 frames (about 400 s) leaves the 300 s chunks as they are.
        Assert.Equal(300 * 16000, ChunkLayout.For(LongAudioOptions.Default, 16000, 1280, 5000, "m.onnx").MaxChunk);
    }

    [Fact]
    public void A_declared_limit_shorter_than_the_chunks_shortens_them_to_one_frame_less()
    {
        var layout = ChunkLayout.For(LongAudioOptions.Default, 16000, 1280, maxEncoderFrames: 2000, "m.onnx");

        Assert.Equal(1999 * 1280, layout.MaxChunk);
        Assert.Equal(159.92, layout.MaxChunkSeconds, 1e-9);
    }

    [Fact]
    public void A_declared_limit_that_leaves_no_room_past_the_overlap_is_reported_with_the_model()
    {
        var error = Assert.Throws<InvalidDataException>(() => ChunkLayout.For(LongAudioOptions.Default, 16000, 1280, maxEncoderFrames: 100, "m.onnx"));

        Assert.Contains("m.onnx", error.Message);
        Assert.Contains("100 encoder frames", error.Message);
    }

    [Theory]
    [InlineData(10, 10)]
    [InlineData(10, -1)]
    [InlineData(double.PositiveInfinity, 10)]
    [InlineData(double.NaN, 10)]
    public void Options_whose_chunks_cannot_advance_past_the_overlap_are_rejected(double maxChunkSeconds, double overlapSeconds)
        => Assert.Throws<ArgumentException>(() => new LongAudioOptions { MaxChunkSeconds = maxChunkSeconds, OverlapSeconds = overlapSeconds }.Validate());

    // Two chunks of a 10 Hz "window", cut at 5 s: the first owns starts before 5 s, the second from 5 s on.
    private static readonly AudioChunk First = new(0, 60, 0, 50);
    private static readonly AudioChunk Second = new(40, 60, 50, int.MaxValue);

    private static IReadOnlyList<Word> Stitch(Word[] first, Word[] second)
        => LongAudioChunks.Stitch([(First, first), (Second, second)], sampleRate: 10, tolerance: 0.5);

    [Fact]
    public void Each_chunk_keeps_the_words_that_start_on_its_side_of_the_cut()
    {
        var words = Stitch(
            [new("a", 1, 2), new("b", 4.2, 4.6), new("c", 5.5, 6)],
            [new("a", 1, 2), new("b", 4.2, 4.6), new("c", 5.5, 6), new("d", 8, 9)]);

        Assert.Equal(["a", "b", "c", "d"], words.Select(w => w.Text));
        Assert.Equal([1, 4.2, 5.5, 8], words.Select(w => w.Start));
    }

    [Fact]
    public void A_word_both_chunks_keep_across_the_cut_is_kept_once_from_the_earlier_chunk()
    {
        var words = Stitch([new("b", 4.96, 5.3)], [new("b", 5.04, 5.36), new("c", 6, 6.4)]);

        Assert.Equal([new Word("b", 4.96, 5.3), new Word("c", 6, 6.4)], words);
    }

    [Fact]
    public void A_word_both_chunks_drop_across_the_cut_is_taken_from_the_later_chunk()
    {
        var words = Stitch([new("a", 4, 4.4), new("b", 5.04, 5.36)], [new("a", 4, 4.4), new("b", 4.96, 5.3)]);

        Assert.Equal([new Word("a", 4, 4.4), new Word("b", 4.96, 5.3)], words);
    }

    [Fact]
    public void Neighbouring_words_that_touch_are_not_taken_for_one_word()
    {
        var words = Stitch([new("a", 4.6, 4.98)], [new("a", 4.6, 4.98), new("b", 4.9, 5.3)]);

        Assert.Equal(["a", "b"], words.Select(w => w.Text));
    }

    [Fact]
    public void A_later_chunk_does_not_reach_back_past_the_tolerance()
    {
        var words = Stitch([], [new("early", 4.4, 4.8), new("late", 4.6, 4.9)]);

        Assert.Equal(["late"], words.Select(w => w.Text));
    }
}
