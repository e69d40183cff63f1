using System.Text.Json;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>
/// Three <c>muesli node</c> processes over loopback on one PostgreSQL journal and one shared data dir: ingest+stream,
/// stream+inference and inference, with one CPU slot on each inference node. Meetings arrive on the ingest node; their
/// chunks run on both inference nodes; nodes are killed and paused and their journal stopped mid-meeting, and every final
/// transcript must still equal what one uninterrupted node gives. They run alone (<see cref="ClusterCollection"/>):
/// three nodes need the machine's cores to keep their heartbeats, and the journal outage stops the shared server.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ITestOutputHelper output)
{
    private readonly MeetingRuns _runs = new(output);

    private static readonly MeetingCase[] Six =
    [
        Case("hall-0", 2, 201, 48000, 1, new()),
        Case("hall-1", 3, 202, 44100, 2, new() { ["transcribe_stream"] = "both" }),
        Case("hall-2", 2, 203, 44100, 1, new() { ["live_interval"] = 10 }),
        Case("hall-3", 4, 204, 48000, 1, new()),
        Case("hall-4", 3, 205, 48000, 2, new() { ["emit_words"] = true }),
        Case("hall-5", 2, 206, 16000, 1, new()),
    ];

    [PostgresFact]
    public async Task Three_nodes_serve_six_meetings_on_both_inference_nodes_one_chunk_per_slot_as_one_node_would()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var data = new TempDir();
        await using var cluster = await Cluster.StartAsync(data, db.ConnectionString, output);

        var results = await Task.WhenAll(Six.Select(m => _runs.RunAsync(cluster.Ingest, m)));
        foreach (var (meeting, events) in Six.Zip(results))
        {
            _runs.CheckAccuracy(meeting, events);
            ReferenceRuns.AssertSameTranscript(await ReferenceRuns.ResultOfAsync(meeting), events, meeting.Id);
        }

        foreach (var node in cluster.InferenceNodes)
        {
            var runs = node.RunLog();
            output.WriteLine($"{node.SeedAddress} ({string.Join(",", node.Roles)}): {runs.Count(r => r.GetProperty("event").GetString() == "end")} runs");
            Assert.Contains(runs, r => r.GetProperty("event").GetString() == "end" && r.GetProperty("outcome").GetString() == "ok");
            AssertOneRunAtATime(runs);
        }
    }

    [PostgresFact]
    public async Task A_killed_stream_node_s_streams_resume_on_the_other_and_reconnecting_clients_lose_and_double_nothing()
    {
        var meetings = Six.Take(4).Select(m => m with { Meeting = Short(m.Meeting, 100) }).ToArray();
        await using var db = await TestDatabase.CreateAsync();
        using var data = new TempDir();
        await using var cluster = await Cluster.StartAsync(data, db.ConnectionString, output);

        var clients = await LiveAsync(cluster, meetings, until: 60);

        // The stream+inference node hosts some of the meetings' entities (shards spread over both stream nodes).
        var victim = cluster.StreamInference;
        Assert.Contains(victim.Process.Stderr.Split('\n'), l => l.Contains("stream hall-") && l.Contains(" opened"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        victim.Kill();
        await DropAllAsync(clients);

        var results = await Task.WhenAll(meetings.Select(m => _runs.ResumeAsync(cluster.Ingest, m)));
        output.WriteLine($"all meetings resumed and finished {clock.Elapsed.TotalSeconds:F1} s after the kill");
        foreach (var (meeting, events) in meetings.Zip(results))
        {
            ReferenceRuns.AssertSameTranscript(await ReferenceRuns.ResultOfAsync(meeting), events, meeting.Id);
        }
    }

    [PostgresFact]
    public async Task An_inference_node_killed_mid_chunk_has_its_chunk_run_again_on_the_other_and_applied_once()
    {
        var meetings = Six.Skip(2).Take(3).Select(m => m with { Meeting = Short(m.Meeting, 90) }).ToArray();
        await using var db = await TestDatabase.CreateAsync();
        using var data = new TempDir();
        await using var cluster = await Cluster.StartAsync(data, db.ConnectionString, output);

        var runs = meetings.Select(m => _runs.RunAsync(cluster.Ingest, m)).ToArray();
        var victim = cluster.Inference;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        JsonElement? started = null;
        while (started is null && DateTime.UtcNow < deadline)
        {
            var log = victim.RunLog();
            var open = log.Where(r => r.GetProperty("event").GetString() == "start")
                .Where(s => !log.Any(e => e.GetProperty("event").GetString() == "end" && SameRun(s, e)))
                .ToArray();
            started = open.Length > 0 ? open[^1] : null;
            await Task.Delay(started is null ? 20 : 0);
        }

        Assert.True(started is not null, "the inference node never started a chunk");
        victim.Kill();
        output.WriteLine($"killed the inference node during {started}");

        var results = await Task.WhenAll(runs);
        foreach (var (meeting, events) in meetings.Zip(results))
        {
            ReferenceRuns.AssertSameTranscript(await ReferenceRuns.ResultOfAsync(meeting), events, meeting.Id);
        }

        // The chunk the dead node was running ran again, to the end, on the surviving inference node.
        var survivor = cluster.StreamInference.RunLog();
        Assert.Contains(survivor, r => r.GetProperty("event").GetString() == "end" && r.GetProperty("outcome").GetString() == "ok" && SameRun(started.Value, r));
    }

    [PostgresFact]
    public async Task A_paused_stream_node_is_downed_its_meetings_go_on_and_after_it_wakes_it_exits_without_writing()
    {
        var meetings = Six.Take(3).Select(m => m with { Meeting = Short(m.Meeting, 100) }).ToArray();
        await using var db = await TestDatabase.CreateAsync();
        using var data = new TempDir();
        await using var cluster = await Cluster.StartAsync(data, db.ConnectionString, output);

        var clients = await LiveAsync(cluster, meetings, until: 50);

        var paused = cluster.StreamInference;
        paused.Signal("STOP");
        await DropAllAsync(clients);

        // The others down it (keep-majority: 2 of 3) and take its streams over; the clients resend from where the
        // journal says and finish.
        var results = await Task.WhenAll(meetings.Select(m => _runs.ResumeAsync(cluster.Ingest, m)));
        var logs = PcmLogs(data);
        paused.Signal("CONT");
        Assert.Equal(3, await paused.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await Task.Delay(500);
        Assert.Equal(logs, PcmLogs(data));
        Assert.Contains("downed", paused.Process.Stderr);
        foreach (var (meeting, events) in meetings.Zip(results))
        {
            ReferenceRuns.AssertSameTranscript(await ReferenceRuns.ResultOfAsync(meeting), events, meeting.Id);
        }
    }

    [PostgresFact]
    public async Task The_journal_stopped_mid_meeting_for_20_s_delays_meetings_that_then_complete_as_uninterrupted_runs()
    {
        var meetings = Six.Take(2).Select(m => m with { Meeting = Short(m.Meeting, 100) }).ToArray();
        await using var db = await TestDatabase.CreateAsync();
        using var data = new TempDir();
        await using var cluster = await Cluster.StartAsync(data, db.ConnectionString, output);

        var clients = await LiveAsync(cluster, meetings, until: 40);

        await using (var outage = await PostgresOutage.BeginAsync(output))
        {
            // Audio keeps arriving while nothing can be journaled.
            await Task.WhenAll(meetings.Zip(clients).Select(x => x.Second.FeedAsync(x.First.Frames(from: 40, until: 55))));
            await Task.Delay(TimeSpan.FromSeconds(20));
        }

        var results = new List<IReadOnlyList<JsonElement>>();
        foreach (var (meeting, client) in meetings.Zip(clients))
        {
            await client.FeedAsync(meeting.Frames(from: 55));
            await client.SendAsync(AppClient.Stop());
            await client.WaitClosedAsync(MeetingRuns.Limit);
            Assert.Contains(client.Events, e => e.GetProperty("type").GetString() == "error" && e.GetProperty("message").GetString()!.StartsWith("journal_unavailable"));
            results.Add(client.Events.Where(e => !(e.GetProperty("type").GetString() == "error" && e.GetProperty("message").GetString()!.StartsWith("journal_unavailable"))).ToArray());
            await client.DisposeAsync();
        }

        foreach (var (meeting, events) in meetings.Zip(results))
        {
            ReferenceRuns.AssertSameTranscript(await ReferenceRuns.ResultOfAsync(meeting), events, meeting.Id);
        }
    }

    /// <summary>Each meeting on its own connection to the ingest node, fed up to <paramref name="until"/> s and live.</summary>
    private static async Task<List<NodeClient>> LiveAsync(Cluster cluster, IEnumerable<MeetingCase> meetings, double until)
    {
        var clients = new List<NodeClient>();
        foreach (var meeting in meetings)
        {
            var client = await cluster.Ingest.ConnectAsync();
            clients.Add(client);
            await client.SendAsync(meeting.Start());
            await client.FeedAsync(meeting.Frames(until: until));
        }

        foreach (var client in clients)
        {
            await client.WaitForStatusAsync("live_process_done", MeetingRuns.Limit);
        }

        return clients;
    }

    /// <summary>The clients lose their connections without STOP, as when their network drops.</summary>
    private static async Task DropAllAsync(IEnumerable<NodeClient> clients)
    {
        foreach (var client in clients)
        {
            client.Drop();
            await client.DisposeAsync();
        }
    }

    private static bool SameRun(JsonElement a, JsonElement b)
        => a.GetProperty("stream").GetString() == b.GetProperty("stream").GetString()
           && a.GetProperty("priority").GetString() == b.GetProperty("priority").GetString()
           && a.GetProperty("seq").GetInt64() == b.GetProperty("seq").GetInt64();

    /// <summary>Per slot, runs strictly alternate start, end, start, end, and each starts after the one before ended.</summary>
    private static void AssertOneRunAtATime(IReadOnlyList<JsonElement> runs)
    {
        foreach (var slot in runs.GroupBy(r => r.GetProperty("slot").GetString()))
        {
            JsonElement? open = null;
            var lastEnd = long.MinValue;
            foreach (var run in slot)
            {
                var t = run.GetProperty("t").GetInt64();
                if (run.GetProperty("event").GetString() == "start")
                {
                    Assert.True(open is null, $"slot {slot.Key} started {run} while {open} ran");
                    Assert.True(t >= lastEnd, $"slot {slot.Key} started {run} before the previous run ended");
                    open = run;
                }
                else
                {
                    Assert.True(open is not null && SameRun(open.Value, run), $"slot {slot.Key} ended {run} that it was not running");
                    open = null;
                    lastEnd = t;
                }
            }
        }
    }

    private static Dictionary<string, (long Length, DateTime Modified)> PcmLogs(string data)
        => Directory.EnumerateFiles(data, "*.pcm", SearchOption.AllDirectories)
            .ToDictionary(f => f, f => (new FileInfo(f).Length, File.GetLastWriteTimeUtc(f)));

    private static MeetingCase Case(string id, int speakers, int seed, int rate, int channels, Dictionary<string, object> settings)
        => new(
            id,
            ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 150, Speakers = speakers, Seed = seed, MicSpeakers = [1] }),
            new FeedPlan { Seed = seed, SampleRate = rate, Channels = channels, MinFrameMs = 7, MaxFrameMs = 45, JitterMs = 3 },
            settings);

    private static ToneMeeting Short(ToneMeeting meeting, double seconds)
        => ToneMeetingGenerator.Generate(meeting.Spec with { DurationSeconds = seconds });

    /// <summary>The three nodes, started in order (the first is the seed), and stopped together.</summary>
    private sealed class Cluster : IAsyncDisposable
    {
        private readonly List<NodeProcess> _nodes;
        private readonly ITestOutputHelper _output;

        private Cluster(List<NodeProcess> nodes, ITestOutputHelper output)
        {
            _nodes = nodes;
            _output = output;
        }

        public NodeProcess Ingest => _nodes[0];

        public NodeProcess StreamInference => _nodes[1];

        public NodeProcess Inference => _nodes[2];

        public IEnumerable<NodeProcess> InferenceNodes => [StreamInference, Inference];

        public static async Task<Cluster> StartAsync(string data, string journal, ITestOutputHelper output)
        {
            var nodes = new List<NodeProcess>();
            try
            {
                nodes.Add(await NodeProcess.StartAsync(data, journal, ["--roles", "ingest,stream"]));
                var seed = nodes[0].SeedAddress;
                nodes.Add(await NodeProcess.StartAsync(data, journal, ["--roles", "stream,inference", "--seed-nodes", seed]));
                nodes.Add(await NodeProcess.StartAsync(data, journal, ["--roles", "inference", "--seed-nodes", seed]));
                foreach (var node in nodes)
                {
                    output.WriteLine($"node {node.SeedAddress}: {string.Join(",", node.Roles)} {string.Join(",", node.Devices)}");
                }

                return new Cluster(nodes, output);
            }
            catch
            {
                foreach (var node in nodes)
                {
                    await node.DisposeAsync();
                }

                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var node in _nodes)
            {
                // What each node logged besides its runs: shown when a test fails.
                var lines = node.Process.Stderr.Split('\n').Where(l => !l.Contains("run_log {") && !l.Contains(" session ")).ToArray();
                _output.WriteLine($"--- {node.SeedAddress} ({string.Join(",", node.Roles)}), last {Math.Min(120, lines.Length)} of {lines.Length} lines:");
                _output.WriteLine(string.Join('\n', lines.TakeLast(120)));
                await node.DisposeAsync();
            }
        }
    }
}

/// <summary>Tests that run after all others, one at a time, with nothing beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
