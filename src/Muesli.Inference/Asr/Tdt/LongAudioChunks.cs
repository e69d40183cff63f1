namespace Muesli.Inference.Asr.Tdt;

/// <summary>
/// A piece of a long window: samples [Start, Start + Length), of whose words it keeps those that start in
/// [KeepFrom, KeepUntil) samples of the whole window.
/// </summary>
public sealed record AudioChunk(int Start, int Length, int KeepFrom, int KeepUntil)
{
    public int End => Start + Length;
}

/// <summary>
/// Splits audio longer than one encoder pass into chunks of at most <c>maxChunk</c> samples, each overlapping the
/// previous one by at least <c>overlap</c> (the last chunk is aligned to the end, so it may overlap more). Stitching
/// cuts every overlap at its middle: the earlier chunk keeps words that start before the cut, the later chunk the
/// rest, so every word comes from a chunk that heard at least half the overlap of audio around it. Pure.
/// </summary>
public static class LongAudioChunks
{
    public static IReadOnlyList<AudioChunk> Plan(int samples, int maxChunk, int overlap)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunk, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(overlap);
        if (overlap >= maxChunk)
        {
            throw new ArgumentOutOfRangeException(nameof(overlap), overlap, $"the overlap must be shorter than a chunk ({maxChunk} samples)");
        }

        var starts = new List<int> { 0 };
        while (starts[^1] + maxChunk < samples)
        {
            starts.Add(Math.Min(starts[^1] + maxChunk - overlap, samples - maxChunk));
        }

        var chunks = new AudioChunk[starts.Count];
        for (var i = 0; i < starts.Count; i++)
        {
            var end = Math.Min(starts[i] + maxChunk, samples);
            var keepFrom = i == 0 ? 0 : Cut(starts[i - 1], starts[i], maxChunk);
            var keepUntil = i == starts.Count - 1 ? int.MaxValue : Cut(starts[i], starts[i + 1], maxChunk);
            chunks[i] = new AudioChunk(starts[i], end - starts[i], keepFrom, keepUntil);
        }

        return chunks;
    }

    // The middle of the overlap between a chunk starting at `earlier` and the next one starting at `later`.
    private static int Cut(int earlier, int later, int maxChunk) => later + ((earlier + maxChunk - later) / 2);
}
