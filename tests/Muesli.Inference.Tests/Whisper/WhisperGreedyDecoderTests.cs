using Muesli.Inference.Asr.Whisper;
using static Muesli.Inference.Tests.Whisper.TestVocabulary;

namespace Muesli.Inference.Tests.Whisper;

public sealed class WhisperGreedyDecoderTests
{
    private static readonly WhisperVocabulary EnglishOnly = Create();

    private static WhisperDecoding Decode(ScriptedSteps steps, WhisperVocabulary? vocabulary = null, int maxTokens = 100)
    {
        vocabulary ??= EnglishOnly;
        return WhisperGreedyDecoder.Decode(steps, vocabulary, vocabulary.Prompt(vocabulary.IsMultilingual ? English : null), maxTokens);
    }

    /// <summary>Rows by sampling step (step 0 is the row of the prompt's last token); eot-favouring rows afterwards.</summary>
    private static ScriptedSteps Steps(params float[][] rows)
        => new(Size, p => p < rows.Length ? rows[p] : ScriptedSteps.Row(Size, (Eot, 10f)));

    private static float[] Row(params (int Token, float Logit)[] logits) => ScriptedSteps.Row(Size, logits);

    [Fact]
    public void Decoding_stops_at_eot_and_feeds_each_sampled_token_at_the_next_position()
    {
        var script = new[] { At(0), 1, 2, At(1), At(1), 3, At(2.5) };
        var steps = ScriptedSteps.Following(script);

        var decoding = Decode(steps);

        Assert.Equal(script, decoding.Tokens);
        Assert.True(decoding.EndOfText);
        Assert.Equal(
            script.Select((token, i) => $"{token}@{i + 1}").Prepend($"{Sot}@0"),
            steps.Runs.Select(r => $"{string.Join(",", r.Tokens)}@{r.Offset}"));
    }

    [Fact]
    public void A_multilingual_prompt_is_fed_whole_at_offset_zero_and_sampling_reads_its_last_row()
    {
        var vocabulary = Create(multilingual: true);
        var steps = ScriptedSteps.Following([At(0), 4, At(0.5)], promptLength: 3);

        var decoding = WhisperGreedyDecoder.Decode(steps, vocabulary, vocabulary.Prompt(German), maxTokens: 100);

        Assert.Equal([Sot, German, Transcribe], steps.Runs[0].Tokens);
        Assert.Equal(0, steps.Runs[0].Offset);
        Assert.Equal([At(0), 4, At(0.5)], decoding.Tokens);
        Assert.Equal(3, steps.Runs[1].Offset);
    }

    [Fact]
    public void Above_temperature_zero_tokens_are_drawn_from_the_softmax_and_suppressed_ones_never()
    {
        // After an opening timestamp, text tokens 3 and 4 are equally likely; eot and the suppressed sot are likelier but barred or low.
        var drawn = Enumerable.Range(0, 40).Select(seed =>
        {
            var steps = Steps(Row((At(0), 10f)), Row((3, 5f), (4, 5f), (Sot, 50f)));
            return WhisperGreedyDecoder.Decode(steps, EnglishOnly, EnglishOnly.Prompt(null), maxTokens: 2, temperature: 1.0, random: new Random(seed)).Tokens[1];
        }).ToArray();

        Assert.Contains(3, drawn);
        Assert.Contains(4, drawn);
        Assert.DoesNotContain(Sot, drawn);
        Assert.All(drawn, t => Assert.True(t is 3 or 4, $"drew {t}"));
    }

