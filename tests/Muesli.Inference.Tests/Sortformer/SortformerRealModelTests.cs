using Muesli.Audio;
using Muesli.Inference.Diarization.Sortformer;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Muesli.TestWorld;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Sortformer;

public sealed class SortformerRealModelTests(ITestOutputHelper output)
{
    private const string ModelId = "sortformer-4spk-v2";

    [RealModelFact(ModelId)]
    public void The_pyannote_sample_is_diarized_within_35_percent_error()
    {
        var samples = AudioFile.Read16kMono(SharedFiles.PathOf("testdata/pyannote-sample/sample.wav"));
        var reference = Rttm.Parse(File.ReadAllText(SharedFiles.PathOf("testdata/pyannote-sample/sample.rttm")));
        using var diarizer = SortformerDiarizer.Load(
            RealModels.Resolve(ModelKinds.Diarization, ModelId), new OnnxSessionFactory(DeviceOptions.Cpu), null, null);

        var result = diarizer.Diarize(samples);

        var hypothesis = result.Segments.Select(s => new TruthTurn(s.Speaker, ToneMeeting.AllStreams, s.Start, s.End)).ToList();
        var der = Scoring.DiarizationErrorRate(reference, hypothesis);
        output.WriteLine(
            $"DER {der.Total:P1} against sample.rttm (missed {der.Missed:P1}, false alarm {der.FalseAlarm:P1}, confusion {der.Confusion:P1}), "
            + $"{hypothesis.Select(h => h.Speaker).Distinct().Count()} speakers:");
        foreach (var segment in result.Segments)
        {
            output.WriteLine($"  {segment.Start,7:F2} {segment.End,7:F2} {segment.Speaker}");
        }

        Assert.True(der.Total <= 0.35, $"DER {der.Total:P1} is above 35 %");
    }
}
