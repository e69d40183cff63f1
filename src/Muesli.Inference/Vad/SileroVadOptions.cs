namespace Muesli.Inference.Vad;

/// <summary>
/// Silero's usual post-processing of speech probabilities (its <c>get_speech_timestamps</c> defaults): speech starts at a
/// frame at or above <see cref="Threshold"/>, ends after <see cref="MinSilenceSeconds"/> below the negative threshold,
/// is kept when longer than <see cref="MinSpeechSeconds"/>, and is padded by <see cref="SpeechPadSeconds"/> each side.
/// </summary>
public sealed record SileroVadOptions
{
    public static readonly SileroVadOptions Default = new();

    public float Threshold { get; init; } = 0.5f;

    /// <summary>Below this a frame counts as silence; null means <see cref="Threshold"/> − 0.15 (at least 0.01).</summary>
    public float? NegativeThreshold { get; init; }

    public double MinSpeechSeconds { get; init; } = 0.25;

    public double MinSilenceSeconds { get; init; } = 0.1;

    public double SpeechPadSeconds { get; init; } = 0.03;

    /// <summary>The negative threshold in use: <see cref="NegativeThreshold"/> or the one derived from <see cref="Threshold"/>.</summary>
    public float EffectiveNegativeThreshold => NegativeThreshold ?? MathF.Max(Threshold - 0.15f, 0.01f);

    /// <summary>Throws naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(Threshold is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "the speech threshold must be in (0, 1]");
        }

        if (!(EffectiveNegativeThreshold >= 0 && EffectiveNegativeThreshold <= Threshold))
        {
            throw new ArgumentOutOfRangeException(
                nameof(NegativeThreshold), NegativeThreshold, $"the negative threshold must be in [0, {Threshold}] (the speech threshold)");
        }

        SettingChecks.RequireSeconds(MinSpeechSeconds, nameof(MinSpeechSeconds));
        SettingChecks.RequireSeconds(MinSilenceSeconds, nameof(MinSilenceSeconds));
        SettingChecks.RequireSeconds(SpeechPadSeconds, nameof(SpeechPadSeconds));
    }
}
