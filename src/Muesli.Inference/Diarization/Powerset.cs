namespace Muesli.Inference.Diarization;

/// <summary>
/// The powerset classes of a pyannote segmentation model: every set of at most <see cref="MaxSimultaneous"/> of its
/// <see cref="Speakers"/> local speakers, by size, then in lexicographic order — for 3 speakers and 2 at once:
/// {∅}, {1}, {2}, {3}, {1,2}, {1,3}, {2,3}.
/// </summary>
public sealed class Powerset
{
    private readonly int[][] members;

    public Powerset(int speakers, int maxSimultaneous)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(speakers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSimultaneous, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSimultaneous, speakers);
        Speakers = speakers;
        MaxSimultaneous = maxSimultaneous;
        members = Enumerable.Range(0, maxSimultaneous + 1).SelectMany(size => Subsets(speakers, size)).ToArray();
    }

    public int Speakers { get; }

    public int MaxSimultaneous { get; }

    public int Classes => members.Length;

    /// <summary>The local speakers (0-based) active in <paramref name="powersetClass"/>.</summary>
    public IReadOnlyList<int> SpeakersOf(int powersetClass) => members[powersetClass];

    /// <summary>
    /// Per-speaker activity from per-frame class scores (row-major [frames, classes], e.g. log-probabilities): the
    /// best class of each frame (the first on a tie) makes its speakers active. Returns row-major [frames, speakers].
    /// </summary>
    public bool[] Decode(ReadOnlySpan<float> scores, int frames)
    {
        if (scores.Length != frames * Classes)
        {
            throw new ArgumentException($"{frames} frames of {Classes} classes need {frames * Classes} scores, got {scores.Length}", nameof(scores));
        }

        var active = new bool[frames * Speakers];
        for (var t = 0; t < frames; t++)
        {
            var row = scores.Slice(t * Classes, Classes);
            var best = 0;
            for (var c = 1; c < row.Length; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            foreach (var speaker in members[best])
            {
                active[(t * Speakers) + speaker] = true;
            }
        }

        return active;
    }

    private static IEnumerable<int[]> Subsets(int speakers, int size)
    {
        if (size == 0)
        {
            yield return [];
            yield break;
        }

        foreach (var smaller in Subsets(speakers, size - 1))
        {
            var next = smaller.Length == 0 ? 0 : smaller[^1] + 1;
            for (var s = next; s < speakers; s++)
            {
                yield return [.. smaller, s];
            }
        }
    }
}
