namespace Muesli.Core.Speakers;

public enum Linkage
{
    /// <summary>Distance between clusters = the largest distance between their members.</summary>
    Complete,

    /// <summary>Distance between clusters = the mean distance over all pairs of their members.</summary>
    Average,

    /// <summary>Distance between clusters = the cosine distance between their centroids (means of the normalised members).</summary>
    Centroid,
}

/// <summary>How embeddings are grouped into speakers: by a cosine-distance threshold, or into a given number.</summary>
public sealed record ClusteringOptions
{
    /// <summary>Clusters closer than this (cosine distance, 0–2) merge. Ignored when <see cref="SpeakerCount"/> is set.</summary>
    public double Threshold { get; init; } = 0.5;

    public int? SpeakerCount { get; init; }

    /// <summary>Fewest clusters when the threshold decides (<c>--min-speakers</c>): merging stops before going below it.</summary>
    public int? MinSpeakers { get; init; }

    /// <summary>Most clusters when the threshold decides (<c>--max-speakers</c>): merging goes on past the threshold down to it.</summary>
    public int? MaxSpeakers { get; init; }

    /// <summary>Whether a speaker count, or bounds on it, were given.</summary>
    public bool Constrained => SpeakerCount is not null || MinSpeakers is not null || MaxSpeakers is not null;

    public Linkage Linkage { get; init; } = Linkage.Complete;

    /// <summary>
    /// Clusters with fewer members are folded into their nearest large cluster (pyannote's min cluster size). With
    /// <see cref="SpeakerCount"/> set, the merging stops at the last point where exactly that many clusters are large.
    /// </summary>
    public int MinClusterSize { get; init; } = 1;
}

/// <summary>
/// Agglomerative clustering of embeddings by cosine distance; pure and deterministic. Embeddings are L2-normalised,
/// then the closest pair of clusters merges first (ties: the lowest indices), until the closest pair is no closer than
/// the threshold or the speaker count is reached; small clusters are then folded into the nearest large one by
/// centroid. Memory is one triangular distance table, 4·n² bytes (36 MB for 3000 embeddings); time is O(n²·d) to
/// build it and about O(n²) to merge, so n up to a few thousand is the intended range.
/// </summary>
public static class AgglomerativeClustering
{
    /// <summary>A cluster index (0, 1, … in order of first appearance) for each embedding.</summary>
    public static int[] Cluster(IReadOnlyList<float[]> embeddings, ClusteringOptions options)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(options);
        Validate(embeddings, options);
        if (embeddings.Count == 0)
        {
            return [];
        }

        var unit = embeddings.Select(Normalised).ToArray();
        var merging = new Merging(unit, options.Linkage);
        var (steps, foldSmall) = options.SpeakerCount is { } count
            ? merging.MergeDownTo(count, options.MinClusterSize)
            : (merging.MergeBelow(options.Threshold), true);
        if (options.SpeakerCount is null && options.MaxSpeakers is { } max && unit.Length - steps > max)
        {
            // The merges are made closest first either way, so merging on from scratch down to the bound is the same order.
            merging = new Merging(unit, options.Linkage);
            (steps, foldSmall) = merging.MergeDownTo(max, options.MinClusterSize);
        }
        else if (options.SpeakerCount is null && options.MinSpeakers is { } min && unit.Length - steps < min)
        {
            steps = Math.Max(0, unit.Length - min);
            foldSmall = false;
        }
        var labels = merging.LabelsAfter(steps);
        if (foldSmall && options.MinClusterSize > 1)
        {
            FoldSmallClusters(labels, unit, options.MinClusterSize);
        }

