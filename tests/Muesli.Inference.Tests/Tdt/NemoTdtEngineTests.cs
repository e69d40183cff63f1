using Muesli.Inference.Asr;
using Muesli.Inference.Asr.Tdt;
using Muesli.Inference.Tests.Support;

namespace Muesli.Inference.Tests.Tdt;

public sealed class NemoTdtEngineTests
{
    private const double Frame = 0.08;

    private static NemoTdtEngine Load(ModelFolder folder, OnnxSessionFactory? sessions = null, NemoTdtOptions? options = null)
        => NemoTdtEngine.Load(
            "scripted-tdt",
            folder.EncoderPath,
            folder.DecoderPath,
            folder.JoinerPath,
            folder.TokensPath,
            sessions ?? new OnnxSessionFactory(DeviceOptions.Cpu),
            options);

    // 16000 samples → 101 feature frames → (101 − 1) / 8 + 1 = 13 encoder frames of 80 ms.
    private static float[] OneSecond() => Signals.Speechlike(16000, seed: 1);

    [Fact]
    public void Transcribes_the_scripted_words_timed_from_their_frames_and_durations()
    {
        using var folder = new ScriptedTdtModel().Write();
        using var engine = Load(folder);

        var words = engine.Transcribe(OneSecond());

        // hello: ▁he at frame 1 (duration 0), llo at frame 1 for 2 frames; world: ▁wor at 6, ld at 7 for 4 frames.
        TimedAssert.Words([("hello", 1 * Frame, (1 + 2) * Frame), ("world", 6 * Frame, (7 + 4) * Frame)], words);
        Assert.Equal("scripted-tdt", engine.Name);
    }

    [Theory]
    [InlineData(4, 7 + 4)]
    [InlineData(2, 7 + 2)]
    [InlineData(1, 7 + 1)]
    [InlineData(0, 7 + 1)]
    public void The_last_tokens_duration_sets_where_a_word_ends(int duration, int endFrame)
    {
        var script = ScriptedTdtModel.HelloWorld.Select(s => s.Token == 4 ? s with { DurationIndex = duration } : s).ToArray();
        using var folder = new ScriptedTdtModel { Script = script }.Write();
        using var engine = Load(folder);

        var world = engine.Transcribe(OneSecond())[1];

        Assert.Equal("world", world.Text);
        Assert.Equal(endFrame * Frame, world.End, 1e-9);
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(2, 2)]
    public void A_frame_holds_at_most_max_symbols_per_frame(int maxSymbolsPerFrame, int expectedAs)
    {
        // After hello world (4 tokens) the joiner would emit ▁a with duration 0 on the last frame six times over.
        var repeats = Enumerable.Range(4, 6).Select(count => new ScriptedTdtModel.Step(count, 12, 5, 0));
        using var folder = new ScriptedTdtModel { Script = [.. ScriptedTdtModel.HelloWorld.Where(s => s.Frame < 11), .. repeats] }.Write();
        using var engine = Load(folder, options: new NemoTdtOptions { MaxSymbolsPerFrame = maxSymbolsPerFrame });

        var words = engine.Transcribe(OneSecond());

        Assert.Equal(["hello", "world", .. Enumerable.Repeat("a", expectedAs)], words.Select(w => w.Text));
        Assert.All(words.Skip(2), a => Assert.Equal((12 * Frame, 13 * Frame), (a.Start, a.End)));
    }

    [Fact]
    public void The_joint_carries_both_lstm_states_from_step_to_step()
    {
        using var folder = new ScriptedTdtModel { Script = [new(3, 5, 4, 2)] }.Write();
        using var model = OpenModel(folder);
        using var joint = model.Start(model.Encode(new Muesli.Inference.Features.NemoMelFrontEnd(80).Compute(OneSecond())));

        joint.Predict(ScriptedTdtModel.Blank);
        var before = joint.Join(5).ToArray();
        joint.Predict(1);
        joint.Predict(2);
        joint.Predict(3);
        var after = joint.Join(5).ToArray();

        Assert.Equal(ScriptedTdtModel.Blank, ArgMax(before.AsSpan(0, 7)));
        Assert.Equal(4, ArgMax(after.AsSpan(0, 7)));
        Assert.Equal(2, ArgMax(after.AsSpan(7, 5)));
        Assert.Equal(13, joint.Frames);
    }

    [Fact]
    public void A_window_over_the_limit_is_transcribed_in_frame_aligned_chunks_stitched_in_their_overlap()
    {
        using var folder = new ScriptedTdtModel().Write();
        using var engine = Load(folder, options: new NemoTdtOptions { LongAudio = new LongAudioOptions { MaxChunkSeconds = 1.6, OverlapSeconds = 0.4 } });

        var words = engine.Transcribe(Signals.Speechlike(40000, seed: 3));

        // Chunks [0, 1.6) and [0.96, 2.5) s (0.96 s = 12 frames: the last chunk starts on the first frame that lets it
        // end with the audio), cut at 1.28 s; each hears the script from its own start. The second chunk's hello
        // starts at 0.96 + 0.08 s, well before the cut, so only the first chunk's counts.
        TimedAssert.Words(
            [("hello", 0.08, 0.24), ("world", 0.48, 0.88), ("world", 0.96 + 0.48, 0.96 + 0.88)],
            words);
    }

