namespace Muesli.TestWorld;

public sealed record DerBreakdown(double Total, double Missed, double FalseAlarm, double Confusion, double ReferenceSeconds);

/// <summary>The scores the tone world measures: WER and DER.</summary>
public static class Scoring
{
    /// <summary>Word-level Levenshtein distance over the reference length (case-insensitive, punctuation ignored).</summary>
    public static double WordErrorRate(string reference, string hypothesis) => throw new NotImplementedException();

    /// <summary>DER with an optimal one-to-one speaker mapping; <paramref name="collar"/> seconds around reference
    /// boundaries are not scored.</summary>
    public static DerBreakdown DiarizationErrorRate(
        IReadOnlyList<TruthTurn> reference, IReadOnlyList<TruthTurn> hypothesis, double collar = 0)
        => throw new NotImplementedException();
}
