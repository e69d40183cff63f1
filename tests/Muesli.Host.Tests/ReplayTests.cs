using System.Text.Json;
using Muesli.Core.Protocol;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>
/// <c>muesli replay</c>: a backend SIGKILLed at some point of a meeting leaves a journal and PCM logs from which the
/// replay rebuilds exactly the transcript of an uninterrupted run of the audio it recorded; a damaged log is reported.
/// </summary>
public sealed class ReplayTests(ITestOutputHelper output)
{
    internal const string MeetingId = "replay-me";
    internal static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);

    internal static ToneMeeting Meeting(double seconds = 60)
        => ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = seconds, Speakers = 2, Seed = 17 });

    private static string[] Args(string dir) => ["--output-dir", dir, "--models", StandIns.Folder, "--keep-pcm"];

    [Fact]
    public async Task A_kill_while_a_live_pass_runs_replays_to_the_transcript_of_an_uninterrupted_run()
    {
        using var dir = new TempDir();
        await using (var backend = BackendProcess.Start(Args(dir)))
        {
            await backend.SendAsync(AppClient.Start(meetingId: MeetingId));
            await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(Meeting(), new FeedPlan()));
            // The second live pass starts once the first is committed: killed at once, it is in flight.
            await backend.WaitForEventAsync(_ => backend.Events.Count(IsLiveStart) >= 2, Limit);
            backend.Kill();
        }

        await AssertReplayEqualsUninterruptedRunAsync(dir);
    }

    [Fact]
    public async Task A_kill_between_live_passes_replays_to_the_transcript_of_an_uninterrupted_run()
    {
        using var dir = new TempDir();
        await using (var backend = BackendProcess.Start(Args(dir)))
        {
            await backend.SendAsync(AppClient.Start(meetingId: MeetingId));
            await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(Meeting(), new FeedPlan { Until = 40 }));

            // Every pass started is done, and no other starts for a while: the stream waits for more audio.
            await backend.WaitForEventAsync(e => e.TryGetProperty("message", out var m) && m.GetString() == "live_process_done", Limit);
            var quiet = 0;
            while (quiet < 3)
            {
                await Task.Delay(1000);
                var events = backend.Events;
                quiet = events.Count(IsLiveStart) == events.Count(IsLiveDone) ? quiet + 1 : 0;
            }

            backend.Kill();
        }

        await AssertReplayEqualsUninterruptedRunAsync(dir);
    }

    [Fact]
    public async Task A_kill_during_the_final_pass_replays_to_the_transcript_of_an_uninterrupted_run()
    {
        var meeting = Meeting();
        using var uninterruptedDir = new TempDir();
        IReadOnlyList<JsonElement> uninterrupted;
        await using (var backend = BackendProcess.Start(Args(uninterruptedDir)))
        {
            await backend.SendAsync(AppClient.Start());
            await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting, new FeedPlan()));
            await backend.SendAsync(AppClient.Stop());
            backend.CloseInput();
            Assert.Equal(0, await backend.WaitForExitAsync(Limit));
            uninterrupted = Turns(Assert.Single(backend.Events.OfType("result")));
        }

        using var dir = new TempDir();
        await using (var backend = BackendProcess.Start(Args(dir)))
        {
            await backend.SendAsync(AppClient.Start(meetingId: MeetingId));
            await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting, new FeedPlan()));
            await backend.SendAsync(AppClient.Stop());
            await backend.WaitForEventAsync(e => IsStart(e, finalize: true), Limit);
            backend.Kill();
            static string Name(JsonElement e) => e.TryGetProperty("message", out var m) ? m.ToString() : e.GetProperty("type").ToString();
            output.WriteLine($"killed after: {string.Join(", ", backend.Events.Select(Name).TakeLast(5))}");
        }

        var replayed = await AssertReplayEqualsUninterruptedRunAsync(dir);
        AssertSameTurns(uninterrupted, replayed);
    }

    [Fact]
    public async Task A_finished_meeting_replays_to_its_result_an_unknown_one_fails_and_a_truncated_log_is_damage()
    {
        using var dir = new TempDir();
        IReadOnlyList<JsonElement> served;
        await using (var backend = BackendProcess.Start(Args(dir)))
        {
            await backend.SendAsync(AppClient.Start(meetingId: MeetingId));
            await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(Meeting(30), new FeedPlan()));
            await backend.SendAsync(AppClient.Stop());
            backend.CloseInput();
            Assert.Equal(0, await backend.WaitForExitAsync(Limit));
            served = Turns(Assert.Single(backend.Events.OfType("result")));
        }

        using (var outDir = new TempDir())
        {
            var (code, stderr) = await ReplayAsync(dir, outDir, MeetingId);
            Assert.True(code == 0, stderr);
            AssertSameTurns(served, ReadJsonTurns(outDir));
        }

        using (var outDir = new TempDir())
        {
            var (code, stderr) = await ReplayAsync(dir, outDir, "no-such-meeting");
            Assert.Equal(3, code);
            Assert.Contains("no meeting no-such-meeting", stderr, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(outDir));
        }

        var pcm = Path.Combine(dir, "system.pcm");
        var length = new FileInfo(pcm).Length;
        var kept = length / 3 / 2 * 2;
        using (var file = File.OpenWrite(pcm))
        {
            file.SetLength(kept);
        }

        using (var outDir = new TempDir())
        {
            var (code, stderr) = await ReplayAsync(dir, outDir, MeetingId);
            Assert.Equal(1, code);
            Assert.Contains(
                $"damage: meeting {MeetingId} stream system: PCM log holds {kept} bytes but the journal has stopped the stream at {length} (bytes {kept}..{length} missing",
                stderr,
                StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(outDir));
        }
    }

    /// <summary>
    /// Replays the killed meeting, and runs an uninterrupted backend on exactly the audio its system log holds (sent at
    /// 16 kHz, which the backend records as is): both transcripts must be the same.
    /// </summary>
    private Task<IReadOnlyList<JsonElement>> AssertReplayEqualsUninterruptedRunAsync(string dir)
        => AssertReplayEqualsUninterruptedRunAsync(output, dir, Path.Combine(dir, "system.pcm"), journal: null);

    /// <summary>The same for a meeting whose system log is at <paramref name="systemPcm"/>, on <paramref name="journal"/> (null: SQLite in the dir).</summary>
    internal static async Task<IReadOnlyList<JsonElement>> AssertReplayEqualsUninterruptedRunAsync(ITestOutputHelper output, string dir, string systemPcm, string? journal)
    {
        var recorded = await File.ReadAllBytesAsync(systemPcm);
        output.WriteLine($"the killed run recorded {recorded.Length / 32000.0:0.000} s of system audio");
        Assert.True(recorded.Length > 20 * 32000, $"only {recorded.Length} bytes recorded");

        using var outDir = new TempDir();
        var (code, stderr) = await ReplayAsync(output, dir, outDir, MeetingId, journal);
        Assert.True(code == 0, stderr);
        var replayed = ReadJsonTurns(outDir);

        using var referenceDir = new TempDir();
        await using var reference = BackendProcess.Start(Args(referenceDir));
        await reference.SendAsync(AppClient.Start(16000, 1, meetingId: "reference"));
        await AppClient.FeedAsync(reference.Stdin, Frames16k(recorded));
        await reference.SendAsync(AppClient.Stop());
        reference.CloseInput();
        Assert.Equal(0, await reference.WaitForExitAsync(Limit));
        var expected = Turns(Assert.Single(reference.Events.OfType("result")));

        Assert.NotEmpty(expected);
        AssertSameTurns(expected, replayed);
        return replayed;
    }

    private static IEnumerable<byte[]> Frames16k(byte[] pcm)
    {
        const int frameBytes = 640;
        for (var offset = 0; offset < pcm.Length; offset += frameBytes)
        {
            var count = Math.Min(frameBytes, pcm.Length - offset) / 2;
            var samples = new short[count];
            Buffer.BlockCopy(pcm, offset, samples, 0, count * 2);
            yield return AppClient.Audio(StreamKind.System, offset / 2 * 1_000_000L / 16000, samples);
        }
    }

    private Task<(int Code, string Stderr)> ReplayAsync(string dir, string outDir, string meetingId) => ReplayAsync(output, dir, outDir, meetingId);

    internal static async Task<(int Code, string Stderr)> ReplayAsync(ITestOutputHelper output, string dir, string outDir, string meetingId, string? journal = null)
    {
        await using var replay = BackendProcess.Start(
            ["--data-dir", dir, "--meeting", meetingId, "--format", "json", "--out", outDir, "--models", StandIns.Folder, .. journal is null ? Array.Empty<string>() : ["--journal", journal]],
            command: "replay");
        replay.CloseInput();
        var code = await replay.WaitForExitAsync(Limit);
        output.WriteLine($"replay {meetingId}: exit {code}\n{replay.Stderr}");
        return (code, replay.Stderr);
    }

    private static IReadOnlyList<JsonElement> ReadJsonTurns(string outDir)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, $"{MeetingId}.json")));
        return Turns(json.RootElement.Clone());
    }

    private static IReadOnlyList<JsonElement> Turns(JsonElement holder) => holder.GetProperty("turns").EnumerateArray().ToArray();

    private static void AssertSameTurns(IReadOnlyList<JsonElement> expected, IReadOnlyList<JsonElement> actual)
    {
        static string Key(JsonElement t) => $"{t.GetProperty("stream").GetString()}|{t.GetProperty("speaker_id").GetString()}|{t.GetProperty("text").GetString()}";
        Assert.Equal(expected.Select(Key), actual.Select(Key));
        Assert.All(expected.Zip(actual), pair =>
        {
            Assert.Equal(pair.First.GetProperty("t0").GetDouble(), pair.Second.GetProperty("t0").GetDouble(), 0.001);
            Assert.Equal(pair.First.GetProperty("t1").GetDouble(), pair.Second.GetProperty("t1").GetDouble(), 0.001);
        });
    }

    private static bool IsLiveStart(JsonElement e) => IsStart(e, finalize: false);

    private static bool IsStart(JsonElement e, bool finalize)
        => e.TryGetProperty("message", out var m) && m.GetString() == "live_process_start" && e.GetProperty("finalize").GetBoolean() == finalize;

    private static bool IsLiveDone(JsonElement e)
        => e.TryGetProperty("message", out var m) && m.GetString() == "live_process_done" && !e.GetProperty("finalize").GetBoolean();
}

/// <summary>
/// <c>muesli replay --journal</c>: a <c>muesli node</c> on PostgreSQL, SIGKILLed during a meeting, leaves its journal in
/// the database and its PCM logs in its data dir; the offline replay reads both and gives the uninterrupted run's transcript.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresReplayTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task A_node_killed_during_a_meeting_replays_from_its_postgres_journal_to_the_transcript_of_an_uninterrupted_run()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var data = new TempDir();
        await using (var node = await NodeProcess.StartAsync(data, db.ConnectionString))
        {
            await using var client = await node.ConnectAsync();
            await client.SendAsync(AppClient.Start(meetingId: ReplayTests.MeetingId));
            await client.FeedAsync(AppClient.AudioFrames(ReplayTests.Meeting(), new FeedPlan { Until = 45 }));
            await client.WaitForStatusAsync("live_process_done", ReplayTests.Limit);
            node.Kill();
        }

        await ReplayTests.AssertReplayEqualsUninterruptedRunAsync(output, data, Path.Combine(data, ReplayTests.MeetingId, "system.pcm"), db.ConnectionString);
    }
}
