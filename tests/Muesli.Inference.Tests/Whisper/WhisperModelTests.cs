using Muesli.Inference.Asr.Whisper;
using Muesli.Inference.Tests.Support;
using Onnx;
using static Muesli.Inference.Tests.Whisper.TestVocabulary;

namespace Muesli.Inference.Tests.Whisper;

public sealed class WhisperModelTests
{
    private static WhisperModel Load(ModelFolder folder)
    {
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);
        var tokens = WhisperTokens.Load(folder.TokensPath);
        return new WhisperModel(
            sessions.Create(folder.EncoderPath, "encoder"), folder.EncoderPath, sessions.Create(folder.DecoderPath, "decoder"), folder.DecoderPath, tokens);
    }

    private static string LoadError(StandInWhisper standIn, IEnumerable<string>? tokens = null)
    {
        using var folder = standIn.Write(tokens);
        return Assert.Throws<InvalidDataException>(() => Load(folder)).Message;
    }

    private static StandInWhisper With(string key, string? value)
        => new() { MetadataChanges = new Dictionary<string, string?> { [key] = value } };

    [Fact]
    public void Dimensions_and_special_tokens_are_read_from_the_encoder_metadata()
    {
        using var folder = new StandInWhisper().Write();
        using var model = Load(folder);

        Assert.Equal((80, 2, 32, 4), (model.Features, model.TextLayers, model.TextContext, model.TextState));
        var vocabulary = model.Vocabulary;
        Assert.Equal((Size, Eot, Sot, Transcribe, NoTimestamps, NoSpeech), (vocabulary.Size, vocabulary.EndOfText, vocabulary.StartOfTranscript, vocabulary.Transcribe, vocabulary.NoTimestamps, vocabulary.NoSpeech));
        Assert.Equal(TimestampBegin, vocabulary.TimestampBegin);
        Assert.False(vocabulary.IsMultilingual);
        Assert.Equal([0], vocabulary.NonSpeechTokens);
        Assert.Equal([new("en", English), new("de", German), new("fr", French)], vocabulary.Languages);
    }

    [Fact]
    public void A_multilingual_model_prompts_with_language_and_task()
    {
        using var folder = new StandInWhisper { Multilingual = true }.Write();
        using var model = Load(folder);

        Assert.True(model.Vocabulary.IsMultilingual);
        Assert.Equal([Sot, German, Transcribe], model.Vocabulary.Prompt(model.Vocabulary.LanguageToken("DE")));
    }

    [Fact]
    public void An_english_only_model_prompts_with_sot_alone()
    {
        using var folder = new StandInWhisper().Write();
        using var model = Load(folder);

        Assert.Equal([Sot], model.Vocabulary.Prompt(German));
    }

    [Fact]
    public void Optional_metadata_may_be_absent()
    {
        using var folder = new StandInWhisper
        {
            MetadataChanges = new Dictionary<string, string?> { ["no_speech"] = null, ["non_speech_tokens"] = null, ["all_language_tokens"] = null, ["all_language_codes"] = null },
        }.Write();
        using var model = Load(folder);

        Assert.Null(model.Vocabulary.NoSpeech);
        Assert.Empty(model.Vocabulary.NonSpeechTokens);
        Assert.Empty(model.Vocabulary.Languages);
    }

    [Fact]
    public void Large_v3_takes_128_mel_bins()
    {
        using var folder = new StandInWhisper { Mels = 128 }.Write();
        using var model = Load(folder);

        Assert.Equal(128, model.Features);
    }

    [Fact]
    public void A_dynamic_mel_axis_takes_n_mels_from_metadata()
    {
        using var folder = new StandInWhisper { Mels = "n_mels", Frames = "T", MetadataChanges = new Dictionary<string, string?> { ["n_mels"] = "128" } }.Write();
        using var model = Load(folder);

        Assert.Equal(128, model.Features);
    }

    [Fact]
    public void A_dynamic_mel_axis_without_n_mels_is_reported()
    {
        var message = LoadError(new StandInWhisper { Mels = "n_mels", MetadataChanges = new Dictionary<string, string?> { ["n_mels"] = null } });

        Assert.EndsWith("input 'mel' has a dynamic mel axis and no 'n_mels' metadata, so the front end cannot know how many mel bins to make", message);
    }

    [Fact]
    public void Mel_bins_that_disagree_with_n_mels_are_reported()
    {
        using var folder = new StandInWhisper { MetadataChanges = new Dictionary<string, string?> { ["n_mels"] = "128" } }.Write();

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal($"{folder.EncoderPath}: input 'mel' has 80 mel bins, its metadata n_mels says 128", error.Message);
    }

    [Fact]
    public void An_encoder_that_does_not_take_30_seconds_is_reported()
    {
        Assert.EndsWith("input 'mel' takes 1500 frames, not the 3000 of a 30 s window", LoadError(new StandInWhisper { Frames = 1500 }));
    }

    [Fact]
    public void A_wrong_input_name_is_reported_with_the_inputs_found()
    {
        using var folder = new StandInWhisper { MelInput = "x" }.Write();

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal($"{folder.EncoderPath} has no input named 'mel' (inputs: x)", error.Message);
    }

    [Fact]
    public void A_wrong_input_type_is_reported_with_what_was_found()
    {
        using var folder = new StandInWhisper { TokensType = TensorProto.Types.DataType.Float }.Write();

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal($"{folder.DecoderPath}: input 'tokens' should be i64 [N, n], found Float [?, ?]", error.Message);
    }

    [Fact]
    public void Missing_metadata_is_named_with_the_file()
    {
        using var folder = With("n_text_ctx", null).Write();

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal(
            $"{folder.EncoderPath}: metadata has no 'n_text_ctx' (the sherpa-onnx Whisper export writes the model's dimensions and special tokens on the encoder)",
            error.Message);
    }

    [Fact]
    public void Malformed_metadata_is_named_with_what_was_found()
    {
        Assert.EndsWith("metadata is_multilingual should be 0 or 1, found 'yes'", LoadError(With("is_multilingual", "yes")));
        Assert.EndsWith("metadata n_text_layer should be a positive integer, found 'two'", LoadError(With("n_text_layer", "two")));
        Assert.EndsWith($"metadata sot should hold token ids below n_vocab {Size}, found '99999'", LoadError(With("sot", "99999")));
    }

    [Fact]
    public void Cache_layers_that_disagree_with_n_text_layer_are_reported()
    {
        using var folder = new StandInWhisper { CacheLayers = 3 }.Write();

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal(
            $"{folder.DecoderPath}: input 'in_n_layer_self_k_cache' has 3 layers (axis 0), {folder.EncoderPath}'s metadata n_text_layer says 2",
            error.Message);
    }

    [Fact]
    public void Cache_positions_that_disagree_with_n_text_ctx_are_reported()
    {
        Assert.Contains("'in_n_layer_self_k_cache' has 32 positions (axis 2)", LoadError(With("n_text_ctx", "64")));
    }

    [Fact]
    public void Logits_that_disagree_with_n_vocab_are_reported()
    {
        Assert.Contains($"output 'logits' has {Size + 1} classes (axis 2)", LoadError(new StandInWhisper { Classes = Size + 1 }));
    }

    [Fact]
    public void A_vocabulary_too_small_for_the_timestamps_is_reported()
    {
        var message = LoadError(With("no_timestamps", "30"));

        Assert.EndsWith($"metadata no_timestamps is 30, so the 1501 timestamp tokens after it need n_vocab ≥ 1532, but n_vocab is {Size}", message);
    }

    [Fact]
    public void Tokens_of_another_model_are_reported()
    {
        using var folder = new StandInWhisper().Write(TokenLines().Take(9));

        var error = Assert.Throws<InvalidDataException>(() => Load(folder));

        Assert.Equal(
            $"{folder.TokensPath} has 9 text tokens, but {folder.EncoderPath} has eot 10 (text tokens are 0..eot−1): the tokens and the model must come from the same Whisper export",
            error.Message);
    }

    [Fact]
    public void Language_lists_of_different_lengths_are_reported()
    {
        Assert.EndsWith("metadata all_language_tokens lists 3 tokens but all_language_codes 2 codes", LoadError(With("all_language_codes", "en,de")));
    }

    [Fact]
    public void A_multilingual_model_needs_its_languages()
    {
        var message = LoadError(new StandInWhisper { Multilingual = true, MetadataChanges = new Dictionary<string, string?> { ["all_language_tokens"] = null } });

        Assert.Contains("metadata has no 'all_language_tokens'", message);
    }
}
