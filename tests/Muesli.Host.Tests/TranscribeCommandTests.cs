using System.Text.Json;
using Muesli.Core;
using Muesli.TestWorld;
using Xunit;

namespace Muesli.Host.Tests;

/// <summary><c>muesli transcribe</c>: a file through the same system as the backend, into the usual formats.</summary>
public sealed class TranscribeCommandTests
{
    [Fact]
    public async Task A_recording_is_written_as_text_json_subtitles_and_rttm()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 90, Speakers = 2, Seed = 12 });
        using var dir = new TempDir();
        meeting.WriteTo(dir, new AudioFormat(44100, 2));
        var wav = Path.Combine(dir, "meeting.wav");

        await using var process = BackendProcess.Start([wav, "--models", StandIns.Folder, "--out", Path.Combine(dir, "out"), "--format", "txt,json,srt,vtt,rttm"], command: "transcribe");
        process.CloseInput();
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromMinutes(5)));
        Assert.Contains("complete", process.Stderr);
        Assert.True(process.Lines.Count == 0, $"stdout is not for logs, yet it carried: {string.Join(" | ", process.Lines)}");

        string Out(string ext) => File.ReadAllText(Path.Combine(dir, "out", $"meeting.{ext}"));
        var result = JsonDocument.Parse(Out("json")).RootElement;
        Assert.Equal("result", result.GetProperty("type").GetString());
        var turns = result.GetProperty("turns").EnumerateArray().ToArray();
        Assert.True(Scoring.WordErrorRate(meeting.ReferenceText(), Transcripts.Text(turns)) <= 0.02);

        var der = Scoring.DiarizationErrorRate(meeting.Turns, Rttm.Parse(Out("rttm")), collar: 0.25);
        Assert.True(der.Total <= 0.10, $"DER {der.Total:P1}");
        Assert.Equal(turns.Length, Out("txt").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("1\n00:00:0", Out("srt"));
        Assert.StartsWith("WEBVTT\n\n00:00:0", Out("vtt"));
    }

    [Fact]
    public async Task A_file_that_is_not_audio_is_refused_with_its_name()
    {
        using var dir = new TempDir();
        var bogus = Path.Combine(dir, "notes.wav");
        await File.WriteAllTextAsync(bogus, "not a recording");
        await using var process = BackendProcess.Start([bogus, "--models", StandIns.Folder], command: "transcribe");
        process.CloseInput();
        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        Assert.Contains("notes.wav", process.Stderr);
    }
}
