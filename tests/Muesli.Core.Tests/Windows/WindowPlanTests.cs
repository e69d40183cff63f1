using Muesli.Core.Windows;

namespace Muesli.Core.Tests.Windows;

public class WindowPlanTests
{
    // 16 kHz mono s16: 32000 bytes per second, 2 bytes per frame.
    private const long Bps = 32000;
    private static readonly AudioFormat Asr = AudioFormat.Asr;
    private static readonly WindowOptions Defaults = new();

    private static long Seconds(double s) => (long)Math.Round(s * Bps);

    [Fact]
    public void Exactly_the_live_interval_of_new_audio_passes()
    {
        var window = WindowPlan.PlanLive(Seconds(75), Seconds(60), Asr, Defaults);

        Assert.Equal(new Window(Seconds(30), Seconds(75), 30.0, IsFinalize: false), window);
    }

    [Fact]
    public void Less_than_the_live_interval_of_new_audio_waits()
    {
        Assert.Null(WindowPlan.PlanLive(Seconds(60) + Seconds(14.99), Seconds(60), Asr, Defaults));
    }

    [Fact]
    public void A_stream_shorter_than_the_live_minimum_waits_even_with_enough_new_audio()
    {
        var options = Defaults with { LiveIntervalSeconds = 5 };

        Assert.Null(WindowPlan.PlanLive(Seconds(9.99), 0, Asr, options));
        Assert.Equal(new Window(0, Seconds(10), 0, false), WindowPlan.PlanLive(Seconds(10), 0, Asr, options));
    }

    [Fact]
    public void The_first_window_of_a_stream_starts_at_byte_zero()
    {
        Assert.Equal(new Window(0, Seconds(15), 0, false), WindowPlan.PlanLive(Seconds(15), 0, Asr, Defaults));
    }

    [Fact]
    public void Context_before_the_stream_start_is_clamped_to_byte_zero()
    {
        // 10 s processed, 30 s context would reach back to −20 s.
        Assert.Equal(new Window(0, Seconds(25), 0, false), WindowPlan.PlanLive(Seconds(25), Seconds(10), Asr, Defaults));
    }

    [Fact]
    public void Nothing_new_plans_nothing_even_without_an_interval()
    {
        var options = Defaults with { LiveIntervalSeconds = 0, LiveMinSeconds = 0 };

        Assert.Null(WindowPlan.PlanLive(Seconds(40), Seconds(40), Asr, options));
        Assert.Null(WindowPlan.PlanLive(0, 0, Asr, options));
    }

    [Fact]
    public void A_journal_ahead_of_its_log_plans_nothing()
    {
        Assert.Null(WindowPlan.PlanLive(Seconds(20), Seconds(90), Asr, Defaults));
    }

    [Fact]
    public void Odd_byte_positions_are_aligned_down_to_whole_frames()
    {
        var window = WindowPlan.PlanLive(Seconds(80) + 1, Seconds(50) + 1, Asr, Defaults);

        Assert.Equal(new Window(Seconds(20), Seconds(80), 20.0, false), window);
    }

    [Fact]
    public void Alignment_follows_the_frame_size_of_the_format()
    {
        var stereo = new AudioFormat(48000, 2);
        const long bytesPerSecond = 48000 * 2 * 2;
        var lastProcessed = (40 * bytesPerSecond) + 3;
        var snapshot = lastProcessed + (15 * bytesPerSecond) + 2;

        var window = WindowPlan.PlanLive(snapshot, lastProcessed, stereo, Defaults);

        var alignedLast = lastProcessed - (lastProcessed % 4);
        var alignedSnapshot = snapshot - (snapshot % 4);
        var expectedStart = alignedLast - (30 * bytesPerSecond);
        Assert.Equal(new Window(expectedStart, alignedSnapshot, expectedStart / (double)bytesPerSecond, false), window);
        Assert.Equal(0, window!.Value.ReadStart % 4);
        Assert.Equal(0, window.Value.ReadEnd % 4);
    }

    [Fact]
    public void A_backlog_is_capped_at_the_most_new_audio_per_window()
    {
        var window = WindowPlan.PlanLive(Seconds(400), Seconds(60), Asr, Defaults);

        Assert.Equal(new Window(Seconds(30), Seconds(60 + 120), 30.0, false), window);
    }

    [Fact]
    public void Full_reprocess_reads_the_whole_log_without_a_cap()
    {
        var options = Defaults with { FullReprocess = true };

        Assert.Equal(new Window(0, Seconds(400), 0, false), WindowPlan.PlanLive(Seconds(400), Seconds(60), Asr, options));
    }

