namespace Muesli.TestWorld;

/// <summary>
/// A DER and its parts, each a fraction of <see cref="ReferenceSeconds"/> (reference speech summed per speaker, so
/// two people talking at once count twice): <c>Total = Missed + FalseAlarm + Confusion</c>.
/// </summary>
public sealed record DerBreakdown(double Total, double Missed, double FalseAlarm, double Confusion, double ReferenceSeconds);

/// <summary>The scores the tone world measures: WER and DER.</summary>
public static class Scoring
{
    /// <summary>DER is scored on frames of this length (seconds).</summary>
    public const double DerFrameSeconds = 0.01;

    /// <summary>
    /// Word-level Levenshtein distance over the reference length (case-insensitive, punctuation ignored). With an
    /// empty reference, an empty hypothesis scores 0 and any other 1.
    /// </summary>
    public static double WordErrorRate(string reference, string hypothesis)
    {
        var expected = WordsOf(reference);
        var heard = WordsOf(hypothesis);
        if (expected.Length == 0)
        {
            return heard.Length == 0 ? 0 : 1;
        }

        return (double)EditDistance(expected, heard) / expected.Length;
    }

    /// <summary>Lower-cased words with punctuation removed, as WER compares them.</summary>
    public static string[] WordsOf(string text)
    {
        var kept = text.ToLowerInvariant().Where(c => !char.IsPunctuation(c) && !char.IsSymbol(c)).ToArray();
        return new string(kept).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// DER with an optimal one-to-one speaker mapping; <paramref name="collar"/> seconds around reference
    /// boundaries are not scored. Streams are ignored: a speaker is its label. With no reference speech, an empty
    /// hypothesis scores 0 and any other 1 (all false alarm).
    /// </summary>
    public static DerBreakdown DiarizationErrorRate(
        IReadOnlyList<TruthTurn> reference, IReadOnlyList<TruthTurn> hypothesis, double collar = 0)
    {
        var end = reference.Concat(hypothesis).Select(t => Frame(t.T1)).DefaultIfEmpty(0).Max();
        var scored = ScoredFrames(reference, end, collar);
        var referenceSpeakers = Activity(reference, end);
        var hypothesisSpeakers = Activity(hypothesis, end);

        var referenceCount = CountPerFrame(referenceSpeakers.Values, end);
        var hypothesisCount = CountPerFrame(hypothesisSpeakers.Values, end);
        long referenceFrames = 0, missed = 0, falseAlarm = 0, bothSpeaking = 0;
        for (var f = 0; f < end; f++)
        {
            if (!scored[f])
            {
                continue;
            }

            referenceFrames += referenceCount[f];
            missed += Math.Max(0, referenceCount[f] - hypothesisCount[f]);
            falseAlarm += Math.Max(0, hypothesisCount[f] - referenceCount[f]);
            bothSpeaking += Math.Min(referenceCount[f], hypothesisCount[f]);
        }

        var refs = referenceSpeakers.Values.ToArray();
        var hyps = hypothesisSpeakers.Values.ToArray();
        var agreement = new double[refs.Length, hyps.Length];
        for (var r = 0; r < refs.Length; r++)
        {
            for (var h = 0; h < hyps.Length; h++)
            {
                agreement[r, h] = SharedFrames(refs[r], hyps[h], scored);
            }
        }

        var mapping = Hungarian.MaximumWeightMatching(agreement);
        long matched = 0;
        for (var r = 0; r < refs.Length; r++)
        {
            if (mapping[r] >= 0)
            {
                matched += (long)agreement[r, mapping[r]];
            }
        }

        var confusion = bothSpeaking - matched;
        var referenceSeconds = referenceFrames * DerFrameSeconds;
        if (referenceFrames == 0)
        {
            var anything = falseAlarm > 0 ? 1 : 0;
            return new DerBreakdown(anything, 0, anything, 0, 0);
        }

        double Rate(long frames) => (double)frames / referenceFrames;
        return new DerBreakdown(Rate(missed + falseAlarm + confusion), Rate(missed), Rate(falseAlarm), Rate(confusion), referenceSeconds);
    }

    private static int Frame(double seconds) => (int)Math.Round(seconds / DerFrameSeconds);

    private static bool[] ScoredFrames(IReadOnlyList<TruthTurn> reference, int frames, double collar)
    {
        var scored = new bool[frames];
        Array.Fill(scored, true);
        if (collar <= 0)
        {
            return scored;
        }

        foreach (var turn in reference)
        {
            foreach (var boundary in new[] { turn.T0, turn.T1 })
            {
                for (var f = Math.Max(0, Frame(boundary - collar)); f < Math.Min(frames, Frame(boundary + collar)); f++)
                {
                    scored[f] = false;
                }
            }
        }

        return scored;
    }

    /// <summary>Per speaker, which frames they speak in (a speaker's own overlapping turns count once).</summary>
    private static Dictionary<string, bool[]> Activity(IReadOnlyList<TruthTurn> turns, int frames)
    {
        var activity = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        foreach (var turn in turns)
        {
            if (!activity.TryGetValue(turn.Speaker, out var speaking))
            {
                speaking = new bool[frames];
                activity[turn.Speaker] = speaking;
            }

            for (var f = Math.Max(0, Frame(turn.T0)); f < Math.Min(frames, Frame(turn.T1)); f++)
            {
                speaking[f] = true;
            }
        }

        return activity;
    }

    private static int[] CountPerFrame(IEnumerable<bool[]> speakers, int frames)
    {
        var count = new int[frames];
        foreach (var speaking in speakers)
        {
            for (var f = 0; f < frames; f++)
            {
                count[f] += speaking[f] ? 1 : 0;
            }
        }

        return count;
    }

    private static long SharedFrames(bool[] a, bool[] b, bool[] scored)
    {
        long shared = 0;
        for (var f = 0; f < a.Length; f++)
        {
            shared += scored[f] && a[f] && b[f] ? 1 : 0;
        }

        return shared;
    }

    private static int EditDistance(string[] reference, string[] hypothesis)
    {
        var previous = new int[hypothesis.Length + 1];
        var current = new int[hypothesis.Length + 1];
        for (var j = 0; j <= hypothesis.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= reference.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= hypothesis.Length; j++)
            {
                var substitution = previous[j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[hypothesis.Length];
    }
}
