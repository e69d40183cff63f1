using Muesli.Inference.Diarization.Sortformer;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Asr;
using Muesli.Inference.Tests.Support;
using Onnx;

namespace Muesli.Inference.Tests.Sortformer;

public sealed class SortformerModelTests
{
    private static readonly OnnxSessionFactory Cpu = new(DeviceOptions.Cpu);

    private static SortformerDiarizer Load(ModelFolder folder, SortformerOptions? options = null) =>
        SortformerDiarizer.Load("tiny", folder.ModelPath, Cpu, options: options);

    [Fact]
    public void The_signature_is_read_at_load()
    {
        using var folder = new ModelFolder().With(TinySortformerModel.Graph().Metadata("chunk_len", "6"));
        using var model = new SortformerModel(Cpu.Create(folder.ModelPath, "model"), folder.ModelPath);

        Assert.Equal(128, model.Features);
        Assert.Equal(512, model.EmbeddingSize);
        Assert.Equal(4, model.Speakers);
        Assert.Equal(6, model.MetadataChunkFrames);
        Assert.Null(model.MetadataFifoFrames);
        Assert.Null(model.MetadataCacheFrames);
    }

    [Fact]
    public void A_missing_input_is_reported_with_the_inputs_found()
    {
        using var folder = new ModelFolder().With(TinySortformerModel.Passthrough(chunkInput: "features"));

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal(
            $"{folder.ModelPath} has no input named 'chunk' (inputs: features, chunk_lengths, spkcache, spkcache_lengths, fifo, fifo_lengths)",
            error.Message);
    }

    [Fact]
    public void A_chunk_of_the_wrong_rank_is_reported_with_its_shape()
    {
        using var folder = new ModelFolder().With(TinySortformerModel.Passthrough(chunkShape: ["batch", "time"]));

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal($"{folder.ModelPath}: input 'chunk' should be f32 [B, T, F], found Float [?, ?]", error.Message);
    }

    [Fact]
    public void A_dynamic_feature_axis_needs_feat_dim()
    {
        using var withoutFeatDim = new ModelFolder().With(TinySortformerModel.Passthrough(chunkShape: ["batch", "time", "features"]));
        using var withFeatDim = new ModelFolder().With(TinySortformerModel.Passthrough(chunkShape: ["batch", "time", "features"]).Metadata("feat_dim", "80"));

        var error = Assert.Throws<InvalidDataException>(() => Load(withoutFeatDim));
        using var model = new SortformerModel(Cpu.Create(withFeatDim.ModelPath, "model"), withFeatDim.ModelPath);

        Assert.Equal(
            $"{withoutFeatDim.ModelPath}: input 'chunk' has a dynamic feature axis and no 'feat_dim' metadata, so the front end cannot know how many mel bins to make",
            error.Message);
        Assert.Equal(80, model.Features);
    }

    [Fact]
    public void Feature_counts_that_disagree_are_reported()
    {
        using var folder = new ModelFolder().With(TinySortformerModel.Passthrough().Metadata("feat_dim", "80"));

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal($"{folder.ModelPath}: input 'chunk' has 128 features, its metadata feat_dim says 80", error.Message);
    }

    [Fact]
    public void Embedding_widths_that_disagree_are_reported()
    {
        using var folder = new ModelFolder().With(TinySortformerModel.Passthrough(cacheWidth: 256));

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal($"{folder.ModelPath}: input 'spkcache' has embeddings of width 256, input 'fifo' of width 512", error.Message);
    }

    [Fact]
    public void A_dynamic_speaker_axis_is_reported()
    {
        using var folder = new ModelFolder().With(TinySortformerModel.Passthrough(speakers: "speakers"));

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal(
            $"{folder.ModelPath}: output 'spkcache_fifo_chunk_preds' has a dynamic speaker axis; Sortformer exports fix it (4)", error.Message);
    }

    [Fact]
    public void Lengths_that_are_not_integers_are_reported()
    {
        using var folder = new ModelFolder().With(TinySortformerModel.Passthrough(fifoLengthsType: TensorProto.Types.DataType.Float));

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal($"{folder.ModelPath}: input 'fifo_lengths' should be i64 [B], found Float [?]", error.Message);
    }

    [Fact]
    public void Metadata_that_is_not_a_length_is_reported()
    {
        using var folder = new ModelFolder().With(TinySortformerModel.Graph().Metadata("spkcache_len", "ten"));

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal($"{folder.ModelPath}: metadata spkcache_len should be a positive integer, found 'ten'", error.Message);
    }

    [Fact]
    public void A_speaker_cache_too_small_for_four_speakers_is_refused()
    {
        using var folder = new ModelFolder().With(TinySortformerModel.Graph());
        var options = new SortformerOptions { Streaming = new SortformerStreaming { CacheFrames = 15 } };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Load(folder, options));

        Assert.Equal(nameof(SortformerLayout.CacheFrames), error.ParamName);
    }

    [Fact]
    public void A_model_that_subsamples_by_another_factor_is_caught_at_its_first_run()
    {
        using var folder = new ModelFolder().With(TinySortformerModel.Graph(subsampling: 4));
        using var diarizer = Load(folder);

        var error = Assert.Throws<InvalidDataException>(() => diarizer.Activities(new float[16000]));

        Assert.Equal($"{folder.ModelPath}: output 'chunk_pre_encode_embs' has 25 frames for 100 feature frames, expected 13 (one per 8)", error.Message);
    }

    [Fact]
    public void Loading_from_the_catalog_names_the_engine_by_its_id_and_opens_the_model_role()
    {
        using var folder = new ModelFolder().With(TinySortformerModel.Graph());
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);

        using var diarizer = SortformerDiarizer.Load(Installed(folder, "sortformer"), sessions, null, null);

        Assert.Equal("sortformer-4spk-v2", diarizer.Name);
        Assert.Equal(new SessionInfo("model", folder.ModelPath, "CPU"), Assert.Single(sessions.Sessions));
    }

    [Fact]
    public void A_model_of_another_family_is_refused()
    {
        using var folder = new ModelFolder().With(TinySortformerModel.Graph());

        var error = Assert.Throws<ArgumentException>(() => SortformerDiarizer.Load(Installed(folder, "silero-vad"), Cpu, null, null));

        Assert.StartsWith("model 'sortformer-4spk-v2' is of family 'silero-vad', not 'sortformer'", error.Message);
    }

    private static InstalledModel Installed(ModelFolder folder, string family)
        => InstalledModels.FromFiles("sortformer-4spk-v2", "diarization", family, ("model", folder.ModelPath));
}
