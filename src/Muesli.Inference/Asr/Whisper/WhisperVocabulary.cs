namespace Muesli.Inference.Asr.Whisper;

/// <summary>A language Whisper knows: its code ("en", "de", …) and its token (&lt;|en|&gt;, …).</summary>
public sealed record WhisperLanguage(string Code, int Token);

/// <summary>
/// Whisper's token layout: text tokens 0..eot−1, then the special tokens (eot, sot, the languages, translate,
/// transcribe, startoflm, startofprev, nospeech, notimestamps), then 1501 timestamp tokens from
/// <c>notimestamps + 1</c> (0.00 s) to 30.00 s in steps of 0.02 s.
/// </summary>
public sealed record WhisperVocabulary
{
    public const double SecondsPerTimestamp = 0.02;

    /// <summary>0.00 s … 30.00 s.</summary>
    public const int TimestampCount = 1501;

    /// <summary>n_vocab: the logits of one step.</summary>
    public required int Size { get; init; }

    public required int EndOfText { get; init; }

    public required int StartOfTranscript { get; init; }

    public required int Transcribe { get; init; }

    public required int NoTimestamps { get; init; }

    /// <summary>&lt;|nospeech|&gt;, whose probability after sot says the window is silent; null when the model has none.</summary>
    public int? NoSpeech { get; init; }

    public required bool IsMultilingual { get; init; }

    public IReadOnlyList<WhisperLanguage> Languages { get; init; } = [];

    /// <summary>Symbols Whisper suppresses by default (music notes, brackets, …), from the export's metadata.</summary>
    public IReadOnlyList<int> NonSpeechTokens { get; init; } = [];

    public int TimestampBegin => NoTimestamps + 1;

    public bool IsTimestamp(int token) => token >= TimestampBegin;

    /// <summary>A token that stands for text: below eot.</summary>
    public bool IsText(int token) => token >= 0 && token < EndOfText;

    /// <summary>
    /// Tokens never sampled: every special token but eot (so also notimestamps) and the non-speech symbols. Unlike
    /// openai-whisper this includes the language tokens: after the prompt one is never text, and openai would print it
    /// ("&lt;|en|&gt;") if a model sampled it; suppressed, the next best token is sampled instead.
    /// </summary>
    public IEnumerable<int> AlwaysSuppressed()
    {
        for (var token = EndOfText + 1; token < TimestampBegin; token++)
        {
            yield return token;
        }

        foreach (var token in NonSpeechTokens)
        {
            yield return token;
        }
    }

    /// <summary>The token of a language code (case-insensitive), or null when the model does not know it.</summary>
    public int? LanguageToken(string code)
        => Languages.FirstOrDefault(l => l.Code.Equals(code, StringComparison.OrdinalIgnoreCase))?.Token;

    /// <summary>
    /// The start of every decoding, with timestamps on: [sot, language, transcribe] for a multilingual model,
    /// [sot] for an English-only one (which takes no language).
    /// </summary>
    public IReadOnlyList<int> Prompt(int? language)
    {
        if (!IsMultilingual)
        {
            return [StartOfTranscript];
        }

        return language is { } token
            ? [StartOfTranscript, token, Transcribe]
            : throw new ArgumentException("a multilingual model needs a language token in its prompt", nameof(language));
    }
}
