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
            var metadata = new Metadata(encoderSource, encoder.ModelMetadata.CustomMetadataMap);
            TextLayers = metadata.Positive("n_text_layer");
            TextContext = metadata.Positive("n_text_ctx");
            TextState = metadata.Positive("n_text_state");
            Vocabulary = ReadVocabulary(metadata, tokens);
            Features = ReadFeatures(metadata);
            ValidateEncoderOutputs();
            ValidateDecoder();
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
        var outputs = encoder.Run(runOptions, [MelInput], [input], [CrossKey, CrossValue]);
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

    private int ReadFeatures(Metadata metadata)
    {
        var mel = RequireTensor(encoder.InputMetadata, EncoderSource, MelInput, "input", TensorElementType.Float, "f32 [N, n_mels, 3000]", rank: 3);
        var frames = mel.Dimensions[2];
        if (frames > 0 && frames != WhisperMelFrontEnd.ChunkFrames)
        {
            throw new InvalidDataException(
                $"{EncoderSource}: input '{MelInput}' takes {frames} frames, not the {WhisperMelFrontEnd.ChunkFrames} of a 30 s window");
        }

        int? declared = metadata.Has("n_mels") ? metadata.Positive("n_mels") : null;
        var fromShape = mel.Dimensions[1];
        if (fromShape > 0)
        {
            return declared is { } nMels && nMels != fromShape
                ? throw new InvalidDataException($"{EncoderSource}: input '{MelInput}' has {fromShape} mel bins, its metadata n_mels says {nMels}")
                : fromShape;
        }

        return declared ?? throw new InvalidDataException(
            $"{EncoderSource}: input '{MelInput}' has a dynamic mel axis and no 'n_mels' metadata, so the front end cannot know how many mel bins to make");
    }

    private void ValidateEncoderOutputs()
    {
        foreach (var name in new[] { CrossKey, CrossValue })
        {
            var output = RequireTensor(encoder.OutputMetadata, EncoderSource, name, "output", TensorElementType.Float, "f32 [n_text_layer, N, n_audio_ctx, n_text_state]", rank: 4);
            RequireDimension(EncoderSource, "output", name, output, 0, TextLayers, "layers", "n_text_layer");
            RequireDimension(EncoderSource, "output", name, output, 3, TextState, "state", "n_text_state");
        }
    }

    private void ValidateDecoder()
    {
        RequireTensor(decoder.InputMetadata, DecoderSource, TokensInput, "input", TensorElementType.Int64, "i64 [N, n]", rank: 2);
        RequireTensor(decoder.InputMetadata, DecoderSource, OffsetInput, "input", TensorElementType.Int64, "i64 [1]", rank: 1);
        foreach (var (name, kind, nodes) in new[]
        {
            (SelfKeyInput, "input", decoder.InputMetadata),
            (SelfValueInput, "input", decoder.InputMetadata),
            (SelfKeyOutput, "output", decoder.OutputMetadata),
            (SelfValueOutput, "output", decoder.OutputMetadata),
        })
        {
            var cache = RequireTensor(nodes, DecoderSource, name, kind, TensorElementType.Float, "f32 [n_text_layer, N, n_text_ctx, n_text_state]", rank: 4);
            RequireDimension(DecoderSource, kind, name, cache, 0, TextLayers, "layers", "n_text_layer");
            RequireDimension(DecoderSource, kind, name, cache, 2, TextContext, "positions", "n_text_ctx");
            RequireDimension(DecoderSource, kind, name, cache, 3, TextState, "state", "n_text_state");
        }

        foreach (var name in new[] { CrossKey, CrossValue })
        {
            var cross = RequireTensor(decoder.InputMetadata, DecoderSource, name, "input", TensorElementType.Float, "f32 [n_text_layer, N, n_audio_ctx, n_text_state]", rank: 4);
            RequireDimension(DecoderSource, "input", name, cross, 0, TextLayers, "layers", "n_text_layer");
            RequireDimension(DecoderSource, "input", name, cross, 3, TextState, "state", "n_text_state");
        }

        var logits = RequireTensor(decoder.OutputMetadata, DecoderSource, LogitsOutput, "output", TensorElementType.Float, "f32 [N, n, n_vocab]", rank: 3);
        RequireDimension(DecoderSource, "output", LogitsOutput, logits, 2, Vocabulary.Size, "classes", "n_vocab");
    }

    private void RequireDimension(string source, string kind, string name, NodeMetadata node, int axis, int expected, string meaning, string key)
    {
        var found = node.Dimensions[axis];
        if (found > 0 && found != expected)
        {
            throw new InvalidDataException(
                $"{source}: {kind} '{name}' has {found} {meaning} (axis {axis}), {EncoderSource}'s metadata {key} says {expected}");
        }
    }

    private static NodeMetadata RequireTensor(
        IReadOnlyDictionary<string, NodeMetadata> nodes, string source, string name, string kind, TensorElementType type, string expected, int rank)
    {
        if (!nodes.TryGetValue(name, out var node))
        {
            throw new InvalidDataException($"{source} has no {kind} named '{name}' ({kind}s: {string.Join(", ", nodes.Keys)})");
        }

        if (!node.IsTensor || node.ElementDataType != type || node.Dimensions.Length != rank)
        {
            var found = node.IsTensor
                ? $"{node.ElementDataType} [{string.Join(", ", node.Dimensions.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture)))}]"
                : node.OnnxValueType.ToString();
            throw new InvalidDataException($"{source}: {kind} '{name}' should be {expected}, found {found}");
        }

        return node;
    }

    /// <summary>The encoder's metadata, read with errors that name the file and the key.</summary>
    private sealed class Metadata(string source, IReadOnlyDictionary<string, string> values)
    {
        public string Source => source;

        public bool Has(string key) => values.ContainsKey(key);

        public int Positive(string key)
        {
            var text = Require(key);
            return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw new InvalidDataException($"{source}: metadata {key} should be a positive integer, found '{text}'");
        }

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
            var other => throw new InvalidDataException($"{source}: metadata {key} should be 0 or 1, found '{other}'"),
        };

        private string[] List(string key)
            => Require(key).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        private int ParseToken(string key, string text, int vocabularySize)
            => int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var token) && token < vocabularySize
                ? token
                : throw new InvalidDataException($"{source}: metadata {key} should hold token ids below n_vocab {vocabularySize}, found '{text}'");

        private string Require(string key) => values.TryGetValue(key, out var text)
            ? text
            : throw new InvalidDataException(
                $"{source}: metadata has no '{key}' (the sherpa-onnx Whisper export writes the model's dimensions and special tokens on the encoder)");
    }
}
