using Muesli.Audio;
using Muesli.Inference.Asr;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Muesli.TestWorld;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Tdt;

/// <summary>The real Parakeet TDT weights on the shipped public audio; skipped unless <c>MUESLI_MODELS</c> holds them.</summary>
public sealed class ParakeetTdtRealModelTests(ITestOutputHelper output)
{
    private const string ModelId = "parakeet-tdt-0.6b-v3-int8";

    // spec/models.md: the reference transcript of jfk.wav.
    private const string JfkReference =
        "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.";

    [RealModelFact(ModelId)]
    public void Parakeet_v3_transcribes_jfk_within_fifteen_percent_wer()
    {
        using var engine = AsrEngines.Create(RealModels.Resolve(ModelKinds.Asr, ModelId), new OnnxSessionFactory(DeviceOptions.Cpu));
        var samples = AudioFile.Read16kMono(SharedFiles.PathOf("testdata/jfk.wav"));

        var words = engine.Transcribe(samples);

        var transcript = string.Join(' ', words.Select(w => w.Text));
        var wer = Scoring.WordErrorRate(JfkReference, transcript);
        output.WriteLine($"{ModelId}: \"{transcript}\" (WER {wer:P1})");
        foreach (var word in words)
        {
            output.WriteLine($"  {word.Start,6:F2} {word.End,6:F2} {word.Text}");
        }

        Assert.True(wer <= 0.15, $"WER {wer:P1}: \"{transcript}\"");
        Assert.All(words, w => Assert.InRange(w.Start, 0, w.End));
        Assert.All(words, w => Assert.InRange(w.End, w.Start, (double)samples.Length / 16000 + 0.08));
        Assert.True(words.Zip(words.Skip(1)).All(p => p.First.Start <= p.Second.Start), "words are in time order");
    }
}
