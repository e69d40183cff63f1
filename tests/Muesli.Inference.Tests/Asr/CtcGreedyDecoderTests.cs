using Muesli.Inference.Asr;

namespace Muesli.Inference.Tests.Asr;

public sealed class CtcGreedyDecoderTests
{
    private const int Blank = 3;

    // One row per frame over classes {0, 1, 2, blank}: the named class gets the highest score.
    private static float[] Logits(params int[] winners)
    {
        var logits = new float[winners.Length * 4];
        for (var t = 0; t < winners.Length; t++)
        {
            for (var c = 0; c < 4; c++)
            {
                logits[(t * 4) + c] = c == winners[t] ? -0.1f : -3f - c;
            }
        }

        return logits;
    }

    private static IReadOnlyList<TimedToken> Decode(params int[] winners)
        => CtcGreedyDecoder.Decode(Logits(winners), winners.Length, 4, Blank);

    [Fact]
    public void Repeats_collapse_into_one_token_spanning_their_frames()
    {
        Assert.Equal([new TimedToken(1, 0, 2)], Decode(1, 1, 1));
    }

    [Fact]
    public void A_blank_separates_repeated_tokens()
    {
        Assert.Equal([new TimedToken(0, 0, 1), new TimedToken(0, 3, 3)], Decode(0, 0, Blank, 0));
    }

    [Fact]
    public void Blanks_are_dropped_and_different_tokens_follow_each_other()
    {
        Assert.Equal(
            [new TimedToken(2, 1, 1), new TimedToken(1, 2, 3), new TimedToken(2, 6, 6)],
            Decode(Blank, 2, 1, 1, Blank, Blank, 2, Blank));
    }

    [Fact]
    public void Only_blanks_decode_to_nothing()
    {
        Assert.Empty(Decode(Blank, Blank, Blank));
        Assert.Empty(CtcGreedyDecoder.Decode([], 0, 4, Blank));
    }

    [Fact]
    public void The_first_maximum_wins_a_tie()
    {
        Assert.Equal([new TimedToken(1, 0, 0)], CtcGreedyDecoder.Decode([0f, 5f, 5f, 5f], 1, 4, Blank));
    }

    [Fact]
    public void Wrong_sizes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => CtcGreedyDecoder.Decode(new float[7], 2, 4, Blank));
        Assert.Throws<ArgumentOutOfRangeException>(() => CtcGreedyDecoder.Decode(new float[8], 2, 4, 4));
    }
}
