using Muesli.Core.Speakers;

namespace Muesli.Core.Tests.Speakers;

public class AgglomerativeClusteringTests
{
    /// <summary>A unit vector in the plane at <paramref name="degrees"/>, scaled (clustering must not care about length).</summary>
    private static float[] At(double degrees, double length = 1)
    {
        var radians = degrees * Math.PI / 180;
        return [(float)(length * Math.Cos(radians)), (float)(length * Math.Sin(radians))];
    }

    private static float[][] Angles(params double[] degrees) => degrees.Select((d, i) => At(d, 1 + i)).ToArray();

    private static int[] Cluster(float[][] embeddings, double threshold = 0.5, Linkage linkage = Linkage.Complete, int? count = null, int minSize = 1)
        => AgglomerativeClustering.Cluster(
            embeddings,
            new ClusteringOptions { Threshold = threshold, Linkage = linkage, SpeakerCount = count, MinClusterSize = minSize });

    [Fact]
    public void Cosine_distance_is_one_minus_the_cosine()
    {
        Assert.Equal(0, AgglomerativeClustering.CosineDistance([1, 2, 3], [2, 4, 6]), 1e-12);
        Assert.Equal(1, AgglomerativeClustering.CosineDistance([1, 0], [0, 5]), 1e-12);
        Assert.Equal(2, AgglomerativeClustering.CosineDistance([1, 1], [-3, -3]), 1e-12);
        Assert.Equal(1 - (1 / Math.Sqrt(2)), AgglomerativeClustering.CosineDistance([1, 0], [1, 1]), 1e-7);
    }

    [Fact]
    public void Cosine_distance_to_a_zero_vector_is_one()
    {
        Assert.Equal(1, AgglomerativeClustering.CosineDistance([0, 0, 0], [1, 2, 3]));
        Assert.Equal(1, AgglomerativeClustering.CosineDistance([1, 2, 3], [0, 0, 0]));
        Assert.Equal(1, AgglomerativeClustering.CosineDistance([0, 0], [0, 0]));
    }

    [Fact]
    public void Cosine_distance_of_different_lengths_is_refused()
        => Assert.Throws<ArgumentException>(() => AgglomerativeClustering.CosineDistance([1, 2], [1, 2, 3]));

    [Fact]
    public void No_embeddings_give_no_labels_and_one_gives_one_cluster()
    {
        Assert.Empty(Cluster([]));
        Assert.Equal([0], Cluster([At(42)]));
        Assert.Equal([0], Cluster([At(42)], count: 3));
    }

    [Fact]
    public void Two_separate_groups_become_two_clusters()
    {
        // Within a group at most 20° apart (1 − cos 20° ≈ 0.06); across at least 70° (1 − cos 70° ≈ 0.66 > 0.5).
        var labels = Cluster(Angles(0, 10, 20, 90, 100));

        Assert.Equal([0, 0, 0, 1, 1], labels);
    }

    [Fact]
    public void Cluster_indices_follow_the_order_of_first_appearance()
    {
        Assert.Equal([0, 1, 0, 1, 2, 1], Cluster(Angles(90, 0, 95, 5, 180, 2)));
    }

    [Fact]
    public void A_chain_is_cut_where_complete_linkage_exceeds_the_threshold()
    {
        // Neighbours 38°, 45° and 40° apart (0.212, 0.293, 0.234): complete linkage merges 0+38, then 83+123; the
        // pairs are then max(1 − cos 83°, 1 − cos 45°) = 0.878 and more apart.
        Assert.Equal([0, 0, 1, 1], Cluster(Angles(0, 38, 83, 123)));
    }

    [Fact]
    public void A_speaker_count_overrides_the_threshold()
    {
        var chain = Angles(0, 38, 83, 123);

        Assert.Equal([0, 0, 0, 0], Cluster(chain, count: 1));
        Assert.Equal([0, 0, 1, 1], Cluster(chain, count: 2));
        Assert.Equal([0, 0, 1, 2], Cluster(chain, count: 3));
        Assert.Equal([0, 1, 2, 3], Cluster(chain, count: 4));
        Assert.Equal([0, 1, 2, 3], Cluster(chain, count: 9));
        Assert.Equal([0, 0, 0, 0], Cluster(chain, threshold: 0, count: 1));
    }

