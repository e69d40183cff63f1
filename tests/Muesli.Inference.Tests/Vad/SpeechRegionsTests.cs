using Muesli.Inference.Tests.Support;
using Muesli.Inference.Vad;

namespace Muesli.Inference.Tests.Vad;

public sealed class SpeechRegionsTests
{
    private const int Rate = 16000;
    private const int Frame = 512;
    private const double FrameSeconds = Frame / (double)Rate;
    private const double Pad = 0.03;

    /// <summary>Runs of (probability, frames) laid end to end.</summary>
    private static float[] Probabilities(params (float P, int Frames)[] runs) =>
        runs.SelectMany(r => Enumerable.Repeat(r.P, r.Frames)).ToArray();

    private static IReadOnlyList<SpeechRegion> Find(float[] probabilities, SileroVadOptions? options = null, long? samples = null) =>
        SpeechRegions.Find(probabilities, Frame, samples ?? ((long)probabilities.Length * Frame), Rate, options ?? SileroVadOptions.Default);

    [Fact]
    public void Frames_between_the_two_thresholds_keep_speech_going()
    {
        // 0.4 lies between the negative threshold 0.35 and the threshold 0.5.
        var p = Probabilities((0.1f, 5), (0.6f, 10), (0.4f, 10), (0.6f, 10), (0.1f, 20));

        TimedAssert.Regions([((5 * FrameSeconds) - Pad, (35 * FrameSeconds) + Pad)], Find(p));
    }

    [Fact]
    public void A_higher_negative_threshold_turns_the_same_frames_into_silence()
    {
        var p = Probabilities((0.1f, 5), (0.6f, 10), (0.4f, 10), (0.6f, 10), (0.1f, 20));

        var regions = Find(p, new SileroVadOptions { NegativeThreshold = 0.45f });

        TimedAssert.Regions(
            [((5 * FrameSeconds) - Pad, (15 * FrameSeconds) + Pad), ((25 * FrameSeconds) - Pad, (35 * FrameSeconds) + Pad)],
            regions);
    }

    [Fact]
    public void Speech_starts_only_at_the_threshold_not_at_the_negative_threshold()
    {
        var p = Probabilities((0.1f, 5), (0.49f, 20), (0.1f, 10));

        Assert.Empty(Find(p));
    }

    [Fact]
    public void A_dip_shorter_than_the_minimum_silence_does_not_split_speech()
    {
        // The region ends at the first silent frame once a later silent frame is 100 ms past it.
        var framesToClose = (int)Math.Ceiling(0.1 * Rate / Frame) + 1;
        var shortDip = Probabilities((0.9f, 20), (0.1f, framesToClose - 1), (0.9f, 20), (0.0f, 20));
        var longDip = Probabilities((0.9f, 20), (0.1f, framesToClose), (0.9f, 20), (0.0f, 20));

        TimedAssert.Regions([(0, ((40 + framesToClose - 1) * FrameSeconds) + Pad)], Find(shortDip));
        TimedAssert.Regions(
            [(0, (20 * FrameSeconds) + Pad), (((20 + framesToClose) * FrameSeconds) - Pad, ((40 + framesToClose) * FrameSeconds) + Pad)],
            Find(longDip));
    }

    [Fact]
    public void Speech_must_last_longer_than_the_minimum_speech_duration()
    {
        // 250 ms at 32 ms per frame: 7 frames (224 ms) are too short, 8 frames (256 ms) are enough.
        var longEnough = (int)Math.Floor(0.25 * Rate / Frame) + 1;
        var tooShort = Probabilities((0f, 10), (0.9f, longEnough - 1), (0f, 30));
        var enough = Probabilities((0f, 10), (0.9f, longEnough), (0f, 30));

        Assert.Empty(Find(tooShort));
        TimedAssert.Regions([((10 * FrameSeconds) - Pad, ((10 + longEnough) * FrameSeconds) + Pad)], Find(enough));
    }

    [Fact]
    public void Speech_still_open_at_the_end_runs_to_the_last_sample()
    {
        var p = Probabilities((0f, 10), (0.9f, 20));
        var samples = (30L * Frame) - 100;

        TimedAssert.Regions([((10 * FrameSeconds) - Pad, samples / (double)Rate)], Find(p, samples: samples));
    }

    [Fact]
    public void Padding_stops_at_the_edges_of_the_audio()
    {
        var p = Probabilities((0.9f, 20), (0f, 10));

        TimedAssert.Regions([(0, 30 * FrameSeconds)], Find(p, new SileroVadOptions { SpeechPadSeconds = 1 }));
    }

    [Fact]
    public void A_gap_narrower_than_two_pads_is_shared_half_and_half()
    {
        var options = new SileroVadOptions { MinSilenceSeconds = 0, SpeechPadSeconds = 0.1 };
        var p = Probabilities((0f, 20), (0.9f, 20), (0f, 3), (0.9f, 20), (0f, 20));

        // The first silent frame closes speech at once; the 3-frame gap (96 ms) is under two 100 ms pads.
        var halfGap = 3 * Frame / 2 / (double)Rate;
        TimedAssert.Regions(
            [((20 * FrameSeconds) - 0.1, (40 * FrameSeconds) + halfGap), ((43 * FrameSeconds) - halfGap, (63 * FrameSeconds) + 0.1)],
            Find(p, options));
    }

    [Fact]
    public void A_wide_gap_gets_a_full_pad_on_each_side()
    {
        var options = new SileroVadOptions { MinSilenceSeconds = 0, SpeechPadSeconds = 0.1 };
        var p = Probabilities((0f, 20), (0.9f, 20), (0f, 10), (0.9f, 20), (0f, 20));

        TimedAssert.Regions(
            [((20 * FrameSeconds) - 0.1, (40 * FrameSeconds) + 0.1), ((50 * FrameSeconds) - 0.1, (70 * FrameSeconds) + 0.1)],
            Find(p, options));
    }

    [Fact]
    public void No_frames_no_regions()
    {
        Assert.Empty(Find([]));
        Assert.Empty(Find(Probabilities((0.2f, 100))));
    }

    [Fact]
    public void The_negative_threshold_defaults_to_fifteen_hundredths_below_the_threshold()
    {
        Assert.Equal(0.35f, SileroVadOptions.Default.EffectiveNegativeThreshold, 1e-6f);
        Assert.Equal(0.65f, new SileroVadOptions { Threshold = 0.8f }.EffectiveNegativeThreshold, 1e-6f);
        Assert.Equal(0.01f, new SileroVadOptions { Threshold = 0.1f }.EffectiveNegativeThreshold, 1e-6f);
    }

    [Fact]
    public void Options_out_of_range_are_refused_by_name()
    {
        var high = Assert.Throws<ArgumentOutOfRangeException>(() => Find([0.9f], new SileroVadOptions { NegativeThreshold = 0.7f }));
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => Find([0.9f], new SileroVadOptions { MinSpeechSeconds = -1 }));

        Assert.Equal(nameof(SileroVadOptions.NegativeThreshold), high.ParamName);
        Assert.Equal(nameof(SileroVadOptions.MinSpeechSeconds), negative.ParamName);
    }
}
