using System.Text.Json;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>The backend as the app uses it: a real process, real frames, a tone meeting with a known truth.</summary>
public sealed class BackendMeetingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task A_three_minute_two_speaker_meeting_sent_as_the_app_sends_it_is_transcribed_live_and_at_stop()
    {
        await using var backend = await ThreeMinuteMeeting.RunAsync(StandIns.Folder, output, b => b.SendAsync(AppClient.Start()));
    }

    [Fact]
    public async Task Without_emit_words_every_event_has_exactly_the_spec_shape_and_speakers_are_labelled_by_stream()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 40, Speakers = 2, Seed = 8, MicSpeakers = [1] });
        using var dir = new TempDir();

        await using var backend = BackendProcess.Start(["--output-dir", dir, "--transcribe-stream", "both", "--models", StandIns.Folder, "--emit-meters", "--live-asr-only"]);
        await backend.SendAsync(AppClient.Start());
        await backend.SendAsync(new Muesli.Core.Protocol.Frame(Muesli.Core.Protocol.FrameType.ScreenshotEvent, Muesli.Core.Protocol.StreamKind.System, 1_000_000, """{"path":"/tmp/s.png","t":1.0}"""u8.ToArray()).Encode());
        await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting, new FeedPlan()));
        await backend.SendAsync(AppClient.Stop());
        backend.CloseInput();
        Assert.Equal(0, await backend.WaitForExitAsync(Limit));

        var events = backend.Events;
        Assert.All(events, e => Assert.Null(EventShapes.Check(e)));
        Assert.All(events.OfType("segment"), s => Assert.False(s.TryGetProperty("words", out _)));
        Assert.NotEmpty(events.OfType("meter"));
        var screenshot = Assert.Single(events.OfType("screenshot"));
        Assert.Equal("/tmp/s.png", screenshot.GetProperty("path").GetString());
        var labels = events.OfType("segment").Select(s => (s.GetProperty("stream").GetString(), s.GetProperty("speaker_id").GetString())).Distinct().ToArray();
        Assert.Contains(("system", "System"), labels);
        Assert.Contains(("mic", "Microphone"), labels);
        var speakers = events.OfType("speakers")[^1].GetProperty("known").EnumerateArray().Select(k => k.GetProperty("speaker_id").GetString()!).ToArray();
        Assert.Equal(["Microphone", "System"], speakers.Order().ToArray());
        Assert.True(File.Exists(Path.Combine(dir, "muesli-journal.db")));
        Assert.False(File.Exists(Path.Combine(dir, "system.pcm")), "the PCM log is removed at finalize without --keep-pcm");
    }

    [Fact]
    public async Task Keep_wav_and_keep_pcm_leave_the_captures_in_the_output_folder()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 20, Speakers = 1, Seed = 2 });
        using var dir = new TempDir();

        await using var backend = BackendProcess.Start(["--output-dir", dir, "--models", StandIns.Folder, "--keep-wav", "--keep-pcm", "--no-live"]);
        await backend.SendAsync(AppClient.Start(sampleRate: 44100, channels: 2));
        await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting, new FeedPlan { SampleRate = 44100, Channels = 2, JitterMs = 0 }));
        await backend.SendAsync(AppClient.Stop());
        backend.CloseInput();
        Assert.Equal(0, await backend.WaitForExitAsync(Limit));

        Assert.DoesNotContain(backend.Events.Status("live_process_start"), e => !e.GetProperty("finalize").GetBoolean());
        var pcm = new FileInfo(Path.Combine(dir, "system.pcm"));
        Assert.Equal(meeting.Duration * 16000 * 2, pcm.Length, 16000 * 2 * 0.05);
        using var wav = new NAudio.Wave.WaveFileReader(Path.Combine(dir, "system.wav"));
        Assert.Equal(44100, wav.WaveFormat.SampleRate);
        Assert.Equal(2, wav.WaveFormat.Channels);
        Assert.Equal(meeting.Duration, wav.TotalTime.TotalSeconds, 1);
    }
}
