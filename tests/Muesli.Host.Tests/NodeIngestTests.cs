using System.Buffers.Binary;
using System.Text.Json;
using System.Text.RegularExpressions;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>
/// <c>muesli node</c>'s ingest as clients meet it: bad clients are told why and closed without harming the meetings
/// beside them, connections beyond the limit are refused, a newer connection supersedes an older one, a meeting whose
/// client never returns is finalized, and the command line's rules (environment variables, one SQLite node only).
/// </summary>
public sealed partial class NodeIngestTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    [PostgresFact]
    public async Task Bad_clients_are_told_why_and_closed_while_two_good_meetings_beside_them_equal_their_backend_runs()
    {
        MeetingCase[] good =
        [
            Good("good-1", 2, 201, new() { ["transcribe_stream"] = "both" }),
            Good("good-2", 3, 202, new() { ["live_interval"] = 10 }),
        ];
        await using var db = await TestDatabase.CreateAsync();
        using var data = new TempDir();
        await using var node = await NodeProcess.StartAsync(data, db.ConnectionString);

        var goodRuns = good.Select(m => RunGoodAsync(node, m)).ToArray();
        var random = new byte[1 << 20];
        new Random(9).NextBytes(random);
        var hugeHeader = new byte[14];
        hugeHeader[0] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(hugeHeader.AsSpan(10), uint.MaxValue);
        var bad = new (string Name, byte[][] Send, string Expected)[]
        {
            ("1 MB of random bytes", [random], "unknown_"),
            ("a 4 GB payload_len", [AppClient.Start(meetingId: "huge"), hugeHeader], "payload"),
            ("nothing at all", [], "start_timeout"),
            ("meeting_id ../../etc", [AppClient.Start(meetingId: "../../etc")], "meeting_id"),
            ("an unknown setting", [AppClient.Start(meetingId: "odd", extraJson: "\"turbo_mode\":true")], "unknown_setting: turbo_mode"),
            ("a bad setting value", [AppClient.Start(meetingId: "odd2", extraJson: "\"live_interval\":\"soon\"")], "invalid_setting: live_interval"),
            ("an ASR model that is not installed", [AppClient.Start(meetingId: "odd3", extraJson: "\"asr_model\":\"no-such-model\"")], "invalid_setting: asr_model"),
        };
        var badRuns = bad.Select(async b =>
        {
            await using var client = await node.ConnectAsync();
            foreach (var bytes in b.Send)
            {
                if (!await client.FeedAsync([bytes]))
                {
                    break;
                }
            }

            await client.WaitClosedAsync(TimeSpan.FromSeconds(30));
            var error = client.Events.OfType("error").Select(e => e.GetProperty("message").GetString()!).FirstOrDefault();
            output.WriteLine($"{b.Name}: {error}");
            Assert.True(error is not null && error.Contains(b.Expected, StringComparison.Ordinal), $"{b.Name}: expected an error with '{b.Expected}', got {string.Join(" | ", client.Lines)}");
        }).ToArray();

        await Task.WhenAll(badRuns);
        var results = await Task.WhenAll(goodRuns);
        foreach (var (meeting, events) in good.Zip(results))
        {
            ReferenceRuns.AssertSameTranscript(await ReferenceRuns.ResultOfAsync(meeting), events, meeting.Id);
        }

        // Nothing was created outside the data dir, and no folder for the meetings refused at START ("huge" started
        // before its bad frame, and waits for its client like any dropped meeting).
        Assert.Equal(["good-1", "good-2", "huge"], Directory.GetDirectories(data).Select(Path.GetFileName).Order());
        Assert.False(Directory.Exists(Path.GetFullPath(Path.Combine(data, "../../etc", "system.pcm"))));
    }

    [Fact]
    public async Task A_connection_beyond_max_meetings_gets_node_full_the_limit_reads_its_environment_variable_and_the_example_config_loads()
    {
        using var data = new TempDir();
        var config = Path.Combine(BackendProcess.RepositoryRoot, "cluster-config", "single-node.conf");
        await using var node = await NodeProcess.StartAsync(data, journal: null, ["--config", config], new Dictionary<string, string?> { ["MUESLI_MAX_MEETINGS"] = "1" });
        await using var first = await node.ConnectAsync();
        await first.SendAsync(AppClient.Start(meetingId: "first"));
        await first.WaitForStatusAsync("meeting_started", Limit);

        await using var second = await node.ConnectAsync();
        await second.WaitClosedAsync(TimeSpan.FromSeconds(30));
        var error = Assert.Single(second.Events.OfType("error")).GetProperty("message").GetString();
        Assert.StartsWith("node_full: ", error);
        Assert.False(first.Closed.IsCompleted);
    }

    [Fact]
    public async Task A_meeting_without_an_id_gets_one_and_a_newer_connection_for_a_meeting_supersedes_the_older()
    {
        using var data = new TempDir();
        await using var node = await NodeProcess.StartAsync(data, journal: null);
        await using (var anonymous = await node.ConnectAsync())
        {
            await anonymous.SendAsync(AppClient.Start());
            var started = await anonymous.WaitForStatusAsync("meeting_started", Limit);
            var id = started.GetProperty("meeting_id").GetString()!;
            Assert.Matches(MeetingId(), id);
            await anonymous.SendAsync(AppClient.Stop());
            await anonymous.WaitClosedAsync(Limit);
            Assert.True(Directory.Exists(Path.Combine(data, id)));
        }

        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 20, Speakers = 1, Seed = 7 });
        await using var older = await node.ConnectAsync();
        await older.SendAsync(AppClient.Start(meetingId: "taken-over"));
        await older.FeedAsync(AppClient.AudioFrames(meeting, new FeedPlan { Until = 10 }));
        await older.WaitForStatusAsync("meeting_started", Limit);

        await using var newer = await node.ConnectAsync();
        await newer.SendAsync(AppClient.Start(meetingId: "taken-over"));
        await newer.WaitForStatusAsync("meeting_resumed", Limit);
        await older.WaitClosedAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("superseded", older.Events.OfType("error").Last().GetProperty("message").GetString());

        await newer.FeedAsync(AppClient.AudioFrames(meeting, new FeedPlan()));
        await newer.SendAsync(AppClient.Stop());
        await newer.WaitClosedAsync(Limit);
        Assert.Equal("meeting_stopped", newer.Events[^1].GetProperty("message").GetString());
        Assert.Equal(0, Scoring.WordErrorRate(meeting.ReferenceText("system"), Transcripts.Text(newer.Events.OfType("result").Single().GetProperty("turns").EnumerateArray())), 3);
    }

    [Fact]
    public async Task A_meeting_whose_client_never_returns_is_finalized_after_abandon_after()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 30, Speakers = 2, Seed = 8 });
        using var data = new TempDir();
        await using var node = await NodeProcess.StartAsync(data, journal: null, ["--abandon-after", "0.05", "--verbose"]);
        await using (var client = await node.ConnectAsync())
        {
            await client.SendAsync(AppClient.Start(meetingId: "left-behind"));
            await client.FeedAsync(AppClient.AudioFrames(meeting, new FeedPlan()));
            await client.WaitForStatusAsync("meeting_started", Limit);
            await Task.Delay(500);
            client.Drop();
        }

        await node.Process.WaitForLogAsync("no client for", TimeSpan.FromSeconds(60));
        await node.Process.WaitForLogAsync("meeting left-behind completed", TimeSpan.FromMinutes(2));

        // Coming back afterwards: the finished meeting is replayed, with its result, and the connection ends.
        await using var late = await node.ConnectAsync();
        await late.SendAsync(AppClient.Start(meetingId: "left-behind"));
        await late.WaitClosedAsync(Limit);
        // The node had recorded what it read before the connection dropped; that much is transcribed.
        var result = Assert.Single(late.Events.OfType("result"));
        var heard = result.GetProperty("duration").GetDouble();
        Assert.True(heard > 5, $"only {heard:F1} s were recorded");
        var truth = meeting.Words.Where(w => w.Stream == "system" && w.T1 < heard - 1).ToArray();
        var text = Transcripts.Text(result.GetProperty("turns").EnumerateArray()).Split(' ').Take(truth.Length);
        Assert.Equal(0, Scoring.WordErrorRate(Transcripts.Reference(truth), string.Join(' ', text)), 3);
        Assert.Equal("meeting_stopped", late.Events[^1].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Without_a_postgres_journal_the_node_refuses_other_seed_nodes_and_help_names_every_environment_variable()
    {
        using var data = new TempDir();
        await using (var refused = BackendProcess.Start(["--data-dir", data, "--seed-nodes", "10.0.0.9:4053"], command: "node"))
        {
            Assert.Equal(2, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("SQLite serves one node only", refused.Stderr);
        }

        await using var help = BackendProcess.Start(["--help"], command: "node");
        await help.WaitForExitAsync(TimeSpan.FromSeconds(60));
        // Help is output: on stdout, where `muesli node --help | less` finds it.
        var text = string.Join('\n', help.Lines);
        foreach (var variable in new[] { "MUESLI_INGEST_PORT", "MUESLI_JOURNAL", "MUESLI_DEVICES", "MUESLI_MAX_MEETINGS", "MUESLI_SEED_NODES", "MUESLI_LIVE_INTERVAL", "MUESLI_TRANSCRIBE_STREAM" })
        {
            Assert.Contains(variable, text);
        }
    }

    private static MeetingCase Good(string id, int speakers, int seed, Dictionary<string, object> settings)
        => new(
            id,
            ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 60, Speakers = speakers, Seed = seed, MicSpeakers = [1] }),
            new FeedPlan { Seed = seed, SampleRate = 44100, MinFrameMs = 7, MaxFrameMs = 45, JitterMs = 3 },
            settings);

    private static async Task<IReadOnlyList<JsonElement>> RunGoodAsync(NodeProcess node, MeetingCase meeting)
    {
        await using var client = await node.ConnectAsync();
        await client.SendAsync(meeting.Start());
        await client.FeedAsync(meeting.Frames());
        await client.SendAsync(AppClient.Stop());
        await client.WaitClosedAsync(Limit);
        Assert.Empty(client.Events.OfType("error"));
        return client.Events;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex MeetingId();
}
