namespace Muesli.Inference.Diarization;

/// <summary>A speaker-embedding model: audio of one speaker → a fixed-size vector; cosine similarity compares voices.</summary>
public interface ISpeakerEmbedder : IDisposable
{
    string Name { get; }

    int Dimension { get; }

    /// <summary>One embedding per clip (16 kHz mono), in the model's own scale (callers L2-normalise when they need to).</summary>
    IReadOnlyList<float[]> Embed(IReadOnlyList<ReadOnlyMemory<float>> clips16k);
}
