using Muesli.Inference.Asr.Tdt;
using Muesli.Inference.Tests.Support;
using Onnx;

namespace Muesli.Inference.Tests.Tdt;

/// <summary>Every way a TDT export can disagree with itself, its metadata or its tokens is named precisely at load.</summary>
public sealed class NemoTdtModelLoadTests
{
    private static readonly string[] SixTokens = ["<unk> 0", "▁he 1", "llo 2", "▁wor 3", "ld 4", "<blk> 5"];

    private static Exception LoadFails(ModelFolder folder) => Record.Exception(() =>
        NemoTdtEngine.Load("scripted-tdt", folder.EncoderPath, folder.DecoderPath, folder.JoinerPath, folder.TokensPath, new OnnxSessionFactory(DeviceOptions.Cpu)))
        ?? throw new Xunit.Sdk.XunitException("the model loaded");

    private static InvalidDataException InvalidData(ModelFolder folder) => Assert.IsType<InvalidDataException>(LoadFails(folder));

    [Fact]
    public void A_wrong_encoder_input_name_is_reported_with_the_inputs_found()
    {
        using var folder = new ScriptedTdtModel { FeaturesInput = "x" }.Write();

        Assert.Equal($"{folder.EncoderPath} has no input named 'audio_signal' (inputs: x, length)", InvalidData(folder).Message);
    }

    [Fact]
    public void A_wrong_joiner_input_name_is_reported()
    {
        using var folder = new ScriptedTdtModel { JoinerEncoderInput = "enc" }.Write();

        Assert.Equal($"{folder.JoinerPath} has no input named 'encoder_outputs' (inputs: enc, decoder_outputs)", InvalidData(folder).Message);
    }

