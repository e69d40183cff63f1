using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Muesli.Inference.Features;

namespace Muesli.Inference.Asr.Whisper;

/// <summary>
/// A Whisper export in sherpa-onnx's layout (k2-fsa/sherpa-onnx scripts/whisper/export-onnx.py for the tensor names
/// and metadata keys; sherpa-onnx/csrc/offline-whisper-model.cc for the keys its runtime requires and
/// timestamp_begin = no_timestamps + 1):
/// <list type="bullet">
/// <item>encoder: <c>mel</c> f32 [N, n_mels, 3000] → <c>n_layer_cross_k</c>, <c>n_layer_cross_v</c> f32
/// [n_text_layer, N, n_audio_ctx, n_text_state]; the model's dimensions and special tokens are the encoder's
/// metadata;</item>
/// <item>decoder: <c>tokens</c> i64 [N, n], <c>in_n_layer_self_k_cache</c> / <c>in_n_layer_self_v_cache</c> f32
/// [n_text_layer, N, n_text_ctx, n_text_state], the cross caches, <c>offset</c> i64 [1] (the position of the first
/// token) → <c>logits</c> f32 [N, n, n_vocab], <c>out_n_layer_self_k_cache</c>, <c>out_n_layer_self_v_cache</c>
/// (the whole caches, updated at positions offset…offset+n−1).</item>
/// </list>
/// Validates both files and the tokens together at load, with messages naming the file, the tensor or key, what was
/// expected and what was found. Owns both sessions.
/// </summary>
public sealed class WhisperModel : IDisposable
{
    public const string MelInput = "mel";
    public const string CrossKey = "n_layer_cross_k";
    public const string CrossValue = "n_layer_cross_v";
    public const string TokensInput = "tokens";
    public const string SelfKeyInput = "in_n_layer_self_k_cache";
    public const string SelfValueInput = "in_n_layer_self_v_cache";
    public const string OffsetInput = "offset";
    public const string LogitsOutput = "logits";
    public const string SelfKeyOutput = "out_n_layer_self_k_cache";
    public const string SelfValueOutput = "out_n_layer_self_v_cache";

    private readonly InferenceSession encoder;
    private readonly InferenceSession decoder;

    /// <summary>Takes ownership of both sessions (disposes them, also when validation fails).</summary>
    public WhisperModel(InferenceSession encoder, string encoderSource, InferenceSession decoder, string decoderSource, WhisperTokens tokens)
    {
        this.encoder = encoder;
        this.decoder = decoder;
        EncoderSource = encoderSource;
        DecoderSource = decoderSource;
        try
        {
            var encoding = new OnnxSignature(encoder, encoderSource);
            var metadata = new Metadata(encoding);
            TextLayers = metadata.Positive("n_text_layer");
            TextContext = metadata.Positive("n_text_ctx");
            TextState = metadata.Positive("n_text_state");
            Vocabulary = ReadVocabulary(metadata, tokens);
            Features = ReadFeatures(encoding);
            ValidateEncoderOutputs(encoding);
            ValidateDecoder(new OnnxSignature(decoder, decoderSource));
        }
        catch
        {
            encoder.Dispose();
            decoder.Dispose();
            throw;
        }
    }

    public string EncoderSource { get; }

    public string DecoderSource { get; }

    /// <summary>Mel bins the encoder takes: 80, or 128 for large-v3.</summary>
    public int Features { get; }

    public int TextLayers { get; }

    /// <summary>n_text_ctx: positions in the decoder's self-attention cache (448).</summary>
    public int TextContext { get; }

    public int TextState { get; }

    public WhisperVocabulary Vocabulary { get; }

