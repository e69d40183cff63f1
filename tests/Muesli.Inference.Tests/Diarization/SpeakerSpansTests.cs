using Muesli.Inference.Diarization;
using Muesli.Inference.Tests.Support;
using Muesli.Inference.Vad;

namespace Muesli.Inference.Tests.Diarization;

public sealed class SpeakerSpansTests
{
    private static readonly SegmentationFrames Frames = SegmentationFrames.Pyannote;

    [Fact]
    public void Runs_of_active_frames_become_the_time_their_frames_stand_for()
    {
        var active = new bool[100];
        for (var g = 10; g < 20; g++)
        {
            active[g] = true;
        }

        active[50] = true;

        var spans = SpeakerSpans.FromFrames(active, Frames, audioSeconds: 10);

        // Frame g stands for samples [270·g + 360, 270·(g + 1) + 360).
        TimedAssert.Regions([((2700 + 360) / 16000.0, (5400 + 360) / 16000.0), ((13500 + 360) / 16000.0, (13770 + 360) / 16000.0)], spans);
    }

    [Fact]
    public void Spans_stay_inside_the_audio()
    {
        var spans = SpeakerSpans.FromFrames([true, true, true], Frames, audioSeconds: 0.05);

        TimedAssert.Regions([(360 / 16000.0, 0.05)], spans);
    }

    [Fact]
    public void No_active_frame_gives_no_span()
        => Assert.Empty(SpeakerSpans.FromFrames(new bool[30], Frames, 1));

    [Fact]
    public void Short_gaps_are_filled_before_short_turns_are_dropped()
    {
        // Gaps: 0.4 (< 0.5, filled), 0.5 (kept), 0.1 (filled). The 0.2 s turn at 5.0 survives by joining 5.3–5.5;
        // the lone 0.25 s turn at 8 is dropped.
        SpeechRegion[] spans = [new(0, 1), new(1.4, 2), new(2.5, 3), new(5.0, 5.2), new(5.3, 5.5), new(8, 8.25)];

        var smoothed = SpeakerSpans.ApplyMinDurations(spans, minDurationOn: 0.3, minDurationOff: 0.5);

        TimedAssert.Regions([(0, 2), (2.5, 3), (5.0, 5.5)], smoothed);
    }

    [Fact]
    public void Zero_durations_change_nothing()
    {
        SpeechRegion[] spans = [new(0, 0.1), new(0.1, 0.2), new(0.5, 0.6)];

        TimedAssert.Regions([(0, 0.2), (0.5, 0.6)], SpeakerSpans.ApplyMinDurations(spans, 0, 0.0000001));
        TimedAssert.Regions([(0, 0.1), (0.1, 0.2), (0.5, 0.6)], SpeakerSpans.ApplyMinDurations(spans, 0, 0));
    }
}
