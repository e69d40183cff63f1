using System.Text.Json;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>How the node tests drive a meeting over TCP and check what its client got.</summary>
public sealed class MeetingRuns(ITestOutputHelper output)
{
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    /// <summary>A whole meeting on one connection: START, every frame, STOP; the node closes after the final events.</summary>
    public async Task<IReadOnlyList<JsonElement>> RunAsync(NodeProcess node, MeetingCase meeting)
    {
        await using var client = await node.ConnectAsync();
        await client.SendAsync(meeting.Start());
        await client.FeedAsync(meeting.Frames());
        await client.SendAsync(AppClient.Stop());
        await client.WaitClosedAsync(Limit);
        return Finished(meeting, client.Events);
    }

    /// <summary>The connection drops mid-meeting; the client reconnects with the same id and resends from where the node says.</summary>
    public async Task<IReadOnlyList<JsonElement>> RunWithReconnectAsync(NodeProcess node, MeetingCase meeting, double dropAt)
    {
        await using (var first = await node.ConnectAsync())
        {
            await first.SendAsync(meeting.Start());
            await first.FeedAsync(meeting.Frames(until: dropAt));
            await first.WaitForStatusAsync("live_process_done", Limit);
            first.Drop();
        }

        return await ResumeAsync(node, meeting);
    }

    /// <summary>Reconnects with the meeting's id, checks <c>meeting_resumed</c>, resends from its <c>resume_pts_us</c> and stops.</summary>
    public async Task<IReadOnlyList<JsonElement>> ResumeAsync(NodeProcess node, MeetingCase meeting)
    {
        await using var client = await node.ConnectAsync();
        await client.SendAsync(meeting.Start());
        var resumed = await client.WaitForStatusAsync("meeting_resumed", TimeSpan.FromMinutes(2));
        Assert.Equal(meeting.Id, resumed.GetProperty("meeting_id").GetString());
        var pts = resumed.GetProperty("resume_pts_us");
        var from = Math.Min(pts.GetProperty("system").GetInt64(), pts.GetProperty("mic").GetInt64()) / 1e6;
        output.WriteLine($"{meeting.Id} resumed: {resumed}");
        Assert.True(from > 10, $"{meeting.Id}: the node says its recording ends at {from:F2} s");

        // A client resends a little before that point: what the node already has is dropped, nothing is doubled.
        await client.FeedAsync(meeting.Frames(from: Math.Max(0, from - 0.5)));
        await client.SendAsync(AppClient.Stop());
        await client.WaitClosedAsync(Limit);
        return Finished(meeting, client.Events);
    }

    public IReadOnlyList<JsonElement> Finished(MeetingCase meeting, IReadOnlyList<JsonElement> events)
    {
        Assert.All(events, e => Assert.Null(EventShapes.Check(e)));
        var errors = events.OfType("error").Select(e => e.GetProperty("message").GetString()).ToArray();
        Assert.True(errors.Length == 0, $"{meeting.Id}: errors: {string.Join("; ", errors)}");
        Assert.Equal("meeting_stopped", events[^1].GetProperty("message").GetString());
        var started = Assert.Single(events.Status("meeting_started"));
        Assert.Equal(meeting.Id, started.GetProperty("meeting_id").GetString());
        return events;
    }

    public void CheckAccuracy(MeetingCase meeting, IReadOnlyList<JsonElement> events)
    {
        var both = meeting.Settings.TryGetValue("transcribe_stream", out var streams) && (string)streams == "both";
        var stream = both ? ToneMeeting.AllStreams : "system";
        var result = Assert.Single(events.OfType("result")).GetProperty("turns").EnumerateArray().ToArray();
        var wer = Scoring.WordErrorRate(meeting.Meeting.ReferenceText(stream), Transcripts.Text(result));
        var reference = meeting.Meeting.WordBoundedTurns().Where(t => both || t.Stream == "system").ToArray();
        var hypothesis = result
            .Select(t => new TruthTurn(t.GetProperty("speaker_id").GetString()!, t.GetProperty("stream").GetString()!, t.GetProperty("t0").GetDouble(), t.GetProperty("t1").GetDouble()))
            .ToArray();
        var der = Scoring.DiarizationErrorRate(reference, hypothesis);
        output.WriteLine($"{meeting.Id} ({meeting.Meeting.Spec.Speakers} speakers, {meeting.Plan.SampleRate} Hz × {meeting.Plan.Channels}, {{{meeting.SettingsJson}}}): WER {wer:P2}, DER {der.Total:P2}");
        Assert.True(wer <= 0.02, $"{meeting.Id}: WER {wer:P2}");
        Assert.True(der.Total <= 0.05, $"{meeting.Id}: DER {der.Total:P2}");
    }
}
