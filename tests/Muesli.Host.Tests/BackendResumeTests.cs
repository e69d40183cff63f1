using System.Text.Json;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>SIGKILL mid-meeting, restart with the same folder and meeting id, re-send the last 20 s: nothing lost, nothing twice.</summary>
public sealed class BackendResumeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task A_killed_backend_resumes_the_meeting_and_ends_with_the_transcript_of_an_uninterrupted_run()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 150, Speakers = 2, Seed = 21, MicSpeakers = [1] });
        const double killAt = 90;
        string[] Args(string dir) => ["--output-dir", dir, "--transcribe-stream", "both", "--models", StandIns.Folder, "--emit-words"];

        using var uninterruptedDir = new TempDir();
        var uninterrupted = await RunAsync(Args(uninterruptedDir), meeting, "uninterrupted", new FeedPlan());

        using var dir = new TempDir();
        await using (var first = BackendProcess.Start(Args(dir)))
        {
            await first.SendAsync(AppClient.Start(meetingId: "resume-me"));
            await AppClient.FeedAsync(first.Stdin, AppClient.AudioFrames(meeting, new FeedPlan { Until = killAt }));
            // Mid-meeting: some windows are committed, others are in flight or not yet planned.
            await first.WaitForEventAsync(e => e.TryGetProperty("message", out var m) && m.GetString() == "live_process_done", Limit);
            first.Kill();
            output.WriteLine($"first run, killed at {killAt} s: {first.Events.OfType("segment").Count} segments");
        }

        await using var second = BackendProcess.Start(Args(dir));
        await second.SendAsync(AppClient.Start(meetingId: "resume-me"));
        await AppClient.FeedAsync(second.Stdin, AppClient.AudioFrames(meeting, new FeedPlan { From = killAt - 20 }));
        await second.SendAsync(AppClient.Stop());
        second.CloseInput();
        Assert.Equal(0, await second.WaitForExitAsync(Limit));
        output.WriteLine(second.Stderr);

        var events = second.Events;
        Assert.All(events, e => Assert.Null(EventShapes.Check(e)));
        var resumed = Assert.Single(events.Status("meeting_resumed"));
        Assert.Equal("resume-me", resumed.GetProperty("meeting_id").GetString());

        // The resumed run's segments — those replayed from the journal and the new ones — are the whole meeting, once.
        var alignment = Transcripts.Align(meeting.Words, Transcripts.Words(events.OfType("segment")), tolerance: 0.1);
        output.WriteLine(string.Join('\n', alignment.Problems.Take(30)));
        Assert.Equal(0, alignment.Duplicated);
        Assert.True(alignment.Missed + alignment.Inserted <= meeting.Words.Count * 0.02, $"{alignment.Missed} missed, {alignment.Inserted} inserted");

        // The final transcript is the one an uninterrupted run produces.
        var result = Assert.Single(events.OfType("result")).GetProperty("turns").EnumerateArray().ToArray();
        var expected = Assert.Single(uninterrupted.OfType("result")).GetProperty("turns").EnumerateArray().ToArray();
        Assert.Equal(expected.Select(Text), result.Select(Text));
        Assert.All(expected.Zip(result), pair =>
        {
            Assert.Equal(pair.First.GetProperty("t0").GetDouble(), pair.Second.GetProperty("t0").GetDouble(), 0.05);
            Assert.Equal(pair.First.GetProperty("t1").GetDouble(), pair.Second.GetProperty("t1").GetDouble(), 0.05);
        });
    }

    [Fact]
    public async Task Resuming_a_meeting_that_was_already_finalized_replays_it_and_ends()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 30, Speakers = 1, Seed = 4 });
        using var dir = new TempDir();
        string[] args = ["--output-dir", dir, "--models", StandIns.Folder];
        IReadOnlyList<JsonElement> first;
        await using (var backend = BackendProcess.Start(args))
        {
            await backend.SendAsync(AppClient.Start(meetingId: "done-already"));
            await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting, new FeedPlan()));
            await backend.SendAsync(AppClient.Stop());
            backend.CloseInput();
            Assert.Equal(0, await backend.WaitForExitAsync(Limit));
            first = backend.Events;
        }

        // The client sends only START and waits: a finished meeting ends by itself once it is replayed.
        await using var again = BackendProcess.Start(args);
        await again.SendAsync(AppClient.Start(meetingId: "done-already"));
        await again.Stdin.FlushAsync();
        await again.WaitForEventAsync(e => e.TryGetProperty("message", out var m) && m.GetString() == "meeting_stopped", TimeSpan.FromMinutes(2));
        again.CloseInput();
        Assert.Equal(0, await again.WaitForExitAsync(Limit));

        var events = again.Events;
        Assert.Single(events.Status("meeting_resumed"));
        Assert.Equal(first.OfType("segment").Select(s => s.GetRawText()), events.OfType("segment").Select(s => s.GetRawText()));
        Assert.Equal(Assert.Single(first.OfType("result")).GetRawText(), Assert.Single(events.OfType("result")).GetRawText());
        Assert.Equal("meeting_stopped", events[^1].GetProperty("message").GetString());
    }

    private static string Text(JsonElement turn) => $"{turn.GetProperty("stream").GetString()}|{turn.GetProperty("speaker_id").GetString()}|{turn.GetProperty("text").GetString()}";

    private async Task<IReadOnlyList<JsonElement>> RunAsync(string[] args, ToneMeeting meeting, string name, FeedPlan plan)
    {
        await using var backend = BackendProcess.Start(args);
        await backend.SendAsync(AppClient.Start());
        await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting, plan));
        await backend.SendAsync(AppClient.Stop());
        backend.CloseInput();
        Assert.Equal(0, await backend.WaitForExitAsync(Limit));
        output.WriteLine($"{name}: {backend.Events.OfType("segment").Count} segments");
        return backend.Events;
    }
}
