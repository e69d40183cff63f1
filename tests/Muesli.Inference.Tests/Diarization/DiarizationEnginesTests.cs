using Muesli.Inference.Diarization;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Models;
using Muesli.Inference.Tests.Support;
using Muesli.TestWorld.StandIns;

namespace Muesli.Inference.Tests.Diarization;

public sealed class DiarizationEnginesTests(StandInModelsFolder standIns) : IClassFixture<StandInModelsFolder>, IDisposable
{
    private readonly ModelFolder folder = new();
    private readonly OnnxSessionFactory sessions = new(DeviceOptions.Cpu);

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Senko_resolves_the_default_segmentation_and_embedding_models()
    {
        var models = DiarizationEngines.Resolve("senko", standIns.Catalog);

        Assert.Equal(ToneSegmentationModel.Id, models.Segmentation?.Entry.Id);
        Assert.Equal(ToneEmbeddingModel.Id, models.Embedding?.Entry.Id);
        Assert.Null(models.Sortformer);
    }

    [Fact]
    public void Backend_names_ignore_case()
        => Assert.Equal(ToneSegmentationModel.Id, DiarizationEngines.Resolve("Senko", standIns.Catalog).Segmentation?.Entry.Id);

    [Fact]
    public void A_missing_segmentation_model_is_named_with_what_to_fetch()
    {
        using var empty = new ModelFolder();

        var error = Assert.Throws<ModelCatalogException>(() => DiarizationEngines.Resolve("senko", ModelCatalog.Open(empty.Path)));

        Assert.StartsWith("the senko diarization backend needs a segmentation model: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("pyannote-segmentation-3.0", error.Message);
        Assert.Contains("missing model.onnx", error.Message);
    }

    [Fact]
    public void A_missing_embedding_model_is_named_with_what_to_fetch()
    {
        using var partial = new ModelFolder();
        File.Copy(
            System.IO.Path.Combine(standIns.Path, "models.json"),
            partial.PathOf("models.json"));
        var segmentation = standIns.Catalog.Resolve("segmentation", null);
        partial.Write(System.IO.Path.Combine(ToneSegmentationModel.Id, "model.onnx"), File.ReadAllBytes(segmentation.PathOf("model")));

        var error = Assert.Throws<ModelCatalogException>(() => DiarizationEngines.Resolve("senko", ModelCatalog.Open(partial.Path)));

        Assert.StartsWith("the senko diarization backend needs an embedding model: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(ToneEmbeddingModel.Id, error.Message);
    }

    [Fact]
    public void An_unknown_backend_is_named_with_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => DiarizationEngines.Resolve("nemo-msdd", standIns.Catalog));

        Assert.StartsWith("unknown diarization backend 'nemo-msdd' (backends: senko, sortformer)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sortformer_names_the_model_it_needs_when_none_is_installed()
    {
        var error = Assert.Throws<ModelCatalogException>(() => DiarizationEngines.Resolve("sortformer", standIns.Catalog));
        Assert.StartsWith("the sortformer diarization backend needs a sortformer model: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(
            "needs a sortformer model",
            Assert.Throws<ArgumentException>(() => DiarizationEngines.Create("sortformer", new DiarizationModels(null, null, null), sessions)).Message);
    }

    [Fact]
    public void Senko_builds_from_the_resolved_models_with_one_session_each()
    {
        using var engine = DiarizationEngines.Create("senko", DiarizationEngines.Resolve("senko", standIns.Catalog), sessions);

        Assert.IsType<SenkoDiarizer>(engine);
        Assert.Equal("senko", engine.Name);
        Assert.Equal(["segmentation", "embedding"], sessions.Sessions.Select(s => s.Role));
    }

    [Fact]
    public void Senko_takes_its_options()
    {
        var options = new SenkoOptions { StepSeconds = 5, SpeakerCount = 3 };

        using var engine = DiarizationEngines.Create("senko", DiarizationEngines.Resolve("senko", standIns.Catalog), sessions, options);

        Assert.Same(options, Assert.IsType<SenkoDiarizer>(engine).Options);
    }

    [Fact]
    public void Senko_without_an_embedding_model_is_refused()
    {
        var models = DiarizationEngines.Resolve("senko", standIns.Catalog) with { Embedding = null };

        var error = Assert.Throws<ArgumentException>(() => DiarizationEngines.Create("senko", models, sessions));

        Assert.StartsWith("the senko diarization backend needs an embedding model, and none was given", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Senko_without_a_segmentation_model_is_refused()
    {
        var models = DiarizationEngines.Resolve("senko", standIns.Catalog) with { Segmentation = null };

        var error = Assert.Throws<ArgumentException>(() => DiarizationEngines.Create("senko", models, sessions));

        Assert.StartsWith("the senko diarization backend needs a segmentation model, and none was given", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_embedding_family_without_an_embedder_is_named_with_the_supported_ones()
    {
        var path = folder.Write("titanet.onnx", EmbeddingGraphs.FirstFrame());
        var models = DiarizationEngines.Resolve("senko", standIns.Catalog) with { Embedding = InstalledModels.FromFiles("titanet-small", "embedding", "nemo-titanet", ("model", path)) };

        var error = Assert.Throws<NotSupportedException>(() => DiarizationEngines.Create("senko", models, sessions));

        Assert.Equal("embedding model 'titanet-small' is of family 'nemo-titanet', which has no embedder (supported: wespeaker, campplus)", error.Message);
    }

    [Fact]
    public void A_segmentation_family_without_an_engine_is_named()
    {
        var path = folder.Write("vad.onnx", EnergySegmentationModel.Graph());
        var models = DiarizationEngines.Resolve("senko", standIns.Catalog) with { Segmentation = InstalledModels.FromFiles("marblenet", "segmentation", "nemo-vad", ("model", path)) };

        var error = Assert.Throws<NotSupportedException>(() => DiarizationEngines.Create("senko", models, sessions));

        Assert.Equal("segmentation model 'marblenet' is of family 'nemo-vad', which has no engine (supported: pyannote-segmentation)", error.Message);
    }

    [Fact]
    public void The_embedder_for_linking_is_the_embedding_model_or_nothing()
    {
        var models = DiarizationEngines.Resolve("senko", standIns.Catalog);

        using var embedder = DiarizationEngines.CreateEmbedder(models, sessions);

        Assert.Equal(ToneEmbeddingModel.Id, embedder?.Name);
        Assert.Equal(ToneEmbeddingModel.Dimension, embedder?.Dimension);
        Assert.Null(DiarizationEngines.CreateEmbedder(models with { Embedding = null }, sessions));
    }

    [Fact]
    public void A_campplus_model_gets_the_cam_plus_plus_recipe()
    {
        var path = folder.Write("campplus.onnx", EmbeddingGraphs.FirstFrame(input: "x", output: "embedding"));
        var models = new DiarizationModels(null, InstalledModels.FromFiles("campplus-voxceleb-en", "embedding", "campplus", ("model", path)), null);

        using var embedder = DiarizationEngines.CreateEmbedder(models, sessions);

        Assert.Equal(SpeakerEmbeddingRecipe.CamPlusPlus, Assert.IsType<SpeakerEmbedder>(embedder).Recipe);
    }
}
