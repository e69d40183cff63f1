namespace Muesli.Inference.Diarization.Sortformer;

/// <summary>
/// What streaming Sortformer remembers between chunks (NeMo's <c>StreamingSortformerState</c> and its synchronous
/// <c>SortformerModules.streaming_update</c>): a FIFO of the latest frames' embeddings, a speaker cache of frames
/// chosen from everything older, and the mean embedding of silent frames. Both stay bounded: the FIFO by
/// <see cref="SortformerLayout.FifoFrames"/>, the cache by <see cref="SortformerLayout.CacheFrames"/>.
/// </summary>
/// <remarks>
/// After each run the chunk's embeddings join the FIFO. When the FIFO overflows, its oldest frames (the update period,
/// or more if the overflow is larger) move to the speaker cache, and silent ones among them (activities summing under
/// 0.2) update the mean silence embedding. When the cache overflows it is compressed
/// (<see cref="SpeakerCacheCompression"/>). Until the first compression the cache's activities are refreshed from
/// every run; after it they are kept as chosen. Buffers are allocated once, at their largest.
/// </remarks>
public sealed class SortformerStreamingState
{
    private const float SilenceThreshold = 0.2f;

    private readonly SortformerLayout layout;
    private readonly int width;
    private readonly int speakers;
    private readonly float[] fifo;
    private readonly float[] fifoPredictions;
    private readonly float[] cache;
    private readonly float[] cachePredictions;
    private readonly float[] compressedEmbeddings;
    private readonly float[] compressedPredictions;
    private readonly float[] silence;

    public SortformerStreamingState(SortformerLayout layout, int embeddingSize, int speakers)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(speakers, 1);
        layout.Validate(speakers);
        this.layout = layout;
        width = embeddingSize;
        this.speakers = speakers;

