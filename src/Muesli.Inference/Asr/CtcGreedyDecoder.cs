namespace Muesli.Inference.Asr;

/// <summary>Greedy CTC: argmax per frame, collapse repeats, drop the blank. Pure.</summary>
public static class CtcGreedyDecoder
{
    /// <param name="logits">Row-major [frames, classes] scores (log-probabilities or logits: only the argmax counts).</param>
    /// <returns>One token per run of equal non-blank argmaxes; a blank between two equal ones separates them.</returns>
    public static IReadOnlyList<TimedToken> Decode(ReadOnlySpan<float> logits, int frames, int classes, int blankId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (logits.Length != frames * classes)
        {
            throw new ArgumentException($"expected {frames}×{classes} = {frames * classes} scores, got {logits.Length}", nameof(logits));
        }

        if (blankId < 0 || blankId >= classes)
        {
            throw new ArgumentOutOfRangeException(nameof(blankId), blankId, $"the blank must be one of the {classes} classes");
        }

        var tokens = new List<TimedToken>();
        var previous = blankId;
        for (var t = 0; t < frames; t++)
        {
            var best = Scores.ArgMax(logits.Slice(t * classes, classes));
            if (best != blankId)
            {
                if (best == previous)
                {
                    tokens[^1] = tokens[^1] with { LastFrame = t };
                }
                else
                {
                    tokens.Add(new TimedToken(best, t, t));
                }
            }

            previous = best;
        }

        return tokens;
    }
}
