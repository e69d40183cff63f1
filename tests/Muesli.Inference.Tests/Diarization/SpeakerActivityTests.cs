using Muesli.Inference.Diarization;

namespace Muesli.Inference.Tests.Diarization;

public sealed class SpeakerActivityTests
{
    /// <summary>A window from rows of local activity written as strings: "1.0" = speaker 0 and 2 of 3 silent/active.</summary>
    private static WindowActivity Window(int firstFrame, params string[] rows)
    {
        var speakers = rows[0].Length;
        var active = rows.SelectMany(r => r.Select(c => c == '1')).ToArray();
        return new WindowActivity(firstFrame * 270L, firstFrame, rows.Length, speakers, active);
    }

    [Fact]
    public void Frame_count_is_the_furthest_frame_any_window_covers()
    {
        Assert.Equal(0, SpeakerActivity.FrameCount([]));
        Assert.Equal(7, SpeakerActivity.FrameCount([Window(0, "100", "100"), Window(4, "000", "000", "010"), Window(1, "001")]));
    }

    [Fact]
    public void Speaker_count_is_the_rounded_mean_over_the_windows_covering_a_frame()
    {
        // Frame 0: only A (1). Frame 1: A 2, B 1 → 1.5 → 2. Frame 2: A 1, B 0, C 1 → 0.67 → 1. Frame 3: B 0, C 1 → 0.5 → 1.
        // Frame 4: C 0 → 0. Frame 5: nobody covers it → 0.
        var a = Window(0, "100", "110", "001");
        var b = Window(1, "010", "000", "000");
        var c = Window(2, "010", "001", "000");

        Assert.Equal([1, 2, 1, 1, 0, 0], SpeakerActivity.SpeakerCounts([a, b, c], 6));
    }

    [Fact]
    public void Solo_frames_leave_out_overlapped_speech()
    {
        var window = Window(0, "100", "110", "100", "000", "101", "100");

        Assert.Equal([0, 2, 5], SpeakerActivity.SoloFrames(window, 0));
        Assert.Empty(SpeakerActivity.SoloFrames(window, 1));
        Assert.Empty(SpeakerActivity.SoloFrames(window, 2));
    }

    [Fact]
    public void Solo_frames_become_the_audio_their_frames_stand_for()
    {
        // Window starting at frame 2 (sample 540); speaker 0 talks alone in frames 0–1, 3 and 5. Frame i stands for
        // samples 540 + 270·i + 360 onwards, 270 of them; the last range is clipped to the 2400 samples of audio.
        var window = Window(2, "100", "100", "110", "100", "000", "100");

        var ranges = SpeakerActivity.SoloSampleRanges(window, 0, SegmentationFrames.Pyannote, audioSamples: 2400);

        Assert.Equal([(900, 1440), (1710, 1980), (2250, 2400)], ranges);
        Assert.Empty(SpeakerActivity.SoloSampleRanges(window, 1, SegmentationFrames.Pyannote, 2400));
    }

    [Fact]
    public void Votes_add_up_the_active_local_speakers_of_each_cluster_on_the_grid()
    {
        // Window 0 (frames 0–2): local 0 → cluster 1, local 1 → cluster 0. Window 1 (frames 2–4): local 2 → cluster 1,
        // local 0 unclustered (−1).
        var windows = new[] { Window(0, "100", "110", "010"), Window(2, "101", "001", "100") };
        int ClusterOf(int w, int s) => (w, s) switch
        {
            (0, 0) => 1,
            (0, 1) => 0,
            (1, 2) => 1,
            _ => -1,
        };

        var votes = SpeakerActivity.Aggregate(windows, ClusterOf, clusters: 2, frames: 5);

        int[] expected =
        [
            0, 1,
            1, 1,
            1, 1,
            0, 1,
            0, 0,
        ];
        Assert.Equal(expected, votes);
    }

    [Fact]
    public void Each_frame_keeps_its_count_of_clusters_with_the_most_votes()
    {
        int[] votes =
        [
            3, 5, 1,
            3, 5, 1,
            2, 2, 2,
            0, 0, 4,
            0, 0, 0,
            1, 0, 0,
        ];
        int[] counts = [1, 2, 2, 2, 1, 0];

        var kept = SpeakerActivity.KeepTop(votes, 3, counts);

        bool[] expected =
        [
            false, true, false,
            true, true, false,
            true, true, false,
            false, false, true,
            false, false, false,
            false, false, false,
        ];
        Assert.Equal(expected, kept);
    }

    [Fact]
    public void Votes_that_do_not_fill_the_frames_are_refused()
        => Assert.Throws<ArgumentException>(() => SpeakerActivity.KeepTop(new int[5], 2, [1, 1, 1]));
}