    /// <summary>Encodes one 30 s window of log-mel features, [Features, 3000].</summary>
    public WhisperEncoding Encode(FeatureMatrix mel)
    {
        ArgumentNullException.ThrowIfNull(mel);
        if (mel.Features != Features || mel.Frames != WhisperMelFrontEnd.ChunkFrames)
        {
            throw new ArgumentException(
                $"{EncoderSource}: takes [{Features}, {WhisperMelFrontEnd.ChunkFrames}] features, got [{mel.Features}, {mel.Frames}]", nameof(mel));
        }

        using var input = OrtValue.CreateTensorValueFromMemory(mel.Data, [1, mel.Features, mel.Frames]);
        using var runOptions = new RunOptions();
        var timing = StageClock.Time(StageClock.Inference);
        var outputs = encoder.Run(runOptions, [MelInput], [input], [CrossKey, CrossValue]);
        timing.Dispose();
        try
        {
            foreach (var (name, value) in new[] { CrossKey, CrossValue }.Zip(outputs))
            {
                var shape = value.GetTensorTypeAndShape().Shape;
                if (shape.Length != 4 || shape[0] != TextLayers || shape[1] != 1 || shape[2] < 1 || shape[3] != TextState)
                {
                    throw new InvalidDataException(
                        $"{EncoderSource}: output '{name}' should be [{TextLayers}, 1, n_audio_ctx, {TextState}], found [{string.Join(", ", shape)}]");
                }
            }

            return new WhisperEncoding(outputs);
        }
        catch
        {
            outputs.Dispose();
            throw;
        }
    }

    /// <summary>A decoder over <paramref name="encoding"/> with empty self-attention caches; the encoding must outlive it.</summary>
    public WhisperDecoderSession StartDecoding(WhisperEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        return new WhisperDecoderSession(decoder, DecoderSource, encoding, [TextLayers, 1, TextContext, TextState], Vocabulary.Size);
    }

    public void Dispose()
    {
        encoder.Dispose();
        decoder.Dispose();
    }

    private WhisperVocabulary ReadVocabulary(Metadata metadata, WhisperTokens tokens)
    {
        var size = metadata.Positive("n_vocab");
        var isMultilingual = metadata.Flag("is_multilingual");
        var vocabulary = new WhisperVocabulary
        {
            Size = size,
            EndOfText = metadata.Token("eot", size),
            StartOfTranscript = metadata.Token("sot", size),
            Transcribe = metadata.Token("transcribe", size),
            NoTimestamps = metadata.Token("no_timestamps", size),
            NoSpeech = metadata.Has("no_speech") ? metadata.Token("no_speech", size) : null,
            IsMultilingual = isMultilingual,
            Languages = ReadLanguages(metadata, isMultilingual, size),
            NonSpeechTokens = metadata.Has("non_speech_tokens") ? metadata.Tokens("non_speech_tokens", size) : [],
        };

        var needed = vocabulary.TimestampBegin + WhisperVocabulary.TimestampCount;
        if (size < needed)
        {
            throw new InvalidDataException(
                $"{EncoderSource}: metadata no_timestamps is {vocabulary.NoTimestamps}, so the {WhisperVocabulary.TimestampCount} timestamp tokens "
                + $"after it need n_vocab ≥ {needed}, but n_vocab is {size}");
        }

        if (tokens.Count != vocabulary.EndOfText)
        {
            throw new InvalidDataException(
                $"{tokens.Source} has {tokens.Count} text tokens, but {EncoderSource} has eot {vocabulary.EndOfText} "
                + "(text tokens are 0..eot−1): the tokens and the model must come from the same Whisper export");
        }

        return vocabulary;
    }

    private static List<WhisperLanguage> ReadLanguages(Metadata metadata, bool isMultilingual, int size)
    {
        if (!isMultilingual && !metadata.Has("all_language_tokens"))
        {
            return [];
        }

        var languageTokens = metadata.Tokens("all_language_tokens", size);
        var codes = metadata.Strings("all_language_codes");
        if (codes.Count != languageTokens.Count)
        {
            throw new InvalidDataException(
                $"{metadata.Source}: metadata all_language_tokens lists {languageTokens.Count} tokens but all_language_codes {codes.Count} codes");
        }

        return [.. codes.Zip(languageTokens, (code, token) => new WhisperLanguage(code, token))];
    }

    private int ReadFeatures(OnnxSignature encoding)
    {
        var mel = encoding.Input(MelInput, TensorElementType.Float, "f32 [N, n_mels, 3000]", rank: 3);
        var frames = mel.Dimensions[2];
        if (frames > 0 && frames != WhisperMelFrontEnd.ChunkFrames)
        {
            throw new InvalidDataException(
                $"{EncoderSource}: input '{MelInput}' takes {frames} frames, not the {WhisperMelFrontEnd.ChunkFrames} of a 30 s window");
        }

        return encoding.FeatureCount(mel, "input", MelInput, axis: 1, "n_mels", "mel bins", "mel");
    }

