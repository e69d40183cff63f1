using Microsoft.ML.OnnxRuntime;
using Muesli.Core.Transcripts;
using Muesli.Inference.Features;

namespace Muesli.Inference.Asr.Whisper;

/// <summary>
/// Whisper speech recognition as openai-whisper's <c>transcribe</c> does it: one log-mel over the input followed by
/// 30 s of silence (so one clamp, to the loudest frame of the whole input), 30 s windows sought through it
/// (<see cref="WhisperWindows"/>), each cut from the log-mel and padded with zero frames → encoder → decoding with
/// timestamps and Whisper's temperature fallback (<see cref="WhisperFallback"/>) → segments on the input's clock →
/// words timed in proportion to their length (<see cref="WhisperWords"/>). A window judged silent yields no words.
/// Not thread-safe (one engine per pipeline).
/// </summary>
public sealed class WhisperEngine : IAsrEngine
{
    public const string Family = "whisper";

    private readonly WhisperModel model;
    private readonly WhisperTokens tokens;
    private readonly WhisperOptions options;
    private readonly WhisperMelFrontEnd frontEnd;
    private readonly int? language;
    private readonly int maxTokens;

    public WhisperEngine(string name, WhisperModel model, WhisperTokens tokens, WhisperOptions? options = null)
    {
        Name = name;
        this.model = model;
        this.tokens = tokens;
        this.options = options ?? new WhisperOptions();
        frontEnd = new WhisperMelFrontEnd(model.Features);
        language = ChooseLanguage(model, this.options.Language);

        // Whisper samples at most half the text context per window (its sample_len); the prompt takes at most 3.
        maxTokens = Math.Max(1, Math.Min(model.TextContext / 2, model.TextContext - 3));
    }

    public string Name { get; }

    /// <summary>Reads the tokens, opens the encoder and decoder with <paramref name="sessions"/> (roles "encoder", "decoder") and validates them together.</summary>
    public static WhisperEngine Load(
        string name, string encoderPath, string decoderPath, string tokensPath, OnnxSessionFactory sessions, WhisperOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var tokens = WhisperTokens.Load(tokensPath);
        var encoder = sessions.Create(encoderPath, "encoder");
        InferenceSession decoder;
        try
        {
            decoder = sessions.Create(decoderPath, "decoder");
        }
        catch
        {
            encoder.Dispose();
            throw;
        }

        var model = new WhisperModel(encoder, encoderPath, decoder, decoderPath, tokens);
        try
        {
            return new WhisperEngine(name, model, tokens, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public IReadOnlyList<Word> Transcribe(ReadOnlySpan<float> samples16k)
    {
        var padded = new float[samples16k.Length + WhisperWindows.WindowSamples];
        samples16k.CopyTo(padded);
        var mel = frontEnd.Compute(padded);
        var segments = WhisperWindows.Transcribe(samples16k.Length, model.Vocabulary, window => DecodeWindow(mel, window));
        return [.. segments.SelectMany(s => WhisperWords.Split(tokens.Decode(s.Tokens), s.Start, s.End))];
    }

    public void Dispose() => model.Dispose();

    private static int? ChooseLanguage(WhisperModel model, string code)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        var vocabulary = model.Vocabulary;
        if (!vocabulary.IsMultilingual || code.Equals(WhisperOptions.DetectLanguage, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return vocabulary.LanguageToken(code) ?? throw new ArgumentException(
            $"{model.EncoderSource} does not know language '{code}' (languages: {string.Join(", ", vocabulary.Languages.Select(l => l.Code))}, or {WhisperOptions.DetectLanguage})",
            nameof(code));
    }

    private List<int>? DecodeWindow(FeatureMatrix mel, WhisperWindow window)
    {
        var first = window.FirstSample / WhisperMelFrontEnd.HopLength;
        using var encoding = model.Encode(WhisperMelFrontEnd.Window(mel, first, WhisperMelFrontEnd.FrameCount(window.Samples)));
        var vocabulary = model.Vocabulary;
        int? prompted = null;
        if (vocabulary.IsMultilingual)
        {
            using var detector = model.StartDecoding(encoding);
            prompted = language ?? WhisperGreedyDecoder.DetectLanguage(detector, vocabulary).Token;
        }

        // Sampling above temperature 0 draws from a generator seeded by the window, so a transcript is repeatable.
        var random = new Random(window.FirstSample);
        var decoding = WhisperFallback.Decode(
            temperature =>
            {
                using var decoder = model.StartDecoding(encoding);
                return WhisperGreedyDecoder.Decode(decoder, vocabulary, vocabulary.Prompt(prompted), maxTokens, temperature, random);
            },
            ids => tokens.Decode(ids.Where(vocabulary.IsText)),
            options);

        // Whisper's rule: likely silence and an unsure transcript together mean no speech.
        var silent = decoding.NoSpeechProbability > options.NoSpeechThreshold
            && decoding.AverageLogProbability < options.LogProbabilityThreshold;
        return silent ? null : [.. decoding.Tokens];
    }
}
