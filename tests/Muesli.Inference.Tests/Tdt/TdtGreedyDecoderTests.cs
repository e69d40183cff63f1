using Muesli.Inference.Asr;
using Muesli.Inference.Asr.Tdt;

namespace Muesli.Inference.Tests.Tdt;

public sealed class TdtGreedyDecoderTests
{
    // Tokens {0, 1, 2, blank}; durations [0, 1, 2, 3, 4] as NeMo's TDT models have them.
    private const int Tokens = 4;
    private const int Blank = 3;

    private static ScriptedJoint Joint(int frames, params (int Frame, int Token, int Duration)[] steps)
        => new(frames, Tokens, 5, steps.Select(s => new ScriptedJoint.Step(s.Frame, s.Token, s.Duration)).ToArray());

    private static IReadOnlyList<TimedToken> Decode(ScriptedJoint joint, int maxSymbolsPerFrame = 5)
        => TdtGreedyDecoder.Decode(joint, Tokens, Blank, TdtGreedyDecoder.DefaultDurations, maxSymbolsPerFrame);

    [Fact]
    public void The_prediction_network_is_primed_with_the_blank_then_fed_each_emitted_token()
    {
        var joint = Joint(3, (0, 2, 1), (1, Blank, 1), (2, 0, 1));

        Decode(joint);

        Assert.Equal([Blank, 2, 0], joint.Predicted);
    }

    [Fact]
    public void Durations_skip_frames_for_tokens_and_blanks_alike()
    {
        var joint = Joint(10, (0, Blank, 3), (3, 1, 2), (5, Blank, 4), (9, 2, 1));

        var tokens = Decode(joint);

        Assert.Equal([0, 3, 5, 9], joint.Visited);
        Assert.Equal([new TimedToken(1, 3, 4), new TimedToken(2, 9, 9)], tokens);
    }

    [Fact]
    public void A_blank_of_duration_zero_advances_one_frame()
    {
        var joint = Joint(3, (0, Blank, 0), (1, Blank, 0), (2, Blank, 0));

        Assert.Empty(Decode(joint));
        Assert.Equal([0, 1, 2], joint.Visited);
        Assert.Equal([Blank], joint.Predicted);
    }

    [Fact]
    public void A_token_of_duration_zero_stays_on_its_frame_for_the_next_token()
    {
        var joint = Joint(4, (0, Blank, 1), (1, 0, 0), (1, 1, 0), (1, Blank, 0), (2, 2, 2));

        var tokens = Decode(joint);

        Assert.Equal([0, 1, 1, 1, 2], joint.Visited);
        Assert.Equal([new TimedToken(0, 1, 1), new TimedToken(1, 1, 1), new TimedToken(2, 2, 3)], tokens);
        Assert.Equal([Blank, 0, 1, 2], joint.Predicted);
    }

    [Fact]
    public void At_most_max_symbols_per_frame_are_emitted_before_the_decoder_moves_on()
    {
        var joint = Joint(2, (0, 1, 0), (0, 1, 0), (0, 1, 0), (1, 2, 0), (1, 2, 0), (1, 2, 0));

        var tokens = Decode(joint, maxSymbolsPerFrame: 3);

        Assert.Equal([0, 0, 0, 1, 1, 1], joint.Visited);
        Assert.Equal(Enumerable.Repeat(new TimedToken(1, 0, 0), 3).Concat(Enumerable.Repeat(new TimedToken(2, 1, 1), 3)), tokens);
    }

    [Fact]
    public void The_default_is_five_symbols_per_frame()
    {
        var joint = Joint(1, Enumerable.Repeat((0, 1, 0), 5).ToArray());

        Assert.Equal(5, Decode(joint).Count);
        Assert.Equal(5, TdtGreedyDecoder.DefaultMaxSymbolsPerFrame);
    }

    [Fact]
    public void A_skip_resets_the_count_of_symbols_on_a_frame()
    {
        // Two tokens on frame 0, then a skip: frame 1 may again hold two.
        var joint = Joint(2, (0, 1, 0), (0, 1, 1), (1, 2, 0), (1, 2, 0));

        var tokens = Decode(joint, maxSymbolsPerFrame: 2);

        Assert.Equal([0, 0, 1, 1], joint.Visited);
        Assert.Equal(4, tokens.Count);
    }

