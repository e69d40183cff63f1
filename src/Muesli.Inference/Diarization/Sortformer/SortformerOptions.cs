namespace Muesli.Inference.Diarization.Sortformer;

/// <summary>How the streaming Sortformer runs and how its activities become segments and embeddings.</summary>
public sealed record SortformerOptions
{
    public static readonly SortformerOptions Default = new();

    public SortformerStreaming Streaming { get; init; } = new();

    public SortformerPostProcessing PostProcessing { get; init; } = new();

    /// <summary>Seconds of each speaker's audio the embedder hears: its longest stretches without overlap.</summary>
    public double EmbeddingSeconds { get; init; } = 10;
}

/// <summary>
/// The streaming layout, in 80 ms encoder frames (spec/models.md, and NeMo's <c>SortformerModules</c> parameters of the
/// same names). A null length comes from the model's metadata (<c>chunk_len</c>, <c>fifo_len</c>,
/// <c>spkcache_len</c>) when it has one, else from the default.
/// </summary>
public sealed record SortformerStreaming
{
    public const int DefaultChunkFrames = 124;
    public const int DefaultFifoFrames = 124;
    public const int DefaultCacheFrames = 188;

    /// <summary>Frames predicted per model run (124 ≈ 10 s).</summary>
    public int? ChunkFrames { get; init; }

    /// <summary>Frames of the previous chunk fed in front of each chunk, whose predictions are discarded (NeMo's default: 1).</summary>
    public int LeftContextFrames { get; init; } = 1;

    /// <summary>Frames of the next chunk fed after each chunk, whose predictions are discarded.</summary>
    public int RightContextFrames { get; init; } = 1;

    /// <summary>Most recent frames kept as they are, in front of the chunk.</summary>
    public int? FifoFrames { get; init; }

    /// <summary>Frames moved from the FIFO into the speaker cache when the FIFO overflows.</summary>
    public int UpdatePeriodFrames { get; init; } = 144;

    /// <summary>Frames the speaker cache keeps once compressed, chosen per speaker from everything heard so far.</summary>
    public int? CacheFrames { get; init; }
}

/// <summary>
/// Activities → segments: a speaker starts above <see cref="Onset"/> and stops below <see cref="Offset"/>; segments are
/// padded, those shorter than <see cref="MinDurationOnSeconds"/> dropped, then gaps shorter than
/// <see cref="MinDurationOffSeconds"/> filled. The defaults are NeMo's untuned ones (<c>PostProcessingParams</c>):
/// thresholds 0.5, no padding, no filtering.
/// </summary>
public sealed record SortformerPostProcessing
{
    public float Onset { get; init; } = 0.5f;

    public float Offset { get; init; } = 0.5f;

    public double PadOnsetSeconds { get; init; }

    public double PadOffsetSeconds { get; init; }

    public double MinDurationOnSeconds { get; init; }

    public double MinDurationOffSeconds { get; init; }

    /// <summary>Throws naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(Onset is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Onset), Onset, "must be a probability in [0, 1]");
        }

        if (!(Offset is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Offset), Offset, "must be a probability in [0, 1]");
        }

        SettingChecks.RequireSeconds(PadOnsetSeconds, nameof(PadOnsetSeconds));
        SettingChecks.RequireSeconds(PadOffsetSeconds, nameof(PadOffsetSeconds));
        SettingChecks.RequireSeconds(MinDurationOnSeconds, nameof(MinDurationOnSeconds));
        SettingChecks.RequireSeconds(MinDurationOffSeconds, nameof(MinDurationOffSeconds));
    }
}
