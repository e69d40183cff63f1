using Muesli.Inference.Models;

namespace Muesli.Inference.Diarization;

/// <summary>The models a diarization backend is built from: <c>senko</c> needs segmentation + embedding, <c>sortformer</c> its own model
/// (and an embedding model, when installed, so its speakers can be linked across windows).</summary>
public sealed record DiarizationModels(InstalledModel? Segmentation, InstalledModel? Embedding, InstalledModel? Sortformer);

/// <summary>Makes the diarization engine a backend name selects (<c>--diar-backend senko|sortformer</c>).</summary>
public static class DiarizationEngines
{
    public static readonly IReadOnlyList<string> Backends = ["senko", "sortformer"];

    /// <summary>The models the backend needs, from the catalog; throws naming what is missing.</summary>
    public static DiarizationModels Resolve(string backend, ModelCatalog catalog) => throw new NotImplementedException();

    public static IDiarizationEngine Create(string backend, DiarizationModels models, OnnxSessionFactory sessions)
        => throw new NotImplementedException();

    /// <summary>The embedding model of <paramref name="models"/>, for linking speakers across windows; null when none is installed.</summary>
    public static ISpeakerEmbedder? CreateEmbedder(DiarizationModels models, OnnxSessionFactory sessions)
        => throw new NotImplementedException();
}
