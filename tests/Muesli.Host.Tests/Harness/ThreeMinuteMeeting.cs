using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>
/// A three-minute two-speaker meeting sent as the app sends it (both streams, 10–40 ms frames with jitter, a gap
/// and an overlap), and the checks every run of it must pass: spec-shaped events, live passes while audio arrives,
/// no duplicated or misplaced words, WER ≤ 2 % live and final.
/// </summary>
public static class ThreeMinuteMeeting
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);

    /// <summary>Runs the meeting against the models in <paramref name="models"/>; returns the exited process.</summary>
    /// <param name="sendStart">Sends MEETING_START (<see cref="AppClient.Start"/>) when the test wants it sent.</param>
    public static async Task<BackendProcess> RunAsync(string models, ITestOutputHelper output, Func<BackendProcess, Task> sendStart)
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 180, Speakers = 2, Seed = 5, MicSpeakers = [1] });
        var plan = new FeedPlan { Gap = new Span("system", 70, 71.5), Overlap = new Span("mic", 100, 101.2) };
        using var dir = new TempDir();

        var backend = BackendProcess.Start(["--output-dir", dir, "--transcribe-stream", "both", "--models", models, "--emit-words"]);
        try
        {
            await sendStart(backend);
            await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting, plan));
            await backend.SendAsync(AppClient.Stop());
            backend.CloseInput();
            var code = await backend.WaitForExitAsync(Limit);
            output.WriteLine(backend.Stderr);
            Assert.Equal(0, code);
            Check(meeting, plan, backend, output);
            return backend;
        }
        catch
        {
            await backend.DisposeAsync();
            throw;
        }
    }

    private static void Check(ToneMeeting meeting, FeedPlan plan, BackendProcess backend, ITestOutputHelper output)
    {
        var events = backend.Events;
        Assert.All(events, e => Assert.Null(EventShapes.Check(e)));
        Assert.Equal("meeting_started", events[0].GetProperty("message").GetString());
        Assert.Equal("meeting_stopped", events[^1].GetProperty("message").GetString());
        Assert.Empty(events.OfType("error"));

        // Live passes happened while audio arrived, not only at stop.
        var live = events.Status("live_process_done").Where(e => !e.GetProperty("finalize").GetBoolean()).ToArray();
        Assert.Contains(live, e => e.GetProperty("stream").GetString() == "system");
        Assert.Contains(live, e => e.GetProperty("stream").GetString() == "mic");

        // Words the app never sent (the gap) are not in the truth the backend can be held to.
        var truth = meeting.Words.Where(w => !plan.Gap!.Overlaps(w.T0, w.T1) || w.Stream != plan.Gap.Stream).ToArray();
        var segments = events.OfType("segment");
        foreach (var stream in new[] { "system", "mic" })
        {
            var ofStream = segments.Where(s => s.GetProperty("stream").GetString() == stream).ToArray();
            for (var i = 1; i < ofStream.Length; i++)
            {
                Assert.True(ofStream[i].GetProperty("t0").GetDouble() >= ofStream[i - 1].GetProperty("t1").GetDouble() - 1e-3, $"{stream} segments out of order at {i}");
            }
        }

        var alignment = Transcripts.Align(truth, Transcripts.Words(segments), tolerance: 0.1);
        output.WriteLine($"live: {alignment.Matched} matched, {alignment.Missed} missed, {alignment.Inserted} inserted, {alignment.Duplicated} duplicated, worst offset {alignment.WorstOffset:F3} s");
        output.WriteLine(string.Join('\n', alignment.Problems.Take(30)));
        Assert.Equal(0, alignment.Duplicated);
        Assert.True(alignment.WorstOffset <= 0.1, $"a word is {alignment.WorstOffset:F3} s from the truth");
        var liveWer = Scoring.WordErrorRate(Transcripts.Reference(truth), Transcripts.Text(segments));
        Assert.True(liveWer <= 0.02, $"live WER {liveWer:P2}");

        var result = Assert.Single(events.OfType("result"));
        var finalWer = Scoring.WordErrorRate(Transcripts.Reference(truth), Transcripts.Text(result.GetProperty("turns").EnumerateArray()));
        output.WriteLine($"WER live {liveWer:P2}, final {finalWer:P2}");
        Assert.True(finalWer <= 0.02, $"final WER {finalWer:P2}");
        Assert.Equal(meeting.Duration, result.GetProperty("duration").GetDouble(), 1);
    }
}
