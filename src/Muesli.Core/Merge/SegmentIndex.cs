using System.Numerics;
using Muesli.Core.Transcripts;

namespace Muesli.Core.Merge;

/// <summary>
/// Diarization segments sorted by start, answering "which speaker does this word belong to" in O(log M):
/// the segment the word overlaps most (ties → earliest), else the nearest one within a tolerance.
/// "Earliest" is the order by start, then by input order. Segments without duration (end ≤ start) are dropped.
/// </summary>
internal sealed class SegmentIndex
{
    private readonly double[] starts;
    private readonly double[] ends;
    private readonly string[] speakers;

    // prefixMaxEnd[i] = max(ends[0..i]); non-decreasing, so searchable by bisection.
    private readonly double[] prefixMaxEnd;

    // Sparse tables over blocks [i, i + 2^level): the largest end, and the index of the longest segment.
    private readonly double[][] blockMaxEnd;
    private readonly int[][] blockLongest;

    public SegmentIndex(IReadOnlyList<SpeakerSegment> segments)
    {
        var sorted = segments.Where(s => s.End > s.Start).OrderBy(s => s.Start).ToArray();
        var count = sorted.Length;
        starts = sorted.Select(s => s.Start).ToArray();
        ends = sorted.Select(s => s.End).ToArray();
        speakers = sorted.Select(s => s.Speaker).ToArray();

        prefixMaxEnd = new double[count];
        for (var i = 0; i < count; i++)
        {
            prefixMaxEnd[i] = i == 0 ? ends[0] : Math.Max(prefixMaxEnd[i - 1], ends[i]);
        }

        var levels = count == 0 ? 0 : BitOperations.Log2((uint)count) + 1;
        blockMaxEnd = new double[levels][];
        blockLongest = new int[levels][];
        for (var level = 0; level < levels; level++)
        {
            var width = 1 << level;
            var maxEnd = new double[count - width + 1];
            var longest = new int[count - width + 1];
            for (var i = 0; i < maxEnd.Length; i++)
            {
                if (level == 0)
                {
                    maxEnd[i] = ends[i];
                    longest[i] = i;
                }
                else
                {
                    var half = width / 2;
                    maxEnd[i] = Math.Max(blockMaxEnd[level - 1][i], blockMaxEnd[level - 1][i + half]);
                    longest[i] = Longer(blockLongest[level - 1][i], blockLongest[level - 1][i + half]);
                }
            }

            blockMaxEnd[level] = maxEnd;
            blockLongest[level] = longest;
        }
    }

    public int Count => starts.Length;

    /// <summary>The speaker of the word's most overlapping segment, else of the nearest segment whose distance
    /// from the word's midpoint is at most <paramref name="tolerance"/>, else null.</summary>
    public string? SpeakerOf(Word word, double tolerance)
    {
        if (Count == 0)
        {
            return null;
        }

        var overlapping = MostOverlapping(word.Start, word.End);
        if (overlapping >= 0)
        {
            return speakers[overlapping];
        }

        var (nearest, distance) = Nearest(word.Start, word.End, word.Mid);
        return distance <= tolerance ? speakers[nearest] : null;
    }

    private static double Overlap(double wordStart, double wordEnd, double start, double end)
        => Math.Min(wordEnd, end) - Math.Max(wordStart, start);

    private double Duration(int i) => ends[i] - starts[i];

    private int Longer(int a, int b)
    {
        var da = Duration(a);
        var db = Duration(b);
        return db > da || (db == da && b < a) ? b : a;
    }

    /// <summary>Index of the segment with the largest positive overlap with [a, b] (earliest on ties), or −1.</summary>
    private int MostOverlapping(double a, double b)
    {
        // Segments [0, p) start at or before the word; [p, k) start inside it; [k, n) start at or after its end.
        var p = FirstIndex(i => starts[i] > a, 0, Count);
        var k = FirstIndex(i => starts[i] >= b, p, Count);

        var best = -1;
        var bestOverlap = 0.0;

        // Starting at or before the word, the overlap min(b, end) − a grows with the end: the prefix maximum wins.
        if (p > 0)
        {
            var top = Math.Min(b, prefixMaxEnd[p - 1]) - a;
            if (top > 0)
            {
                best = FirstIndex(i => Math.Min(b, prefixMaxEnd[i]) - a >= top, 0, p);
                bestOverlap = top;
            }
        }

        if (p < k)
        {
            // The first segment starting inside the word and reaching past its end beats every later one;
            // the only rivals are the segments before it, which lie wholly inside the word: the longest of them.
            var reachingPast = FirstReaching(b, p, k);
            var candidate = reachingPast < k ? reachingPast : -1;
            var candidateOverlap = candidate >= 0 ? Overlap(a, b, starts[candidate], ends[candidate]) : 0.0;
            if (reachingPast > p)
            {
                var inside = LongestIn(p, reachingPast);
                var insideOverlap = Overlap(a, b, starts[inside], ends[inside]);
                if (candidate < 0 || insideOverlap >= candidateOverlap)
                {
                    candidate = inside;
                    candidateOverlap = insideOverlap;
                }
            }

            if (candidate >= 0 && candidateOverlap > bestOverlap)
            {
                best = candidate;
            }
        }

        return best;
    }

    /// <summary>The nearest segment to the midpoint of a word that overlaps none (earliest on ties).</summary>
    private (int Index, double Distance) Nearest(double a, double b, double mid)
    {
        // With no overlap, every segment starting before the word's end also ends at or before its start.
        var k = FirstIndex(i => starts[i] >= b, 0, Count);
        var index = -1;
        var distance = double.PositiveInfinity;
        if (k > 0)
        {
            distance = mid - prefixMaxEnd[k - 1];
            var d = distance;
            index = FirstIndex(i => mid - prefixMaxEnd[i] <= d, 0, k);
        }

        if (k < Count && starts[k] - mid < distance)
        {
            index = k;
            distance = starts[k] - mid;
        }

        return (index, distance);
    }

    /// <summary>The first index in [from, to) whose segment ends at or after <paramref name="end"/>, else to.</summary>
    private int FirstReaching(double end, int from, int to)
    {
        var i = from;
        for (var level = blockMaxEnd.Length - 1; level >= 0; level--)
        {
            var width = 1 << level;
            if (i + width <= to && blockMaxEnd[level][i] < end)
            {
                i += width;
            }
        }

        return i;
    }

    /// <summary>The longest segment in [from, to), earliest on ties; the range must not be empty.</summary>
    private int LongestIn(int from, int to)
    {
        var level = BitOperations.Log2((uint)(to - from));
        return Longer(blockLongest[level][from], blockLongest[level][to - (1 << level)]);
    }

    /// <summary>The first index in [from, to) where a monotone predicate turns true, else to.</summary>
    private static int FirstIndex(Func<int, bool> predicate, int from, int to)
    {
        var lo = from;
        var hi = to;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (predicate(mid))
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}
