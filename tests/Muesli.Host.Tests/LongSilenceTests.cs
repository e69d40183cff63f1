using System.Text.Json;
using Muesli.Core;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>
/// Meetings with long silences — leading, trailing, in the middle, quiet noise, ten minutes, a forward PTS jump — through
/// <c>muesli transcribe</c> and <c>muesli backend</c>, with the TDT and CTC stand-ins, with and without a VAD model.
/// Every word must still be heard right, and none may be placed inside the silence.
/// </summary>
public sealed class LongSilenceTests(ITestOutputHelper output)
{
    private const double MaxWer = 0.02;

    /// <summary>How far a heard word or turn may reach into a silence from its edge (the words' own timing tolerance).</summary>
    private const double EdgeTolerance = 0.1;

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);

    /// <summary>The variants by name: 20 s of two-speaker speech (40 s around a silent middle) and the silence.</summary>
    private static readonly IReadOnlyDictionary<string, MeetingSpec> Variants = new Dictionary<string, MeetingSpec>
    {
        ["trailing 80 s of digital silence"] = Speech(20, new SilentStretch(20, 80)),
        ["leading 40 s of digital silence"] = Speech(20, new SilentStretch(0, 40)),
        ["a silent middle of 90 s"] = Speech(40, new SilentStretch(20, 90)),
        ["trailing 80 s of noise at -60 dBFS"] = Speech(20, new SilentStretch(20, 80, NoiseLevel: 0.001)),
        ["trailing 10 minutes of digital silence"] = Speech(20, new SilentStretch(20, 600)),
        ["a forward PTS jump of 100 s"] = Speech(40, new SilentStretch(20, 100)),
    };

    private static readonly string[] Engines = [ToneTdtModel.Id, StandInModels.CtcId];

    public static TheoryData<string, string, bool> TranscribeCases()
    {
        var cases = new TheoryData<string, string, bool>();
        foreach (var variant in Variants.Keys.Where(v => !IsPtsJump(v)))
        {
            foreach (var engine in Engines)
            {
                cases.Add(variant, engine, false);
                cases.Add(variant, engine, true);
            }
        }

        return cases;
    }


    public static TheoryData<string, string, bool> BackendCases()
    {
        var cases = new TheoryData<string, string, bool>();
        foreach (var variant in Variants.Keys)
        {
            foreach (var engine in Engines)
            {
                cases.Add(variant, engine, false);
                cases.Add(variant, engine, true);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(TranscribeCases))]
    public async Task Transcribe_hears_every_word_and_places_none_in_the_silence(string variant, string asr, bool withVad)
    {
        var meeting = ToneMeetingGenerator.Generate(Variants[variant]);
        using var dir = new TempDir();
        meeting.WriteTo(dir, new AudioFormat(16000, 1));

        await using var process = BackendProcess.Start(
            [Path.Combine(dir, "meeting.wav"), "--models", Models(withVad), "--asr-model", asr, "--out", Path.Combine(dir, "out"), "--format", "json"],
            command: "transcribe");
        process.CloseInput();
        var code = await process.WaitForExitAsync(Limit);
        Assert.True(code == 0, process.Stderr);

        var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out", "meeting.json"))).RootElement;
        var turns = result.GetProperty("turns").EnumerateArray().ToArray();
        var wer = Scoring.WordErrorRate(meeting.ReferenceText(), Transcripts.Text(turns));
        output.WriteLine($"{variant}, {asr}, {(withVad ? "stand-in VAD" : "energy detector")}: {meeting.Words.Count} words, WER {wer:P2}");
        Assert.True(wer <= MaxWer, $"WER {wer:P2}: {Transcripts.Text(turns)}");
        AssertNothingInSilence(meeting, Spans(turns));
    }

    [Theory]
    [MemberData(nameof(BackendCases))]
    public async Task The_backend_hears_every_word_live_and_at_stop_and_places_none_in_the_silence(string variant, string asr, bool withVad)
    {
        var meeting = ToneMeetingGenerator.Generate(Variants[variant]);
        var silence = Assert.Single(meeting.Silences);
        var plan = IsPtsJump(variant) ? new FeedPlan { Gap = new Span(ToneMeeting.SystemStream, silence.T0, silence.T1) } : new FeedPlan();
        using var dir = new TempDir();

        await using var backend = BackendProcess.Start(["--output-dir", dir, "--models", Models(withVad), "--asr-model", asr, "--emit-words"]);
        await backend.SendAsync(AppClient.Start());
        await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting, plan));
        await backend.SendAsync(AppClient.Stop());
        backend.CloseInput();
        var code = await backend.WaitForExitAsync(Limit);
        Assert.True(code == 0, backend.Stderr);

        var events = backend.Events;
        Assert.Empty(events.OfType("error"));
        var segments = events.OfType("segment");
        var result = Assert.Single(events.OfType("result"));
        var turns = result.GetProperty("turns").EnumerateArray().ToArray();
        var liveWer = Scoring.WordErrorRate(meeting.ReferenceText(), Transcripts.Text(segments));
        var finalWer = Scoring.WordErrorRate(meeting.ReferenceText(), Transcripts.Text(turns));
        output.WriteLine($"{variant}, {asr}, {(withVad ? "stand-in VAD" : "energy detector")}: {meeting.Words.Count} words, live WER {liveWer:P2}, final WER {finalWer:P2}");
        Assert.True(liveWer <= MaxWer, $"live WER {liveWer:P2}: {Transcripts.Text(segments)}");
        Assert.True(finalWer <= MaxWer, $"final WER {finalWer:P2}: {Transcripts.Text(turns)}");
        AssertNothingInSilence(meeting, Transcripts.Words(segments).Select(w => (w.Text, w.T0, w.T1)));
        AssertNothingInSilence(meeting, Spans(segments));
        AssertNothingInSilence(meeting, Spans(turns));
        Assert.Equal(meeting.Duration, result.GetProperty("duration").GetDouble(), 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_meeting_silent_for_thirty_percent_of_its_time_keeps_its_words_and_speakers_live_and_at_stop(bool withVad)
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 480, Speakers = 3, Seed = 41, SilentShare = 0.3 });
        var silent = meeting.Silences.Sum(s => s.T1 - s.T0);
        using var dir = new TempDir();

        await using var backend = BackendProcess.Start(["--output-dir", dir, "--models", Models(withVad), "--emit-words"]);
        await backend.SendAsync(AppClient.Start());
        await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting, new FeedPlan()));
        await backend.SendAsync(AppClient.Stop());
        backend.CloseInput();
        var code = await backend.WaitForExitAsync(TimeSpan.FromMinutes(10));
        Assert.True(code == 0, backend.Stderr);

        var events = backend.Events;
        var reference = meeting.WordBoundedTurns();
        var segments = events.OfType("segment");
        var result = Assert.Single(events.OfType("result"));
        var turns = result.GetProperty("turns").EnumerateArray().ToArray();
        var liveWer = Scoring.WordErrorRate(meeting.ReferenceText(), Transcripts.Text(segments));
        var finalWer = Scoring.WordErrorRate(meeting.ReferenceText(), Transcripts.Text(turns));
        var liveDer = Scoring.DiarizationErrorRate(reference, SpeakerTurns(segments));
        var finalDer = Scoring.DiarizationErrorRate(reference, SpeakerTurns(turns));
        output.WriteLine(
            $"{(withVad ? "stand-in VAD" : "energy detector")}: {meeting.Silences.Count} silences, {silent:F0} s of {meeting.Duration:F0} s; "
            + $"WER live {liveWer:P2}, final {finalWer:P2}; DER live {liveDer.Total:P2}, final {finalDer.Total:P2} (missed {finalDer.Missed:P2}, false alarm {finalDer.FalseAlarm:P2}, confusion {finalDer.Confusion:P2})");
        Assert.InRange(silent / meeting.Duration, 0.29, 0.31);
        Assert.True(liveWer <= MaxWer, $"live WER {liveWer:P2}");
        Assert.True(finalWer <= MaxWer, $"final WER {finalWer:P2}");
        Assert.True(liveDer.Total <= 0.05, $"live DER {liveDer.Total:P2}");
        Assert.True(finalDer.Total <= 0.05, $"final DER {finalDer.Total:P2}");
        AssertNothingInSilence(meeting, Transcripts.Words(segments).Select(w => (w.Text, w.T0, w.T1)));
        AssertNothingInSilence(meeting, Spans(turns));
    }

    private static MeetingSpec Speech(double seconds, SilentStretch silence)
        => new() { DurationSeconds = seconds + silence.Seconds, Speakers = 2, Seed = 7, Silences = [silence] };

    private static bool IsPtsJump(string variant) => variant.Contains("PTS", StringComparison.Ordinal);

    private static string Models(bool withVad) => withVad ? StandIns.FolderWithVad : StandIns.Folder;

    private static IEnumerable<(string Text, double T0, double T1)> Spans(IEnumerable<JsonElement> turns)
        => turns.Select(t => (t.GetProperty("text").GetString()!, t.GetProperty("t0").GetDouble(), t.GetProperty("t1").GetDouble()));

    private static IReadOnlyList<TruthTurn> SpeakerTurns(IEnumerable<JsonElement> turns)
        => turns.Select(t => new TruthTurn(t.GetProperty("speaker_id").GetString()!, t.GetProperty("stream").GetString()!, t.GetProperty("t0").GetDouble(), t.GetProperty("t1").GetDouble())).ToArray();

    private static void AssertNothingInSilence(ToneMeeting meeting, IEnumerable<(string Text, double T0, double T1)> heard)
    {
        foreach (var (text, t0, t1) in heard)
        {
            foreach (var silence in meeting.Silences)
            {
                Assert.False(
                    t0 < silence.T1 - EdgeTolerance && t1 > silence.T0 + EdgeTolerance,
                    $"'{text}' at {t0:F2}–{t1:F2} s lies in the silence at {silence.T0:F2}–{silence.T1:F2} s");
            }
        }
    }
}
