using System.Diagnostics;
using System.Text.Json;
using Muesli.Core;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>
/// Meetings far longer than one pass of the FastConformer exports (about 400 s), through <c>muesli transcribe</c> and
/// the <c>muesli backend</c> finalize. The TDT and CTC stand-ins fail past that limit inside ONNX Runtime as the real
/// exports do. Every turn starts before the previous one ends, so some voice always sounds, and with three speakers
/// each voice's band is quiet often enough for the energy detector to hear it: no pause splits the speech into islands
/// shorter than the limit, and these pass only because the engines chunk.
/// </summary>
public sealed class LongMeetingTests(ITestOutputHelper output)
{
    private const double MaxWer = 0.02;

    /// <summary>One encoder pass of the real exports holds a little under this much audio.</summary>
    private const double OnePassSeconds = 400;

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    [Theory]
    [InlineData(ToneTdtModel.Id)]
    [InlineData(StandInModels.CtcId)]
    public async Task Transcribe_of_a_two_hour_meeting_succeeds_with_at_most_two_percent_wer(string asr)
    {
        var clock = Stopwatch.StartNew();
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 2 * 3600, Speakers = 3, Seed = 21, OverlapRatio = 1 });
        Assert.True(LongestSpeech(meeting) > OnePassSeconds, "the speech must run on past one pass");
        using var dir = new TempDir();
        meeting.WriteTo(dir, new AudioFormat(16000, 1));
        var generated = clock.Elapsed;

        await using var process = BackendProcess.Start(
            [Path.Combine(dir, "meeting.wav"), "--models", StandIns.Folder, "--asr-model", asr, "--out", Path.Combine(dir, "out"), "--format", "json"],
            command: "transcribe");
        process.CloseInput();
        var code = await process.WaitForExitAsync(Limit);
        var transcribed = clock.Elapsed - generated;
        Assert.True(code == 0, process.Stderr);

        var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out", "meeting.json"))).RootElement;
        var wer = Scoring.WordErrorRate(meeting.ReferenceText(), Transcripts.Text(result.GetProperty("turns").EnumerateArray()));
        output.WriteLine(
            $"{asr}: {meeting.Duration / 60:F0} min, {meeting.Words.Count} words, WER {wer:P2}; generated in {generated.TotalSeconds:F1} s, transcribed in {transcribed.TotalSeconds:F1} s");
        Assert.True(wer <= MaxWer, $"WER {wer:P2}");
        Assert.Equal(meeting.Duration, result.GetProperty("duration").GetDouble(), 1);
    }

    [Theory]
    [InlineData(ToneTdtModel.Id)]
    [InlineData(StandInModels.CtcId)]
    public async Task The_backend_finalizes_a_thirty_minute_meeting_with_at_most_two_percent_wer(string asr)
    {
        var clock = Stopwatch.StartNew();
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 30 * 60, Speakers = 3, Seed = 22, OverlapRatio = 1 });
        Assert.True(LongestSpeech(meeting) > OnePassSeconds, "the speech must run on past one pass");
        var plan = new FeedPlan { SampleRate = 16000 };
        using var dir = new TempDir();

        await using var backend = BackendProcess.Start(["--output-dir", dir, "--models", StandIns.Folder, "--asr-model", asr, "--no-live"]);
        await backend.SendAsync(AppClient.Start(sampleRate: plan.SampleRate));
        await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting, plan));
        var sent = clock.Elapsed;
        await backend.SendAsync(AppClient.Stop());
        backend.CloseInput();
        var code = await backend.WaitForExitAsync(Limit);
        var finalized = clock.Elapsed - sent;
        Assert.True(code == 0, backend.Stderr);

        var events = backend.Events;
        Assert.Empty(events.OfType("error"));
        var result = Assert.Single(events.OfType("result"));
        var wer = Scoring.WordErrorRate(meeting.ReferenceText(), Transcripts.Text(result.GetProperty("turns").EnumerateArray()));
        output.WriteLine(
            $"{asr}: {meeting.Duration / 60:F0} min, {meeting.Words.Count} words, final WER {wer:P2}; sent in {sent.TotalSeconds:F1} s, finalized in {finalized.TotalSeconds:F1} s");
        Assert.True(wer <= MaxWer, $"final WER {wer:P2}");
        Assert.Equal(meeting.Duration, result.GetProperty("duration").GetDouble(), 1);
    }

    /// <summary>Seconds of the longest stretch in which some voice sounds throughout.</summary>
    private static double LongestSpeech(ToneMeeting meeting)
    {
        double longest = 0, from = 0, to = double.NegativeInfinity;
        foreach (var turn in meeting.Turns.OrderBy(t => t.T0))
        {
            if (turn.T0 > to)
            {
                (from, to) = (turn.T0, turn.T1);
            }

            to = Math.Max(to, turn.T1);
            longest = Math.Max(longest, to - from);
        }

        return longest;
    }
}
