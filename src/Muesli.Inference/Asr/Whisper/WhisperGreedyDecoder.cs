namespace Muesli.Inference.Asr.Whisper;

/// <summary>
/// What one greedy decoding of a window produced. <see cref="Tokens"/> are the sampled tokens (text and timestamps),
/// eot excluded; <see cref="EndOfText"/> says whether eot ended them (else the length limit did).
/// <see cref="AverageLogProbability"/> is Whisper's: the sampled tokens' log-probabilities (eot included) summed and
/// divided by (tokens + 1). <see cref="NoSpeechProbability"/> is the probability of &lt;|nospeech|&gt; right after
/// sot, or null when the model has no such token.
/// </summary>
public sealed record WhisperDecoding(
    IReadOnlyList<int> Tokens,
    bool EndOfText,
    double? NoSpeechProbability,
    double AverageLogProbability);

/// <summary>
/// Whisper decoding over a step abstraction (no previous-text prompt): feed the prompt at offset 0, then one token per
/// run, as k2-fsa/sherpa-onnx scripts/whisper/test.py drives its export; filter each step's logits with
/// <see cref="WhisperLogitRules"/> and take the argmax at temperature 0, or draw from softmax(logits / temperature)
/// above it (<see cref="WhisperFallback"/> chooses the temperature). Pure apart from the decoder and generator it drives.
/// </summary>
public static class WhisperGreedyDecoder
{
    /// <summary>One run of [sot] at offset 0; the language token with the highest logit (the first one on a tie).</summary>
    public static WhisperLanguage DetectLanguage(IWhisperDecoderSteps decoder, WhisperVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        if (vocabulary.Languages.Count == 0)
        {
            throw new ArgumentException("the vocabulary lists no languages to detect", nameof(vocabulary));
        }

        var logits = Rows(decoder.Run([vocabulary.StartOfTranscript], 0), 1, vocabulary);
        var best = vocabulary.Languages[0];
        foreach (var language in vocabulary.Languages)
        {
            if (logits[language.Token] > logits[best.Token])
            {
                best = language;
            }
        }

        return best;
    }

    /// <param name="prompt">The start of the sequence (<see cref="WhisperVocabulary.Prompt"/>), fed at offset 0.</param>
    /// <param name="maxTokens">At most this many tokens are sampled; the prompt plus them must fit the text context.</param>
    /// <param name="temperature">0 for greedy decoding; above it, tokens are drawn with <paramref name="random"/>.</param>
    public static WhisperDecoding Decode(
        IWhisperDecoderSteps decoder, WhisperVocabulary vocabulary, IReadOnlyList<int> prompt, int maxTokens, double temperature = 0, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (prompt.Count == 0 || prompt[0] != vocabulary.StartOfTranscript)
        {
            throw new ArgumentException($"the prompt must start with sot ({vocabulary.StartOfTranscript})", nameof(prompt));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        if (!(temperature >= 0) || double.IsInfinity(temperature) || (temperature > 0 && random is null))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the temperature must be 0, or a finite number above 0 with a random generator");
        }

        var size = vocabulary.Size;
        var promptLogits = Rows(decoder.Run([.. prompt], 0), prompt.Count, vocabulary);
        // No speech is judged on the logits at sot, before any filter.
        double? noSpeech = vocabulary.NoSpeech is { } noSpeechToken
            ? Math.Exp(promptLogits[noSpeechToken] - Scores.LogSumExp(promptLogits[..size]))
            : null;

        var step = promptLogits[^size..].ToArray();
        var sampled = new List<int>();
        var sumLogProbability = 0.0;
        var endOfText = false;
        while (true)
        {
            WhisperLogitRules.Apply(step, sampled, vocabulary);
            var best = temperature > 0 ? Draw(step, temperature, random!) : Scores.ArgMax(step);
            if (float.IsNegativeInfinity(step[best]))
            {
                // The rules left nothing to say.
                endOfText = true;
                break;
            }

            sumLogProbability += step[best] - Scores.LogSumExp(step);
            if (best == vocabulary.EndOfText)
            {
                endOfText = true;
                break;
            }

            sampled.Add(best);
            if (sampled.Count == maxTokens)
            {
                break;
            }

            Rows(decoder.Run([best], prompt.Count + sampled.Count - 1), 1, vocabulary).CopyTo(step);
        }

        return new WhisperDecoding(sampled, endOfText, noSpeech, sumLogProbability / (sampled.Count + 1));
    }

    /// <summary>A token drawn from softmax(logits / temperature); suppressed tokens (−∞) are never drawn.</summary>
    private static int Draw(ReadOnlySpan<float> logits, double temperature, Random random)
    {
        var peak = logits[Scores.ArgMax(logits)];
        if (float.IsNegativeInfinity(peak))
        {
            return 0;
        }

        var total = 0.0;
        foreach (var logit in logits)
        {
            total += Math.Exp((logit - peak) / temperature);
        }

        var target = random.NextDouble() * total;
        var last = 0;
        for (var token = 0; token < logits.Length; token++)
        {
            if (float.IsNegativeInfinity(logits[token]))
            {
                continue;
            }

            last = token;
            target -= Math.Exp((logits[token] - peak) / temperature);
            if (target < 0)
            {
                return token;
            }
        }

        return last;
    }

    private static ReadOnlySpan<float> Rows(ReadOnlySpan<float> logits, int tokens, WhisperVocabulary vocabulary)
    {
        if (logits.Length != tokens * vocabulary.Size)
        {
            throw new InvalidDataException(
                $"the decoder returned {logits.Length} logits for {tokens} token(s); expected {tokens} × {vocabulary.Size}");
        }

        return logits;
    }
}