    [Fact]
    public void Empty_audio_has_no_words()
    {
        using var folder = new ScriptedTdtModel().Write();
        using var engine = Load(folder);

        Assert.Empty(engine.Transcribe([]));
    }

    [Fact]
    public void Metadata_and_shapes_are_read_at_load()
    {
        using var folder = new ScriptedTdtModel { Features = 128 }
            .WithMetadata("feat_dim", "128")
            .WithMetadata("normalize_type", "")
            .WithMetadata("subsampling_factor", "4").Write();
        using var model = OpenModel(folder);

        Assert.Equal(128, model.Features);
        Assert.False(model.NormalizePerFeature);
        Assert.Equal(4, model.SubsamplingFactor);
        Assert.Equal(0.04, model.FrameSeconds, 1e-12);
        Assert.Equal(ScriptedTdtModel.Dimension, model.EncoderDimension);
        Assert.Equal(ScriptedTdtModel.Layers, model.PredictionLayers);
        Assert.Equal(ScriptedTdtModel.Hidden, model.PredictionHidden);
        Assert.Equal(7, model.Tokens);
        Assert.Equal(6, model.BlankId);
        Assert.Equal([0, 1, 2, 3, 4], model.Durations);
    }

    [Fact]
    public void The_subsampling_factor_sets_the_frame_duration_of_words()
    {
        using var folder = new ScriptedTdtModel().WithMetadata("subsampling_factor", "4").Write();
        using var engine = Load(folder);

        TimedAssert.Words([("hello", 0.04, 0.12), ("world", 0.24, 0.44)], engine.Transcribe(OneSecond()));
    }

    [Fact]
    public void The_prediction_network_size_comes_from_the_decoder_when_the_metadata_lacks_it()
    {
        using var folder = new ScriptedTdtModel().WithoutMetadata("pred_rnn_layers").WithoutMetadata("pred_hidden").Write();
        using var model = OpenModel(folder);

        Assert.Equal((ScriptedTdtModel.Layers, ScriptedTdtModel.Hidden), (model.PredictionLayers, model.PredictionHidden));
    }

    [Fact]
    public void A_declared_position_table_shortens_the_chunks_to_fit_it()
    {
        using var declared = new ScriptedTdtModel().WithMetadata("pos_emb_max_len", "2000").Write();
        using var undeclared = new ScriptedTdtModel().Write();
        using var shortened = Load(declared);
        using var usual = Load(undeclared);

        Assert.Equal(1999 * 1280, shortened.Chunks.MaxChunk);
        Assert.Equal(300 * 16000, usual.Chunks.MaxChunk);
    }

    [Fact]
    public void The_feature_count_comes_from_feat_dim_when_the_axis_is_dynamic()
    {
        using var folder = new ScriptedTdtModel { Features = "F" }.WithMetadata("feat_dim", "128").Write();
        using var model = OpenModel(folder);

        Assert.Equal(128, model.Features);
    }

    [Fact]
    public void Sessions_are_made_by_the_factory_with_their_roles()
    {
        using var folder = new ScriptedTdtModel().Write();
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);

        using var engine = Load(folder, sessions);

        Assert.Equal(
            [
                new SessionInfo("encoder", folder.EncoderPath, "CPU"),
                new SessionInfo("decoder", folder.DecoderPath, "CPU"),
                new SessionInfo("joiner", folder.JoinerPath, "CPU"),
            ],
            sessions.Sessions);
    }

    [Fact]
    public void Asr_engines_builds_nemo_tdt_from_an_installed_model()
    {
        using var folder = new ScriptedTdtModel().Write();
        var installed = InstalledModels.FromFiles(
            "scripted-tdt",
            "asr",
            "nemo-tdt",
            ("encoder", folder.EncoderPath),
            ("decoder", folder.DecoderPath),
            ("joiner", folder.JoinerPath),
            ("tokens", folder.TokensPath));

        using var engine = AsrEngines.Create(installed, new OnnxSessionFactory(DeviceOptions.Cpu));

        Assert.IsType<NemoTdtEngine>(engine);
        Assert.Equal(["hello", "world"], engine.Transcribe(OneSecond()).Select(w => w.Text));
        Assert.Contains("nemo-tdt", AsrEngines.SupportedFamilies);
    }

    [Fact]
    public void Options_that_cannot_chunk_are_rejected_before_anything_is_opened()
    {
        using var folder = new ScriptedTdtModel().Write();
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);

        Assert.Throws<ArgumentException>(() => Load(folder, sessions, new NemoTdtOptions { LongAudio = new LongAudioOptions { MaxChunkSeconds = 10, OverlapSeconds = 10 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Load(folder, sessions, new NemoTdtOptions { MaxSymbolsPerFrame = 0 }));
        Assert.Empty(sessions.Sessions);
    }

    internal static NemoTdtModel OpenModel(ModelFolder folder)
    {
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);
        return new NemoTdtModel(
            sessions.Create(folder.EncoderPath, "encoder"),
            folder.EncoderPath,
            sessions.Create(folder.DecoderPath, "decoder"),
            folder.DecoderPath,
            sessions.Create(folder.JoinerPath, "joiner"),
            folder.JoinerPath,
            TokenTable.Load(folder.TokensPath));
    }

    private static int ArgMax(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            best = scores[i] > scores[best] ? i : best;
        }

        return best;
    }
}
