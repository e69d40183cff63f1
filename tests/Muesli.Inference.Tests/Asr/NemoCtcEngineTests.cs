using Muesli.Inference.Asr;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.ModelBuilding;
using Muesli.Inference.Tests.Support;
using Onnx;

namespace Muesli.Inference.Tests.Asr;

public sealed class NemoCtcEngineTests
{
    private static NemoCtcEngine Load(ModelFolder folder, OnnxSessionFactory? sessions = null)
        => NemoCtcEngine.Load("tone-ctc", folder.ModelPath, folder.TokensPath, sessions ?? new OnnxSessionFactory(DeviceOptions.Cpu));

    [Fact]
    public void One_second_transcribes_the_scripted_words_of_its_13_encoder_frames()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(), ScriptedCtcModel.Tokens);
        using var engine = Load(folder);

        // 16000 samples → 101 feature frames → (101 − 1)/8 + 1 = 13 encoder frames of 80 ms.
        var words = engine.Transcribe(Signals.Speechlike(16000, seed: 1));

        TimedAssert.Words([("hello", 0.08, 0.32), ("world", 0.40, 0.56), ("a", 0.72, 0.80), ("a", 0.88, 0.96)], words);
        Assert.Equal("tone-ctc", engine.Name);
    }

    [Fact]
    public void Longer_audio_reaches_further_into_the_script()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(features: 128), ScriptedCtcModel.Tokens);
        using var engine = Load(folder);

        var words = engine.Transcribe(Signals.Speechlike(48000, seed: 2));

        TimedAssert.Words(
            [("hello", 0.08, 0.32), ("world", 0.40, 0.56), ("a", 0.72, 0.80), ("a", 0.88, 0.96), ("hello", 1.04, 1.20)],
            words);
    }

    [Fact]
    public void A_window_over_the_limit_is_transcribed_in_frame_aligned_chunks_stitched_in_their_overlap()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(), ScriptedCtcModel.Tokens);
        using var engine = NemoCtcEngine.Load(
            "tone-ctc", folder.ModelPath, folder.TokensPath, new OnnxSessionFactory(DeviceOptions.Cpu), new LongAudioOptions { MaxChunkSeconds = 1.6, OverlapSeconds = 0.4 });

        var words = engine.Transcribe(Signals.Speechlike(40000, seed: 3));

        // Chunks [0, 1.6) and [0.96, 2.5) s, cut at 1.28 s; each hears the script from its own start. The second
        // chunk's first hello (1.04 s) lies before the cut and is the first chunk's last; its world (1.36 s) is past it.
        TimedAssert.Words(
            [("hello", 0.08, 0.32), ("world", 0.40, 0.56), ("a", 0.72, 0.80), ("a", 0.88, 0.96), ("hello", 1.04, 1.20),
             ("world", 0.96 + 0.40, 0.96 + 0.56), ("a", 0.96 + 0.72, 0.96 + 0.80), ("a", 0.96 + 0.88, 0.96 + 0.96), ("hello", 0.96 + 1.04, 0.96 + 1.20)],
            words);
    }

    [Fact]
    public void A_declared_position_table_is_read_at_load()
    {
        using var declared = new ModelFolder().With(ScriptedCtcModel.Graph().Metadata("pos_emb_max_len", "2000"), ScriptedCtcModel.Tokens);
        using var undeclared = new ModelFolder().With(ScriptedCtcModel.Graph(), ScriptedCtcModel.Tokens);

        using var shortened = Load(declared);
        using var usual = Load(undeclared);

        Assert.Equal(1999 * 1280, shortened.Chunks.MaxChunk);
        Assert.Equal(300 * 16000, usual.Chunks.MaxChunk);
    }

    [Fact]
    public void Subsampling_factor_from_metadata_sets_the_frame_duration()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph().Metadata("subsampling_factor", "4"), ScriptedCtcModel.Tokens);
        using var engine = Load(folder);

        var words = engine.Transcribe(Signals.Speechlike(16000, seed: 1));

        TimedAssert.Words([("hello", 0.04, 0.16), ("world", 0.20, 0.28), ("a", 0.36, 0.40), ("a", 0.44, 0.48)], words);
    }

    [Fact]
    public void Empty_audio_has_no_words()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(), ScriptedCtcModel.Tokens);
        using var engine = Load(folder);

        Assert.Empty(engine.Transcribe([]));
    }

    [Fact]
    public void Metadata_is_read_at_load()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(features: 128)
            .Metadata("vocab_size", "6")
            .Metadata("normalize_type", "")
            .Metadata("feat_dim", "128"), ScriptedCtcModel.Tokens);
        var tokens = TokenTable.Load(folder.TokensPath);
        using var model = new NemoCtcModel(new OnnxSessionFactory(DeviceOptions.Cpu).Create(folder.ModelPath, "model"), folder.ModelPath, tokens);

        Assert.Equal(128, model.Features);
        Assert.Equal(8, model.SubsamplingFactor);
        Assert.Equal(0.08, model.FrameSeconds, 1e-12);
        Assert.False(model.NormalizePerFeature);
    }

    [Fact]
    public void Feature_count_comes_from_feat_dim_when_the_axis_is_dynamic()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(features: "F").Metadata("feat_dim", "80"), ScriptedCtcModel.Tokens);
        var tokens = TokenTable.Load(folder.TokensPath);
        using var model = new NemoCtcModel(new OnnxSessionFactory(DeviceOptions.Cpu).Create(folder.ModelPath, "model"), folder.ModelPath, tokens);
        using var engine = new NemoCtcEngine("tone-ctc", model, tokens);

        Assert.Equal(80, model.Features);
        Assert.Equal(4, engine.Transcribe(Signals.Speechlike(16000, seed: 1)).Count);
    }

    [Fact]
    public void Dynamic_feature_axis_without_feat_dim_is_reported()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(features: "F"), ScriptedCtcModel.Tokens);

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Contains("input 'audio_signal' has a dynamic feature axis and no 'feat_dim' metadata", error.Message);
    }

    [Fact]
    public void Wrong_input_type_is_reported_with_what_was_found()
    {
        using var folder = new ModelFolder().With(new OnnxGraph()
            .Input("audio_signal", TensorProto.Types.DataType.Float, "N", "T")
            .Input("length", TensorProto.Types.DataType.Int64, "N")
            .Node("Identity", ["audio_signal"], "logprobs")
            .Output("logprobs", TensorProto.Types.DataType.Float, "N", "T"), ScriptedCtcModel.Tokens);

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal($"{folder.ModelPath}: input 'audio_signal' should be f32 [N, F, T], found Float [?, ?]", error.Message);
    }

    [Fact]
    public void Sessions_are_made_by_the_factory_with_the_model_role()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(), ScriptedCtcModel.Tokens);
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);

        using var engine = Load(folder, sessions);

        Assert.Equal(new SessionInfo("model", folder.ModelPath, "CPU"), Assert.Single(sessions.Sessions));
    }

    [Fact]
    public void Wrong_input_name_is_reported_with_the_inputs_found()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(featuresInput: "x"), ScriptedCtcModel.Tokens);

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal($"{folder.ModelPath} has no input named 'audio_signal' (inputs: x, length)", error.Message);
    }

    [Fact]
    public void Missing_length_input_is_reported()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(lengthInput: "lengths"), ScriptedCtcModel.Tokens);

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Contains("has no input named 'length' (inputs: audio_signal, lengths)", error.Message);
    }

    [Fact]
    public void Feature_size_mismatch_is_reported()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(features: 80).Metadata("feat_dim", "128"), ScriptedCtcModel.Tokens);

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal($"{folder.ModelPath}: input 'audio_signal' has 80 features, its metadata feat_dim says 128", error.Message);
    }

    [Fact]
    public void Vocabulary_mismatch_with_the_tokens_is_reported_at_load()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(), ScriptedCtcModel.Tokens.Take(6));

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal($"{folder.ModelPath}: output 'logprobs' has 7 classes, {folder.TokensPath} has 6 tokens (the blank included)", error.Message);
    }

    [Fact]
    public void Vocabulary_mismatch_on_a_dynamic_axis_is_reported_at_the_first_run()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(classes: "V"), ScriptedCtcModel.Tokens.Take(6));
        using var engine = Load(folder);

        var error = Assert.Throws<InvalidDataException>(() => engine.Transcribe(Signals.Speechlike(4000, seed: 1)));

        Assert.Contains("output 'logprobs' has 7 classes", error.Message);
        Assert.Contains("has 6 tokens", error.Message);
    }

    [Fact]
    public void Vocab_size_metadata_that_fits_neither_count_is_reported()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph().Metadata("vocab_size", "1024"), ScriptedCtcModel.Tokens);

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Contains("vocab_size is 1024", error.Message);
    }

    [Fact]
    public void Unsupported_normalisation_is_reported()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph().Metadata("normalize_type", "all_features"), ScriptedCtcModel.Tokens);

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Contains("normalize_type 'all_features' is not supported", error.Message);
    }

    [Fact]
    public void Missing_tokens_file_is_named()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(), ScriptedCtcModel.Tokens);
        File.Delete(folder.TokensPath);

        var error = Assert.Throws<FileNotFoundException>(() => Load(folder));

        Assert.Contains(folder.TokensPath, error.Message);
    }

    [Fact]
    public void Malformed_tokens_file_is_named_with_its_line()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(), ["<unk> 0", "▁he 1", "llo", "▁wor 3"]);

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.StartsWith($"{folder.TokensPath}:3: expected 'piece id'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Asr_engines_builds_nemo_ctc_from_an_installed_model()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(), ScriptedCtcModel.Tokens);
        var installed = Installed("nemo-ctc", folder);

        using var engine = AsrEngines.Create(installed, new OnnxSessionFactory(DeviceOptions.Cpu));

        Assert.Equal("tone-ctc", engine.Name);
        Assert.Equal(4, engine.Transcribe(Signals.Speechlike(16000, seed: 1)).Count);
    }

    [Fact]
    public void Asr_engines_names_an_unknown_family_and_the_supported_ones()
    {
        using var folder = new ModelFolder().With(ScriptedCtcModel.Graph(), ScriptedCtcModel.Tokens);

        var error = Assert.Throws<NotSupportedException>(() => AsrEngines.Create(Installed("conformer-rnnt", folder), new OnnxSessionFactory(DeviceOptions.Cpu)));

        Assert.Contains("'conformer-rnnt'", error.Message);
        Assert.Contains("nemo-ctc", error.Message);
    }

    private static InstalledModel Installed(string family, ModelFolder folder)
        => InstalledModels.FromFiles("tone-ctc", "asr", family, ("model", folder.ModelPath), ("tokens", folder.TokensPath));
}
