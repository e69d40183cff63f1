using Muesli.Inference.Diarization;
using Muesli.Inference.Tests.Support;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Diarization;

/// <summary>The senko pipeline with the real pyannote and WeSpeaker weights on the shipped public audio.</summary>
public sealed class SenkoRealModelsTests(ITestOutputHelper output)
{
    private const string Segmentation = "pyannote-segmentation-3.0";
    private const string Embedding = "wespeaker-voxceleb-resnet34-lm";

    [RealModelFact(Segmentation, Embedding)]
    public void The_pyannote_sample_is_diarized_within_35_percent()
    {
        var models = new DiarizationModels(RealModels.Resolve("segmentation", Segmentation), RealModels.Resolve("embedding", Embedding), null);
        using var engine = DiarizationEngines.Create("senko", models, new OnnxSessionFactory(DeviceOptions.Cpu));

        var der = PublicAudio.DiarizePyannoteSample(engine, output);

        Assert.True(der.Total <= 0.35);
    }
}
