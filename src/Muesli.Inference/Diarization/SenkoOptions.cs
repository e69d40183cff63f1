using Muesli.Core.Speakers;

namespace Muesli.Inference.Diarization;

/// <summary>The numbers of the senko pipeline, with sherpa-onnx's reference defaults (spec/models.md).</summary>
public sealed record SenkoOptions
{
    /// <summary>Seconds between segmentation windows: 1 s for the final pass; a larger step costs fewer windows live.</summary>
    public double StepSeconds { get; init; } = 1.0;

    /// <summary>Clusters of embeddings closer than this cosine distance are one speaker. Ignored with <see cref="SpeakerCount"/>.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>The number of speakers, when known; clustering then merges down to it.</summary>
    public int? SpeakerCount { get; init; }

    public Linkage Linkage { get; init; } = Linkage.Complete;

    /// <summary>Speaker clusters with fewer (window, local speaker) members fold into the nearest larger one.</summary>
    public int MinClusterSize { get; init; } = 1;

    /// <summary>Turns shorter than this (seconds) are dropped, after gaps are filled.</summary>
    public double MinDurationOn { get; init; } = 0.3;

    /// <summary>Gaps shorter than this (seconds) within one speaker's turns are filled.</summary>
    public double MinDurationOff { get; init; } = 0.5;

    /// <summary>A local speaker is embedded only when it talks alone for at least this many segmentation frames.</summary>
    public int MinEmbeddingFrames { get; init; } = 10;

    public ClusteringOptions Clustering => new()
    {
        Threshold = Threshold,
        SpeakerCount = SpeakerCount,
        Linkage = Linkage,
        MinClusterSize = MinClusterSize,
    };

    /// <summary>Throws naming the first option out of range.</summary>
    public void Validate()
    {
        if (!(StepSeconds > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(StepSeconds), StepSeconds, "the window step must be positive");
        }

        if (!(Threshold >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "the clustering threshold must be 0 or more");
        }

        if (SpeakerCount is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SpeakerCount), SpeakerCount, "the speaker count must be at least 1");
        }

        if (MinClusterSize < 1 || MinEmbeddingFrames < 1)
        {
            throw new ArgumentOutOfRangeException(
                MinClusterSize < 1 ? nameof(MinClusterSize) : nameof(MinEmbeddingFrames), "must be at least 1");
        }

        if (!(MinDurationOn >= 0) || !(MinDurationOff >= 0))
        {
            throw new ArgumentOutOfRangeException(
                !(MinDurationOn >= 0) ? nameof(MinDurationOn) : nameof(MinDurationOff), "durations must be 0 or more");
        }
    }
}
