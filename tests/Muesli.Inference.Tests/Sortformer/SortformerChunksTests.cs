using Muesli.Inference.Diarization.Sortformer;

namespace Muesli.Inference.Tests.Sortformer;

public sealed class SortformerChunksTests
{
    private static readonly SortformerLayout Layout = new(ChunkFrames: 4, LeftContextFrames: 1, RightContextFrames: 1, FifoFrames: 6, UpdatePeriodFrames: 5, CacheFrames: 16);

    [Fact]
    public void Chunks_of_32_frames_carry_8_frames_of_context_each_side_except_at_the_edges()
    {
        var chunks = SortformerChunks.Plan(333, Layout);

        Assert.Equal(11, chunks.Count);
        Assert.Equal(new SortformerChunk(0, 32, 0, 8), chunks[0]);
        for (var i = 1; i < 10; i++)
        {
            Assert.Equal(new SortformerChunk(32 * i, 32 * (i + 1), 8, 8), chunks[i]);
        }

        Assert.Equal(new SortformerChunk(320, 333, 8, 0), chunks[10]);
    }

    [Fact]
    public void A_short_last_chunk_leaves_the_chunk_before_it_a_partial_right_context()
    {
        var chunks = SortformerChunks.Plan(325, Layout);

        Assert.Equal(new SortformerChunk(288, 320, 8, 5), chunks[^2]);
        Assert.Equal(1, chunks[^2].RightEncoderFrames);
        Assert.Equal(1, chunks[^2].LeftEncoderFrames);
        Assert.Equal(8 + 32 + 5, chunks[^2].InputFrames);
        Assert.Equal(new SortformerChunk(320, 325, 8, 0), chunks[^1]);
    }

    [Fact]
    public void Wider_contexts_are_whole_encoder_frames_clipped_at_the_start()
    {
        var chunks = SortformerChunks.Plan(100, Layout with { LeftContextFrames = 3, RightContextFrames = 2 });

        Assert.Equal([0, 24, 24, 24], chunks.Select(c => c.LeftContext));
        Assert.Equal([16, 16, 4, 0], chunks.Select(c => c.RightContext));
        Assert.Equal([0, 3, 3, 3], chunks.Select(c => c.LeftEncoderFrames));
    }

    [Fact]
    public void The_chunks_tile_the_features_and_make_one_encoder_frame_per_8_frames()
    {
        foreach (var frames in new[] { 1, 7, 8, 9, 31, 32, 33, 1000 })
        {
            var chunks = SortformerChunks.Plan(frames, Layout);

            Assert.Equal(0, chunks[0].Start);
            Assert.Equal(frames, chunks[^1].End);
            Assert.All(chunks.Zip(chunks.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start));
            Assert.Equal((frames + 7) / 8, SortformerChunks.OutputFrames(frames));
            Assert.Equal(SortformerChunks.OutputFrames(frames), chunks.Sum(c => (c.End - c.Start + 7) / 8));
        }

        Assert.Empty(SortformerChunks.Plan(0, Layout));
    }
}
