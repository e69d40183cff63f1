namespace Muesli.TestWorld;

/// <summary>
/// SplitMix64: a small generator whose sequence is fixed by its seed on every runtime and platform, so a meeting of a
/// given seed is the same everywhere (System.Random makes no such promise across versions).
/// </summary>
public sealed class SeededRandom(ulong seed)
{
    private ulong state = seed;

    /// <summary>A generator for one purpose (e.g. one stream's noise) derived from a seed and a name.</summary>
    public static SeededRandom For(int seed, string purpose)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in purpose)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return new SeededRandom((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ hash);
    }

    public ulong NextUInt64()
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [min, max] (both included).</summary>
    public int Between(int min, int max) => min + (int)(NextUInt64() % (ulong)(max - min + 1));

    /// <summary>Uniform in [min, max).</summary>
    public double Between(double min, double max) => min + (max - min) * NextDouble();

    public void Shuffle<T>(T[] items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = Between(0, i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
