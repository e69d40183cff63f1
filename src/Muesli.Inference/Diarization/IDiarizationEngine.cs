using Muesli.Core.Transcripts;

namespace Muesli.Inference.Diarization;

/// <summary>Who spoke when, within one window: local labels, arbitrary per window, with one embedding each.</summary>
public sealed record DiarizationResult(
    IReadOnlyList<SpeakerSegment> Segments,
    IReadOnlyDictionary<string, float[]> Embeddings)
{
    public static readonly DiarizationResult Empty = new([], new Dictionary<string, float[]>());
}

/// <summary>Speaker diarization. Times are seconds from the start of the samples given.</summary>
public interface IDiarizationEngine : IDisposable
{
    string Name { get; }

    DiarizationResult Diarize(ReadOnlySpan<float> samples16k);
}
