using Muesli.Inference.Asr.Whisper;

namespace Muesli.Inference.Tests.Whisper;

public sealed class WhisperFallbackTests
{
    private const string Loop = "the the the the the the the the the the the the the the the the the the the the the the";
    private const string Sentence = "And so my fellow Americans, ask not what your country can do for you.";

    private static readonly WhisperOptions Options = new();

    [Fact]
    public void A_good_greedy_decoding_is_kept_without_a_second_try()
    {
        var tried = new List<double>();

        var decoding = WhisperFallback.Decode(t => Decoding(tried, t, 1, logProbability: -0.2), _ => Sentence, Options);

        Assert.Equal([0.0], tried);
        Assert.Equal([1], decoding.Tokens);
    }

    [Fact]
    public void A_repetition_loop_is_decoded_again_hotter_until_it_is_not_one()
    {
        var tried = new List<double>();

        var decoding = WhisperFallback.Decode(
            t => Decoding(tried, t, t < 0.3 ? 1 : 2, logProbability: -0.2), ids => ids[0] == 1 ? Loop : Sentence, Options);

        Assert.Equal([0.0, 0.2, 0.4], tried);
        Assert.Equal([2], decoding.Tokens);
    }

    [Fact]
    public void An_unsure_decoding_at_every_temperature_keeps_the_last()
    {
        var tried = new List<double>();

        var decoding = WhisperFallback.Decode(t => Decoding(tried, t, (int)(t * 10), logProbability: -3), _ => Sentence, Options);

        Assert.Equal(Options.Temperatures, tried);
        Assert.Equal([10], decoding.Tokens);
    }

    [Fact]
    public void Likely_silence_needs_no_second_try()
    {
        var tried = new List<double>();

        WhisperFallback.Decode(t => Decoding(tried, t, 1, logProbability: -3, noSpeech: 0.9), _ => Loop, Options);

        Assert.Equal([0.0], tried);
    }

    [Fact]
    public void Repetition_compresses_far_better_than_speech()
    {
        Assert.True(WhisperFallback.CompressionRatio(Loop) > Options.CompressionRatioThreshold);
        Assert.True(WhisperFallback.CompressionRatio(Sentence) < Options.CompressionRatioThreshold);
        Assert.Equal(0, WhisperFallback.CompressionRatio(string.Empty));
    }

    [Fact]
    public void No_temperature_is_refused()
    {
        Assert.Throws<ArgumentException>(() => WhisperFallback.Decode(_ => throw new InvalidOperationException(), _ => "", Options with { Temperatures = [] }));
    }

    private static WhisperDecoding Decoding(List<double> tried, double temperature, int token, double logProbability, double? noSpeech = 0.01)
    {
        tried.Add(temperature);
        return new WhisperDecoding([token], true, noSpeech, logProbability);
    }
}
