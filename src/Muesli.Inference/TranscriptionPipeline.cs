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
    /// <summary>Seconds of speech the detector found.</summary>
    public double SpeechSeconds { get; init; } = Duration;

    /// <summary>Seconds of the window ASR transcribed: its speech islands.</summary>
    public double AsrSeconds { get; init; } = Duration;

    /// <summary>The speech islands transcribed, in seconds from the window's start.</summary>
    public IReadOnlyList<SpeechRegion> Islands { get; init; } = [];
}

/// <summary>The seed's <c>run_pipeline</c>: ASR + diarization + merge over one window.</summary>
public interface ITranscriptionPipeline : IDisposable
{
    PipelineResult Run(ReadOnlySpan<float> window16k, double timestampOffset);

    /// <summary>A run whose words are grouped with a meeting's own merge options (its gap threshold and speaker tolerance).</summary>
    PipelineResult Run(ReadOnlySpan<float> window16k, double timestampOffset, MergeOptions merge) => Run(window16k, timestampOffset);
}

/// <summary>The numbers of a pipeline run, with the original backend's defaults.</summary>
public sealed record PipelineOptions
{
    public MergeOptions Merge { get; init; } = new();

    /// <summary>How detected speech becomes the islands ASR sees; null sends the whole window whenever it holds speech.</summary>
    public SpeechIslandOptions? Islands { get; init; } = SpeechIslandOptions.Default;
}

/// <summary>
/// Composes an ASR engine, an optional diarization engine and a voice activity detector (the VAD model when one is
/// installed, else <see cref="EnergyVoiceDetector"/>). ASR never hears long stretches of non-speech: the window is cut
/// into speech islands (<see cref="SpeechIslands"/>), each transcribed on its own and shifted by its start, since
/// per-feature normalisation over a window that is mostly silence lifts its speech's noise floor to a word's level.
/// The diarizer hears the same islands, the rest of the window as digital silence, so no speaker and no embedding
/// comes from non-speech. A window without speech is neither transcribed nor diarized. Without a diarizer every word is
/// labelled <see cref="SingleSpeaker"/> (the ASR-only mode, where the stream names the speaker).
/// </summary>
public sealed class TranscriptionPipeline(
    IAsrEngine asr,
    IDiarizationEngine? diarizer,
    IVoiceActivityDetector? vad,
    PipelineOptions options) : ITranscriptionPipeline
{
    private readonly IVoiceActivityDetector detector = vad ?? new EnergyVoiceDetector();

    public const string SingleSpeaker = "SPEAKER_00";

    public const int SampleRate = 16000;

    public TranscriptionPipeline(IAsrEngine asr, IDiarizationEngine? diarizer, MergeOptions merge)
        : this(asr, diarizer, null, new PipelineOptions { Merge = merge })
    {
    }

    public PipelineResult Run(ReadOnlySpan<float> window16k, double timestampOffset) => Run(window16k, timestampOffset, options.Merge);

    public PipelineResult Run(ReadOnlySpan<float> window16k, double timestampOffset, MergeOptions merge)
    {
        var duration = (double)window16k.Length / SampleRate;
        var speech = detector.Detect(window16k);
        var speechSeconds = speech.Sum(r => r.Duration);
        var islands = options.Islands is { } islandOptions
            ? SpeechIslands.Plan(speech, duration, islandOptions)
            : speech.Count == 0 ? [] : [new SpeechRegion(0, duration)];
        if (islands.Count == 0)
        {
            return new PipelineResult(timestampOffset, duration, [], [], [], [], new Dictionary<string, float[]>()) { SpeechSeconds = 0, AsrSeconds = 0 };
        }

        var words = new List<Word>();
        foreach (var island in islands)
        {
            words.AddRange(Offsets.Shift(asr.Transcribe(Slice(window16k, island)), island.Start));
        }

        var diarization = diarizer?.Diarize(SpeechOnly(window16k, islands)) ?? DiarizationResult.Empty;
        var segments = diarizer is null ? [new SpeakerSegment(0, duration, SingleSpeaker)] : diarization.Segments;

        var shifted = Offsets.Shift(words.OrderBy(w => w.Start).ToArray(), timestampOffset);
        var shiftedSegments = Offsets.Shift(segments, timestampOffset);
        var timing = StageClock.Time(StageClock.Merge);
        var labelled = SpeakerMerge.AssignSpeakers(shifted, shiftedSegments, merge);
        var turns = SpeakerMerge.BuildTurns(labelled, merge);
        timing.Dispose();
        return new PipelineResult(timestampOffset, duration, shifted, shiftedSegments, labelled, turns, diarization.Embeddings)
        {
            SpeechSeconds = speechSeconds,
            AsrSeconds = islands.Sum(i => i.Duration),
            Islands = islands,
        };
    }

    /// <summary>The samples of <paramref name="region"/> (seconds from the window's start).</summary>
    public static ReadOnlySpan<float> Slice(ReadOnlySpan<float> window, SpeechRegion region)
    {
        var from = Math.Clamp((int)Math.Floor(region.Start * SampleRate), 0, window.Length);
        var to = Math.Clamp((int)Math.Ceiling(region.End * SampleRate), from, window.Length);
        return window[from..to];
    }

    /// <summary>The window with everything outside <paramref name="islands"/> set to digital silence (the window itself when one island covers it).</summary>
    public static ReadOnlySpan<float> SpeechOnly(ReadOnlySpan<float> window, IReadOnlyList<SpeechRegion> islands)
    {
        if (islands.Count == 1 && Slice(window, islands[0]).Length == window.Length)
        {
            return window;
        }

        var heard = new float[window.Length];
        foreach (var island in islands)
        {
            var from = Math.Clamp((int)Math.Floor(island.Start * SampleRate), 0, window.Length);
            Slice(window, island).CopyTo(heard.AsSpan(from));
        }

        return heard;
    }

    public void Dispose()
    {
        asr.Dispose();
        diarizer?.Dispose();
        detector.Dispose();
    }
}
