namespace Muesli.Inference.Diarization;

/// <summary>A speaker's stretches of a window's audio laid end to end: the clip an embedder takes.</summary>
internal static class ClipAudio
{
    /// <param name="ranges">Sample ranges [Start, End) within <paramref name="samples"/>, in the order they are joined.</param>
    public static float[] Join(ReadOnlySpan<float> samples, IReadOnlyList<(int Start, int End)> ranges)
    {
        var clip = new float[ranges.Sum(r => r.End - r.Start)];
        var at = 0;
        foreach (var (start, end) in ranges)
        {
            samples[start..end].CopyTo(clip.AsSpan(at));
            at += end - start;
        }

        return clip;
    }
}