    [Fact]
    public void Sampling_needs_a_generator_and_a_finite_temperature()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WhisperGreedyDecoder.Decode(Steps(), EnglishOnly, EnglishOnly.Prompt(null), 1, temperature: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => WhisperGreedyDecoder.Decode(Steps(), EnglishOnly, EnglishOnly.Prompt(null), 1, temperature: -1, random: new Random(1)));
    }

    [Fact]
    public void The_first_token_is_a_timestamp_of_at_most_one_second_never_text_blank_or_eot()
    {
        var steps = Steps(Row((Eot, 30f), (0, 25f), (3, 20f), (At(2), 15f), (At(0.4), 5f)), Row((3, 10f)));

        var decoding = Decode(steps);

        Assert.Equal(At(0.4), decoding.Tokens[0]);
    }

    [Fact]
    public void The_first_timestamp_may_be_exactly_one_second()
    {
        var steps = Steps(Row((At(1.02), 15f), (At(1), 5f)), Row((3, 10f)));

        Assert.Equal(At(1), Decode(steps).Tokens[0]);
    }

    [Fact]
    public void After_an_opening_timestamp_comes_text_not_another_timestamp()
    {
        var steps = Steps(Row((At(0), 10f)), Row((At(0.5), 20f), (3, 5f)));

        Assert.Equal([At(0), 3], Decode(steps).Tokens.Take(2));
    }

    [Fact]
    public void After_a_closing_timestamp_comes_a_timestamp_or_eot_not_text()
    {
        var steps = Steps(Row((At(0), 10f)), Row((3, 10f)), Row((At(0.5), 10f)), Row((4, 20f), (Eot, 5f)));

        var decoding = Decode(steps);

        Assert.Equal([At(0), 3, At(0.5)], decoding.Tokens);
        Assert.True(decoding.EndOfText);
    }

    [Fact]
    public void A_segment_closes_later_than_it_opened()
    {
        var steps = Steps(Row((At(0.5), 10f)), Row((3, 10f)), Row((At(0.5), 20f), (At(0.2), 15f), (At(0.7), 5f)));

        Assert.Equal(At(0.7), Decode(steps).Tokens[2]);
    }

    [Fact]
    public void The_next_segment_may_open_where_the_last_closed_but_not_before()
    {
        var steps = Steps(
            Row((At(0), 10f)), Row((3, 10f)), Row((At(0.5), 10f)), Row((At(0.2), 20f), (At(0.5), 5f)), Row((4, 10f)));

        Assert.Equal([At(0), 3, At(0.5), At(0.5), 4], Decode(steps).Tokens);
    }

    [Fact]
    public void When_timestamps_together_outweigh_every_text_token_a_timestamp_is_sampled()
    {
        // Inside a segment that opened at 0.00: each allowed timestamp (0.02 s … 30 s) at 0.5 is less than the text
        // token's 4, but 1500 of them together are far likelier; the first allowed one wins the argmax among them.
        var timestamps = Enumerable.Range(At(0.02), 1500).Select(t => (t, 0.5f));
        var steps = Steps(Row((At(0), 10f)), Row((3, 10f)), Row([(4, 4f), .. timestamps]));

        Assert.Equal(At(0.02), Decode(steps).Tokens[2]);
    }

    [Fact]
    public void A_text_token_likelier_than_all_timestamps_together_is_kept()
    {
        var steps = Steps(Row((At(0), 10f)), Row((3, 10f)), Row((4, 4f), (At(1), 0.5f)));

        Assert.Equal(4, Decode(steps).Tokens[2]);
    }

    [Fact]
    public void Special_tokens_other_than_eot_are_never_sampled()
    {
        var specials = new[] { Sot, English, German, Translate, Transcribe, 17, 18, NoSpeech, NoTimestamps };
        var steps = Steps(Row((At(0), 10f)), Row([.. specials.Select(s => (s, 30f)), (5, 1f)]));

        Assert.Equal(5, Decode(steps).Tokens[1]);
    }

    [Fact]
    public void Non_speech_tokens_of_the_vocabulary_are_suppressed()
    {
        var steps = Steps(Row((At(0), 10f)), Row((7, 30f), (5, 1f)));

        Assert.Equal(7, Decode(steps).Tokens[1]);
        Assert.Equal(5, Decode(steps, Create(nonSpeech: [7])).Tokens[1]);
    }

    [Fact]
    public void Decoding_stops_after_max_tokens_without_eot()
    {
        var steps = new ScriptedSteps(Size, p => p == 0 ? Row((At(0), 10f)) : Row((3, 10f)));

        var decoding = Decode(steps, maxTokens: 5);

        Assert.Equal([At(0), 3, 3, 3, 3], decoding.Tokens);
        Assert.False(decoding.EndOfText);
        Assert.Equal(5, steps.Runs.Count);
        Assert.Equal(4, steps.Runs[^1].Offset);
    }

    [Fact]
    public void No_speech_probability_is_the_softmax_at_sot_before_any_filter()
    {
        var vocabulary = Create(multilingual: true);
        var sotRow = Row((NoSpeech, 3f), (Eot, 2f), (1, 1f));
        var steps = new ScriptedSteps(Size, p => p == 0 ? sotRow : Row((At(0), 10f)));

        var decoding = WhisperGreedyDecoder.Decode(steps, vocabulary, vocabulary.Prompt(English), maxTokens: 1);

        var expected = Math.Exp(3) / (Math.Exp(3) + Math.Exp(2) + Math.Exp(1) + ((Size - 3) * Math.Exp(ScriptedSteps.Low)));
        Assert.Equal(expected, decoding.NoSpeechProbability!.Value, 1e-9);
    }

    [Fact]
    public void No_speech_probability_is_absent_when_the_model_has_no_such_token()
    {
        var decoding = Decode(ScriptedSteps.Following([At(0)]), EnglishOnly with { NoSpeech = null });

        Assert.Null(decoding.NoSpeechProbability);
    }

    [Fact]
    public void Average_log_probability_counts_eot_and_divides_by_tokens_plus_one()
    {
        var decoding = Decode(ScriptedSteps.Following([At(0), 3]));

        // Allowed after the filters: step 0 the 51 timestamps of the first second; step 1 the 10 text tokens and eot;
        // step 2 the 10 text tokens, eot and the 1500 timestamps after 0.00. The winner has 10, the others −10.
        static double LogP(int competitors) => 10 - Math.Log(Math.Exp(10) + (competitors * Math.Exp(-10)));
        var expected = (LogP(50) + LogP(10) + LogP(1510)) / 3;
        Assert.Equal(expected, decoding.AverageLogProbability, 1e-9);
    }

    [Fact]
    public void Language_detection_runs_sot_alone_and_picks_the_likeliest_language()
    {
        var steps = new ScriptedSteps(Size, _ => Row((3, 50f), (English, 1f), (German, 7f), (French, 6f)));

        var language = WhisperGreedyDecoder.DetectLanguage(steps, Create(multilingual: true));

        Assert.Equal(new WhisperLanguage("de", German), language);
        Assert.Equal([Sot], Assert.Single(steps.Runs).Tokens);
        Assert.Equal(0, steps.Runs[0].Offset);
    }

    [Fact]
    public void Language_detection_takes_the_first_language_on_a_tie()
    {
        var steps = new ScriptedSteps(Size, _ => Row((English, 2f), (German, 2f)));

        Assert.Equal("en", WhisperGreedyDecoder.DetectLanguage(steps, Create(multilingual: true)).Code);
    }

    [Fact]
    public void A_prompt_that_does_not_start_with_sot_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(
            () => WhisperGreedyDecoder.Decode(ScriptedSteps.Following([]), EnglishOnly, [Transcribe], maxTokens: 5));

        Assert.Contains("must start with sot", error.Message);
    }

    [Fact]
    public void Logits_of_the_wrong_size_are_reported()
    {
        var steps = new ScriptedSteps(Size - 1, _ => new float[Size - 1]);

        var error = Assert.Throws<InvalidDataException>(() => Decode(steps));

        Assert.Equal($"the decoder returned {Size - 1} logits for 1 token(s); expected 1 × {Size}", error.Message);
    }
}
