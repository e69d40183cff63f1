namespace Muesli.Inference.Asr;

/// <summary>Reductions over one row of scores (logits or log-probabilities) that every greedy decoder takes. Pure.</summary>
internal static class Scores
{
    /// <summary>The index of the highest score; the first maximum wins a tie.</summary>
    public static int ArgMax(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>The highest score, −∞ for an empty span.</summary>
    public static double Max(ReadOnlySpan<float> scores)
    {
        var max = double.NegativeInfinity;
        foreach (var v in scores)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    /// <summary>log Σ exp(x), −∞ for an empty or all −∞ span.</summary>
    public static double LogSumExp(ReadOnlySpan<float> scores)
    {
        var max = Max(scores);
        if (double.IsNegativeInfinity(max))
        {
            return double.NegativeInfinity;
        }

        var sum = 0.0;
        foreach (var v in scores)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum);
    }
}
