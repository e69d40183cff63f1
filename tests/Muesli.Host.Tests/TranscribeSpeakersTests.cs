using System.Text.Json;
using Muesli.Core;
using Muesli.TestWorld;
using Xunit;

namespace Muesli.Host.Tests;

/// <summary>
/// <c>--speakers</c>, <c>--min-speakers</c> and <c>--max-speakers</c> reach the final pass's clustering. The clustering
/// groups the speakers each window's diarization found, so a bound can merge them, never split one.
/// </summary>
public sealed class TranscribeSpeakersTests
{
    [Theory]
    [InlineData(new string[0], 3)]
    [InlineData(new[] { "--speakers", "2" }, 2)]
    [InlineData(new[] { "--max-speakers", "2" }, 2)]
    [InlineData(new[] { "--min-speakers", "2", "--max-speakers", "5" }, 3)]
    public async Task The_speaker_count_the_user_gives_is_the_count_of_speakers_in_the_result(string[] flags, int expected)
    {
        using var dir = new TempDir();
        ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 90, Speakers = 3, Seed = 21 }).WriteTo(dir, new AudioFormat(16000, 1));
        var wav = Path.Combine(dir, "meeting.wav");
        await using var process = BackendProcess.Start([wav, "--models", StandIns.Folder, "--out", Path.Combine(dir, "out"), "--format", "json", .. flags], command: "transcribe");
        process.CloseInput();

        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromMinutes(3)));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "out", "meeting.json")));
        var speakers = json.RootElement.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("speaker_id").GetString()).Distinct().Count();
        Assert.Equal(expected, speakers);
    }
}
