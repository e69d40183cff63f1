using Muesli.Core.Merge;
using Muesli.Core.Transcripts;

namespace Muesli.Core.Tests.Merge;

/// <summary>The sorted search must give every word the same speaker as the slow scan of every segment.</summary>
public class AssignSpeakersPropertyTests
{
    private static readonly string[] Names = ["S0", "S1", "S2", "S3"];

    /// <summary>Times on a coarse grid make exact ties (equal overlaps, equal distances, equal starts) common.</summary>
    private static double Time(Random random, double length, double grid)
        => grid > 0 ? Math.Round(random.NextDouble() * length / grid) * grid : random.NextDouble() * length;

    private static Word[] RandomWords(Random random, int count, double length, double grid)
        => Enumerable.Range(0, count).Select(i =>
        {
            var start = Time(random, length, grid);
            var duration = random.Next(20) == 0 ? -Time(random, 0.5, grid) : Time(random, 1.0, grid);
            return new Word($"w{i}", start, start + duration);
        }).ToArray();

    private static SpeakerSegment[] RandomSegments(Random random, int count, double length, double grid, double maxDuration)
        => Enumerable.Range(0, count).Select(_ =>
        {
            var start = Time(random, length, grid);
            var duration = random.Next(25) == 0 ? 0 : Time(random, maxDuration, grid);
            return new SpeakerSegment(start, start + duration, Names[random.Next(Names.Length)]);
        }).ToArray();

    private static void AssertSameAsNaive(IReadOnlyList<Word> words, IReadOnlyList<SpeakerSegment> segments, MergeOptions options)
    {
        var expected = NaiveSpeakerMerge.AssignSpeakers(words, segments, options);
        var actual = SpeakerMerge.AssignSpeakers(words, segments, options);

        Assert.Equal(expected.Select(w => (w.Word, w.Speaker)), actual.Select(w => (w.Word, w.Speaker)));
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 0.125)]
    [InlineData(3, 0.25)]
    [InlineData(4, 0.5)]
    [InlineData(5, 0.05)]
    public void Sorted_search_agrees_with_the_naive_scan(int seed, double grid)
    {
        var random = new Random(seed);
        for (var round = 0; round < 400; round++)
        {
            var length = random.Next(2, 60);
            var words = RandomWords(random, random.Next(0, 40), length, grid);
            var segments = RandomSegments(random, random.Next(0, 25), length, grid, random.Next(1, 20));
            var options = new MergeOptions
            {
                SpeakerTolerance = Time(random, 1.0, grid),
                UnknownLookahead = random.Next(1, 12),
            };

            AssertSameAsNaive(words, segments, options);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sorted_search_agrees_with_the_naive_scan_on_a_long_meeting(bool oneSpeakerThroughout)
    {
        var random = new Random(42);
        var words = RandomWords(random, 3000, 3600, 0.02);
        var segments = RandomSegments(random, 800, 3600, 0.02, 30);
        if (oneSpeakerThroughout)
        {
            segments = [new SpeakerSegment(0, 3600, "S3"), .. segments];
        }

        AssertSameAsNaive(words, segments, new MergeOptions());
    }
}