    [Fact]
    public void The_linkages_measure_the_distance_to_a_merged_pair_differently()
    {
        // 0° and 38° merge first (0.212 < 0.257); their distance to 80° is then: complete
        // max(1 − cos 80°, 1 − cos 42°) = 0.826, average (0.826 + 0.257) / 2 = 0.542, centroid 1 − cos(80° − 19°) = 0.515.
        var points = Angles(0, 38, 80);

        Assert.Equal([0, 0, 1], Cluster(points, threshold: 0.53, linkage: Linkage.Complete));
        Assert.Equal([0, 0, 1], Cluster(points, threshold: 0.53, linkage: Linkage.Average));
        Assert.Equal([0, 0, 0], Cluster(points, threshold: 0.53, linkage: Linkage.Centroid));
        Assert.Equal([0, 0, 0], Cluster(points, threshold: 0.6, linkage: Linkage.Average));
        Assert.Equal([0, 0, 1], Cluster(points, threshold: 0.6, linkage: Linkage.Complete));
        Assert.Equal([0, 0, 0], Cluster(points, threshold: 0.9, linkage: Linkage.Complete));
    }

    [Fact]
    public void Clusters_exactly_at_the_threshold_do_not_merge()
    {
        // 1 − cos 90° = 1 exactly.
        Assert.Equal([0, 1], Cluster([[1, 0], [0, 1]], threshold: 1));
        Assert.Equal([0, 0], Cluster([[1, 0], [0, 1]], threshold: 1.0001));
    }

    [Fact]
    public void A_zero_embedding_is_at_distance_one_from_everything()
    {
        Assert.Equal([0, 1, 0], Cluster([At(0), [0, 0], At(10)], threshold: 0.9));
        Assert.Equal([0, 0, 0], Cluster([At(0), [0, 0], At(10)], threshold: 1.1));
    }

    [Fact]
    public void A_small_cluster_folds_into_the_large_cluster_with_the_nearest_centroid()
    {
        // A around 3°, B around 92°, an outlier at 60°: 0.152 from B's centroid, 0.455 from A's.
        var points = Angles(0, 2, 60, 4, 90, 92, 6, 94);

        Assert.Equal([0, 0, 1, 0, 2, 2, 0, 2], Cluster(points, threshold: 0.05));
        Assert.Equal([0, 0, 1, 0, 1, 1, 0, 1], Cluster(points, threshold: 0.05, minSize: 2));
    }

    [Fact]
    public void Without_any_large_cluster_nothing_is_folded()
    {
        Assert.Equal([0, 1, 2], Cluster(Angles(0, 90, 180), threshold: 0.5, minSize: 2));
    }

