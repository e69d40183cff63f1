using Muesli.Core.Merge;
using Muesli.Core.Transcripts;
using Muesli.Inference.Asr;
using Muesli.Inference.Diarization;
using Muesli.Inference.Vad;

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
    IReadOnlyDictionary<string, float[]> Embeddings)
{
    /// <summary>Seconds of speech the VAD found (the whole window when there is no VAD).</summary>
    public double SpeechSeconds { get; init; } = Duration;

    /// <summary>Spans re-transcribed on their own because the window's pass left them nearly without words.</summary>
    public int Recovered { get; init; }
}

/// <summary>The seed's <c>run_pipeline</c>: ASR + diarization + merge over one window.</summary>
public interface ITranscriptionPipeline : IDisposable
{
    PipelineResult Run(ReadOnlySpan<float> window16k, double timestampOffset);
}

/// <summary>The numbers of a pipeline run, with the original backend's defaults.</summary>
public sealed record PipelineOptions
{
    public MergeOptions Merge { get; init; } = new();

    /// <summary>Diarized speech at least this long with too few words is re-transcribed on its own.</summary>
    public double RecoveryMinSeconds { get; init; } = 1.5;

    /// <summary>"Too few": words cover less than this fraction of the span.</summary>
    public double RecoveryMaxCoverage { get; init; } = 0.10;
}

/// <summary>
/// Composes an ASR engine, an optional diarization engine and an optional VAD. A window in which the VAD hears no
/// speech is not transcribed or diarized at all. Without a diarizer every word is labelled
/// <see cref="SingleSpeaker"/> (the ASR-only mode, where the stream names the speaker). After the window's pass,
/// diarized speech of at least <see cref="PipelineOptions.RecoveryMinSeconds"/> whose words cover less than
/// <see cref="PipelineOptions.RecoveryMaxCoverage"/> of it — an ASR decoder that collapsed on a long window — is
/// re-transcribed on its own, clipped to what the VAD calls speech.
/// </summary>
public sealed class TranscriptionPipeline(
    IAsrEngine asr,
    IDiarizationEngine? diarizer,
    IVoiceActivityDetector? vad,
    PipelineOptions options) : ITranscriptionPipeline
{
    public const string SingleSpeaker = "SPEAKER_00";

    public const int SampleRate = 16000;

    public TranscriptionPipeline(IAsrEngine asr, IDiarizationEngine? diarizer, MergeOptions merge)
        : this(asr, diarizer, null, new PipelineOptions { Merge = merge })
    {
    }

    public PipelineResult Run(ReadOnlySpan<float> window16k, double timestampOffset)
    {
        var duration = (double)window16k.Length / SampleRate;
        var speech = vad?.Detect(window16k);
        var speechSeconds = speech?.Sum(r => r.Duration) ?? duration;
        if (speech is { Count: 0 })
        {
            return new PipelineResult(timestampOffset, duration, [], [], [], [], new Dictionary<string, float[]>()) { SpeechSeconds = 0 };
        }

        var words = asr.Transcribe(window16k).ToList();
        var diarization = diarizer?.Diarize(window16k) ?? DiarizationResult.Empty;
        var segments = diarizer is null ? [new SpeakerSegment(0, duration, SingleSpeaker)] : diarization.Segments;
        var recovered = diarizer is null ? 0 : Recover(window16k, words, segments, speech);

        var shifted = Offsets.Shift(words.OrderBy(w => w.Start).ToArray(), timestampOffset);
        var shiftedSegments = Offsets.Shift(segments, timestampOffset);
        var labelled = SpeakerMerge.AssignSpeakers(shifted, shiftedSegments, options.Merge);
        var turns = SpeakerMerge.BuildTurns(labelled, options.Merge);
        return new PipelineResult(timestampOffset, duration, shifted, shiftedSegments, labelled, turns, diarization.Embeddings)
        {
            SpeechSeconds = speechSeconds,
            Recovered = recovered,
        };
    }

    public void Dispose()
    {
        asr.Dispose();
        diarizer?.Dispose();
        vad?.Dispose();
    }

    /// <summary>Re-transcribes nearly wordless diarized speech on its own; adds the words found there. Returns the spans redone.</summary>
    private int Recover(ReadOnlySpan<float> window, List<Word> words, IReadOnlyList<SpeakerSegment> segments, IReadOnlyList<SpeechRegion>? speech)
    {
        var redone = 0;
        foreach (var span in RecoverySpans(segments, speech, options.RecoveryMinSeconds))
        {
            var covered = words.Sum(w => Math.Max(0, Math.Min(w.End, span.End) - Math.Max(w.Start, span.Start)));
            if (covered >= options.RecoveryMaxCoverage * span.Duration)
            {
                continue;
            }

            var from = (int)(span.Start * SampleRate);
            var to = Math.Min(window.Length, (int)Math.Ceiling(span.End * SampleRate));
            var found = asr.Transcribe(window[from..to])
                .Select(w => w.Shift(span.Start))
                .Where(w => !words.Any(existing => existing.Start < w.End && w.Start < existing.End))
                .ToArray();
            words.AddRange(found);
            redone++;
        }

        return redone;
    }

    /// <summary>Diarized speech merged per speaker into spans, clipped to the VAD's speech when there is a VAD.</summary>
    public static IReadOnlyList<SpeakerSegment> RecoverySpans(IReadOnlyList<SpeakerSegment> segments, IReadOnlyList<SpeechRegion>? speech, double minSeconds)
    {
        var spans = new List<SpeakerSegment>();
        foreach (var segment in segments.OrderBy(s => s.Start))
        {
            var pieces = speech is null
                ? [segment]
                : speech.Select(r => segment with { Start = Math.Max(segment.Start, r.Start), End = Math.Min(segment.End, r.End) }).Where(s => s.End > s.Start);
            spans.AddRange(pieces.Where(p => p.Duration >= minSeconds));
        }

        return spans;
    }
}
