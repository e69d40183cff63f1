using System.Text.Json;
using Muesli.Core;
using Muesli.TestWorld;
using Xunit;

namespace Muesli.Host.Tests;

/// <summary><c>muesli reprocess</c>: a recorded meeting folder, as the app lays it out, re-transcribed into one result.</summary>
public sealed class ReprocessCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);

    /// <summary>A session folder with system.wav and mic.wav (SPEAKER_01 talks on the mic).</summary>
    private static void WriteSession(string folder, double seconds, int seed)
        => ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = seconds, Speakers = 2, Seed = seed, MicSpeakers = [1] })
            .WriteTo(folder, new AudioFormat(16000, 1));

    private static string[] Stages(IEnumerable<JsonElement> events)
        => events
            .Where(e => e.GetProperty("type").GetString() == "status")
            .Select(e => e.GetProperty("stage").GetString() + (e.TryGetProperty("stream", out var s) ? $"/{s.GetString()}" : ""))
            .ToArray();

    private static JsonElement[] Turns(JsonElement result) => result.GetProperty("turns").EnumerateArray().ToArray();

    [Fact]
    public async Task Sessions_of_meeting_json_run_in_session_order_with_the_stages_and_one_result_on_the_meeting_clock()
    {
        using var dir = new TempDir();
        var first = Path.Combine(dir, "recordings", "first");
        WriteSession(first, 40, 3);
        WriteSession(Path.Combine(dir, "second"), 30, 4);

        // Listed out of order, the first one by its absolute path: the session ids decide.
        await File.WriteAllTextAsync(
            Path.Combine(dir, "meeting.json"),
            JsonSerializer.Serialize(new { title = "weekly", sessions = new object[] { new { session_id = 2, audio_folder = "second" }, new { session_id = 1, audio_folder = first } } }));

        await using var process = BackendProcess.Start([dir, "--models", StandIns.Folder], command: "reprocess");
        process.CloseInput();
        Assert.True(0 == await process.WaitForExitAsync(Limit), process.Stderr);

        var events = process.Events;
        string[] perStream(string stream) => [$"transcribing/{stream}", $"diarizing/{stream}", $"merging/{stream}", $"recovering/{stream}"];
        string[] session = [.. perStream("system"), .. perStream("mic")];
        Assert.Equal(["preparing", .. session, .. session, "complete"], Stages(events));
        Assert.All(events.Where(e => e.TryGetProperty("stage", out var s) && s.GetString() == "recovering"), e => Assert.True(e.GetProperty("windows").GetInt32() >= 0));
        Assert.Single(events, e => e.GetProperty("type").GetString() == "result");
        var result = events[^1];
        Assert.Equal("result", result.GetProperty("type").GetString());
        Assert.Equal(70, result.GetProperty("duration").GetDouble(), 2);

        var turns = Turns(result);
        Assert.Equal(turns.OrderBy(t => t.GetProperty("t0").GetDouble()).Select(t => t.GetProperty("t0").GetDouble()), turns.Select(t => t.GetProperty("t0").GetDouble()));
        Assert.Contains(turns, t => t.GetProperty("speaker_id").GetString()!.StartsWith("mic:", StringComparison.Ordinal));

        // The same recordings through `muesli transcribe`: the same turns, the second session's 40 s later.
        var outFolder = Path.Combine(dir, "transcribed");
        await using (var transcribe = BackendProcess.Start(
            [Path.Combine(dir, "second", "system.wav"), Path.Combine(first, "mic.wav"), "--models", StandIns.Folder, "--out", outFolder, "--format", "json"],
            command: "transcribe"))
        {
            transcribe.CloseInput();
            Assert.True(0 == await transcribe.WaitForExitAsync(Limit), transcribe.Stderr);
        }

        void SameTurns(string file, string stream, double from, double to, double shift)
        {
            var expected = Turns(JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, file))).RootElement);
            var actual = turns
                .Where(t => t.GetProperty("stream").GetString() == stream && t.GetProperty("t0").GetDouble() >= from && t.GetProperty("t0").GetDouble() < to)
                .ToArray();
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Length, actual.Length);
            foreach (var (want, got) in expected.Zip(actual))
            {
                // transcribe sends every file as the system stream.
                Assert.Equal(want.GetProperty("speaker_id").GetString()!.Replace("system:", stream + ":"), got.GetProperty("speaker_id").GetString());
                Assert.Equal(want.GetProperty("text").GetString(), got.GetProperty("text").GetString());
                Assert.Equal(want.GetProperty("t0").GetDouble() + shift, got.GetProperty("t0").GetDouble(), 0.01);
                Assert.Equal(want.GetProperty("t1").GetDouble() + shift, got.GetProperty("t1").GetDouble(), 0.01);
            }
        }

        SameTurns("system.json", "system", 40, 70, 40);
        SameTurns("mic.json", "mic", 0, 40, 0);
    }

    [Fact]
    public async Task Without_meeting_json_the_audio_folders_are_the_sessions_and_no_recovery_skips_its_stage()
    {
        using var dir = new TempDir();
        WriteSession(Path.Combine(dir, "audio2"), 30, 5);
        WriteSession(Path.Combine(dir, "audio"), 30, 6);
        Directory.CreateDirectory(Path.Combine(dir, "screenshots"));

        await using var process = BackendProcess.Start([dir, "--models", StandIns.Folder, "--stream", "system", "--no-recovery"], command: "reprocess");
        process.CloseInput();
        Assert.True(0 == await process.WaitForExitAsync(Limit), process.Stderr);

        var events = process.Events;
        string[] session = ["transcribing/system", "diarizing/system", "merging/system"];
        Assert.Equal(["preparing", .. session, .. session, "complete"], Stages(events));
        var result = events[^1];
        Assert.Equal(60, result.GetProperty("duration").GetDouble(), 2);
        var turns = Turns(result);
        Assert.All(turns, t => Assert.Equal("system", t.GetProperty("stream").GetString()));
        Assert.Contains(turns, t => t.GetProperty("t0").GetDouble() < 30);
        Assert.Contains(turns, t => t.GetProperty("t0").GetDouble() >= 30);
    }

    [Fact]
    public async Task A_folder_without_sessions_is_audio_folder_not_found()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "screenshots"));
        await using var process = BackendProcess.Start([dir, "--models", StandIns.Folder], command: "reprocess");
        process.CloseInput();
        Assert.Equal(1, await process.WaitForExitAsync(Limit));
        Assert.Equal(["""{"type":"error","message":"audio folder not found"}"""], process.Lines);
    }

    [Fact]
    public async Task A_session_without_its_mic_recording_is_missing_audio_for_mic()
    {
        using var dir = new TempDir();
        WriteSession(Path.Combine(dir, "audio"), 30, 7);
        File.Delete(Path.Combine(dir, "audio", "mic.wav"));
        await using var process = BackendProcess.Start([dir, "--models", StandIns.Folder, "--stream", "both"], command: "reprocess");
        process.CloseInput();
        Assert.Equal(1, await process.WaitForExitAsync(Limit));
        Assert.Equal(["""{"type":"error","message":"missing audio for mic"}"""], process.Lines);
    }

    [Fact]
    public async Task Models_that_are_not_installed_are_an_error_event_and_exit_code_2()
    {
        using var dir = new TempDir();
        WriteSession(Path.Combine(dir, "audio"), 30, 8);
        var empty = Path.Combine(dir, "no-models");
        Directory.CreateDirectory(empty);
        await using var process = BackendProcess.Start([dir, "--models", empty], command: "reprocess");
        process.CloseInput();
        Assert.Equal(2, await process.WaitForExitAsync(Limit));
        var error = Assert.Single(process.Events);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.StartsWith("models_unavailable", error.GetProperty("message").GetString());
    }
}
