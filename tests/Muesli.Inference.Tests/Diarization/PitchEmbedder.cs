using Muesli.Inference.Diarization;

namespace Muesli.Inference.Tests.Diarization;

/// <summary>
/// A speaker embedder for tests that tells a low tone (under 1.5 kHz, by zero crossings) from a high one: low clips
/// embed near [1, 0], high ones near [0, 1], each nudged by its length so members differ. It records every call.
/// </summary>
internal sealed class PitchEmbedder : ISpeakerEmbedder
{
    public List<(float[] Clip, float[] Embedding)> Embedded { get; } = [];

    public int Calls { get; private set; }

    public bool Disposed { get; private set; }

    public string Name => "pitch";

    public int Dimension => 2;

    public static bool IsLow(ReadOnlySpan<float> clip)
    {
        var crossings = 0;
        for (var i = 1; i < clip.Length; i++)
        {
            crossings += (clip[i - 1] < 0) != (clip[i] < 0) ? 1 : 0;
        }

        return crossings / (2.0 * clip.Length / 16000) < 1500;
    }

    public IReadOnlyList<float[]> Embed(IReadOnlyList<ReadOnlyMemory<float>> clips16k)
    {
        Calls++;
        var embeddings = new List<float[]>();
        foreach (var clip in clips16k)
        {
            var nudge = (float)(0.3 * Math.Sin(clip.Length));
            float[] embedding = IsLow(clip.Span) ? [2, nudge] : [nudge, 3];
            Embedded.Add((clip.ToArray(), embedding));
            embeddings.Add(embedding);
        }

        return embeddings;
    }

    public void Dispose() => Disposed = true;
}
