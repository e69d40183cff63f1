using Muesli.Inference.Diarization;

namespace Muesli.Inference.Tests.Diarization;

public sealed class PowersetTests
{
    private static readonly Powerset Pyannote = new(speakers: 3, maxSimultaneous: 2);

    /// <summary>Log-probabilities of one frame: <paramref name="winner"/> gets 0.9, the others share 0.1.</summary>
    private static float[] Frame(int winner, int classes = 7)
        => Enumerable.Range(0, classes).Select(c => MathF.Log(c == winner ? 0.9f : 0.1f / (classes - 1))).ToArray();

    [Fact]
    public void Segmentation_3_0_has_the_seven_published_classes()
    {
        Assert.Equal(7, Pyannote.Classes);
        int[][] expected = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2]];
        for (var c = 0; c < 7; c++)
        {
            Assert.Equal(expected[c], Pyannote.SpeakersOf(c));
        }
    }

    [Fact]
    public void Larger_powersets_count_every_subset_up_to_the_limit()
    {
        // 1 + C(4,1) + C(4,2) = 11; 1 + 4 + 6 + 4 = 15.
        Assert.Equal(11, new Powerset(4, 2).Classes);
        Assert.Equal(15, new Powerset(4, 3).Classes);
        Assert.Equal([0, 1, 3], new Powerset(4, 3).SpeakersOf(1 + 4 + 6 + 1));
        Assert.Equal(4, new Powerset(3, 1).Classes);
    }

    [Fact]
    public void Each_frame_takes_the_speakers_of_its_best_class()
    {
        var scores = new[] { 0, 1, 2, 3, 4, 5, 6 }.SelectMany(c => Frame(c)).ToArray();

        var active = Pyannote.Decode(scores, 7);

        bool[] expected =
        [
            false, false, false,
            true, false, false,
            false, true, false,
            false, false, true,
            true, true, false,
            true, false, true,
            false, true, true,
        ];
        Assert.Equal(expected, active);
    }

    [Fact]
    public void A_tie_goes_to_the_first_class()
    {
        float[] scores = [-2, -1, -3, -1, -1, -5, -5];

        Assert.Equal([true, false, false], Pyannote.Decode(scores, 1));
    }

    [Fact]
    public void Scores_that_do_not_fill_the_frames_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Pyannote.Decode(new float[20], 3));

        Assert.Contains("3 frames of 7 classes need 21 scores, got 20", error.Message);
    }

    [Fact]
    public void Impossible_powersets_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Powerset(2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Powerset(0, 1));
    }
}
