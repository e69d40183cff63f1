using Muesli.Inference.Diarization.Sortformer;
using Muesli.Inference.Models;

namespace Muesli.Inference.Diarization;

/// <summary>The models a diarization backend is built from: <c>senko</c> needs segmentation + embedding, <c>sortformer</c> its own model
/// (and an embedding model, when installed, so its speakers can be linked across windows).</summary>
public sealed record DiarizationModels(InstalledModel? Segmentation, InstalledModel? Embedding, InstalledModel? Sortformer);

/// <summary>Makes the diarization engine a backend name selects (<c>--diar-backend senko|sortformer</c>).</summary>
public static class DiarizationEngines
{
    public const string Senko = SenkoDiarizer.BackendName;
    public const string Sortformer = SortformerDiarizer.Family;

    public static readonly IReadOnlyList<string> Backends = [Senko, Sortformer];

    /// <summary>The models the backend needs, from the catalog; throws naming what is missing.</summary>
    public static DiarizationModels Resolve(string backend, ModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Known(backend) switch
        {
            Senko => new DiarizationModels(
                Needed(catalog, Senko, ModelKinds.Segmentation, "a segmentation model"),
                Needed(catalog, Senko, ModelKinds.Embedding, "an embedding model"),
                Sortformer: null),

            _ => new DiarizationModels(
                Segmentation: null,
                Optional(catalog, ModelKinds.Embedding),
                Needed(catalog, Sortformer, ModelKinds.Diarization, "a sortformer model")),
        };
    }

    /// <param name="senko">The senko pipeline's numbers; its defaults when null.</param>
    public static IDiarizationEngine Create(string backend, DiarizationModels models, OnnxSessionFactory sessions, SenkoOptions? senko = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(sessions);
        return Known(backend) switch
        {
            Senko => CreateSenko(models, sessions, senko),
            _ => CreateSortformer(models, sessions),
        };
    }

    /// <summary>The embedding model of <paramref name="models"/>, for linking speakers across windows; null when none is installed.</summary>
    public static ISpeakerEmbedder? CreateEmbedder(DiarizationModels models, OnnxSessionFactory sessions)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(sessions);
        return models.Embedding is { } embedding ? LoadEmbedder(embedding, sessions) : null;
    }

    private static SenkoDiarizer CreateSenko(DiarizationModels models, OnnxSessionFactory sessions, SenkoOptions? options)
    {
        var segmentationModel = models.Segmentation
            ?? throw new ArgumentException("the senko diarization backend needs a segmentation model, and none was given", nameof(models));
        var embeddingModel = models.Embedding
            ?? throw new ArgumentException("the senko diarization backend needs an embedding model, and none was given", nameof(models));
        if (!segmentationModel.Entry.Family.Equals(PyannoteSegmentationModel.Family, StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException(
                $"segmentation model '{segmentationModel.Entry.Id}' is of family '{segmentationModel.Entry.Family}', which has no engine (supported: {PyannoteSegmentationModel.Family})");
        }

        options?.Validate();
        var path = segmentationModel.PathOf("model");
        var segmentation = new PyannoteSegmentation(new PyannoteSegmentationModel(sessions.Create(path, "segmentation"), path));
        SpeakerEmbedder? embedder = null;
        try
        {
            embedder = LoadEmbedder(embeddingModel, sessions);
            return new SenkoDiarizer(segmentation, embedder, options);
        }
        catch
        {
            segmentation.Dispose();
            embedder?.Dispose();
            throw;
        }
    }

    private static IDiarizationEngine CreateSortformer(DiarizationModels models, OnnxSessionFactory sessions)
    {
        var model = models.Sortformer
            ?? throw new ArgumentException("the sortformer diarization backend needs a sortformer model, and none was given", nameof(models));
        var embedder = CreateEmbedder(models, sessions);
        try
        {
            return new Owning(SortformerDiarizer.Load(model, sessions, embedder, options: null), embedder);
        }
        catch
        {
            embedder?.Dispose();
            throw;
        }
    }

    private static SpeakerEmbedder LoadEmbedder(InstalledModel model, OnnxSessionFactory sessions)
    {
        var recipe = SpeakerEmbeddingRecipe.ForFamily(model.Entry.Family) ?? throw new NotSupportedException(
            $"embedding model '{model.Entry.Id}' is of family '{model.Entry.Family}', which has no embedder (supported: {string.Join(", ", SpeakerEmbeddingRecipe.All.Select(r => r.Family))})");
        return SpeakerEmbedder.Load(model.Entry.Id, model.PathOf("model"), recipe, sessions);
    }

    private static InstalledModel Needed(ModelCatalog catalog, string backend, string kind, string what)
    {
        try
        {
            return catalog.Resolve(kind, null);
        }
        catch (ModelCatalogException e)
        {
            throw new ModelCatalogException($"the {backend} diarization backend needs {what}: {e.Message}");
        }
    }

    private static InstalledModel? Optional(ModelCatalog catalog, string kind)
    {
        try
        {
            return catalog.Resolve(kind, null);
        }
        catch (ModelCatalogException)
        {
            return null;
        }
    }

    private static string Known(string backend)
    {
        var known = Backends.FirstOrDefault(b => b.Equals(backend?.Trim(), StringComparison.OrdinalIgnoreCase));
        return known ?? throw new ArgumentException(
            $"unknown diarization backend '{backend}' (backends: {string.Join(", ", Backends)})", nameof(backend));
    }

    /// <summary>Sortformer borrows its embedder; this wrapper owns both.</summary>
    private sealed class Owning(IDiarizationEngine engine, ISpeakerEmbedder? embedder) : IDiarizationEngine
    {
        public string Name => engine.Name;

        public DiarizationResult Diarize(ReadOnlySpan<float> samples16k) => engine.Diarize(samples16k);

        public void Dispose()
        {
            engine.Dispose();
            embedder?.Dispose();
        }
    }
}
