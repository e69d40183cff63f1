using Muesli.Inference.Asr;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Whisper;

/// <summary>Real Whisper weights on the shipped jfk.wav; skipped unless MUESLI_MODELS holds the model.</summary>
public sealed class WhisperRealModelTests(ITestOutputHelper output)
{
    [RealModelFact("whisper-tiny.en-int8")]
    public void Tiny_en_transcribes_jfk_within_20_percent_word_error() => TranscribeJfk("whisper-tiny.en-int8");

    [RealModelFact("whisper-base.en-int8")]
    public void Base_en_transcribes_jfk_within_20_percent_word_error() => TranscribeJfk("whisper-base.en-int8");

    private void TranscribeJfk(string modelId)
    {
        using var engine = AsrEngines.Create(RealModels.Resolve(ModelKinds.Asr, modelId), new OnnxSessionFactory(DeviceOptions.Cpu));

        var (words, _, wordErrorRate, seconds) = PublicAudio.TranscribeJfk(engine, output);

        Assert.InRange(wordErrorRate, 0, 0.2);
        Assert.All(words, w => Assert.InRange(w.Start, 0, w.End));
        Assert.All(words, w => Assert.InRange(w.End, w.Start, seconds));
        Assert.True(words.Zip(words.Skip(1)).All(pair => pair.First.End <= pair.Second.Start + 1e-9), "words overlap or go back in time");
    }
}
