using Muesli.Inference.Asr;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Tdt;

/// <summary>The real Parakeet TDT weights on the shipped public audio; skipped unless <c>MUESLI_MODELS</c> holds them.</summary>
public sealed class ParakeetTdtRealModelTests(ITestOutputHelper output)
{
    private const string ModelId = "parakeet-tdt-0.6b-v3-int8";

    [RealModelFact(ModelId)]
    public void Parakeet_v3_transcribes_jfk_within_fifteen_percent_wer()
    {
        using var engine = AsrEngines.Create(RealModels.Resolve(ModelKinds.Asr, ModelId), new OnnxSessionFactory(DeviceOptions.Cpu));

        var (words, transcript, wer, seconds) = PublicAudio.TranscribeJfk(engine, output);

        Assert.True(wer <= 0.15, $"WER {wer:P1}: \"{transcript}\"");
        Assert.All(words, w => Assert.InRange(w.Start, 0, w.End));
        Assert.All(words, w => Assert.InRange(w.End, w.Start, seconds + 0.08));
        Assert.True(words.Zip(words.Skip(1)).All(p => p.First.Start <= p.Second.Start), "words are in time order");
    }
}
