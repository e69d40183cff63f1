using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>
/// <c>muesli-cmd</c>, the operator console, run as its own process against two real <c>muesli node</c> processes over
/// loopback (both stream and inference, one CPU slot each, on one PostgreSQL journal).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CmdTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task An_unreachable_contact_point_is_a_clear_error_and_a_non_zero_exit_within_10_s()
    {
        var port = Probes.FreePort();
        var run = await CmdProcess.RunAsync("--contact", $"127.0.0.1:{port}", "cluster", "show");
        output.WriteLine(run.ToString());
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"no node answered at 127.0.0.1:{port} within 10 s", run.Stderr);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(11), $"it took {run.Elapsed}");
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task A_wrong_command_line_exits_2_before_connecting()
    {
        var run = await CmdProcess.RunAsync("workers", "frobnicate");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown command 'workers frobnicate'", run.Stderr);
    }

    [Fact]
    public async Task A_backend_answers_the_console_only_with_cmd_port_and_its_stdout_stays_the_protocol()
    {
        using var dir = new TempDir();
        var port = Probes.FreePort();
        await using var backend = BackendProcess.Start(["--output-dir", dir, "--models", StandIns.Folder, "--device", "cpu", "--cmd-port", port.ToString()]);
        var show = await UntilAsync(() => CmdProcess.RunAsync("--contact", $"127.0.0.1:{port}", "workers", "show", "--json"), r => r.ExitCode == 0 && r.Json.GetProperty("workers").GetArrayLength() == 1);
        Assert.Equal($"127.0.0.1:{port}/cpu", show.Json.GetProperty("workers")[0].GetProperty("slot").GetString());
        var cluster = await CmdProcess.RunAsync("--contact", $"127.0.0.1:{port}", "cluster", "show");
        Assert.Contains($"akka.tcp://muesli@127.0.0.1:{port}", cluster.Stdout);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(0, (await CmdProcess.RunAsync("--contact", $"127.0.0.1:{port}", "workers", "show")).ExitCode);
        }

        Assert.Empty(backend.Lines);
    }

    [PostgresFact]
    public async Task The_console_shows_the_cluster_streams_and_workers_drains_and_resumes_a_slot_and_finalizes_a_meeting()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var data = new TempDir();
        // The split brain resolver waits long here, so that downing an unreachable member is left to the operator.
        var config = Path.Combine(data, "operator-downs.conf");
        await File.WriteAllTextAsync(config, "akka.cluster.split-brain-resolver.stable-after = 300 s\n");
        await using var a = await NodeProcess.StartAsync(data, db.ConnectionString, ["--roles", "ingest,stream,inference", "--config", config]);
        await using var b = await NodeProcess.StartAsync(data, db.ConnectionString, ["--roles", "stream,inference", "--seed-nodes", a.SeedAddress, "--config", config]);
        try
        {
            string[] contact = ["--contact", a.SeedAddress, "--contact", b.SeedAddress];

            // cluster show: both members, their roles, and the leader.
            var show = await UntilAsync(() => CmdProcess.RunAsync([.. contact, "cluster", "show"]), r => r.ExitCode == 0 && r.Stdout.Split('\n').Count(l => l.Contains(" Up ")) == 2);
            output.WriteLine(show.Stdout);
            Assert.Contains(show.Stdout.Split('\n'), l => l.Contains(a.Address) && l.Contains("inference,ingest,stream") && l.Contains("reachable"));
            Assert.Contains(show.Stdout.Split('\n'), l => l.Contains(b.Address) && l.Contains("inference,stream"));
            Assert.Contains("leader:", show.Stdout);
            var json = (await CmdProcess.RunAsync([.. contact, "cluster", "show", "--json"])).Json;
            Assert.True(json.GetProperty("ok").GetBoolean());
            Assert.Equal(2, json.GetProperty("members").GetArrayLength());
            Assert.StartsWith("akka.tcp://muesli@", json.GetProperty("leader").GetString());

            // A live meeting: its streams show in streams list, the transcribed one's lastProcessedByte growing.
            var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 150, Speakers = 2, Seed = 312, MicSpeakers = [1] });
            var plan = new FeedPlan { Seed = 312, SampleRate = 16000, Channels = 1, MinFrameMs = 20, MaxFrameMs = 40 };
            var m = new MeetingCase("ops-1", meeting, plan, new Dictionary<string, object>());
            await using var client = await a.ConnectAsync();
            await client.SendAsync(m.Start());
            await client.FeedAsync(m.Frames(until: 40));
            await client.WaitForStatusAsync("live_process_done", Patience);
            const string system = "ops-1/system";
            var first = await UntilAsync(() => StreamsAsync(contact), s => s.GetValueOrDefault(system) > 0);
            await client.FeedAsync(m.Frames(from: 40, until: 70));
            var second = await UntilAsync(() => StreamsAsync(contact), s => s[system] > first[system]);
            output.WriteLine($"lastProcessedByte {string.Join(", ", first)} then {string.Join(", ", second)}");
            Assert.Contains("ops-1/mic", second.Keys);
            var meetings = await CmdProcess.RunAsync([.. contact, "meetings", "list", "--json"]);
            Assert.Contains(meetings.Json.GetProperty("meetings").EnumerateArray(), x => x.GetProperty("meeting").GetString() == "ops-1" && x.GetProperty("streams").GetString() == "mic,system");
            var shown = await CmdProcess.RunAsync([.. contact, "meetings", "show", "ops-1", "--json"]);
            Assert.True(shown.ExitCode == 0, shown.ToString());
            Assert.Equal(["ops-1/mic", "ops-1/system"], shown.Json.GetProperty("streams").EnumerateArray().Select(x => x.GetProperty("id").GetString()).Order());
            Assert.Equal(1, shown.Json.GetProperty("connections").GetInt32());
            Assert.Contains("/user/connection-", shown.Json.GetProperty("connection").GetString());
            Assert.Equal(JsonValueKind.Null, shown.Json.GetProperty("settings").ValueKind);
            Assert.True(shown.Json.GetProperty("speakers").GetInt32() >= 1, shown.Stdout);
            Assert.True(shown.Json.GetProperty("duration_s").GetDouble() >= 69, shown.Stdout);
            var regions = await CmdProcess.RunAsync([.. contact, "cluster-sharding", "regions"]);
            Assert.True(regions.ExitCode == 0 && regions.Stdout.Contains("stream\n") && regions.Stdout.Contains("transcript") && regions.Stdout.Contains("finalize"), regions.ToString());
            var stats = (await CmdProcess.RunAsync([.. contact, "cluster-sharding", "region-stats", "-r", "stream", "--json"])).Json.GetProperty("nodes").EnumerateArray().ToArray();
            Assert.Equal(2, stats.Length);
            Assert.Equal(2, stats.Sum(n => n.GetProperty("entities").GetInt32()));

            // workers drain: the drained slot gets no new chunk while the meeting goes on; resume brings it back.
            var workers = (await CmdProcess.RunAsync([.. contact, "workers", "show", "--json"])).Json.GetProperty("workers").EnumerateArray().ToArray();
            Assert.Equal(2, workers.Length);
            var slotB = $"{b.SeedAddress}/cpu";
            var drain = await CmdProcess.RunAsync([.. contact, "workers", "drain", slotB]);
            Assert.True(drain.ExitCode == 0, drain.ToString());
            Assert.Contains(drain.Stdout.Split('\n'), l => l.StartsWith(slotB) && l.Contains("drained"));
            var runsB = await UntilAsync(() => RunsAsync(contact), r => !r[slotB].Busy);
            await client.FeedAsync(m.Frames(from: 70, until: 110));
            await UntilAsync(() => StreamsAsync(contact), s => s[system] > second[system]);
            var drained = await RunsAsync(contact);
            Assert.Equal(runsB[slotB].Runs, drained[slotB].Runs);
            Assert.True(drained[$"{a.SeedAddress}/cpu"].Runs > runsB[$"{a.SeedAddress}/cpu"].Runs, "the other slot ran the new chunks");
            var resume = await CmdProcess.RunAsync([.. contact, "workers", "resume", slotB]);
            Assert.True(resume.ExitCode == 0, resume.ToString());
            Assert.DoesNotContain("drained", resume.Stdout);
            await client.FeedAsync(m.Frames(from: 110, until: 150));
            await UntilAsync(() => RunsAsync(contact), r => r[slotB].Runs > drained[slotB].Runs);

            // streams show: one stream's figures, its pass times among them; the mic is only recorded here, so it has no
            // lag behind live.
            var sys = (await CmdProcess.RunAsync([.. contact, "streams", "show", "ops-1/system", "--json"])).Json;
            Assert.True(sys.GetProperty("passes_timed").GetInt32() >= 3, sys.ToString());
            Assert.True(sys.GetProperty("pass_p50_s").GetDouble() > 0 && sys.GetProperty("pass_p95_s").GetDouble() >= sys.GetProperty("pass_p50_s").GetDouble(), sys.ToString());
            Assert.Equal(0, sys.GetProperty("errors").GetInt64());
            Assert.Equal(JsonValueKind.Null, sys.GetProperty("last_error").ValueKind);
            // Counted, whatever their values on this run: resends depend on timing, overlaps on the feed's jitter.
            Assert.Equal(JsonValueKind.Number, sys.GetProperty("retries").ValueKind);
            Assert.Equal(JsonValueKind.Number, sys.GetProperty("overlap_frames_dropped").ValueKind);
            var mic = (await CmdProcess.RunAsync([.. contact, "streams", "show", "ops-1/mic", "--json"])).Json;
            Assert.Equal("live", mic.GetProperty("state").GetString());
            Assert.False(mic.GetProperty("transcribed").GetBoolean());
            Assert.Equal(JsonValueKind.Null, mic.GetProperty("lag_s").ValueKind);

            // An unknown slot or stream is a clear error and a non-zero exit.
            var unknown = await CmdProcess.RunAsync([.. contact, "streams", "show", "nope/mic"]);
            Assert.Equal(1, unknown.ExitCode);
            Assert.Contains("unknown stream 'nope/mic'", unknown.Stderr);

            // The interactive console in a pseudo-terminal: "clu<Tab> sh<Tab>" completes to cluster show, the up arrow
            // recalls it from the history, and exit ends it cleanly.
            var interactive = await CmdProcess.InteractiveAsync(a.SeedAddress, [("clu\t sh\t", "muesli> "), ("\u001b[A", "leader:"), ("exit", "leader:")]);
            output.WriteLine(interactive.Stdout);
            Assert.Equal(0, interactive.ExitCode);
            Assert.Contains(b.Address, interactive.Stdout);
            Assert.Equal(2, interactive.Stdout.Split("leader:").Length - 1);
            Assert.DoesNotContain("unknown", interactive.Stdout + interactive.Stderr);

            // streams finalize: an operator's STOP on each stream gives the meeting's result to its client.
            await client.WaitForStatusAsync("live_process_done", Patience);
            foreach (var stream in new[] { "ops-1/system", "ops-1/mic" })
            {
                var finalize = await CmdProcess.RunAsync([.. contact, "streams", "finalize", stream]);
                Assert.True(finalize.ExitCode == 0, finalize.ToString());
            }

            // A second STOP on a stream that is no longer live is refused: it is finalizing, finalized, or done and gone.
            var again = await CmdProcess.RunAsync([.. contact, "streams", "finalize", "ops-1/system"]);
            Assert.Equal(1, again.ExitCode);
            Assert.True(Regex.IsMatch(again.Stderr, "stream 'ops-1/system' is finaliz(ing|ed), not live") || again.Stderr.Contains("unknown stream 'ops-1/system'"), again.ToString());

            var result = await client.WaitForEventAsync(e => e.GetProperty("type").GetString() == "result", Patience);
            Assert.True(result.GetProperty("turns").GetArrayLength() > 0);

            // streams replay of a finalized meeting: the result its journal holds, the one its client got.
            var replayed = await CmdProcess.RunAsync([.. contact, "streams", "replay", "ops-1/mic", "--json"]);
            Assert.True(replayed.ExitCode == 0, replayed.ToString());
            Assert.Equal("journal", replayed.Json.GetProperty("source").GetString());
            AssertSameTurns(result, replayed.Json);
            output.WriteLine((await CmdProcess.RunAsync([.. contact, "streams", "replay", "ops-1"])).Stdout);
            var unknownMeeting = await CmdProcess.RunAsync([.. contact, "streams", "replay", "nope/system"]);
            Assert.Equal(1, unknownMeeting.ExitCode);
            Assert.Contains("the journal holds no meeting 'nope'", unknownMeeting.Stderr);

            // streams replay of a live meeting: a PCM log cut short is damage, with its range, and nothing is done;
            // whole again, the meeting is finalized from its journal and log, and its client gets the result.
            var meeting2 = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 30, Speakers = 2, Seed = 313 });
            var m2 = new MeetingCase("ops-2", meeting2, plan with { Seed = 313 }, new Dictionary<string, object> { ["emit_words"] = true, ["gap_threshold"] = 0.9 });
            await using var client2 = await a.ConnectAsync();
            await client2.SendAsync(m2.Start());
            await client2.FeedAsync(m2.Frames());
            await client2.WaitForStatusAsync("live_process_done", Patience);
            var before = -1L;
            var live = await UntilAsync(() => StreamShowAsync(contact, "ops-2/system"), s => s.Recorded > 29 * 32000 && s.LastProcessed > 64000 && s.Recorded == Interlocked.Exchange(ref before, s.Recorded));
            var about = await CmdProcess.RunAsync([.. contact, "meetings", "show", "ops-2", "--json"]);
            Assert.Equal("gap_threshold=0.9 emit_words=true", about.Json.GetProperty("settings").GetString());
            output.WriteLine((await CmdProcess.RunAsync([.. contact, "meetings", "show", "ops-2"])).Stdout);
            output.WriteLine((await CmdProcess.RunAsync([.. contact, "streams", "show", "ops-2/system"])).Stdout);
            var pcm = Directory.GetFiles(data, "system.pcm", SearchOption.AllDirectories).Single(f => f.Contains("ops-2"));
            var whole = await File.ReadAllBytesAsync(pcm);
            await using (var cut = new FileStream(pcm, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            {
                cut.SetLength(32000);
            }

            var damaged = await CmdProcess.RunAsync([.. contact, "streams", "replay", "ops-2/system"]);
            Assert.Equal(1, damaged.ExitCode);
            var range = Regex.Match(damaged.Stderr, @"meeting ops-2 stream system: PCM log holds 32000 bytes but the journal has processed up to (\d+) \(bytes 32000\.\.(\d+) missing");
            Assert.True(range.Success, damaged.ToString());
            Assert.Equal(range.Groups[1].Value, range.Groups[2].Value);
            Assert.True(long.Parse(range.Groups[1].Value) >= live.LastProcessed, damaged.Stderr);
            Assert.Equal("live", (await CmdProcess.RunAsync([.. contact, "streams", "show", "ops-2/system", "--json"])).Json.GetProperty("state").GetString());
            await using (var restore = new FileStream(pcm, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            {
                await restore.WriteAsync(whole);
            }

            var replay2 = await CmdProcess.RunAsync([.. contact, "streams", "replay", "ops-2", "--json"]);
            Assert.True(replay2.ExitCode == 0, replay2.ToString());
            var result2 = await client2.WaitForEventAsync(e => e.GetProperty("type").GetString() == "result", Patience);
            if (replay2.Json.TryGetProperty("state", out var still) && still.GetString() == "finalizing")
            {
                // A slow machine: the final pass outlived the command; its result is in the journal now.
                output.WriteLine(replay2.Stdout);
                replay2 = await CmdProcess.RunAsync([.. contact, "streams", "replay", "ops-2", "--json"]);
            }
            else
            {
                Assert.Equal("final pass", replay2.Json.GetProperty("source").GetString());
            }

            AssertSameTurns(result2, replay2.Json);

            // cluster down-unreachable: a member that stops answering (SIGSTOP) is downed by the operator and removed.
            await using (var c = await NodeProcess.StartAsync(data, db.ConnectionString, ["--roles", "ingest", "--seed-nodes", a.SeedAddress, "--config", config]))
            {
                await UntilAsync(() => MembersAsync(a), m => m.Count == 3 && m.Values.All(x => x.Status == "Up"));
                c.Signal("STOP");
                await UntilAsync(() => MembersAsync(a), m => m.GetValueOrDefault(c.Address).Reachability == "unreachable");
                var down = await CmdProcess.RunAsync("--contact", a.SeedAddress, "cluster", "down-unreachable", "--json");
                Assert.True(down.ExitCode == 0, down.ToString());
                Assert.Equal(1, down.Json.GetProperty("downed_count").GetInt32());
                Assert.Equal(c.Address, down.Json.GetProperty("downed")[0].GetProperty("address").GetString());
                await UntilAsync(() => MembersAsync(a), m => m.Count == 2 && !m.ContainsKey(c.Address));
                c.Signal("CONT");
            }

            // cluster leave: an unknown member is an error; a known one leaves, and the other shows it gone.
            var stranger = await CmdProcess.RunAsync([.. contact, "cluster", "leave", "127.0.0.1:1"]);
            Assert.Equal(1, stranger.ExitCode);
            Assert.Contains("unknown member '127.0.0.1:1'", stranger.Stderr);
            var leave = await CmdProcess.RunAsync("--contact", a.SeedAddress, "cluster", "leave", b.SeedAddress);
            Assert.True(leave.ExitCode == 0, leave.ToString());
            await UntilAsync(() => CmdProcess.RunAsync("--contact", a.SeedAddress, "cluster", "show", "--json"), r => r.ExitCode == 0 && r.Json.GetProperty("members").GetArrayLength() == 1);

            // Dozens of console runs came and went: no node took one's exit for a failed association.
            Assert.DoesNotContain((a.Process.Stderr + b.Process.Stderr).Split('\n'), l => l.Contains("muesli-cmd@", StringComparison.Ordinal) && (l.Contains(" warn ", StringComparison.Ordinal) || l.Contains(" fail ", StringComparison.Ordinal)));
        }
        finally
        {
            output.WriteLine($"--- node a:\n{string.Join('\n', a.Process.Stderr.Split('\n').Where(l => !l.Contains("run_log {")).TakeLast(60))}");
            output.WriteLine($"--- node b:\n{string.Join('\n', b.Process.Stderr.Split('\n').Where(l => !l.Contains("run_log {")).TakeLast(60))}");
        }
    }

    /// <summary>lastProcessedByte of each stream, by id, from <c>streams list --json</c>.</summary>
    private static async Task<Dictionary<string, long>> StreamsAsync(string[] contact)
    {
        var run = await CmdProcess.RunAsync([.. contact, "streams", "list", "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Json.GetProperty("streams").EnumerateArray()
            .ToDictionary(s => s.GetProperty("id").GetString()!, s => s.GetProperty("lastProcessedByte").GetInt64());
    }

    /// <summary>A stream's recorded bytes and lastProcessedByte, from <c>streams show --json</c>.</summary>
    private static async Task<(long Recorded, long LastProcessed)> StreamShowAsync(string[] contact, string stream)
    {
        var run = await CmdProcess.RunAsync([.. contact, "streams", "show", stream, "--json"]);
        return run.ExitCode == 0 ? (run.Json.GetProperty("recorded_bytes").GetInt64(), run.Json.GetProperty("lastProcessedByte").GetInt64()) : (-1, -1);
    }

    /// <summary>The console's turns table equals a client's result: stream, speaker and text, times within 1 ms.</summary>
    private static void AssertSameTurns(JsonElement result, JsonElement replayed)
    {
        var expected = result.GetProperty("turns").EnumerateArray().ToArray();
        var actual = replayed.GetProperty("turns").EnumerateArray().ToArray();
        Assert.True(expected.Length > 0);
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected.Length, replayed.GetProperty("turn_count").GetInt32());
        foreach (var (e, r) in expected.Zip(actual))
        {
            Assert.Equal(e.GetProperty("stream").GetString(), r.GetProperty("stream").GetString());
            Assert.Equal(e.GetProperty("speaker_id").GetString(), r.GetProperty("speaker_id").GetString());
            Assert.Equal(e.GetProperty("text").GetString(), r.GetProperty("text").GetString());
            Assert.Equal(e.GetProperty("t0").GetDouble(), r.GetProperty("t0").GetDouble(), 0.001);
            Assert.Equal(e.GetProperty("t1").GetDouble(), r.GetProperty("t1").GetDouble(), 0.001);
        }
    }

    /// <summary>Status and reachability of each member, by address, from <c>cluster show --json</c> through <paramref name="node"/>.</summary>
    private static async Task<Dictionary<string, (string Status, string Reachability)>> MembersAsync(NodeProcess node)
    {
        var run = await CmdProcess.RunAsync("--contact", node.SeedAddress, "cluster", "show", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Json.GetProperty("members").EnumerateArray()
            .ToDictionary(m => m.GetProperty("address").GetString()!, m => (m.GetProperty("status").GetString()!, m.GetProperty("reachability").GetString()!));
    }

    /// <summary>Runs and busy state of each slot, by id, from <c>workers show --json</c>.</summary>
    private static async Task<Dictionary<string, (long Runs, bool Busy)>> RunsAsync(string[] contact)
    {
        var run = await CmdProcess.RunAsync([.. contact, "workers", "show", "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Json.GetProperty("workers").EnumerateArray()
            .ToDictionary(w => w.GetProperty("slot").GetString()!, w => (w.GetProperty("runs").GetInt64(), w.GetProperty("state").GetString()!.Contains("busy")));
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                Assert.True(done(value), $"not reached within {Patience}: {(value is System.Collections.IEnumerable ? JsonSerializer.Serialize(value) : value)}");
                return value;
            }

            await Task.Delay(500);
        }
    }
}
