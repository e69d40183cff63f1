namespace Muesli.Inference.Asr.Whisper;

/// <summary>How the Whisper engine decodes; the defaults are Whisper's own.</summary>
public sealed record WhisperOptions
{
    public const string DetectLanguage = "auto";

    /// <summary>A language code ("en", "de", …) or "auto" to detect it per window. English-only models ignore it.</summary>
    public string Language { get; init; } = DetectLanguage;

    /// <summary>A window is silent when p(&lt;|nospeech|&gt;) exceeds this and the decoding is unsure (below).</summary>
    public double NoSpeechThreshold { get; init; } = 0.6;

    /// <summary>A decoding at least this sure (average log-probability) is kept even when no-speech is likely.</summary>
    public double LogProbabilityThreshold { get; init; } = -1.0;

    /// <summary>A transcript whose text compresses better than this (zlib) is a repetition loop: decode again hotter.</summary>
    public double CompressionRatioThreshold { get; init; } = 2.4;

    /// <summary>Temperatures tried in turn until a decoding passes both checks; the first is greedy.</summary>
    public IReadOnlyList<double> Temperatures { get; init; } = [0, 0.2, 0.4, 0.6, 0.8, 1.0];
}
