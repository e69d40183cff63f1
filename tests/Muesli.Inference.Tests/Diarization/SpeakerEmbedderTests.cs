using Muesli.Inference.Diarization;
using Muesli.Inference.Tests.ModelBuilding;
using Muesli.Inference.Tests.Support;
using Muesli.TestWorld.Reference;

namespace Muesli.Inference.Tests.Diarization;

public sealed class SpeakerEmbedderTests : IDisposable
{
    private readonly ModelFolder folder = new();
    private readonly OnnxSessionFactory sessions = new(DeviceOptions.Cpu);

    public void Dispose() => folder.Dispose();

    private SpeakerEmbedder Load(OnnxGraph graph, SpeakerEmbeddingRecipe? recipe = null)
        => SpeakerEmbedder.Load("test-embedder", folder.Write("embedding.onnx", graph), recipe ?? SpeakerEmbeddingRecipe.WeSpeaker, sessions);

    private InvalidDataException LoadError(OnnxGraph graph, out string path, SpeakerEmbeddingRecipe? recipe = null)
    {
        var written = folder.Write("embedding.onnx", graph);
        path = written;
        return Assert.Throws<InvalidDataException>(() => SpeakerEmbedder.Load("test", written, recipe ?? SpeakerEmbeddingRecipe.WeSpeaker, sessions));
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"value {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    private static float[] FirstRow(float[,] values) => Enumerable.Range(0, values.GetLength(1)).Select(b => values[0, b]).ToArray();

    [Fact]
    public void WeSpeaker_hears_the_pyannote_fbank_scaled_hamming_and_mean_removed()
    {
        using var embedder = Load(EmbeddingGraphs.FirstFrame());
        var clip = Signals.Speechlike(8000, seed: 3);

        var embedding = Assert.Single(embedder.Embed([clip]));

        var reference = ScalarKaldiFbank.Compute(clip, povey: false, scale: 32768, subtractMean: true);
        AssertClose(FirstRow(reference), embedding, 2e-3);
        Assert.Equal(80, embedder.Dimension);
        Assert.Equal("test-embedder", embedder.Name);
    }

    [Fact]
    public void CamPlusPlus_hears_the_unscaled_povey_fbank_with_the_mean_removed()
    {
        using var embedder = Load(EmbeddingGraphs.FirstFrame(input: "x", output: "embedding"), SpeakerEmbeddingRecipe.CamPlusPlus);
        var clip = Signals.Speechlike(6000, seed: 4);

        var embedding = Assert.Single(embedder.Embed([clip]));

        var reference = ScalarKaldiFbank.Compute(clip, povey: true, scale: 1, subtractMean: true);
        AssertClose(FirstRow(reference), embedding, 2e-3);
    }

    [Fact]
    public void Clips_of_any_lengths_come_back_in_the_order_given()
    {
        using var embedder = Load(EmbeddingGraphs.FirstFrame());
        float[][] clips = [Signals.Speechlike(8000, 1), Signals.Speechlike(4000, 2), Signals.Speechlike(8000, 3), Signals.Speechlike(4000, 4), Signals.Speechlike(5000, 5)];

        var together = embedder.Embed(clips.Select(c => (ReadOnlyMemory<float>)c).ToList());

        Assert.Equal(clips.Length, together.Count);
        for (var i = 0; i < clips.Length; i++)
        {
            Assert.Equal(Assert.Single(embedder.Embed([clips[i]])), together[i]);
        }
    }

    [Fact]
    public void A_model_with_a_fixed_batch_of_one_embeds_one_clip_per_run()
    {
        using var embedder = Load(EmbeddingGraphs.FirstFrame(batch: 1));
        float[][] clips = [Signals.Speechlike(4000, 1), Signals.Speechlike(4000, 2)];

        var embeddings = embedder.Embed([clips[0], clips[1]]);

        AssertClose(FirstRow(ScalarKaldiFbank.Compute(clips[1], scale: 32768, subtractMean: true)), embeddings[1], 2e-3);
    }

    [Fact]
    public void No_clips_give_no_embeddings()
    {
        using var embedder = Load(EmbeddingGraphs.FirstFrame());

        Assert.Empty(embedder.Embed([]));
    }

    [Fact]
    public void A_clip_shorter_than_one_fbank_frame_is_refused_by_its_index()
    {
        using var embedder = Load(EmbeddingGraphs.FirstFrame());

        var error = Assert.Throws<ArgumentException>(() => embedder.Embed([new float[4000], new float[399]]));

        Assert.StartsWith("clip 1 has 399 samples; a speaker embedding needs at least 400 (25 ms)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dimension_comes_from_output_dim_when_the_axis_is_dynamic()
    {
        using var embedder = Load(EmbeddingGraphs.FirstFrame(dynamicDimension: true, metadata: new Dictionary<string, string> { ["output_dim"] = "80" }));

        Assert.Equal(80, embedder.Dimension);
    }

    [Fact]
    public void Sessions_are_made_by_the_factory_with_the_embedding_role()
    {
        using var embedder = Load(EmbeddingGraphs.FirstFrame());

        Assert.Equal("embedding", Assert.Single(sessions.Sessions).Role);
    }

    [Fact]
    public void A_missing_input_is_named_with_the_inputs_found()
    {
        var error = LoadError(EmbeddingGraphs.FirstFrame(input: "x"), out var path);

        Assert.Equal($"{path} has no input named 'feats' (inputs: x)", error.Message);
    }

    [Fact]
    public void A_missing_output_is_named_with_the_outputs_found()
    {
        var error = LoadError(EmbeddingGraphs.FirstFrame(output: "embedding"), out var path);

        Assert.Equal($"{path} has no output named 'embs' (outputs: embedding)", error.Message);
    }

    [Fact]
    public void Another_number_of_fbank_bins_is_reported()
    {
        var error = LoadError(EmbeddingGraphs.FirstFrame(features: 64), out var path);

        Assert.Equal($"{path}: input 'feats' has 64 features (axis 2 of Float [?, ?, 64]), expected 80", error.Message);
    }

    [Fact]
    public void A_fixed_time_axis_is_refused()
    {
        var error = LoadError(EmbeddingGraphs.FirstFrame(time: 200), out var path);

        Assert.Equal(
            $"{path}: input 'feats' has a fixed time axis of 200 frames (Float [?, 200, 80]); clips of any length need a dynamic one",
            error.Message);
    }

    [Fact]
    public void An_output_dim_that_contradicts_the_output_is_reported()
    {
        var error = LoadError(EmbeddingGraphs.FirstFrame(metadata: new Dictionary<string, string> { ["output_dim"] = "256" }), out var path);

        Assert.Equal($"{path}: output 'embs' has 80 dimensions, its metadata output_dim says 256", error.Message);
    }

    [Fact]
    public void A_dynamic_embedding_size_without_output_dim_is_reported()
    {
        var error = LoadError(EmbeddingGraphs.FirstFrame(dynamicDimension: true), out var path);

        Assert.Equal($"{path}: output 'embs' has a dynamic embedding axis and no 'output_dim' metadata", error.Message);
    }

    [Fact]
    public void A_model_of_another_framework_is_reported()
    {
        var error = LoadError(EmbeddingGraphs.FirstFrame(metadata: new Dictionary<string, string> { ["framework"] = "3d-speaker" }), out var path);

        Assert.Equal($"{path}: metadata framework is '3d-speaker', a wespeaker model says 'wespeaker' (is the manifest's family right?)", error.Message);
    }

    [Fact]
    public void Another_sample_rate_is_reported()
    {
        var error = LoadError(EmbeddingGraphs.FirstFrame(metadata: new Dictionary<string, string> { ["sample_rate"] = "8000" }), out var path);

        Assert.Equal($"{path}: metadata sample_rate is 8000, the pipeline feeds 16000 Hz", error.Message);
    }

    [Fact]
    public void The_recipes_name_the_exports_tensors()
    {
        Assert.Equal(("feats", "embs", "wespeaker"), (SpeakerEmbeddingRecipe.WeSpeaker.FeaturesInput, SpeakerEmbeddingRecipe.WeSpeaker.EmbeddingOutput, SpeakerEmbeddingRecipe.WeSpeaker.Framework));
        Assert.Equal(("x", "embedding", "3d-speaker"), (SpeakerEmbeddingRecipe.CamPlusPlus.FeaturesInput, SpeakerEmbeddingRecipe.CamPlusPlus.EmbeddingOutput, SpeakerEmbeddingRecipe.CamPlusPlus.Framework));
        Assert.Same(SpeakerEmbeddingRecipe.CamPlusPlus, SpeakerEmbeddingRecipe.ForFamily("CAMPPLUS"));
        Assert.Null(SpeakerEmbeddingRecipe.ForFamily("titanet"));
    }
}
