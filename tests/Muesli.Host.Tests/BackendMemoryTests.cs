using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>A client that sends faster than real time is back-pressured; the backend does not buffer its input.</summary>
public sealed class BackendMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Memory_stays_bounded_while_a_client_sends_a_long_meeting_as_fast_as_it_can()
    {
        const double minutes = 16;
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = minutes * 60, Speakers = 2, Seed = 9, MicSpeakers = [1] });
        var plan = new FeedPlan { Channels = 2 };
        using var dir = new TempDir();
        await using var backend = BackendProcess.Start(["--output-dir", dir, "--transcribe-stream", "both", "--models", StandIns.Folder]);
        await backend.SendAsync(AppClient.Start(channels: 2));

        // Resident memory after each tenth of the input, sent as fast as the backend takes it.
        var frames = AppClient.AudioFrames(meeting, plan).ToArray();
        long sent = 0, total = frames.Sum(f => (long)f.Length);
        var samples = new List<(double Fraction, long Rss)>();
        var next = 0.1;
        foreach (var frame in frames)
        {
            await backend.Stdin.WriteAsync(frame);
            sent += frame.Length;
            if ((double)sent / total >= next)
            {
                await backend.Stdin.FlushAsync();
                samples.Add((next, backend.ResidentBytes() ?? 0));
                next += 0.1;
            }
        }

        await backend.SendAsync(AppClient.Stop());
        backend.CloseInput();
        Assert.Equal(0, await backend.WaitForExitAsync(TimeSpan.FromMinutes(10)));

        foreach (var (fraction, rss) in samples)
        {
            output.WriteLine($"{fraction:P0} of {total / 1e6:F0} MB sent: RSS {rss / 1e6:F0} MB");
        }

        // Had the input been buffered anywhere, memory would have grown by at least the second half of it. The GC's
        // own swings (tens of MB between samples) stay well under half of it.
        var early = samples.Where(s => s.Fraction <= 0.35).Max(s => s.Rss);
        var late = samples.Where(s => s.Fraction > 0.5).Max(s => s.Rss);
        var secondHalf = total / 2;
        Assert.True(secondHalf > (128L << 20), "the meeting must be large enough for buffering to show");
        Assert.True(late - early < secondHalf / 2, $"RSS grew from {early / 1e6:F0} MB to {late / 1e6:F0} MB while the last {secondHalf / 1e6:F0} MB were sent");
    }
}
