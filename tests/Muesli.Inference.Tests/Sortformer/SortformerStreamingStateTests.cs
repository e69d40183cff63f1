using Muesli.Inference.Diarization.Sortformer;

namespace Muesli.Inference.Tests.Sortformer;

public sealed class SortformerStreamingStateTests
{
    private const int Width = 3;
    private const int Speakers = 4;

    private static readonly SortformerLayout Layout = new(ChunkFrames: 4, LeftContextFrames: 1, RightContextFrames: 1, FifoFrames: 6, UpdatePeriodFrames: 5, CacheFrames: 16);

    /// <summary>Embeddings whose first value is the frame's number in the stream; context frames are numbered −1.</summary>
    private static float[] Embeddings(int firstFrame, int frames, int left, int right)
    {
        var data = new float[(left + frames + right) * Width];
        for (var i = 0; i < left + frames + right; i++)
        {
            var inChunk = i >= left && i < left + frames;
            data[i * Width] = inChunk ? firstFrame + i - left : -1;
            data[(i * Width) + 1] = 1;
        }

        return data;
    }

    /// <summary>Activities of a run: each frame's speaker 0 says which part it is in (cache 0.9, FIFO 0.8, chunk 0.7).</summary>
    private static float[] Predictions(SortformerStreamingState state, int chunkFrames, float chunk = 0.7f, float cache = 0.9f)
    {
        var rows = state.CacheFrames + state.FifoFrames + chunkFrames;
        var data = new float[rows * Speakers];
        for (var r = 0; r < rows; r++)
        {
            data[r * Speakers] = r < state.CacheFrames ? cache : r < state.CacheFrames + state.FifoFrames ? 0.8f : chunk;
            data[(r * Speakers) + 1] = r / 1000f;
        }

        return data;
    }

    private static int Step(
        SortformerStreamingState state, int firstFrame, int frames, int left = 1, int right = 1, float chunk = 0.7f, float cache = 0.9f)
    {
        var output = new float[frames * Speakers];
        return state.Update(Predictions(state, left + frames + right, chunk, cache), Embeddings(firstFrame, frames, left, right), left + frames + right, left, right, output);
    }

    private static float[] Column(ReadOnlyMemory<float> rows, int width, int column) =>
        Enumerable.Range(0, rows.Length / width).Select(r => rows.Span[(r * width) + column]).ToArray();

