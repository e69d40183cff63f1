using Muesli.Core;
using Xunit;

namespace Muesli.Audio.Tests;

public sealed class PtsAlignerTests
{
    private static readonly AudioFormat Stereo48k = new(48000, 2);

    [Fact]
    public void Contiguous_frames_are_kept_whole_and_advance_the_position()
    {
        var aligner = new PtsAligner(Stereo48k);

        var first = aligner.Align(0, 960 * 4);
        var second = aligner.Align(20_000, 960 * 4);

        Assert.Equal(new Alignment(0, 0, 960 * 4, 0, 0, null), first);
        Assert.Equal(new Alignment(0, 0, 960 * 4, 0, 0, null), second);
        Assert.Equal(1920, aligner.WriteFrames);
    }

    [Fact]
    public void A_gap_is_filled_with_the_exact_count_of_silent_frames()
    {
        var aligner = new PtsAligner(Stereo48k);
        aligner.Align(0, 480 * 4);

        // 0.25 s after the start; the stream has 480 frames, so 12000 - 480 frames are missing.
        var plan = aligner.Align(250_000, 100 * 4);

        Assert.Equal((48000 / 4) - 480, plan.SilenceFrames);
        Assert.Equal(100 * 4, plan.KeepLength);
        Assert.Equal(12_100, aligner.WriteFrames);
        Assert.Equal(11_520, aligner.TotalSilenceFrames);
    }

    [Theory]
    [InlineData(44100, 10, 0)] // 0.441 frames
    [InlineData(44100, 12, 1)] // 0.5292
    [InlineData(16000, 31_250, 500)] // exactly 500
    [InlineData(16000, 31_281, 500)] // 500.496
    [InlineData(16000, 31_282, 501)] // 500.512
    [InlineData(8000, 62_500, 500)] // exactly 500
    [InlineData(8000, 62_562, 500)] // 500.496 is below the midpoint
    [InlineData(8000, 62_563, 501)] // 500.504
    [InlineData(44100, 11_335, 500)] // 499.8735
    public void The_start_frame_is_the_pts_rounded_half_away_from_zero(int rate, long ptsUs, long expected)
    {
        var aligner = new PtsAligner(new AudioFormat(rate, 1));

        aligner.Align(ptsUs, 2);

        Assert.Equal(Math.Round(ptsUs * (double)rate / 1e6, MidpointRounding.AwayFromZero), expected);
        Assert.Equal(expected + 1, aligner.WriteFrames);
    }

    [Fact]
    public void A_midpoint_rounds_up()
    {
        // 100 us at 5 kHz is 0.5 frames exactly.
        var aligner = new PtsAligner(new AudioFormat(5000, 1));

        Assert.Equal(1, aligner.Align(100, 2).SilenceFrames);
    }

    [Fact]
    public void A_payload_wholly_behind_the_position_is_dropped_and_counted()
    {
        var aligner = new PtsAligner(Stereo48k);
        aligner.Align(0, 4800 * 4);

        var plan = aligner.Align(50_000, 1000 * 4);

        Assert.Equal(new Alignment(0, 4000, 0, 1000, 0, null), plan);
        Assert.Equal(4800, aligner.WriteFrames);
        Assert.Equal(1000, aligner.TotalDroppedFrames);
    }

    [Fact]
    public void A_payload_partly_behind_the_position_keeps_only_the_part_at_or_after_it()
    {
        var aligner = new PtsAligner(Stereo48k);
        aligner.Align(0, 4800 * 4);

        // Starts at frame 4000, so 800 of its 1000 frames are already written.
        var plan = aligner.Align(83_333, 1000 * 4);

        Assert.Equal(new Alignment(0, 800 * 4, 200 * 4, 800, 0, null), plan);
        Assert.Equal(5000, aligner.WriteFrames);
    }

    [Fact]
    public void A_negative_pts_counts_as_zero()
    {
        var aligner = new PtsAligner(Stereo48k);

        var plan = aligner.Align(-5_000_000, 10 * 4);

        Assert.Equal(new Alignment(0, 0, 40, 0, 0, null), plan);
        Assert.Equal(0, aligner.FrameAt(-1));
    }

    [Fact]
    public void Partial_frames_are_truncated_and_the_cut_bytes_counted()
    {
        var aligner = new PtsAligner(Stereo48k);

        var plan = aligner.Align(0, (10 * 4) + 3);
        var odd = aligner.Align(208, 1);

        Assert.Equal(new Alignment(0, 0, 40, 0, 3, null), plan);
        Assert.Equal(new Alignment(0, 0, 0, 0, 1, null), odd);
        Assert.Equal(10, aligner.WriteFrames);
        Assert.Equal(4, aligner.TotalTruncatedBytes);
    }

    [Fact]
    public void A_pts_beyond_the_limit_is_rejected_and_changes_nothing()
    {
        var aligner = new PtsAligner(Stereo48k);
        aligner.Align(0, 40);

        var plan = aligner.Align(PtsAligner.MaxPtsUs + 1, 40);

        Assert.NotNull(plan.Rejection);
        Assert.StartsWith("invalid_pts:", plan.Rejection);
        Assert.Equal(0, plan.KeepLength);
        Assert.Equal(10, aligner.WriteFrames);
        Assert.Equal(0, aligner.TotalSilenceFrames);
        Assert.Equal(1, aligner.TotalRejections);
    }

    [Fact]
    public void A_gap_beyond_the_limit_is_rejected_with_its_size()
    {
        var aligner = new PtsAligner(Stereo48k, maxGapSeconds: 3600);

        var plan = aligner.Align(7_200_000_000, 40);

        Assert.Equal("pts_gap_too_large: 7200.0 s ahead of the stream (limit 3600 s)", plan.Rejection);
        Assert.Equal(0, plan.SilenceFrames);
        Assert.Equal(0, aligner.WriteFrames);

        var justInside = aligner.Align(3_600_000_000, 40);
        Assert.Null(justInside.Rejection);
        Assert.Equal(3600L * 48000, justInside.SilenceFrames);
    }

    [Fact]
    public void Resending_the_same_frames_is_idempotent()
    {
        var frames = new (long Pts, int Bytes)[] { (0, 4000), (20_833, 4000), (41_667, 4000), (62_500, 4000) };
        var once = new PtsAligner(Stereo48k);
        foreach (var (pts, bytes) in frames)
        {
            once.Align(pts, bytes);
        }

        var twice = new PtsAligner(Stereo48k);
        var kept = 0L;
        foreach (var (pts, bytes) in frames.Concat(frames).Concat(frames.Take(2)))
        {
            var plan = twice.Align(pts, bytes);
            kept += plan.KeepLength + (plan.SilenceFrames * 4);
        }

        Assert.Equal(once.WriteFrames, twice.WriteFrames);
        Assert.Equal(once.WriteFrames * 4, kept);
        Assert.Equal(6 * 1000, twice.TotalDroppedFrames);
    }

    [Fact]
    public void A_resumed_aligner_continues_at_its_given_position()
    {
        var aligner = new PtsAligner(Stereo48k, writeFrames: 48000);

        Assert.Equal(0, aligner.Align(500_000, 40).KeepLength);
        Assert.Equal(new Alignment(0, 0, 40, 0, 0, null), aligner.Align(1_000_000, 40));
    }
}