    [Fact]
    public void Full_reprocess_keeps_the_gates()
    {
        var options = Defaults with { FullReprocess = true };

        Assert.Null(WindowPlan.PlanLive(Seconds(60) + Seconds(14.99), Seconds(60), Asr, options));
        Assert.Null(WindowPlan.PlanLive(Seconds(9.99), 0, Asr, options with { LiveIntervalSeconds = 1 }));
    }

    [Fact]
    public void Timestamp_offset_is_the_read_start_in_seconds()
    {
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var lastProcessed = random.NextInt64(0, Seconds(7200));
            var snapshot = lastProcessed + random.NextInt64(Seconds(15), Seconds(300));

            var window = WindowPlan.PlanLive(snapshot, lastProcessed, Asr, Defaults);

            Assert.NotNull(window);
            Assert.Equal(window.Value.ReadStart / 32000.0, window.Value.TimestampOffset);
            var aligned = lastProcessed - (lastProcessed % 2);
            Assert.Equal(Math.Max(0, aligned - Seconds(30)), window.Value.ReadStart);
            Assert.Equal(Math.Min(snapshot - (snapshot % 2), aligned + Seconds(120)), window.Value.ReadEnd);
        }
    }

    [Fact]
    public void A_cap_below_one_frame_is_refused()
    {
        var options = Defaults with { MaxNewSecondsPerWindow = 0 };

        Assert.Throws<ArgumentOutOfRangeException>(() => WindowPlan.PlanLive(Seconds(60), 0, Asr, options));
    }

    [Fact]
    public void Window_length_is_its_byte_count()
    {
        Assert.Equal(500, new Window(1000, 1500, 0, false).Length);
    }

    [Fact]
    public void Finalize_reads_the_whole_stream_from_zero()
    {
        Assert.Equal(new Window(0, Seconds(95), 0, true), WindowPlan.PlanFinalize(Seconds(95) + 1, Asr));
    }

    [Fact]
    public void Finalize_windows_of_an_empty_stream_are_none()
    {
        Assert.Empty(WindowPlan.PlanFinalizeWindows(0, Asr, Defaults));
        Assert.Empty(WindowPlan.PlanFinalizeWindows(1, Asr, Defaults));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(300)]
    [InlineData(600)]
    public void A_stream_of_at_most_one_window_is_finalized_in_one_pass(double seconds)
    {
        var total = Seconds(seconds);

        Assert.Equal([WindowPlan.PlanFinalize(total, Asr)], WindowPlan.PlanFinalizeWindows(total, Asr, Defaults));
    }

    [Fact]
    public void Finalize_windows_of_a_long_stream_start_their_context_before_each_new_part()
    {
        var windows = WindowPlan.PlanFinalizeWindows(Seconds(1500), Asr, Defaults);

        Assert.Equal(
            [
                new Window(0, Seconds(600), 0, true),
                new Window(Seconds(570), Seconds(1200), 570, true),
                new Window(Seconds(1170), Seconds(1500), 1170, true),
            ],
            windows);
    }

    [Fact]
    public void Finalize_windows_tile_the_stream_exactly()
    {
        var random = new Random(11);
        for (var i = 0; i < 300; i++)
        {
            var total = random.NextInt64(1, Seconds(4000));
            var options = Defaults with
            {
                FinalizeWindowSeconds = random.Next(1, 900),
                ContextSeconds = random.Next(0, 60),
            };

            var windows = WindowPlan.PlanFinalizeWindows(total, Asr, options);

            var alignedTotal = total - (total % 2);
            var windowBytes = Seconds(options.FinalizeWindowSeconds);
            Assert.Equal(alignedTotal == 0 ? 0 : (int)((alignedTotal + windowBytes - 1) / windowBytes), windows.Count);
            long newStart = 0;
            foreach (var window in windows)
            {
                // The new part is [newStart, ReadEnd): it follows the previous one with no gap and no overlap.
                Assert.True(window.ReadEnd > newStart);
                Assert.True(window.ReadEnd - newStart <= windowBytes);
                Assert.Equal(Math.Max(0, newStart - Seconds(options.ContextSeconds)), window.ReadStart);
                Assert.Equal(window.ReadStart / 32000.0, window.TimestampOffset);
                Assert.True(window.IsFinalize);
                newStart = window.ReadEnd;
            }

            Assert.Equal(alignedTotal, newStart);
        }
    }

    [Fact]
    public void A_finalize_window_below_one_frame_is_refused()
    {
        var options = Defaults with { FinalizeWindowSeconds = 0 };

        Assert.Throws<ArgumentOutOfRangeException>(() => WindowPlan.PlanFinalizeWindows(Seconds(10), Asr, options));
    }
}