    [Fact]
    public void A_wrong_decoder_input_name_is_reported()
    {
        using var folder = new ScriptedTdtModel { TargetsInput = "y" }.Write();

        Assert.StartsWith($"{folder.DecoderPath} has no input named 'targets' (inputs: y, target_length, ", InvalidData(folder).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_target_type_is_reported_with_what_was_found()
    {
        using var folder = new ScriptedTdtModel { TargetsType = TensorProto.Types.DataType.Int64 }.Write();

        Assert.Equal($"{folder.DecoderPath}: input 'targets' should be i32 [N, 1], found Int64 [?, 1]", InvalidData(folder).Message);
    }

    [Fact]
    public void A_feature_size_mismatch_is_reported()
    {
        using var folder = new ScriptedTdtModel().WithMetadata("feat_dim", "128").Write();

        Assert.Equal($"{folder.EncoderPath}: input 'audio_signal' has 80 features, its metadata feat_dim says 128", InvalidData(folder).Message);
    }

    [Fact]
    public void A_dynamic_feature_axis_without_feat_dim_is_reported()
    {
        using var folder = new ScriptedTdtModel { Features = "F" }.WithoutMetadata("feat_dim").Write();

        Assert.Contains("input 'audio_signal' has a dynamic feature axis and no 'feat_dim' metadata", InvalidData(folder).Message);
    }

    [Fact]
    public void A_missing_tokens_file_is_named()
    {
        using var folder = new ScriptedTdtModel().Write();
        File.Delete(folder.TokensPath);

        var error = Assert.IsType<FileNotFoundException>(LoadFails(folder));

        Assert.Contains(folder.TokensPath, error.Message);
    }

    [Fact]
    public void A_malformed_tokens_file_is_named_with_its_line()
    {
        using var folder = new ScriptedTdtModel().Write(["<unk> 0", "▁he 1", "llo", "▁wor 3"]);

        Assert.StartsWith($"{folder.TokensPath}:3: expected 'piece id'", InvalidData(folder).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tokens_file_whose_blank_is_not_last_is_reported()
    {
        using var folder = new ScriptedTdtModel().Write(["<blk> 0", "▁he 1", "llo 2", "▁wor 3", "ld 4", "▁a 5", "<unk> 6"]);

        Assert.Equal($"{folder.TokensPath}: the blank '<blk>' has id 0, a TDT model's blank is the last id (6)", InvalidData(folder).Message);
    }

    [Fact]
    public void A_joiner_with_the_wrong_vocabulary_size_is_reported()
    {
        using var folder = new ScriptedTdtModel().WithMetadata("vocab_size", "5").Write(SixTokens);

        Assert.Equal(
            $"{folder.JoinerPath}: output 'outputs' has 12 scores, expected 11: the 6 tokens of {folder.TokensPath} (the blank included) and 5 durations",
            InvalidData(folder).Message);
    }

    [Fact]
    public void A_wrong_vocabulary_size_on_a_dynamic_axis_is_found_by_the_probe_at_load()
    {
        using var folder = new ScriptedTdtModel { DeclaredScores = "V" }.WithMetadata("vocab_size", "5").Write(SixTokens);

        Assert.StartsWith($"{folder.JoinerPath}: output 'outputs' has 12 scores, expected 11", InvalidData(folder).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vocab_size_that_fits_neither_count_is_reported()
    {
        using var folder = new ScriptedTdtModel().WithMetadata("vocab_size", "1024").Write();

        Assert.Equal(
            $"{folder.EncoderPath}: metadata vocab_size is 1024, {folder.TokensPath} has 7 tokens (the blank included)",
            InvalidData(folder).Message);
    }

    [Theory]
    [InlineData("pred_hidden", "640", "has 3 hidden units (pred_hidden) (axis 2), expected 640 (Float [2, ?, 3])")]
    [InlineData("pred_rnn_layers", "1", "has 2 layers (pred_rnn_layers) (axis 0), expected 1 (Float [2, ?, 3])")]
    public void Lstm_states_that_disagree_with_the_metadata_are_reported(string key, string value, string found)
    {
        using var folder = new ScriptedTdtModel().WithMetadata(key, value).Write();

        Assert.Equal($"{folder.DecoderPath}: input 'onnx::LSTM_2' {found}", InvalidData(folder).Message);
    }

    [Fact]
    public void A_decoder_without_a_second_lstm_state_is_reported()
    {
        using var folder = new ScriptedTdtModel { StateInputs = ["onnx::LSTM_2"] }.Write();

        Assert.Equal(
            $"{folder.DecoderPath} has 3 inputs (targets, target_length, onnx::LSTM_2), expected the second LSTM state as input 3",
            InvalidData(folder).Message);
    }

    [Fact]
    public void An_encoder_width_the_joiner_does_not_take_is_reported()
    {
        using var folder = new ScriptedTdtModel { JoinerEncoderDimension = 8 }.Write();

        Assert.Equal(
            $"{folder.JoinerPath}: input 'encoder_outputs' takes 8 channels, {folder.EncoderPath} output 'outputs' gives 4",
            InvalidData(folder).Message);
    }

    [Fact]
    public void An_encoder_width_known_only_at_run_time_is_checked_at_the_first_run()
    {
        using var folder = new ScriptedTdtModel { EncoderDimension = "D", JoinerEncoderDimension = 8 }.Write();
        using var engine = NemoTdtEngine.Load("scripted-tdt", folder.EncoderPath, folder.DecoderPath, folder.JoinerPath, folder.TokensPath, new OnnxSessionFactory(DeviceOptions.Cpu));

        var error = Assert.Throws<InvalidDataException>(() => engine.Transcribe(Signals.Speechlike(4000, seed: 1)));

        Assert.Equal(
            $"{folder.EncoderPath}: output 'outputs' should be [1, 8, T'] ({folder.JoinerPath} takes 8 channels), found [1, 4, 4]",
            error.Message);
    }

    [Fact]
    public void Unsupported_normalisation_is_reported()
    {
        using var folder = new ScriptedTdtModel().WithMetadata("normalize_type", "all_features").Write();

        Assert.Contains("normalize_type 'all_features' is not supported", InvalidData(folder).Message);
    }

    [Fact]
    public void A_missing_model_file_is_named_with_its_role()
    {
        using var folder = new ScriptedTdtModel().Write();
        File.Delete(folder.JoinerPath);

        var error = Assert.IsType<FileNotFoundException>(LoadFails(folder));

        Assert.Equal($"the joiner model file does not exist: {folder.JoinerPath}", error.Message);
    }
}
