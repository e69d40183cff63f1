using Muesli.Inference.Features;

namespace Muesli.Inference.Diarization;

/// <summary>
/// What one family of speaker-embedding exports takes and gives (spec/models.md "Speaker embeddings"): the tensor
/// names, the fbank it was trained on, and the <c>framework</c> its metadata names when it names one.
/// </summary>
public sealed record SpeakerEmbeddingRecipe(
    string Family,
    string Framework,
    string FeaturesInput,
    string EmbeddingOutput,
    KaldiFbankOptions Fbank)
{
    /// <summary>WeSpeaker ResNet34 (pyannote recipe): <c>feats</c> [B, T, 80] → <c>embs</c> [B, 256].</summary>
    public static readonly SpeakerEmbeddingRecipe WeSpeaker = new("wespeaker", "wespeaker", "feats", "embs", KaldiFbankOptions.WeSpeaker);

    /// <summary>3D-Speaker CAM++ (sherpa-onnx export): <c>x</c> [N, T, 80] → <c>embedding</c> [N, 512].</summary>
    public static readonly SpeakerEmbeddingRecipe CamPlusPlus = new("campplus", "3d-speaker", "x", "embedding", KaldiFbankOptions.CamPlusPlus);

    public static IReadOnlyList<SpeakerEmbeddingRecipe> All { get; } = [WeSpeaker, CamPlusPlus];

    /// <summary>The recipe of a manifest family, or null when no embedder knows it.</summary>
    public static SpeakerEmbeddingRecipe? ForFamily(string family) =>
        All.FirstOrDefault(r => r.Family.Equals(family, StringComparison.OrdinalIgnoreCase));
}