        return InOrderOfFirstAppearance(labels);
    }

    /// <summary>1 − cos(a, b); 1 when either vector is zero.</summary>
    public static double CosineDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"vectors of different lengths ({a.Length} and {b.Length})", nameof(b));
        }

        double dot = 0, aa = 0, bb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }

        return aa == 0 || bb == 0 ? 1 : 1 - (dot / Math.Sqrt(aa * bb));
    }

    private static void Validate(IReadOnlyList<float[]> embeddings, ClusteringOptions options)
    {
        if (options.SpeakerCount is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SpeakerCount, "SpeakerCount must be at least 1");
        }

        if (options.MinSpeakers is < 1 || options.MaxSpeakers is < 1 || options.MinSpeakers > options.MaxSpeakers)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"speaker bounds {options.MinSpeakers}..{options.MaxSpeakers} are not 1 ≤ min ≤ max");
        }

        if (options.SpeakerCount is null && !(options.Threshold >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Threshold, "Threshold must be a distance of 0 or more");
        }

        if (options.MinClusterSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MinClusterSize, "MinClusterSize must be at least 1");
        }

        for (var i = 0; i < embeddings.Count; i++)
        {
            if (embeddings[i] is null)
            {
                throw new ArgumentException($"embedding {i} is null", nameof(embeddings));
            }

            if (embeddings[i].Length != embeddings[0].Length)
            {
                throw new ArgumentException(
                    $"embedding {i} has {embeddings[i].Length} dimensions, embedding 0 has {embeddings[0].Length}", nameof(embeddings));
            }
        }
    }

    private static double[] Normalised(float[] embedding)
    {
        double squares = 0;
        foreach (var x in embedding)
        {
            squares += (double)x * x;
        }

        var scale = squares > 0 ? 1 / Math.Sqrt(squares) : 0;
        return embedding.Select(x => x * scale).ToArray();
    }

    /// <summary>1 − cos of two vectors of doubles; 1 when either is zero.</summary>
    internal static double Distance(double[] a, double[] b)
    {
        double dot = 0, aa = 0, bb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }

        return aa == 0 || bb == 0 ? 1 : 1 - (dot / Math.Sqrt(aa * bb));
    }

    // Each small cluster joins, as a whole, the large cluster whose centroid is nearest to its own.
    private static void FoldSmallClusters(int[] labels, double[][] unit, int minClusterSize)
    {
        var clusters = labels.Distinct().Order().ToArray();
        var sizes = clusters.ToDictionary(c => c, c => labels.Count(l => l == c));
        var large = clusters.Where(c => sizes[c] >= minClusterSize).ToArray();
        if (large.Length == 0 || large.Length == clusters.Length)
        {
            return;
        }

        var centroids = clusters.ToDictionary(c => c, c => Centroid(labels, unit, c));
        var target = new Dictionary<int, int>();
        foreach (var small in clusters.Where(c => sizes[c] < minClusterSize))
        {
            target[small] = large.MinBy(c => Distance(centroids[small], centroids[c]));
        }

        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = target.GetValueOrDefault(labels[i], labels[i]);
        }
    }

    private static double[] Centroid(int[] labels, double[][] unit, int cluster)
    {
        var sum = new double[unit[0].Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == cluster)
            {
                Add(sum, unit[i]);
            }
        }

        return sum;
    }

    internal static void Add(double[] sum, double[] x)
    {
        for (var d = 0; d < sum.Length; d++)
        {
            sum[d] += x[d];
        }
    }

    private static int[] InOrderOfFirstAppearance(int[] labels)
    {
        var renumbered = new Dictionary<int, int>();
        return labels.Select(l => renumbered.TryGetValue(l, out var index) ? index : renumbered[l] = renumbered.Count).ToArray();
    }

    /// <summary>The merge loop: a triangular distance table, each cluster's nearest neighbour, and the merges made.</summary>
    private sealed class Merging
    {
        private readonly int n;
        private readonly Linkage linkage;
        private readonly double[] distances;
        private readonly int[] sizes;
        private readonly bool[] active;
        private readonly int[] nearest;
        private readonly double[] nearestDistance;
        private readonly double[][] sums;
        private readonly List<(int Keep, int Drop)> merges = [];
        private int clusters;

        public Merging(double[][] unit, Linkage linkage)
        {
            n = unit.Length;
            this.linkage = linkage;
            distances = new double[(long)n * (n - 1) / 2];
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n; j++)
                {
                    distances[Index(i, j)] = Distance(unit[i], unit[j]);
                }
            }

            sizes = Enumerable.Repeat(1, n).ToArray();
            active = Enumerable.Repeat(true, n).ToArray();
            sums = linkage == Linkage.Centroid ? unit.Select(u => (double[])u.Clone()).ToArray() : [];
            nearest = new int[n];
            nearestDistance = new double[n];
            clusters = n;
            for (var i = 0; i < n; i++)
            {
                FindNearest(i);
            }
        }

        /// <summary>Merges while the closest pair is closer than <paramref name="threshold"/>; returns the merges made.</summary>
        public int MergeBelow(double threshold)
        {
            while (clusters > 1 && Closest() is var (a, b, distance) && distance < threshold)
            {
                Merge(a, b);
            }

            return merges.Count;
        }

        /// <summary>
        /// Merges down to <paramref name="count"/> clusters; returns the merges after which exactly <paramref name="count"/>
        /// clusters had <paramref name="minClusterSize"/> members or more (the last such point), and whether small clusters
        /// remain to be folded. Without such a point: every merge down to the count, nothing folded.
        /// </summary>
        public (int Steps, bool FoldSmall) MergeDownTo(int count, int minClusterSize)
        {
            var large = minClusterSize <= 1 ? n : 0;
            int? lastWithCountLarge = large == count ? 0 : null;
            while (clusters > count)
            {
                var (a, b, _) = Closest();
                large -= (sizes[a] >= minClusterSize ? 1 : 0) + (sizes[b] >= minClusterSize ? 1 : 0);
                Merge(a, b);
                large += sizes[a] >= minClusterSize ? 1 : 0;
                if (large == count)
                {
                    lastWithCountLarge = merges.Count;
                }
            }

            return lastWithCountLarge is { } steps ? (steps, true) : (merges.Count, false);
        }

        /// <summary>Each item's cluster (the lowest item index in it) after the first <paramref name="steps"/> merges.</summary>
        public int[] LabelsAfter(int steps)
        {
            var labels = Enumerable.Range(0, n).ToArray();
            foreach (var (keep, drop) in merges.Take(steps))
            {
                for (var i = 0; i < n; i++)
                {
                    if (labels[i] == drop)
                    {
                        labels[i] = keep;
                    }
                }
            }

            return labels;
        }

        private long Index(int i, int j)
        {
            if (i > j)
            {
                (i, j) = (j, i);
            }

            return ((long)i * ((2 * n) - i - 1) / 2) + (j - i - 1);
        }

        private double this[int i, int j]
        {
            get => distances[Index(i, j)];
            set => distances[Index(i, j)] = value;
        }

        // Lowest distance, then lowest first index, then lowest second index.
        private (int A, int B, double Distance) Closest()
        {
            var best = -1;
            for (var i = 0; i < n; i++)
            {
                if (active[i] && nearest[i] >= 0 && (best < 0 || nearestDistance[i] < nearestDistance[best]))
                {
                    best = i;
                }
            }

            return (best, nearest[best], nearestDistance[best]);
        }

        private void FindNearest(int i)
        {
            nearest[i] = -1;
            nearestDistance[i] = double.PositiveInfinity;
            for (var j = 0; j < n; j++)
            {
                if (j != i && active[j] && (nearest[i] < 0 || this[i, j] < nearestDistance[i]))
                {
                    nearest[i] = j;
                    nearestDistance[i] = this[i, j];
                }
            }
        }

        private void Merge(int a, int b)
        {
            var (keep, drop) = a < b ? (a, b) : (b, a);
            if (linkage == Linkage.Centroid)
            {
                Add(sums[keep], sums[drop]);
            }

            for (var k = 0; k < n; k++)
            {
                if (active[k] && k != keep && k != drop)
                {
                    this[keep, k] = Linked(k, keep, drop);
                }
            }

            sizes[keep] += sizes[drop];
            active[drop] = false;
            clusters--;
            merges.Add((keep, drop));
            FindNearest(keep);
            for (var k = 0; k < n; k++)
            {
                if (!active[k] || k == keep)
                {
                    continue;
                }

                if (nearest[k] == keep || nearest[k] == drop)
                {
                    FindNearest(k);
                }
                else if (this[k, keep] < nearestDistance[k] || (this[k, keep] == nearestDistance[k] && keep < nearest[k]))
                {
                    nearest[k] = keep;
                    nearestDistance[k] = this[k, keep];
                }
            }
        }

        // The distance from cluster k to the union of keep and drop, before their sizes change.
        private double Linked(int k, int keep, int drop) => linkage switch
        {
            Linkage.Complete => Math.Max(this[k, keep], this[k, drop]),
            Linkage.Average => ((sizes[keep] * this[k, keep]) + (sizes[drop] * this[k, drop])) / (sizes[keep] + sizes[drop]),
            Linkage.Centroid => Distance(sums[k], sums[keep]),
            _ => throw new ArgumentOutOfRangeException(nameof(linkage), linkage, "unknown linkage"),
        };
    }
}
