using Muesli.Inference.Vad;

namespace Muesli.Inference.Tests.Vad;

public sealed class SpeechIslandsTests
{
    private static readonly SpeechIslandOptions Options = new() { PadSeconds = 0.5, MaxMergeGapSeconds = 2, MaxIslandSeconds = 30 };

    [Fact]
    public void Speech_is_padded_each_side_within_the_window()
    {
        var islands = SpeechIslands.Plan([new SpeechRegion(0.2, 3), new SpeechRegion(20, 59.8)], 60, Options);

        Assert.Equal([new SpeechRegion(0, 3.5), new SpeechRegion(19.5, 60)], islands);
    }

    [Fact]
    public void Neighbours_within_the_merge_gap_become_one_island_and_a_longer_silence_splits_them()
    {
        var islands = SpeechIslands.Plan([new SpeechRegion(1, 3), new SpeechRegion(5.5, 8), new SpeechRegion(11.1, 12)], 60, Options);

        // 3.5 → 5.0 is a 1.5 s gap (merged); 8.5 → 10.6 is 2.1 s (kept apart).
        Assert.Equal([new SpeechRegion(0.5, 8.5), new SpeechRegion(10.6, 12.5)], islands);
    }

    [Fact]
    public void Merging_stops_at_the_longest_island_and_touching_islands_are_cut_between_their_speech()
    {
        var speech = Enumerable.Range(0, 10).Select(i => new SpeechRegion(i * 10, (i * 10) + 9.6)).ToArray();

        var islands = SpeechIslands.Plan(speech, 100, Options);

        Assert.All(islands, i => Assert.True(i.Duration <= Options.MaxIslandSeconds + 1e-9, $"{i} is longer than {Options.MaxIslandSeconds} s"));
        Assert.All(islands.Zip(islands.Skip(1)), pair => Assert.True(pair.First.End <= pair.Second.Start, $"{pair.First} overlaps {pair.Second}"));
        Assert.Equal(0, islands[0].Start);
        Assert.Equal(100, islands[^1].End);
        Assert.All(speech, s => Assert.Contains(islands, i => i.Start <= s.Start && s.End <= i.End));
        Assert.Equal(19.8, islands[0].End, 9); // [0, 20.1] cannot take [19.5, 30.1]: cut between 19.6 and 20
        Assert.Equal(islands[0].End, islands[1].Start);
    }

    [Fact]
    public void A_single_stretch_longer_than_the_longest_island_stays_whole()
    {
        Assert.Equal([new SpeechRegion(4.5, 95.5)], SpeechIslands.Plan([new SpeechRegion(5, 95)], 100, Options));
    }

    [Fact]
    public void Unordered_overlapping_and_empty_regions_are_taken_as_they_fall()
    {
        var islands = SpeechIslands.Plan([new SpeechRegion(10, 12), new SpeechRegion(3, 3), new SpeechRegion(1, 2), new SpeechRegion(1.5, 2.5)], 20, Options);

        Assert.Equal([new SpeechRegion(0.5, 3), new SpeechRegion(9.5, 12.5)], islands);
        Assert.Empty(SpeechIslands.Plan([], 20, Options));
    }

    [Fact]
    public void Settings_out_of_range_are_refused_by_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SpeechIslands.Plan([], 1, Options with { MaxIslandSeconds = 0 }));
        Assert.Equal(nameof(SpeechIslandOptions.MaxIslandSeconds), error.ParamName);
        Assert.Equal(nameof(SpeechIslandOptions.PadSeconds), Assert.Throws<ArgumentOutOfRangeException>(() => SpeechIslands.Plan([], 1, Options with { PadSeconds = -1 })).ParamName);
    }
}
