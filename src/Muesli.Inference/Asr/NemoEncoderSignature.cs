using Microsoft.ML.OnnxRuntime.Tensors;

namespace Muesli.Inference.Asr;

/// <summary>
/// What a NeMo ASR encoder export (CTC or TDT) says about its front end and vocabulary: the features it takes on
/// <c>audio_signal</c> (or <c>feat_dim</c>), <c>subsampling_factor</c>, <c>normalize_type</c>, <c>vocab_size</c> and,
/// where the export declares it, <c>pos_emb_max_len</c>.
/// </summary>
internal static class NemoEncoderSignature
{
    public const string FeaturesInput = "audio_signal";
    public const string LengthInput = "length";
    public const int DefaultSubsamplingFactor = 8;

    /// <summary>NeMo's name for the length of the encoder's position table: the most encoder frames one pass holds.</summary>
    public const string PositionsMetadata = "pos_emb_max_len";

    /// <summary>F: mel bins the encoder takes (dim 1 of <c>audio_signal</c> f32 [N, F, T], or <c>feat_dim</c>).</summary>
    public static int Features(OnnxSignature encoder)
    {
        var input = encoder.Input(FeaturesInput, TensorElementType.Float, "f32 [N, F, T]", rank: 3);
        return encoder.FeatureCount(input, "input", FeaturesInput, axis: 1);
    }

    public static int SubsamplingFactor(OnnxSignature encoder)
        => encoder.PositiveMetadata("subsampling_factor") ?? DefaultSubsamplingFactor;

    /// <summary>
    /// The most encoder frames one pass holds, when the export declares it; null otherwise (sherpa-onnx's exports do not,
    /// though their table holds 5000 frames, which <see cref="LongAudioOptions.MaxChunkSeconds"/> stays under).
    /// </summary>
    public static int? MaxEncoderFrames(OnnxSignature encoder) => encoder.PositiveMetadata(PositionsMetadata);

    /// <summary>Whether the features are normalised per feature (the default) or left raw (<c>normalize_type</c> empty).</summary>
    public static bool NormalizePerFeature(OnnxSignature encoder)
    {
        if (!encoder.Metadata.TryGetValue("normalize_type", out var type))
        {
            return true;
        }

        return type.Trim() switch
        {
            "per_feature" => true,
            "" or "NA" or "None" => false,
            var other => throw new InvalidDataException(
                $"{encoder.Source}: metadata normalize_type '{other}' is not supported (supported: per_feature, or empty for none)"),
        };
    }

    // sherpa-onnx writes the decoder's vocab_size, which leaves the blank out; other exports count it, so either is accepted.
    public static void CheckVocabularySize(OnnxSignature encoder, TokenTable tokens)
    {
        if (encoder.PositiveMetadata("vocab_size") is { } vocabulary && vocabulary != tokens.Count && vocabulary != tokens.Count - 1)
        {
            throw new InvalidDataException(
                $"{encoder.Source}: metadata vocab_size is {vocabulary}, {tokens.Source} has {tokens.Count} tokens (the blank included)");
        }
    }
}
