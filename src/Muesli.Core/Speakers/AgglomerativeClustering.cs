namespace Muesli.Core.Speakers;

public enum Linkage
{
    Complete,
    Average,
    Centroid,
}

/// <summary>How embeddings are grouped into speakers: by a cosine-distance threshold, or into a given number.</summary>
public sealed record ClusteringOptions
{
    /// <summary>Clusters closer than this (cosine distance, 0–2) merge. Ignored when <see cref="SpeakerCount"/> is set.</summary>
    public double Threshold { get; init; } = 0.5;

    public int? SpeakerCount { get; init; }

    public Linkage Linkage { get; init; } = Linkage.Complete;

    /// <summary>Clusters with fewer members are folded into their nearest large cluster (pyannote's min cluster size).</summary>
    public int MinClusterSize { get; init; } = 1;
}

/// <summary>Agglomerative clustering of embeddings by cosine distance; pure and deterministic.</summary>
public static class AgglomerativeClustering
{
    /// <summary>A cluster index (0, 1, … in order of first appearance) for each embedding.</summary>
    public static int[] Cluster(IReadOnlyList<float[]> embeddings, ClusteringOptions options) => throw new NotImplementedException();

    /// <summary>1 − cos(a, b); 1 when either vector is zero.</summary>
    public static double CosineDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => throw new NotImplementedException();
}