    [Fact]
    public void With_a_speaker_count_small_clusters_do_not_count_as_speakers()
    {
        // A far outlier at 225°: merging down to two clusters would join A and B (1 − cos 94° ≈ 1.07) and leave the
        // outlier alone; with a minimum size of 2 the two large clusters are the speakers and the outlier joins B,
        // whose centroid (92°) is 133° away against A's 222°.
        var points = Angles(0, 2, 4, 6, 90, 92, 94, 225);

        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 1], Cluster(points, count: 2));
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], Cluster(points, count: 2, minSize: 2));
    }

    [Fact]
    public void A_speaker_count_that_no_merge_reaches_in_large_clusters_keeps_that_many_clusters()
    {
        // Three singletons can never hold two clusters of four: the count is honoured without folding.
        Assert.Equal([0, 0, 1], Cluster(Angles(0, 10, 90), count: 2, minSize: 4));
    }

    [Theory]
    [InlineData(Linkage.Complete, 0.3, 1)]
    [InlineData(Linkage.Average, 0.3, 2)]
    [InlineData(Linkage.Centroid, 0.2, 3)]
    [InlineData(Linkage.Complete, 0.8, 4)]
    [InlineData(Linkage.Average, 0.6, 5)]
    [InlineData(Linkage.Centroid, 0.5, 6)]
    public void Agrees_with_the_textbook_algorithm_on_noisy_groups(Linkage linkage, double threshold, int seed)
    {
        var embeddings = NoisyGroups(seed, groups: 5, perGroup: 12, dimensions: 16, noise: 0.6);

        Assert.Equal(NaiveClustering.Cluster(embeddings, linkage, threshold), Cluster(embeddings, threshold, linkage));
    }

    [Theory]
    [InlineData(Linkage.Complete, 3)]
    [InlineData(Linkage.Average, 5)]
    [InlineData(Linkage.Centroid, 7)]
    public void Agrees_with_the_textbook_algorithm_when_merging_down_to_a_count(Linkage linkage, int count)
    {
        var embeddings = NoisyGroups(seed: count, groups: 4, perGroup: 10, dimensions: 8, noise: 0.8);

        Assert.Equal(NaiveClustering.Cluster(embeddings, linkage, 0, count), Cluster(embeddings, linkage: linkage, count: count));
    }

    [Fact]
    public void The_same_input_always_gives_the_same_labels()
    {
        var embeddings = NoisyGroups(seed: 11, groups: 6, perGroup: 30, dimensions: 32, noise: 0.7);

        var first = Cluster(embeddings, threshold: 0.4);

        Assert.Equal(first, Cluster(embeddings, threshold: 0.4));
        Assert.Equal(first, Cluster(embeddings.Select(e => e.ToArray()).ToArray(), threshold: 0.4));
    }

    [Fact]
    public void The_partition_does_not_depend_on_the_input_order()
    {
        var embeddings = NoisyGroups(seed: 12, groups: 4, perGroup: 20, dimensions: 16, noise: 0.5);
        var order = Enumerable.Range(0, embeddings.Length).OrderBy(i => (i * 7919) % embeddings.Length).ToArray();

        var direct = Cluster(embeddings, threshold: 0.5);
        var shuffled = Cluster(order.Select(i => embeddings[i]).ToArray(), threshold: 0.5);

        for (var a = 0; a < order.Length; a++)
        {
            for (var b = 0; b < order.Length; b++)
            {
                Assert.Equal(direct[order[a]] == direct[order[b]], shuffled[a] == shuffled[b]);
            }
        }
    }

    [Fact]
    public void Well_separated_speakers_are_found_exactly()
    {
        var embeddings = NoisyGroups(seed: 13, groups: 6, perGroup: 25, dimensions: 64, noise: 0.2);

        var labels = Cluster(embeddings);

        Assert.Equal(Enumerable.Range(0, embeddings.Length).Select(i => i % 6), labels);
    }

    [Fact]
    public void Embeddings_of_different_sizes_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Cluster([[1, 2, 3], [1, 2]]));

        Assert.Contains("embedding 1 has 2 dimensions, embedding 0 has 3", error.Message);
    }

    [Fact]
    public void Meaningless_options_are_refused()
    {
        float[][] points = [[1, 0], [0, 1]];

        Assert.Throws<ArgumentOutOfRangeException>(() => Cluster(points, count: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cluster(points, minSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cluster(points, threshold: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cluster(points, threshold: double.NaN));
    }

    /// <summary>
    /// Members of group g at index i where i mod groups = g: a random centre per group plus Gaussian noise, so the
    /// groups interleave in the input.
    /// </summary>
    private static float[][] NoisyGroups(int seed, int groups, int perGroup, int dimensions, double noise)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var centres = Enumerable.Range(0, groups).Select(_ => Enumerable.Range(0, dimensions).Select(_ => Gaussian()).ToArray()).ToArray();
        return Enumerable.Range(0, groups * perGroup)
            .Select(i => centres[i % groups].Select(c => (float)(c + (noise * Gaussian()))).ToArray())
            .ToArray();
    }

    [Fact]
    public void Speaker_bounds_override_the_threshold_only_where_it_falls_outside_them()
    {
        // Three groups by the threshold: 0–20°, 90–100°, 180°.
        var embeddings = Angles(0, 10, 20, 90, 100, 180);
        ClusteringOptions Bounds(int? min, int? max) => new() { MinSpeakers = min, MaxSpeakers = max };

        Assert.Equal([0, 0, 0, 1, 1, 2], AgglomerativeClustering.Cluster(embeddings, Bounds(2, 4)));
        Assert.Equal(2, AgglomerativeClustering.Cluster(embeddings, Bounds(null, 2)).Distinct().Count());
        Assert.Equal(4, AgglomerativeClustering.Cluster(embeddings, Bounds(4, null)).Distinct().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => AgglomerativeClustering.Cluster(embeddings, Bounds(3, 2)));
    }
}
