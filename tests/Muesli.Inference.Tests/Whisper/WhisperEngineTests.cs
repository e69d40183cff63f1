using Microsoft.ML.OnnxRuntime;
using Muesli.Inference.Asr;
using Muesli.Inference.Asr.Whisper;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using static Muesli.Inference.Tests.Whisper.TestVocabulary;

namespace Muesli.Inference.Tests.Whisper;

public sealed class WhisperEngineTests
{
    private const int Rate = 16000;

    private static WhisperEngine Load(ModelFolder folder, WhisperOptions? options = null, OnnxSessionFactory? sessions = null)
        => WhisperEngine.Load("tone-whisper", folder.EncoderPath, folder.DecoderPath, folder.TokensPath, sessions ?? new OnnxSessionFactory(DeviceOptions.Cpu), options);

    /// <summary>The stand-in's script on the clock: each segment's words share its span by their length.</summary>
    private static (string Text, double Start, double End)[] JfkWords(double offset) =>
    [
        ("And", offset, offset + (3.0 / 7)),
        ("so", offset + (3.0 / 7), offset + (5.0 / 7)),
        ("my", offset + (5.0 / 7), offset + 1),
        ("fellow", offset + 1, offset + 1 + (1.5 * 6 / 16)),
        ("Americans,", offset + 1 + (1.5 * 6 / 16), offset + 2.5),
        ("ça", offset + 2.5, offset + 3),
    ];

    [Fact]
    public void Speech_is_transcribed_into_timed_words_through_encoder_decoder_and_caches()
    {
        using var folder = new StandInWhisper().Write();
        using var engine = Load(folder);

        var words = engine.Transcribe(Signals.Speechlike(10 * Rate, seed: 1));

        TimedAssert.Words(JfkWords(0), words);
        Assert.Equal("tone-whisper", engine.Name);
    }

    [Fact]
    public void Silence_yields_no_words()
    {
        using var folder = new StandInWhisper().Write();
        using var engine = Load(folder);

        Assert.Empty(engine.Transcribe(new float[10 * Rate]));
    }

    [Fact]
    public void A_window_is_silent_only_when_no_speech_is_likely_and_its_transcript_unsure()
    {
        // Not skipped, the stand-in's flat logits on silence read as " And" again and again (greedy only: no fallback).
        var silence = new float[Rate];
        using var folder = new StandInWhisper().Write();
        using var trustingTheTranscript = Load(folder, new WhisperOptions { LogProbabilityThreshold = double.NegativeInfinity, Temperatures = [0] });
        using var ignoringNoSpeech = Load(folder, new WhisperOptions { NoSpeechThreshold = 1.0, Temperatures = [0] });

        Assert.Contains(trustingTheTranscript.Transcribe(silence), w => w.Text == "And");
        Assert.Contains(ignoringNoSpeech.Transcribe(silence), w => w.Text == "And");
    }

    [Fact]
    public void A_greedy_repetition_loop_is_decoded_again_at_higher_temperatures()
    {
        // On silence, with no-speech ignored, the stand-in's flat logits make greedy decoding say " And" over and over.
        var silence = new float[Rate];
        using var folder = new StandInWhisper().Write();
        using var greedyOnly = Load(folder, new WhisperOptions { NoSpeechThreshold = 1.0, Temperatures = [0] });
        using var withFallback = Load(folder, new WhisperOptions { NoSpeechThreshold = 1.0 });

        var loop = string.Join(' ', greedyOnly.Transcribe(silence).Select(w => w.Text));
        var escaped = string.Join(' ', withFallback.Transcribe(silence).Select(w => w.Text));

        Assert.True(WhisperFallback.CompressionRatio(loop) > 2.4, $"greedy: '{loop}'");
        Assert.True(WhisperFallback.CompressionRatio(escaped) < WhisperFallback.CompressionRatio(loop), $"with the fallback: '{escaped}'");
        Assert.Equal(escaped, string.Join(' ', withFallback.Transcribe(silence).Select(w => w.Text)));
    }

    [Fact]
    public void A_model_without_a_no_speech_token_never_skips_a_window()
    {
        using var folder = new StandInWhisper { MetadataChanges = new Dictionary<string, string?> { ["no_speech"] = null } }.Write();
        using var engine = Load(folder, new WhisperOptions { Temperatures = [0] });

        Assert.Contains(engine.Transcribe(new float[Rate]), w => w.Text == "And");
    }

    [Fact]
    public void Long_input_is_split_into_30_second_windows_each_offset_onto_the_input_clock()
    {
        using var folder = new StandInWhisper().Write();
        using var engine = Load(folder);

        var words = engine.Transcribe(Signals.Speechlike(70 * Rate, seed: 3));

        TimedAssert.Words(JfkWords(0).Concat(JfkWords(30)).Concat(JfkWords(60)), words);
    }

    [Fact]
    public void A_window_cut_mid_segment_is_followed_by_one_that_starts_at_its_last_complete_segment()
    {
        // Never closes its second segment, so the 16 tokens the context allows run out inside it.
        using var folder = new StandInWhisper { Script = [At(0), 1, At(1), At(1), .. Enumerable.Repeat(2, 20)] }.Write();
        using var engine = Load(folder);

        var words = engine.Transcribe(Signals.Speechlike(3 * Rate, seed: 4));

        TimedAssert.Words([("And", 0, 1), ("And", 1, 2), ("And", 2, 3)], words);
    }

