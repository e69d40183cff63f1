using Muesli.Core.Transcripts;
using Muesli.Inference.Diarization.Sortformer;

namespace Muesli.Inference.Tests.Sortformer;

public sealed class SpeakerActivitySegmentationTests
{
    private const double Dt = 0.08;

    private static readonly SortformerPostProcessing Plain = new();

    /// <summary>An activity matrix from one row of values per speaker.</summary>
    private static SpeakerActivity Activity(params float[][] speakers)
    {
        var frames = speakers[0].Length;
        var values = new float[frames * speakers.Length];
        for (var s = 0; s < speakers.Length; s++)
        {
            for (var t = 0; t < frames; t++)
            {
                values[(t * speakers.Length) + s] = speakers[s][t];
            }
        }

        return new SpeakerActivity(values, frames, speakers.Length, Dt);
    }

    private static float[] Row(int frames, params (int From, int To, float P)[] runs)
    {
        var row = new float[frames];
        foreach (var (from, to, p) in runs)
        {
            Array.Fill(row, p, from, to - from);
        }

        return row;
    }

    private static void AssertSegments(IReadOnlyList<SpeakerSegment> actual, params (double Start, double End, string Speaker)[] expected)
    {
        Assert.Equal(expected.Select(e => e.Speaker), actual.Select(a => a.Speaker));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal(e.Start, a.Start, 1e-9);
            Assert.Equal(e.End, a.End, 1e-9);
        }
    }

    [Fact]
    public void A_speaker_turns_on_above_the_onset_and_off_below_the_offset()
    {
        var activity = Activity([0.1f, 0.5f, 0.7f, 0.5f, 0.45f, 0.3f, 0.5f, 0.65f, 0.2f]);

        var segments = SpeakerActivitySegmentation.Segments(activity, Plain with { Onset = 0.6f, Offset = 0.4f });

        // On at frame 2, held through 0.5 and 0.45, off at frame 5; 0.5 at frame 6 is not above the onset; on at 7, off at 8.
        AssertSegments(segments, (2 * Dt, 5 * Dt, "SPEAKER_00"), (7 * Dt, 8 * Dt, "SPEAKER_00"));
    }

    [Fact]
    public void A_frame_exactly_at_the_threshold_changes_nothing()
    {
        var activity = Activity([0.5f, 0.6f, 0.5f, 0.4f, 0.5f]);

        AssertSegments(SpeakerActivitySegmentation.Segments(activity, Plain), (1 * Dt, 3 * Dt, "SPEAKER_00"));
    }

    [Fact]
    public void Speech_still_on_at_the_last_frame_ends_with_the_audio()
    {
        var activity = Activity(Row(10, (6, 10, 0.9f)));

        AssertSegments(SpeakerActivitySegmentation.Segments(activity, Plain), (6 * Dt, 10 * Dt, "SPEAKER_00"));
        AssertSegments(SpeakerActivitySegmentation.Segments(activity, Plain, duration: 0.75), (6 * Dt, 0.75, "SPEAKER_00"));
    }

    [Fact]
    public void Padding_widens_segments_within_the_audio_and_joins_those_it_makes_overlap()
    {
        // Segments [0.16, 0.4), [0.56, 0.8), [1.6, 1.76) of 25 frames (2 s).
        var activity = Activity(Row(25, (2, 5, 0.9f), (7, 10, 0.9f), (20, 22, 0.9f)));

        var segments = SpeakerActivitySegmentation.Segments(activity, Plain with { PadOnsetSeconds = 0.2, PadOffsetSeconds = 0.3 });

        // The first pad would start before 0, the last would end after the 2 s of audio.
        AssertSegments(segments, (0, (10 * Dt) + 0.3, "SPEAKER_00"), ((20 * Dt) - 0.2, 25 * Dt, "SPEAKER_00"));
    }

    [Fact]
    public void Short_segments_are_dropped_before_short_gaps_are_filled()
    {
        // [0, 0.96), a one-frame blip [1.2, 1.28), [1.6, 2.4). Dropping the blip first leaves a 0.64 s gap, which
        // stays open; filling first would have joined all three.
        var activity = Activity(Row(40, (0, 12, 0.9f), (15, 16, 0.9f), (20, 30, 0.9f)));

        var segments = SpeakerActivitySegmentation.Segments(activity, Plain with { MinDurationOnSeconds = 0.1, MinDurationOffSeconds = 0.3 });

        AssertSegments(segments, (0, 12 * Dt, "SPEAKER_00"), (20 * Dt, 30 * Dt, "SPEAKER_00"));
    }

    [Fact]
    public void Gaps_shorter_than_the_minimum_off_duration_are_filled()
    {
        var activity = Activity(Row(40, (0, 10, 0.9f), (13, 20, 0.9f), (30, 35, 0.9f)));

        var segments = SpeakerActivitySegmentation.Segments(activity, Plain with { MinDurationOffSeconds = 0.25 });

        // The 0.24 s gap closes, the 0.8 s one stays.
        AssertSegments(segments, (0, 20 * Dt, "SPEAKER_00"), (30 * Dt, 35 * Dt, "SPEAKER_00"));
    }

    [Fact]
    public void Segments_shorter_than_the_minimum_on_duration_are_dropped()
    {
        var activity = Activity(Row(30, (0, 3, 0.9f), (10, 14, 0.9f)));

        var segments = SpeakerActivitySegmentation.Segments(activity, Plain with { MinDurationOnSeconds = 0.3 });

        AssertSegments(segments, (10 * Dt, 14 * Dt, "SPEAKER_00"));
    }

    [Fact]
    public void Two_speakers_may_overlap_and_come_out_sorted_by_start()
    {
        var activity = Activity(Row(20, (5, 15, 0.8f)), Row(20, (0, 10, 0.9f)), Row(20), Row(20, (12, 20, 0.7f)));

        var segments = SpeakerActivitySegmentation.Segments(activity, Plain);

        AssertSegments(
            segments,
            (0, 10 * Dt, "SPEAKER_01"),
            (5 * Dt, 15 * Dt, "SPEAKER_00"),
            (12 * Dt, 20 * Dt, "SPEAKER_03"));
    }

    [Fact]
    public void Thresholds_outside_zero_to_one_are_refused_by_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => SpeakerActivitySegmentation.Segments(Activity([0.9f]), Plain with { Onset = 1.5f }));

        Assert.Equal(nameof(SortformerPostProcessing.Onset), error.ParamName);
    }
}
