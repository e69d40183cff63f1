using Muesli.Core.Merge;
using Muesli.Core.Transcripts;
using Muesli.Inference.Asr;
using Muesli.Inference.Diarization;

namespace Muesli.Inference;

/// <summary>
/// One pipeline run over a window, every time on the meeting clock. <see cref="Words"/> and
/// <see cref="Segments"/> are the engines' outputs; <see cref="LabelledWords"/> and <see cref="Turns"/> come from
/// the merge. Speaker labels are the window's local ones; the aggregator links them to meeting-wide speakers.
/// </summary>
public sealed record PipelineResult(
    double Start,
    double Duration,
    IReadOnlyList<Word> Words,
    IReadOnlyList<SpeakerSegment> Segments,
    IReadOnlyList<LabelledWord> LabelledWords,
    IReadOnlyList<Turn> Turns,
    IReadOnlyDictionary<string, float[]> Embeddings);

/// <summary>The seed's <c>run_pipeline</c>: ASR + diarization + merge over one window.</summary>
public interface ITranscriptionPipeline : IDisposable
{
    PipelineResult Run(ReadOnlySpan<float> window16k, double timestampOffset);
}

/// <summary>
/// Composes an ASR engine and an optional diarization engine. Without a diarizer every word is labelled
/// <see cref="SingleSpeaker"/> (the ASR-only mode, where the stream names the speaker).
/// </summary>
public sealed class TranscriptionPipeline : ITranscriptionPipeline
{
    public const string SingleSpeaker = "SPEAKER_00";

    public TranscriptionPipeline(IAsrEngine asr, IDiarizationEngine? diarizer, MergeOptions merge)
        => throw new NotImplementedException();

    public PipelineResult Run(ReadOnlySpan<float> window16k, double timestampOffset)
        => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