    private void ValidateEncoderOutputs(OnnxSignature encoding)
    {
        foreach (var name in new[] { CrossKey, CrossValue })
        {
            var output = encoding.Output(name, TensorElementType.Float, "f32 [n_text_layer, N, n_audio_ctx, n_text_state]", rank: 4);
            RequireDimension(encoding, "output", name, output, 0, TextLayers, "layers", "n_text_layer");
            RequireDimension(encoding, "output", name, output, 3, TextState, "state", "n_text_state");
        }
    }

    private void ValidateDecoder(OnnxSignature decoding)
    {
        decoding.Input(TokensInput, TensorElementType.Int64, "i64 [N, n]", rank: 2);
        decoding.Input(OffsetInput, TensorElementType.Int64, "i64 [1]", rank: 1);
        foreach (var (name, kind) in new[] { (SelfKeyInput, "input"), (SelfValueInput, "input"), (SelfKeyOutput, "output"), (SelfValueOutput, "output") })
        {
            const string selfCache = "f32 [n_text_layer, N, n_text_ctx, n_text_state]";
            var cache = kind == "input"
                ? decoding.Input(name, TensorElementType.Float, selfCache, rank: 4)
                : decoding.Output(name, TensorElementType.Float, selfCache, rank: 4);
            RequireDimension(decoding, kind, name, cache, 0, TextLayers, "layers", "n_text_layer");
            RequireDimension(decoding, kind, name, cache, 2, TextContext, "positions", "n_text_ctx");
            RequireDimension(decoding, kind, name, cache, 3, TextState, "state", "n_text_state");
        }

        foreach (var name in new[] { CrossKey, CrossValue })
        {
            var cross = decoding.Input(name, TensorElementType.Float, "f32 [n_text_layer, N, n_audio_ctx, n_text_state]", rank: 4);
            RequireDimension(decoding, "input", name, cross, 0, TextLayers, "layers", "n_text_layer");
            RequireDimension(decoding, "input", name, cross, 3, TextState, "state", "n_text_state");
        }

        var logits = decoding.Output(LogitsOutput, TensorElementType.Float, "f32 [N, n, n_vocab]", rank: 3);
        RequireDimension(decoding, "output", LogitsOutput, logits, 2, Vocabulary.Size, "classes", "n_vocab");
    }

    // The sizes come from the encoder's metadata, so the errors say so.
    private void RequireDimension(OnnxSignature signature, string kind, string name, NodeMetadata node, int axis, int expected, string meaning, string key)
        => signature.AxisAsDeclared(node, kind, name, axis, meaning, expected, $"{EncoderSource}'s metadata {key}");

    /// <summary>The encoder's metadata, read with errors that name the file and the key.</summary>
    private sealed class Metadata(OnnxSignature encoding)
    {
        public string Source => encoding.Source;

        public bool Has(string key) => encoding.Metadata.ContainsKey(key);

        public int Positive(string key) => encoding.PositiveMetadata(key) ?? throw Missing(key);

        public int Token(string key, int vocabularySize)
        {
            var text = Require(key);
            return ParseToken(key, text, vocabularySize);
        }

        public IReadOnlyList<int> Tokens(string key, int vocabularySize)
            => [.. List(key).Select(t => ParseToken(key, t, vocabularySize))];

        public IReadOnlyList<string> Strings(string key) => List(key);

        public bool Flag(string key) => Require(key).Trim() switch
        {
            "1" => true,
            "0" => false,
            var other => throw new InvalidDataException($"{encoding.Source}: metadata {key} should be 0 or 1, found '{other}'"),
        };

        private string[] List(string key)
            => Require(key).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        private int ParseToken(string key, string text, int vocabularySize)
            => int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var token) && token < vocabularySize
                ? token
                : throw new InvalidDataException($"{encoding.Source}: metadata {key} should hold token ids below n_vocab {vocabularySize}, found '{text}'");

        private string Require(string key) => encoding.Metadata.TryGetValue(key, out var text) ? text : throw Missing(key);

        private InvalidDataException Missing(string key) => new(
            $"{encoding.Source}: metadata has no '{key}' (the sherpa-onnx Whisper export writes the model's dimensions and special tokens on the encoder)");
    }
}