    [Theory]
    [InlineData(0, 2, 2)]
    [InlineData(1, 2, 2)]
    [InlineData(2, 2, 3)]
    [InlineData(4, 2, 5)]
    public void A_token_spans_the_frames_its_duration_skips_and_at_least_its_own(int duration, int frame, int lastFrame)
    {
        var steps = new List<(int, int, int)> { (0, Blank, 2), (2, 1, duration) };
        if (duration == 0)
        {
            steps.Add((2, Blank, 0));
        }

        var tokens = Decode(Joint(frame + Math.Max(duration, 1), [.. steps]));

        Assert.Equal(new TimedToken(1, frame, lastFrame), Assert.Single(tokens));
    }

    [Fact]
    public void A_duration_past_the_end_stops_at_the_last_frame()
    {
        var tokens = Decode(Joint(3, (0, Blank, 2), (2, 1, 4)));

        Assert.Equal(new TimedToken(1, 2, 2), Assert.Single(tokens));
    }

    [Fact]
    public void Durations_are_frame_counts_looked_up_by_the_best_duration_score()
    {
        var joint = new ScriptedJoint(12, Tokens, 3, new ScriptedJoint.Step(0, 1, 2), new ScriptedJoint.Step(8, 0, 1), new ScriptedJoint.Step(11, Blank, 0));

        var tokens = TdtGreedyDecoder.Decode(joint, Tokens, Blank, [1, 3, 8]);

        Assert.Equal([0, 8, 11], joint.Visited);
        Assert.Equal([new TimedToken(1, 0, 7), new TimedToken(0, 8, 10)], tokens);
    }

    [Fact]
    public void No_frames_decode_to_nothing_and_never_run_the_joiner()
    {
        var joint = Joint(0);

        Assert.Empty(Decode(joint));
        Assert.Empty(joint.Visited);
        Assert.Equal([Blank], joint.Predicted);
    }

    [Fact]
    public void The_first_maximum_wins_a_tie()
    {
        var tokens = TdtGreedyDecoder.Decode(new FixedJoint([0f, 5f, 5f, 1f, 0f, 4f, 4f, 0f, 0f]), Tokens, Blank, TdtGreedyDecoder.DefaultDurations);

        Assert.Equal(new TimedToken(1, 0, 0), Assert.Single(tokens));
    }

    [Fact]
    public void A_joiner_giving_the_wrong_number_of_scores_is_reported()
    {
        var error = Assert.Throws<InvalidDataException>(
            () => TdtGreedyDecoder.Decode(new FixedJoint(new float[8]), Tokens, Blank, TdtGreedyDecoder.DefaultDurations));

        Assert.Equal("the joiner gave 8 scores at frame 0, expected 4 tokens + 5 durations", error.Message);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var joint = Joint(1, (0, Blank, 1));

        Assert.Throws<ArgumentOutOfRangeException>(() => TdtGreedyDecoder.Decode(joint, Tokens, Tokens, TdtGreedyDecoder.DefaultDurations));
        Assert.Throws<ArgumentException>(() => TdtGreedyDecoder.Decode(joint, Tokens, Blank, []));
        Assert.Throws<ArgumentException>(() => TdtGreedyDecoder.Decode(joint, Tokens, Blank, [1, -1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TdtGreedyDecoder.Decode(joint, Tokens, Blank, TdtGreedyDecoder.DefaultDurations, 0));
    }

    /// <summary>One frame whose scores are given; a token is emitted at most once (the prediction then turns to blank).</summary>
    private sealed class FixedJoint(float[] scores) : ITdtJoint
    {
        private bool predicted;

        public int Frames => 1;

        public void Predict(int token) => predicted = token != Blank;

        public ReadOnlySpan<float> Join(int frame) => predicted ? [0f, 0f, 0f, 1f, 0f, 1f, 0f, 0f, 0f] : scores;
    }
}
