using Muesli.Core.Protocol;
using Muesli.Core.Recovery;
using Xunit;

namespace Muesli.Core.Tests.Recovery;

/// <summary>The recovery pass of <c>muesli reprocess</c>: which speech the transcript missed, and how its turns join.</summary>
public sealed class ReprocessRecoveryTests
{
    private static readonly RecoveryOptions Options = RecoveryOptions.Default;

    private static MuesliEvents.ResultTurn Turn(double t0, double t1, string speaker = "system:SPEAKER_00", string text = "words")
        => new(speaker, speaker.Split(':')[0], t0, t1, text);

    [Fact]
    public void Speech_a_turn_covers_within_the_tolerance_gives_no_window()
    {
        var windows = SpeechRecovery.Windows([(0.8, 5.2), (10, 12)], [Turn(1, 5), Turn(10.2, 11.9)], 60, Options);
        Assert.Empty(windows);
    }

    [Fact]
    public void Uncovered_speech_of_a_second_or_more_becomes_a_padded_window()
    {
        var windows = SpeechRecovery.Windows([(20, 23), (30, 30.9)], [Turn(1, 5)], 60, Options);
        Assert.Equal([new RecoveryWindow(19.5, 23.5)], windows);
    }

    [Fact]
    public void Only_the_uncovered_part_of_a_region_counts_and_it_must_last_a_second()
    {
        // 2–8 s of speech, a turn over 2–5 s: 5.25–8 is missed (2.75 s); a region whose uncovered tail is 0.6 s is not.
        var windows = SpeechRecovery.Windows([(2, 8), (14, 15.85)], [Turn(2, 5), Turn(14, 15)], 60, Options);
        var window = Assert.Single(windows);
        Assert.Equal(4.75, window.Start, 6);
        Assert.Equal(8.5, window.End, 6);
    }

    [Fact]
    public void A_turn_inside_a_region_splits_it_into_two_misses()
    {
        var windows = SpeechRecovery.Windows([(10, 20)], [Turn(14, 15)], 60, Options);
        Assert.Equal(2, windows.Count);
        Assert.Equal(9.5, windows[0].Start, 6);
        Assert.Equal(14.25, windows[0].End, 6);
        Assert.Equal(14.75, windows[1].Start, 6);
        Assert.Equal(20.5, windows[1].End, 6);
    }

    [Fact]
    public void Windows_that_touch_after_padding_merge_and_stay_inside_the_stream()
    {
        var windows = SpeechRecovery.Windows([(0.2, 2), (2.6, 4), (58.5, 60)], [], 60, Options);
        Assert.Equal([new RecoveryWindow(0, 4.5), new RecoveryWindow(58, 60)], windows);
    }

    [Fact]
    public void A_long_miss_is_split_into_equal_windows_of_at_most_thirty_seconds()
    {
        var windows = SpeechRecovery.Windows([(10, 79)], [], 100, Options);
        Assert.Equal(3, windows.Count);
        Assert.Equal(9.5, windows[0].Start, 6);
        Assert.Equal(79.5, windows[^1].End, 6);
        Assert.All(windows, w => Assert.InRange(w.Duration, 23.3, 23.34));
        Assert.Equal(windows[0].End, windows[1].Start, 6);
    }

    [Fact]
    public void A_recovered_turn_takes_the_speaker_it_overlaps_most()
    {
        var turns = new[] { Turn(0, 10, "system:SPEAKER_00"), Turn(12, 20, "system:SPEAKER_01") };
        var merged = SpeechRecovery.MergeIn(turns, [Turn(9.5, 11, "system:SPEAKER_07", "missed")]);
        Assert.Equal(3, merged.Count);
        Assert.Equal(Turn(9.5, 11, "system:SPEAKER_00", "missed"), merged[1]);
    }

    [Fact]
    public void Without_overlap_a_recovered_turn_takes_the_nearest_speaker()
    {
        var turns = new[] { Turn(0, 10, "system:SPEAKER_00"), Turn(30, 40, "system:SPEAKER_01") };
        var merged = SpeechRecovery.MergeIn(turns, [Turn(25, 28, "system:SPEAKER_00", "missed")]);
        Assert.Equal(["system:SPEAKER_00", "system:SPEAKER_01", "system:SPEAKER_01"], merged.Select(t => t.SpeakerId));
        Assert.Equal("missed", merged[1].Text);
    }

    [Fact]
    public void A_recovered_turn_inside_an_existing_turn_is_a_repeat_and_is_dropped()
    {
        var turns = new[] { Turn(0, 10) };
        var merged = SpeechRecovery.MergeIn(turns, [Turn(8, 11, "system:SPEAKER_03", "tail again")]);
        Assert.Equal(turns, merged);
    }

    [Fact]
    public void With_no_turn_on_the_stream_a_recovered_turn_keeps_its_own_speaker()
    {
        var merged = SpeechRecovery.MergeIn([Turn(0, 4, "mic:SPEAKER_00")], [Turn(5, 7, "system:SPEAKER_00")]);
        Assert.Equal(["mic:SPEAKER_00", "system:SPEAKER_00"], merged.Select(t => t.SpeakerId));
    }

    [Fact]
    public void Turns_are_sorted_by_start_then_stream_then_speaker()
    {
        var sorted = SpeechRecovery.Sorted([Turn(5, 6, "system:SPEAKER_00"), Turn(1, 2, "system:SPEAKER_01"), Turn(1, 3, "mic:SPEAKER_00"), Turn(1, 2, "system:SPEAKER_00")]);
        Assert.Equal(
            ["mic:SPEAKER_00", "system:SPEAKER_00", "system:SPEAKER_01", "system:SPEAKER_00"],
            sorted.Select(t => t.SpeakerId));
        Assert.Equal([1, 1, 1, 5], sorted.Select(t => t.T0));
    }
}
