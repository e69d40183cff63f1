using Muesli.Inference.Asr;
using Muesli.Inference.Asr.Tdt;
using Muesli.Inference.Features;
using Muesli.Inference.Models;
using Muesli.TestWorld;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Tdt;

/// <summary>The stand-in TDT model, heard through the real NeMo front end and the real TDT engine.</summary>
public sealed class ToneTdtStandInTests(ITestOutputHelper output) : IDisposable
{
    private const double TimingTolerance = 0.1;

    private readonly ToneWorld world = new();

    [Theory]
    [InlineData(ToneTdtModel.Id, 1)]
    [InlineData(ToneTdtModel.Id, 2)]
    [InlineData(StandInModels.CtcId, 1)]
    public void A_three_minute_meeting_is_transcribed_with_at_most_two_percent_wer_and_words_within_a_tenth_of_a_second(string id, int seed)
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 180, Speakers = 3, Seed = seed });
        using var engine = world.Asr(id);

        var words = engine.Transcribe(ToneWorld.Samples(meeting));

        var wer = Scoring.WordErrorRate(meeting.ReferenceText(), string.Join(' ', words.Select(w => w.Text)));
        var matched = ToneWorld.Match(meeting.Words, words);
        var startError = matched.Max(m => Math.Abs(m.Heard.Start - m.Truth.T0));
        var endError = matched.Max(m => Math.Abs(m.Heard.End - m.Truth.T1));
        output.WriteLine($"{id}: {meeting.Words.Count} words, {words.Count} heard, WER {wer:P2}, {matched.Count} matched, worst start {startError:F3} s, worst end {endError:F3} s");
        Assert.True(wer <= 0.02, $"WER {wer:P2}");
        Assert.True(matched.Count >= 0.98 * meeting.Words.Count, $"only {matched.Count} of {meeting.Words.Count} words matched");
        Assert.True(startError <= TimingTolerance, $"a word starts {startError:F3} s from the truth");
        Assert.True(endError <= TimingTolerance, $"a word ends {endError:F3} s from the truth");
    }

    [Fact]
    public void The_greedy_loop_skips_frames_and_words_span_their_durations()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 60, Seed = 3 });
        using var model = world.OpenTdtModel();
        var encoded = model.Encode(new NemoMelFrontEnd(model.Features).Compute(ToneWorld.Samples(meeting)));
        using var joint = model.Start(encoded);
        var counting = new CountingJoint(joint);

        var tokens = TdtGreedyDecoder.Decode(counting, model.Tokens, model.BlankId, model.Durations);

        output.WriteLine($"{encoded.Frames} frames, {counting.Joins} joiner runs, {counting.Predictions} decoder runs, {tokens.Count} tokens");
        Assert.Equal(meeting.Words.Count, tokens.Count);
        Assert.Equal(tokens.Count + 1, counting.Predictions);
        Assert.True(counting.Joins < 0.6 * encoded.Frames, $"{counting.Joins} joiner runs over {encoded.Frames} frames");
        Assert.True(tokens.Count(t => t.LastFrame > t.FirstFrame) > tokens.Count / 2, "most words should last more than one frame");
    }

    [Fact]
    public void The_joiner_says_a_word_once_until_the_encoder_shows_it_again()
    {
        const int word = 7;
        using var model = world.OpenTdtModel();
        var frames = new float[3 * ToneTdtModel.EncoderDimension];
        Frame(frames, 0, word, onset: true, run: 3, silence: 1);
        Frame(frames, 1, word, onset: false, run: 2, silence: 1);
        Frame(frames, 2, word, onset: true, run: 1, silence: 2);
        using var joint = model.Start(new TdtEncoded(frames, 3, ToneTdtModel.EncoderDimension));

        joint.Predict(model.BlankId);
        var first = Best(joint.Join(0), model);
        var continuingBeforeAnyToken = Best(joint.Join(1), model);
        joint.Predict(word);
        var continuing = Best(joint.Join(1), model);
        var spokenAgain = Best(joint.Join(2), model);

        Assert.Equal((word, 3), first);
        Assert.Equal((word, 2), continuingBeforeAnyToken);
        Assert.Equal((model.BlankId, 1), continuing);
        Assert.Equal((word, 1), spokenAgain);
    }

    [Fact]
    public void The_decoder_keeps_the_last_token_in_its_state_and_a_blank_does_not_replace_it()
    {
        const int word = 12;
        using var model = world.OpenTdtModel();
        var frames = new float[ToneTdtModel.EncoderDimension];
        Frame(frames, 0, word, onset: false, run: 1, silence: 1);
        using var joint = model.Start(new TdtEncoded(frames, 1, ToneTdtModel.EncoderDimension));

        joint.Predict(word);
        var afterWord = Best(joint.Join(0), model);
        joint.Predict(model.BlankId);
        var afterBlank = Best(joint.Join(0), model);

        Assert.Equal((model.BlankId, 1), afterWord);
        Assert.Equal((model.BlankId, 1), afterBlank);
    }

    [Fact]
    public void Silence_skips_as_far_as_the_durations_go()
    {
        using var model = world.OpenTdtModel();
        var frames = new float[ToneTdtModel.EncoderDimension];
        frames[ToneTdtModel.SilenceChannel] = 4;
        using var joint = model.Start(new TdtEncoded(frames, 1, ToneTdtModel.EncoderDimension));

        joint.Predict(model.BlankId);

        Assert.Equal((model.BlankId, 4), Best(joint.Join(0), model));
    }

    [Fact]
    public void Noise_and_silence_have_no_words()
    {
        using var engine = world.Asr(ToneTdtModel.Id);
        var random = new Random(5);

        foreach (var rms in new[] { 0.0, 0.0005, 0.001, 0.002 })
        {
            // Uniform noise in ±a has an RMS of a / √3.
            var amplitude = rms * Math.Sqrt(3);
            var noise = Enumerable.Range(0, 16000 * 20).Select(_ => (float)(amplitude * ((2 * random.NextDouble()) - 1))).ToArray();

            Assert.Empty(engine.Transcribe(noise));
        }
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-3f)]
    [InlineData(2f)]
    [InlineData(40f)]
    public void Features_equal_in_every_bin_are_no_word(float level)
    {
        // What a window normalises its speech's noise floor to when digital silence fills most of it: every bin alike.
        using var model = world.OpenTdtModel();

        var encoded = model.Encode(new FeatureMatrix(Enumerable.Repeat(level, ToneTdtModel.Features * 400).ToArray(), ToneTdtModel.Features, 400));

        for (var t = 0; t < encoded.Frames; t++)
        {
            Assert.All(Enumerable.Range(ToneTdtModel.HeardChannels, ToneLanguage.Words.Count), c => Assert.Equal(0f, encoded.Values[(t * encoded.Dimension) + c]));
        }
    }

    [Theory]
    [InlineData(80, 0.0)]
    [InlineData(150, 0.0)]
    [InlineData(80, 0.001)]
    public void Speech_then_a_long_silence_is_heard_word_for_word_as_the_stand_in_ctc_hears_it(double silenceSeconds, double noiseRms)
    {
        // 20 s of speech then silence: per-feature normalisation lifts the speech's noise floor to a word's level in every bin.
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 20, Speakers = 2, Seed = 3 });
        var random = new Random(9);
        var amplitude = noiseRms * Math.Sqrt(3);
        var samples = ToneWorld.Samples(meeting)
            .Concat(Enumerable.Range(0, (int)(silenceSeconds * 16000)).Select(_ => (float)(amplitude * ((2 * random.NextDouble()) - 1))))
            .ToArray();
        using var tdt = world.Asr(ToneTdtModel.Id);
        using var ctc = world.Asr(StandInModels.CtcId);

        var heard = tdt.Transcribe(samples);
        var reference = ctc.Transcribe(samples);

        var wer = Scoring.WordErrorRate(meeting.ReferenceText(), string.Join(' ', heard.Select(w => w.Text)));
        output.WriteLine($"{silenceSeconds} s of silence (noise {noiseRms}): {meeting.Words.Count} words, TDT heard {heard.Count}, CTC {reference.Count}, TDT WER {wer:P2}");
        Assert.Equal(reference.Select(w => w.Text), heard.Select(w => w.Text));
        Assert.True(wer <= 0.02, $"WER {wer:P2}");
        Assert.DoesNotContain(heard, w => w.End > meeting.Duration);
    }

    [Fact]
    public void A_meeting_longer_than_the_window_limit_is_chunked_without_losing_or_repeating_a_word_at_a_cut()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 75, Seed = 4 });
        using var model = world.OpenTdtModel();
        var tokens = TokenTable.Load(world.Catalog.Resolve(ModelKinds.Asr, ToneTdtModel.Id).PathOf("tokens"));
        using var engine = new NemoTdtEngine(ToneTdtModel.Id, model, tokens, new NemoTdtOptions { LongAudio = new LongAudioOptions { MaxChunkSeconds = 20, OverlapSeconds = 4 } });

        var cuts = LongAudioChunks.Plan(75 * 16000, 20 * 16000, 4 * 16000, alignment: 1280).Skip(1).Select(c => c.KeepFrom / 16000.0);

        var words = engine.Transcribe(ToneWorld.Samples(meeting));

        var wer = Scoring.WordErrorRate(meeting.ReferenceText(), string.Join(' ', words.Select(w => w.Text)));
        var matched = ToneWorld.Match(meeting.Words, words);
        output.WriteLine($"{meeting.Words.Count} words, {words.Count} heard in chunks, WER {wer:P2}, cuts at {string.Join(", ", cuts)} s");
        Assert.Contains(meeting.Words, w => cuts.Any(cut => w.T0 < cut && cut < w.T1));
        Assert.Equal(meeting.Words.Count, words.Count);
        Assert.True(wer <= 0.02, $"WER {wer:P2}");
        Assert.All(matched, m => Assert.InRange(m.Heard.Start - m.Truth.T0, -TimingTolerance, TimingTolerance));
        Assert.True(words.Zip(words.Skip(1)).All(pair => pair.First.Start < pair.Second.Start), "words are in time order, none repeated");
    }

    [Fact]
    public void The_stand_in_has_the_real_exports_signature()
    {
        using var model = world.OpenTdtModel();

        Assert.Equal(128, model.Features);
        Assert.Equal(1024, model.EncoderDimension);
        Assert.Equal((2, 640), (model.PredictionLayers, model.PredictionHidden));
        Assert.Equal(ToneLanguage.Words.Count + 1, model.Tokens);
        Assert.Equal(ToneLanguage.Words.Count, model.BlankId);
        Assert.Equal(0.08, model.FrameSeconds, 1e-12);
        Assert.True(model.NormalizePerFeature);
    }

    [Fact]
    public void The_models_folder_makes_tone_tdt_the_default_asr_and_keeps_tone_ctc()
    {
        var asr = world.Catalog.Resolve(ModelKinds.Asr, null);

        Assert.Equal(ToneTdtModel.Id, world.Catalog.DefaultFor(ModelKinds.Asr));
        Assert.Equal((ToneTdtModel.Id, NemoTdtEngine.Family), (asr.Entry.Id, asr.Entry.Family));
        Assert.Equal(
            [("decoder", "decoder.onnx"), ("encoder", "encoder.onnx"), ("joiner", "joiner.onnx"), ("tokens", "tokens.txt")],
            asr.Entry.Files.Select(f => (f.Role, f.Name)).Order());
        Assert.True(world.Catalog.IsInstalled(StandInModels.CtcId));
        Assert.All(world.Catalog.Verify(ToneTdtModel.Id), f => Assert.Equal(FileVerificationOutcome.Verified, f.Outcome));
    }

    public void Dispose() => world.Dispose();

    private static void Frame(float[] frames, int t, int word, bool onset, int run, int silence)
    {
        var frame = frames.AsSpan(t * ToneTdtModel.EncoderDimension, ToneTdtModel.EncoderDimension);
        frame[ToneTdtModel.HeardChannels + word] = 1;
        frame[ToneTdtModel.OnsetChannels + word] = onset ? 1 : 0;
        frame[ToneTdtModel.RunChannels + word] = run;
        frame[ToneTdtModel.SilenceChannel] = silence;
    }

    private static (int Token, int Duration) Best(ReadOnlySpan<float> scores, NemoTdtModel model)
    {
        var token = 0;
        for (var i = 1; i < model.Tokens; i++)
        {
            token = scores[i] > scores[token] ? i : token;
        }

        var duration = 0;
        for (var d = 1; d < model.Durations.Count; d++)
        {
            duration = scores[model.Tokens + d] > scores[model.Tokens + duration] ? d : duration;
        }

        return (token, model.Durations[duration]);
    }

    private sealed class CountingJoint(ITdtJoint inner) : ITdtJoint
    {
        public int Joins { get; private set; }

        public int Predictions { get; private set; }

        public int Frames => inner.Frames;

        public void Predict(int token)
        {
            Predictions++;
            inner.Predict(token);
        }

        public ReadOnlySpan<float> Join(int frame)
        {
            Joins++;
            return inner.Join(frame);
        }
    }
}
