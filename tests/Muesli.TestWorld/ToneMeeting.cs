using Muesli.Core;

namespace Muesli.TestWorld;

/// <summary>What to generate. Speakers listed in <see cref="MicSpeakers"/> talk on the mic stream, the rest on system.</summary>
public sealed record MeetingSpec
{
    public double DurationSeconds { get; init; } = 60;
    public int Speakers { get; init; } = 2;
    public int Seed { get; init; } = 1;

    /// <summary>Fraction of turns that start before the previous turn ends (overlapping speech).</summary>
    public double OverlapRatio { get; init; }

    /// <summary>
    /// Amplitude (RMS at 16 kHz; other rates keep its spectral density) of the white noise floor (full scale 1.0).
    /// The stand-in ASR expects a floor of 0.0005–0.002: like a room's, it masks the tones' spectral leakage.
    /// </summary>
    public double NoiseLevel { get; init; } = 0.001;

    /// <summary>Speaker numbers (0 for SPEAKER_00, …) that talk on the mic stream.</summary>
    public IReadOnlyList<int> MicSpeakers { get; init; } = [];

    /// <summary>
    /// Stretches of silence to insert, part of <see cref="DurationSeconds"/>: speech fills the rest, laid out as
    /// without them, and each stretch goes in at the first pause at or after its time.
    /// </summary>
    public IReadOnlyList<SilentStretch> Silences { get; init; } = [];

    /// <summary>
    /// Share of the meeting, in [0, 0.9), that the generator fills with 5–90 s stretches of digital silence at pauses
    /// between turns, spread over the meeting. Refused together with <see cref="Silences"/>: a meeting is given its
    /// stretches or a share, so no drawn stretch lands on one asked for.
    /// </summary>
    public double SilentShare { get; init; }
}

/// <summary>
/// A stretch of silence asked for at <paramref name="At"/> s on the meeting's clock, <paramref name="Seconds"/> long: it
/// starts at the first moment at or after At where no voice sounds on any stream (a pause between turns, or the end of
/// the speech), and everything after it moves later by Seconds. At 0 it comes before the lead-in. Its audio is digital
/// zero, or with a <paramref name="NoiseLevel"/> white noise of that RMS (at 16 kHz; other rates keep its spectral
/// density, as the noise floor does) instead of the floor. No tone sounds in it.
/// </summary>
public sealed record SilentStretch(double At, double Seconds, double NoiseLevel = 0);

/// <summary>A word as it was spoken: text, true start/end (s), speaker label (SPEAKER_00…) and stream name.</summary>
public sealed record TruthWord(string Text, double T0, double T1, string Speaker, string Stream);

/// <summary>A stretch of one speaker's voice on one stream.</summary>
public sealed record TruthTurn(string Speaker, string Stream, double T0, double T1);

/// <summary>A silent stretch as placed: start/end (s) on the meeting's clock, and its noise RMS (0: digital silence).</summary>
public sealed record TruthSilence(double T0, double T1, double NoiseLevel);

/// <summary>A generated meeting: its truth, and its audio rendered on demand at any rate and channel count.</summary>
public sealed class ToneMeeting
{
    public const string SystemStream = "system";
    public const string MicStream = "mic";

    /// <summary>Every stream mixed: what <c>meeting.wav</c> holds.</summary>
    public const string AllStreams = "all";

    public ToneMeeting(
        MeetingSpec spec, IReadOnlyList<TruthWord> words, IReadOnlyList<TruthTurn> turns, IReadOnlyList<TruthSilence>? silences = null)
    {
        Spec = spec;
        Words = words.OrderBy(w => w.T0).ToArray();
        Turns = turns.OrderBy(t => t.T0).ToArray();
        Silences = (silences ?? []).OrderBy(s => s.T0).ToArray();
    }

    public MeetingSpec Spec { get; }

    public IReadOnlyList<TruthWord> Words { get; }

    public IReadOnlyList<TruthTurn> Turns { get; }

    /// <summary>The silent stretches on every stream, in time order: no voice or word sounds inside them.</summary>
    public IReadOnlyList<TruthSilence> Silences { get; }

    public double Duration => Spec.DurationSeconds;

    /// <summary>Interleaved s16 samples of one stream ("system", "mic", or "all" for every speaker).</summary>
    public short[] Render(string stream, AudioFormat format) => ToneSynthesis.Render(this, stream, format);

    /// <summary>
    /// The truth turns clipped to their words: what a forced-alignment reference gives, and what turns built from
    /// recognised words can match (a voice's margin around its words is not speech a transcript can place).
    /// </summary>
    public IReadOnlyList<TruthTurn> WordBoundedTurns()
        => Turns
            .Select(t => Words.Where(w => w.Speaker == t.Speaker && w.Stream == t.Stream && w.T0 >= t.T0 && w.T1 <= t.T1).ToArray() is { Length: > 0 } words
                ? t with { T0 = words[0].T0, T1 = words[^1].T1 }
                : null)
            .OfType<TruthTurn>()
            .ToArray();

    /// <summary>The reference text: every word of the given streams in time order, space-separated.</summary>
    public string ReferenceText(string stream = AllStreams)
        => string.Join(' ', WordsOf(stream).Select(w => w.Text));

    /// <summary>RTTM lines (SPEAKER file 1 t0 dur &lt;NA&gt; &lt;NA&gt; speaker &lt;NA&gt; &lt;NA&gt;) of the given streams.</summary>
    public string ToRttm(string fileId, string stream = AllStreams) => Rttm.Format(fileId, TurnsOf(stream));

    /// <summary>meeting.wav, truth.json, truth.rttm, truth.txt (and system.wav / mic.wav when mic speakers are set).</summary>
    public void WriteTo(string directory, AudioFormat format) => TruthFiles.Write(this, directory, format);

    public IReadOnlyList<TruthWord> WordsOf(string stream)
        => IsAll(stream) ? Words : Words.Where(w => w.Stream == stream).ToArray();

    public IReadOnlyList<TruthTurn> TurnsOf(string stream)
        => IsAll(stream) ? Turns : Turns.Where(t => t.Stream == stream).ToArray();

    private static bool IsAll(string stream) => stream switch
    {
        AllStreams => true,
        SystemStream or MicStream => false,
        _ => throw new ArgumentException($"unknown stream '{stream}': use system, mic or all", nameof(stream)),
    };
}
