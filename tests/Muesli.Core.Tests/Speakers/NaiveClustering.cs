using Muesli.Core.Speakers;

namespace Muesli.Core.Tests.Speakers;

/// <summary>
/// The textbook O(n³) agglomerative clustering, recomputing every cluster distance from the members at each step:
/// the reference the optimised implementation must agree with.
/// </summary>
internal static class NaiveClustering
{
    public static int[] Cluster(IReadOnlyList<float[]> embeddings, Linkage linkage, double threshold, int? count = null)
    {
        var unit = embeddings.Select(Normalise).ToArray();
        var clusters = Enumerable.Range(0, unit.Length).Select(i => new List<int> { i }).ToList();
        while (clusters.Count > (count ?? 1))
        {
            var (bestA, bestB, best) = (-1, -1, double.PositiveInfinity);
            for (var a = 0; a < clusters.Count; a++)
            {
                for (var b = a + 1; b < clusters.Count; b++)
                {
                    var d = Between(clusters[a], clusters[b], unit, linkage);
                    if (d < best)
                    {
                        (bestA, bestB, best) = (a, b, d);
                    }
                }
            }

            if (count is null && best >= threshold)
            {
                break;
            }

            clusters[bestA].AddRange(clusters[bestB]);
            clusters.RemoveAt(bestB);
        }

        var labels = new int[unit.Length];
        foreach (var (members, index) in clusters.OrderBy(c => c.Min()).Select((c, i) => (c, i)))
        {
            members.ForEach(m => labels[m] = index);
        }

        return labels;
    }

    public static double CosineDistance(double[] a, double[] b)
    {
        var dot = a.Zip(b, (x, y) => x * y).Sum();
        var norms = Math.Sqrt(a.Sum(x => x * x)) * Math.Sqrt(b.Sum(x => x * x));
        return norms == 0 ? 1 : 1 - (dot / norms);
    }

    private static double Between(List<int> a, List<int> b, double[][] unit, Linkage linkage)
    {
        var pairs = a.SelectMany(i => b.Select(j => CosineDistance(unit[i], unit[j])));
        return linkage switch
        {
            Linkage.Complete => pairs.Max(),
            Linkage.Average => pairs.Average(),
            _ => CosineDistance(Sum(a, unit), Sum(b, unit)),
        };
    }

    private static double[] Sum(List<int> members, double[][] unit)
        => Enumerable.Range(0, unit[0].Length).Select(d => members.Sum(m => unit[m][d])).ToArray();

    private static double[] Normalise(float[] x)
    {
        var norm = Math.Sqrt(x.Sum(v => (double)v * v));
        return x.Select(v => norm == 0 ? 0 : v / norm).ToArray();
    }
}
