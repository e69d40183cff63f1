using System.Text.Json;
using Muesli.Core;
using Muesli.TestWorld;
using Muesli.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>
/// A 20-minute, 3-speaker meeting at 44.1 kHz stereo through <c>muesli transcribe --format all</c>, and the same audio
/// as 16 kHz mono, 24-bit WAVE_FORMAT_EXTENSIBLE, 6 channels and MP3, all in one run of the command.
/// </summary>
public sealed class TranscribeAcceptanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_twenty_minute_meeting_in_every_form_gives_every_format_within_its_limits_and_the_same_turns()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 1200, Speakers = 3, Seed = 41 });
        using var dir = new TempDir();
        var wav = Write(meeting, dir, "meeting.wav", new AudioFormat(44100, 2));
        var inputs = new List<string> { wav, Write(meeting, dir, "mono16k.wav", new AudioFormat(16000, 1)) };
        var (samples, rate, channels) = WavForms.ReadCanonical(wav);
        inputs.Add(Path.Combine(dir, "extensible24.wav"));
        WavForms.WriteExtensible(inputs[^1], samples, rate, channels, channels: 2, bits: 24);
        inputs.Add(Path.Combine(dir, "six.wav"));
        WavForms.WriteExtensible(inputs[^1], samples, rate, channels, channels: 6, bits: 16);
        if (ExternalTool.OnPath("lame") || ExternalTool.Required)
        {
            inputs.Add(Path.Combine(dir, "meeting.mp3"));
            ExternalTool.Run("lame", "--quiet", "-b", "128", wav, inputs[^1]);
        }
        else
        {
            output.WriteLine("lame is not on PATH: the MP3 form is left out (CI installs it and sets MUESLI_REQUIRE_TOOLS=1)");
        }

        var outFolder = Path.Combine(dir, "out");
        await using var process = BackendProcess.Start([.. inputs, "--models", StandIns.Folder, "--out", outFolder, "--format", "all"], command: "transcribe");
        process.CloseInput();
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromMinutes(20)));
        output.WriteLine(process.Stderr.Split('\n').LastOrDefault(l => l.StartsWith("transcribed", StringComparison.Ordinal)));

        // The 44.1 kHz stereo original: every format parses strictly, and its words and speakers are right.
        string Out(string name) => File.ReadAllText(Path.Combine(outFolder, name));
        var json = TranscriptJson.Check(Out("meeting.wav.json"));
        var words = json.GetProperty("words").EnumerateArray().Select(w => w.GetProperty("text").GetString()!).ToArray();
        var wer = Scoring.WordErrorRate(meeting.ReferenceText(), string.Join(' ', words));
        var rttm = Out("meeting.wav.rttm");
        var der = Scoring.DiarizationErrorRate(meeting.Turns, Rttm.Parse(rttm), collar: 0.25);
        output.WriteLine($"WER {wer:P2} from {words.Length} words, DER {der.Total:P2}");
        Assert.True(wer <= 0.02, $"WER {wer:P2}");
        Assert.True(der.Total <= 0.05, $"DER {der.Total:P2}");

        var turns = Turns(json);
        Assert.All(RttmStrict.Parse(rttm), t => Assert.Equal("meeting.wav", t.File));
        Assert.Equal(turns.Count, RttmStrict.Parse(rttm).Count);
        var speakers = json.GetProperty("speakers").EnumerateArray().Select(s => s.GetProperty("speaker_id").GetString()!).ToArray();
        var spoken = turns.Select(t => (t.Speaker, t.Text)).ToArray();
        var srt = Srt.Parse(Out("meeting.wav.srt"), speakers);
        Srt.CheckLimits(srt);
        Subtitles.CheckWords(srt, spoken);
        var vtt = WebVtt.Parse(Out("meeting.wav.vtt"));
        WebVtt.CheckLimits(vtt);
        Subtitles.CheckWords(vtt, spoken);
        Assert.StartsWith("[00:00:0", Out("meeting.wav.txt"));

        // Every other form of the same audio gives the same turns; a lossy codec may move a boundary a little.
        foreach (var input in inputs.Skip(1))
        {
            var name = Path.GetFileName(input);
            var other = Turns(TranscriptJson.Check(Out(name.StartsWith("meeting.", StringComparison.Ordinal) ? $"{name}.json" : $"{Path.GetFileNameWithoutExtension(name)}.json")));
            var tolerance = name.EndsWith(".mp3", StringComparison.Ordinal) ? 0.3 : 0.1;
            Assert.True(turns.Count == other.Count, $"{name}: {other.Count} turns, the original has {turns.Count}");
            for (var i = 0; i < turns.Count; i++)
            {
                Assert.True(
                    turns[i].Speaker == other[i].Speaker && turns[i].Text == other[i].Text
                    && Math.Abs(turns[i].T0 - other[i].T0) <= tolerance && Math.Abs(turns[i].T1 - other[i].T1) <= tolerance,
                    $"{name}: turn {i} is {other[i]}, the original's is {turns[i]}");
            }
        }
    }

    private sealed record Turn(string Speaker, double T0, double T1, string Text);

    private static List<Turn> Turns(JsonElement json) => json.GetProperty("turns").EnumerateArray()
        .Select(t => new Turn(t.GetProperty("speaker_id").GetString()!, t.GetProperty("t0").GetDouble(), t.GetProperty("t1").GetDouble(), t.GetProperty("text").GetString()!))
        .ToList();

    private static string Write(ToneMeeting meeting, string dir, string name, AudioFormat format)
    {
        var folder = Path.Combine(dir, $"{name}.truth");
        meeting.WriteTo(folder, format);
        var path = Path.Combine(dir, name);
        File.Move(Path.Combine(folder, "meeting.wav"), path);
        Directory.Delete(folder, recursive: true);
        return path;
    }
}
