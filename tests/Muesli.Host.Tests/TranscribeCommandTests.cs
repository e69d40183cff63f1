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
        Assert.Contains("transcribed 1 file", process.Stderr);
        Assert.True(process.Lines.Count == 0, $"stdout is not for logs, yet it carried: {string.Join(" | ", process.Lines)}");

        string Out(string ext) => File.ReadAllText(Path.Combine(dir, "out", $"meeting.{ext}"));
        var result = TranscriptJson.Check(Out("json"));
        Assert.Equal("meeting", result.GetProperty("file").GetString());
        var turns = result.GetProperty("turns").EnumerateArray().ToArray();
        Assert.True(Scoring.WordErrorRate(meeting.ReferenceText(), Transcripts.Text(turns)) <= 0.02);
        Assert.True(result.GetProperty("words").GetArrayLength() > 0);

        var der = Scoring.DiarizationErrorRate(meeting.Turns, Rttm.Parse(Out("rttm")), collar: 0.25);
        Assert.True(der.Total <= 0.10, $"DER {der.Total:P1}");
        Assert.Equal(turns.Length, RttmStrict.Parse(Out("rttm")).Count);
        Assert.StartsWith("[00:00:0", Out("txt"));
        var speakers = result.GetProperty("speakers").EnumerateArray().Select(s => s.GetProperty("speaker_id").GetString()!).ToArray();
        var spoken = turns.Select(t => (t.GetProperty("speaker_id").GetString()!, t.GetProperty("text").GetString()!)).ToArray();
        var srt = Srt.Parse(Out("srt"), speakers);
        Srt.CheckLimits(srt);
        Subtitles.CheckWords(srt, spoken);
        var vtt = WebVtt.Parse(Out("vtt"));
        WebVtt.CheckLimits(vtt);
        Subtitles.CheckWords(vtt, spoken);
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