        // The FIFO holds at most its length plus one chunk; the cache, before compression, its length plus one pop.
        var fifoCapacity = layout.FifoFrames + layout.ChunkFrames;
        var cacheCapacity = layout.CacheFrames + fifoCapacity;
        fifo = new float[fifoCapacity * width];
        fifoPredictions = new float[fifoCapacity * speakers];
        cache = new float[cacheCapacity * width];
        cachePredictions = new float[cacheCapacity * speakers];
        compressedEmbeddings = new float[layout.CacheFrames * width];
        compressedPredictions = new float[layout.CacheFrames * speakers];
        silence = new float[width];
    }

    public int FifoFrames { get; private set; }

    public int CacheFrames { get; private set; }

    /// <summary>Whether the speaker cache has been compressed at least once.</summary>
    public bool CacheCompressed { get; private set; }

    /// <summary>Silent frames averaged into <see cref="SilenceEmbedding"/> so far.</summary>
    public long SilenceFrames { get; private set; }

    /// <summary>The FIFO's embeddings, row-major [<see cref="FifoFrames"/>, E], oldest first.</summary>
    public ReadOnlyMemory<float> Fifo => fifo.AsMemory(0, FifoFrames * width);

    /// <summary>The speaker cache's embeddings, row-major [<see cref="CacheFrames"/>, E].</summary>
    public ReadOnlyMemory<float> Cache => cache.AsMemory(0, CacheFrames * width);

    /// <summary>The FIFO's activities as the latest run saw them, row-major [<see cref="FifoFrames"/>, speakers].</summary>
    public ReadOnlySpan<float> FifoPredictions => fifoPredictions.AsSpan(0, FifoFrames * speakers);

    /// <summary>The speaker cache's activities, row-major [<see cref="CacheFrames"/>, speakers].</summary>
    public ReadOnlySpan<float> CachePredictions => cachePredictions.AsSpan(0, CacheFrames * speakers);

    public ReadOnlySpan<float> SilenceEmbedding => silence;

    /// <summary>
    /// Takes one run's answer for the current <see cref="Cache"/> and <see cref="Fifo"/>, writes the chunk's activities
    /// (without its context frames) to <paramref name="chunkPredictions"/> and returns how many frames it wrote.
    /// </summary>
    /// <param name="predictions">Row-major [cache + FIFO + chunk embedding frames, speakers].</param>
    /// <param name="chunkEmbeddings">Row-major [chunk embedding frames, E], context frames included.</param>
    /// <param name="leftContext">Encoder frames at the front of the chunk that belong to the previous chunk.</param>
    /// <param name="rightContext">Encoder frames at the end of the chunk that belong to the next chunk.</param>
    public int Update(
        ReadOnlySpan<float> predictions,
        ReadOnlySpan<float> chunkEmbeddings,
        int chunkEmbeddingFrames,
        int leftContext,
        int rightContext,
        Span<float> chunkPredictions)
    {
        var cached = CacheFrames;
        var queued = FifoFrames;
        var chunk = chunkEmbeddingFrames - leftContext - rightContext;
        if (leftContext < 0 || rightContext < 0 || chunk < 0 || chunk > layout.ChunkFrames)
        {
            throw new ArgumentException(
                $"{chunkEmbeddingFrames} chunk frames less {leftContext} + {rightContext} of context leave {chunk}, not 0 to {layout.ChunkFrames}");
        }

        if (chunkEmbeddings.Length != chunkEmbeddingFrames * width || predictions.Length != (cached + queued + chunkEmbeddingFrames) * speakers)
        {
            throw new ArgumentException(
                $"expected {chunkEmbeddingFrames} chunk embeddings of width {width} and activities for {cached} + {queued} + {chunkEmbeddingFrames} frames");
        }

        var chunkActivity = predictions.Slice((cached + queued + leftContext) * speakers, chunk * speakers);
        chunkActivity.CopyTo(chunkPredictions);

        predictions.Slice(cached * speakers, queued * speakers).CopyTo(fifoPredictions);
        chunkActivity.CopyTo(fifoPredictions.AsSpan(queued * speakers));
        chunkEmbeddings.Slice(leftContext * width, chunk * width).CopyTo(fifo.AsSpan(queued * width));
        FifoFrames = queued + chunk;
        if (FifoFrames > layout.FifoFrames)
        {
            var popped = Math.Min(Math.Max(layout.UpdatePeriodFrames, FifoFrames - layout.FifoFrames), FifoFrames);
            MoveToCache(popped, predictions[..(cached * speakers)]);
        }

        return chunk;
    }

    private void MoveToCache(int popped, ReadOnlySpan<float> freshCachePredictions)
    {
        var embeddings = fifo.AsSpan(0, popped * width);
        var activities = fifoPredictions.AsSpan(0, popped * speakers);
        AddSilence(embeddings, activities);

        if (!CacheCompressed)
        {
            freshCachePredictions.CopyTo(cachePredictions);
        }

        embeddings.CopyTo(cache.AsSpan(CacheFrames * width));
        activities.CopyTo(cachePredictions.AsSpan(CacheFrames * speakers));
        CacheFrames += popped;

        var remaining = FifoFrames - popped;
        fifo.AsSpan(popped * width, remaining * width).CopyTo(fifo);
        fifoPredictions.AsSpan(popped * speakers, remaining * speakers).CopyTo(fifoPredictions);
        FifoFrames = remaining;

        if (CacheFrames > layout.CacheFrames)
        {
            SpeakerCacheCompression.Compress(
                cache.AsSpan(0, CacheFrames * width),
                cachePredictions.AsSpan(0, CacheFrames * speakers),
                CacheFrames,
                speakers,
                silence,
                layout.CacheFrames,
                compressedEmbeddings,
                compressedPredictions);
            compressedEmbeddings.CopyTo(cache, 0);
            compressedPredictions.CopyTo(cachePredictions, 0);
            CacheFrames = layout.CacheFrames;
            CacheCompressed = true;
        }
    }

    // The running mean over every silent frame ever moved to the cache.
    private void AddSilence(ReadOnlySpan<float> embeddings, ReadOnlySpan<float> activities)
    {
        for (var t = 0; t < activities.Length / speakers; t++)
        {
            var total = 0f;
            foreach (var p in activities.Slice(t * speakers, speakers))
            {
                total += p;
            }

            if (total >= SilenceThreshold)
            {
                continue;
            }

            SilenceFrames++;
            var frame = embeddings.Slice(t * width, width);
            for (var i = 0; i < width; i++)
            {
                silence[i] += (frame[i] - silence[i]) / SilenceFrames;
            }
        }
    }
}