    [Fact]
    public void A_multilingual_model_detects_the_language_or_takes_the_one_given()
    {
        using var folder = new StandInWhisper { Multilingual = true }.Write();
        using var detecting = Load(folder);
        using var german = Load(folder, new WhisperOptions { Language = "de" });

        TimedAssert.Words(JfkWords(0), detecting.Transcribe(Signals.Speechlike(5 * Rate, seed: 5)));
        TimedAssert.Words(JfkWords(0), german.Transcribe(Signals.Speechlike(5 * Rate, seed: 5)));
    }

    [Fact]
    public void An_unknown_language_is_refused_with_the_languages_known()
    {
        using var folder = new StandInWhisper { Multilingual = true }.Write();

        var error = Assert.Throws<ArgumentException>(() => Load(folder, new WhisperOptions { Language = "xx" }));

        Assert.StartsWith($"{folder.EncoderPath} does not know language 'xx' (languages: en, de, fr, or auto)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_english_only_model_ignores_the_language()
    {
        using var folder = new StandInWhisper().Write();
        using var engine = Load(folder, new WhisperOptions { Language = "xx" });

        TimedAssert.Words(JfkWords(0), engine.Transcribe(Signals.Speechlike(5 * Rate, seed: 6)));
    }

    [Fact]
    public void Empty_audio_has_no_words()
    {
        using var folder = new StandInWhisper().Write();
        using var engine = Load(folder);

        Assert.Empty(engine.Transcribe([]));
    }

    [Fact]
    public void The_stand_in_decoder_ends_the_transcript_when_its_caches_are_not_carried_over()
    {
        // What makes the end-to-end tests fail if the engine dropped the caches between runs: fresh caches at offset 3.
        using var folder = new StandInWhisper().Write();
        using var decoder = new InferenceSession(folder.DecoderPath);
        long[] cacheShape = [2, 1, 32, 4];
        long[] crossShape = [2, 1, 3, 4];
        using var tokens = OrtValue.CreateTensorValueFromMemory(new long[] { 2 }, [1, 1]);
        using var selfKey = OrtValue.CreateTensorValueFromMemory(new float[2 * 32 * 4], cacheShape);
        using var selfValue = OrtValue.CreateTensorValueFromMemory(new float[2 * 32 * 4], cacheShape);
        using var cross = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1f, 2 * 3 * 4).ToArray(), crossShape);
        using var offset = OrtValue.CreateTensorValueFromMemory(new long[] { 3 }, [1]);
        using var options = new RunOptions();

        using var outputs = decoder.Run(
            options,
            ["tokens", "in_n_layer_self_k_cache", "in_n_layer_self_v_cache", "n_layer_cross_k", "n_layer_cross_v", "offset"],
            [tokens, selfKey, selfValue, cross, cross, offset],
            ["logits"]);

        var logits = outputs[0].GetTensorDataAsSpan<float>();
        Assert.Equal(Eot, logits.IndexOf(MaxOf(logits)));
    }

    [Fact]
    public void Sessions_are_made_by_the_factory_with_the_encoder_and_decoder_roles()
    {
        using var folder = new StandInWhisper().Write();
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);

        using var engine = Load(folder, sessions: sessions);

        Assert.Equal(
            [new SessionInfo("encoder", folder.EncoderPath, "CPU"), new SessionInfo("decoder", folder.DecoderPath, "CPU")],
            sessions.Sessions);
    }

    [Fact]
    public void A_missing_tokens_file_is_named()
    {
        using var folder = new StandInWhisper().Write();
        File.Delete(folder.TokensPath);

        var error = Assert.Throws<FileNotFoundException>(() => Load(folder));

        Assert.Contains(folder.TokensPath, error.Message);
    }

    [Fact]
    public void A_missing_decoder_file_is_named_with_its_role()
    {
        using var folder = new StandInWhisper().Write();
        File.Delete(folder.DecoderPath);

        var error = Assert.Throws<FileNotFoundException>(() => Load(folder));

        Assert.Equal($"the decoder model file does not exist: {folder.DecoderPath}", error.Message);
    }

    [Fact]
    public void Asr_engines_builds_whisper_from_an_installed_model()
    {
        using var folder = new StandInWhisper().Write();
        var installed = InstalledModels.FromFiles(
            "tone-whisper",
            ModelKinds.Asr,
            WhisperEngine.Family,
            ("encoder", folder.EncoderPath),
            ("decoder", folder.DecoderPath),
            ("tokens", folder.TokensPath));

        using var engine = AsrEngines.Create(installed, new OnnxSessionFactory(DeviceOptions.Cpu));

        Assert.IsType<WhisperEngine>(engine);
        TimedAssert.Words(JfkWords(0), engine.Transcribe(Signals.Speechlike(4 * Rate, seed: 7)));
        Assert.Contains(WhisperEngine.Family, AsrEngines.SupportedFamilies);
    }

    private static float MaxOf(ReadOnlySpan<float> values)
    {
        var max = float.NegativeInfinity;
        foreach (var v in values)
        {
            max = MathF.Max(max, v);
        }

        return max;
    }
}
