using Muesli.Audio;
using Muesli.Inference.Diarization;
using Muesli.Inference.Tests.Support;
using Muesli.TestWorld;
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
        var reference = Rttm.Parse(File.ReadAllText(SharedFiles.PathOf("testdata/pyannote-sample/sample.rttm")));

        var result = engine.Diarize(AudioFile.Read16kMono(SharedFiles.PathOf("testdata/pyannote-sample/sample.wav")));

        var hypothesis = result.Segments.Select(s => new TruthTurn(s.Speaker, ToneMeeting.AllStreams, s.Start, s.End)).ToList();
        var der = Scoring.DiarizationErrorRate(reference, hypothesis);
        output.WriteLine(
            $"pyannote sample: DER {der.Total:P2} (missed {der.Missed:P2}, false alarm {der.FalseAlarm:P2}, confusion {der.Confusion:P2}); "
            + $"{result.Embeddings.Count} speakers found");
        Assert.True(der.Total <= 0.35);
    }
}
