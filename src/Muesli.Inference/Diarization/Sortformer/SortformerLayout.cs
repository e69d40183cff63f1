namespace Muesli.Inference.Diarization.Sortformer;

/// <summary>The streaming layout in use, every length resolved (encoder frames of 80 ms).</summary>
public sealed record SortformerLayout(
    int ChunkFrames,
    int LeftContextFrames,
    int RightContextFrames,
    int FifoFrames,
    int UpdatePeriodFrames,
    int CacheFrames)
{
    /// <summary>Options first, then the model's metadata, then the defaults; validated against NeMo's constraints.</summary>
    public static SortformerLayout Resolve(SortformerStreaming options, SortformerModel model)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        var layout = new SortformerLayout(
            options.ChunkFrames ?? model.MetadataChunkFrames ?? SortformerStreaming.DefaultChunkFrames,
            options.LeftContextFrames,
            options.RightContextFrames,
            options.FifoFrames ?? model.MetadataFifoFrames ?? SortformerStreaming.DefaultFifoFrames,
            options.UpdatePeriodFrames,
            options.CacheFrames ?? model.MetadataCacheFrames ?? SortformerStreaming.DefaultCacheFrames);
        layout.Validate(model.Speakers);
        return layout;
    }

    /// <summary>Throws naming the first length NeMo would refuse.</summary>
    public void Validate(int speakers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkFrames, 1, nameof(ChunkFrames));
        ArgumentOutOfRangeException.ThrowIfNegative(LeftContextFrames, nameof(LeftContextFrames));
        ArgumentOutOfRangeException.ThrowIfNegative(RightContextFrames, nameof(RightContextFrames));
        ArgumentOutOfRangeException.ThrowIfNegative(FifoFrames, nameof(FifoFrames));
        ArgumentOutOfRangeException.ThrowIfLessThan(UpdatePeriodFrames, 1, nameof(UpdatePeriodFrames));

        // Compression keeps a few silence frames per speaker and at least one frame of each speaker's voice.
        var minimumCache = (1 + SpeakerCacheCompression.SilenceFramesPerSpeaker) * speakers;
        ArgumentOutOfRangeException.ThrowIfLessThan(CacheFrames, minimumCache, nameof(CacheFrames));
    }
}
