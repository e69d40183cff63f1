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
public sealed class TranscriptionPipeline(IAsrEngine asr, IDiarizationEngine? diarizer, MergeOptions merge) : ITranscriptionPipeline
{
    public const string SingleSpeaker = "SPEAKER_00";

    public const int SampleRate = 16000;

    public PipelineResult Run(ReadOnlySpan<float> window16k, double timestampOffset)
    {
        var duration = (double)window16k.Length / SampleRate;
        var words = Offsets.Shift(asr.Transcribe(window16k), timestampOffset);
        var diarization = diarizer?.Diarize(window16k) ?? DiarizationResult.Empty;
        var segments = diarizer is null
            ? [new SpeakerSegment(timestampOffset, timestampOffset + duration, SingleSpeaker)]
            : Offsets.Shift(diarization.Segments, timestampOffset);
        var labelled = SpeakerMerge.AssignSpeakers(words, segments, merge);
        var turns = SpeakerMerge.BuildTurns(labelled, merge);
        return new PipelineResult(timestampOffset, duration, words, segments, labelled, turns, diarization.Embeddings);
    }

    public void Dispose()
    {
        asr.Dispose();
        diarizer?.Dispose();
    }
}