    [Fact]
    public void Chunks_join_the_fifo_and_its_oldest_frames_move_to_the_cache_by_the_update_period()
    {
        var state = new SortformerStreamingState(Layout, Width, Speakers);

        Step(state, 0, 4);
        Assert.Equal([0f, 1, 2, 3], Column(state.Fifo, Width, 0));
        Assert.Equal(0, state.CacheFrames);

        // 8 frames overflow the FIFO of 6: max(update period 5, overflow 2) frames move.
        Step(state, 4, 4);
        Assert.Equal([5f, 6, 7], Column(state.Fifo, Width, 0));
        Assert.Equal([0f, 1, 2, 3, 4], Column(state.Cache, Width, 0));

        Step(state, 8, 4);
        Assert.Equal([10f, 11], Column(state.Fifo, Width, 0));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), Column(state.Cache, Width, 0));

        // Exactly full is not an overflow.
        Step(state, 12, 4);
        Assert.Equal([10f, 11, 12, 13, 14, 15], Column(state.Fifo, Width, 0));
        Assert.False(state.CacheCompressed);
    }

    [Fact]
    public void A_chunk_larger_than_the_update_period_moves_the_whole_overflow()
    {
        var layout = Layout with { ChunkFrames = 12, FifoFrames = 2, UpdatePeriodFrames = 3, CacheFrames = 64 };
        var state = new SortformerStreamingState(layout, Width, Speakers);

        Step(state, 0, 12);

        Assert.Equal([10f, 11], Column(state.Fifo, Width, 0));
        Assert.Equal(10, state.CacheFrames);
    }

    [Fact]
    public void Lengths_stay_bounded_over_a_long_stream_and_the_cache_is_compressed()
    {
        var state = new SortformerStreamingState(Layout, Width, Speakers);
        var random = new Random(3);

        for (var step = 0; step < 200; step++)
        {
            var written = Step(state, step * 4, 4, chunk: (float)random.NextDouble());

            Assert.Equal(4, written);
            Assert.InRange(state.FifoFrames, 0, Layout.FifoFrames);
            Assert.InRange(state.CacheFrames, 0, Layout.CacheFrames);
        }

        Assert.True(state.CacheCompressed);
        Assert.Equal(Layout.CacheFrames, state.CacheFrames);
    }

    [Fact]
    public void The_chunk_activities_skip_the_cache_the_fifo_and_the_context_frames()
    {
        var state = new SortformerStreamingState(Layout, Width, Speakers);
        Step(state, 0, 4);
        Step(state, 4, 4);
        var output = new float[4 * Speakers];

        // 5 cache + 3 FIFO rows, then 2 frames of left context: the chunk starts at row 10.
        var written = state.Update(Predictions(state, 2 + 4 + 1), Embeddings(8, 4, 2, 1), 7, 2, 1, output);

        Assert.Equal(4, written);
        Assert.Equal([10 / 1000f, 11 / 1000f, 12 / 1000f, 13 / 1000f], Enumerable.Range(0, 4).Select(t => output[(t * Speakers) + 1]));
        Assert.Equal([10f, 11], Column(state.Fifo, Width, 0));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), Column(state.Cache, Width, 0));
    }

    [Fact]
    public void Fifo_activities_are_those_of_the_latest_run()
    {
        var state = new SortformerStreamingState(Layout, Width, Speakers);
        Step(state, 0, 4);

        Step(state, 4, 2);

        // The two FIFO frames the run saw (0.8) then the chunk's two (0.7).
        Assert.Equal([0.8f, 0.8f, 0.8f, 0.8f, 0.7f, 0.7f], Column(state.FifoPredictions.ToArray(), Speakers, 0));
    }

    [Fact]
    public void Cache_activities_are_refreshed_by_every_run_until_the_first_compression()
    {
        var state = new SortformerStreamingState(Layout, Width, Speakers);
        Step(state, 0, 4);
        Step(state, 4, 4);

        Assert.Equal([0.8f, 0.8f, 0.8f, 0.8f, 0.7f], Column(state.CachePredictions.ToArray(), Speakers, 0));

        // The run rates the 5 cached frames 0.9; of the 5 newly moved, 3 were its FIFO (0.8) and 2 its chunk (0.7).
        Step(state, 8, 4);

        Assert.Equal([0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.8f, 0.8f, 0.8f, 0.7f, 0.7f], Column(state.CachePredictions.ToArray(), Speakers, 0));
    }

    [Fact]
    public void Cache_activities_are_kept_as_chosen_once_compressed()
    {
        var state = new SortformerStreamingState(Layout, Width, Speakers);
        for (var step = 0; state.CacheFrames < Layout.CacheFrames; step++)
        {
            Step(state, step * 4, 4);
        }

        Assert.True(state.CacheCompressed);
        var kept = state.CachePredictions.ToArray();

        // Later runs rate every cached frame 0.6; compressed activities keep what they were.
        for (var step = 0; step < 3; step++)
        {
            Step(state, 1000 + (step * 4), 4, cache: 0.6f);
        }

        Assert.Equal(kept.Take(4 * Speakers).ToArray(), state.CachePredictions[..(4 * Speakers)].ToArray());
    }

    [Fact]
    public void Silent_frames_moved_to_the_cache_make_the_mean_silence_embedding()
    {
        var state = new SortformerStreamingState(Layout, Width, Speakers);
        Step(state, 0, 4);
        Step(state, 4, 4);

        // Frames 0..4 move to the cache, rated 0.8 (as FIFO) and 0.7 (as chunk): not silent.
        Assert.Equal(0, state.SilenceFrames);

        var silentRun = new float[(state.CacheFrames + state.FifoFrames + 6) * Speakers];
        state.Update(silentRun, Embeddings(8, 4, 1, 1), 6, 1, 1, new float[4 * Speakers]);

        // Frames 5..9 move, all silent (activities summing to 0): their mean is (5 + 9) / 2.
        Assert.Equal(5, state.SilenceFrames);
        Assert.Equal([7f, 1f, 0f], state.SilenceEmbedding.ToArray());
    }

    [Fact]
    public void Answers_of_the_wrong_size_are_refused()
    {
        var state = new SortformerStreamingState(Layout, Width, Speakers);

        Assert.Throws<ArgumentException>(() => state.Update(new float[5 * Speakers], Embeddings(0, 4, 1, 1), 6, 1, 1, new float[4 * Speakers]));
        Assert.Throws<ArgumentException>(() => state.Update(new float[10 * Speakers], Embeddings(0, 8, 1, 1), 10, 1, 1, new float[8 * Speakers]));
    }
}
