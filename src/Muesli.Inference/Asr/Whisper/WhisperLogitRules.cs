namespace Muesli.Inference.Asr.Whisper;

/// <summary>
/// Whisper's logit filters for greedy decoding with timestamps (openai/whisper decoding.py: SuppressBlank,
/// SuppressTokens, ApplyTimestampRules), applied in place to one step's logits. Pure.
/// </summary>
public static class WhisperLogitRules
{
    /// <summary>The first timestamp may be at most 1.0 s (50 × 0.02 s), Whisper's max_initial_timestamp.</summary>
    public const int MaxInitialTimestampIndex = 50;

    /// <param name="logits">One step's logits over the whole vocabulary; filtered tokens become −∞.</param>
    /// <param name="sampled">The tokens sampled so far (after the prompt).</param>
    public static void Apply(Span<float> logits, IReadOnlyList<int> sampled, WhisperVocabulary vocabulary)
    {
        if (logits.Length != vocabulary.Size)
        {
            throw new ArgumentException($"expected {vocabulary.Size} logits, got {logits.Length}", nameof(logits));
        }

        foreach (var token in vocabulary.AlwaysSuppressed())
        {
            logits[token] = float.NegativeInfinity;
        }

        var timestampBegin = vocabulary.TimestampBegin;
        var timestamps = logits[timestampBegin..];
        if (sampled.Count == 0)
        {
            // The transcript opens with a timestamp of at most 1 s, which also keeps out SuppressBlank's blank and eot.
            logits[..timestampBegin].Fill(float.NegativeInfinity);
            timestamps[Math.Min(MaxInitialTimestampIndex + 1, timestamps.Length)..].Fill(float.NegativeInfinity);
        }
        else
        {
            ApplyPairing(logits, sampled, vocabulary);
        }

        // When all timestamps together are likelier than any single text token, say the time (both sides share the
        // softmax's normaliser, so raw logits compare as log-probabilities do).
        if (Scores.LogSumExp(timestamps) > Scores.Max(logits[..timestampBegin]))
        {
            logits[..timestampBegin].Fill(float.NegativeInfinity);
        }
    }

    // Timestamps come in pairs (a closing one then the next opening one), except right before eot, and never go back.
    private static void ApplyPairing(Span<float> logits, IReadOnlyList<int> sampled, WhisperVocabulary vocabulary)
    {
        var timestampBegin = vocabulary.TimestampBegin;
        var lastWasTimestamp = vocabulary.IsTimestamp(sampled[^1]);
        var penultimateWasTimestamp = sampled.Count < 2 || vocabulary.IsTimestamp(sampled[^2]);
        if (lastWasTimestamp && penultimateWasTimestamp)
        {
            logits[timestampBegin..].Fill(float.NegativeInfinity);
        }
        else if (lastWasTimestamp)
        {
            logits[..vocabulary.EndOfText].Fill(float.NegativeInfinity);
        }

        var lastTimestamp = -1;
        for (var i = sampled.Count - 1; i >= 0 && lastTimestamp < 0; i--)
        {
            if (vocabulary.IsTimestamp(sampled[i]))
            {
                lastTimestamp = sampled[i];
            }
        }

        if (lastTimestamp >= 0)
        {
            // A segment's end may equal the next one's start, but every segment lasts at least one step.
            var lowest = lastWasTimestamp && !penultimateWasTimestamp ? lastTimestamp : lastTimestamp + 1;
            logits[timestampBegin..Math.Min(lowest, logits.Length)].Fill(float.NegativeInfinity);
        }
    }
}
