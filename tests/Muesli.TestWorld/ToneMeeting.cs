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

    /// <summary>Amplitude of the white noise floor (full scale 1.0).</summary>
    public double NoiseLevel { get; init; } = 0.001;

    public IReadOnlyList<int> MicSpeakers { get; init; } = [];
}

/// <summary>A word as it was spoken: text, true start/end (s), speaker label (SPEAKER_00…) and stream name.</summary>
public sealed record TruthWord(string Text, double T0, double T1, string Speaker, string Stream);

/// <summary>A stretch of one speaker's voice on one stream.</summary>
public sealed record TruthTurn(string Speaker, string Stream, double T0, double T1);

/// <summary>A generated meeting: its truth, and its audio rendered on demand at any rate and channel count.</summary>
public sealed class ToneMeeting
{
    public ToneMeeting(MeetingSpec spec, IReadOnlyList<TruthWord> words, IReadOnlyList<TruthTurn> turns)
        => throw new NotImplementedException();

    public MeetingSpec Spec => throw new NotImplementedException();

    public IReadOnlyList<TruthWord> Words => throw new NotImplementedException();

    public IReadOnlyList<TruthTurn> Turns => throw new NotImplementedException();

    public double Duration => throw new NotImplementedException();

    /// <summary>Interleaved s16 samples of one stream ("system", "mic", or "all" for every speaker).</summary>
    public short[] Render(string stream, AudioFormat format) => throw new NotImplementedException();

    /// <summary>The reference text: every word of the given streams in time order, space-separated.</summary>
    public string ReferenceText(string stream = "all") => throw new NotImplementedException();

    /// <summary>RTTM lines (SPEAKER file 1 t0 dur &lt;NA&gt; &lt;NA&gt; speaker &lt;NA&gt; &lt;NA&gt;) of the given streams.</summary>
    public string ToRttm(string fileId, string stream = "all") => throw new NotImplementedException();

    /// <summary>meeting.wav, truth.json, truth.rttm, truth.txt (and system.wav / mic.wav when mic speakers are set).</summary>
    public void WriteTo(string directory, AudioFormat format) => throw new NotImplementedException();
}

public static class ToneMeetingGenerator
{
    /// <summary>Deterministic by seed; well under a second per minute of audio.</summary>
    public static ToneMeeting Generate(MeetingSpec spec) => throw new NotImplementedException();
}
