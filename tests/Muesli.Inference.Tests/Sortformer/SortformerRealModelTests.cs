using Muesli.Audio;
using Muesli.Core.Transcripts;
using Muesli.Inference.Diarization.Sortformer;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Vad;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Sortformer;

public sealed class SortformerRealModelTests(ITestOutputHelper output)
{
    private const string ModelId = "sortformer-4spk-v2";

    [InstalledModelFact(ModelId)]
    public void The_pyannote_sample_is_diarized_within_35_percent_error()
    {
        var samples = AudioFile.Read16kMono(SharedFiles.Path("testdata/pyannote-sample/sample.wav"));
        var reference = Rttm.Read(SharedFiles.Path("testdata/pyannote-sample/sample.rttm"));
        using var diarizer = SortformerDiarizer.Load(
            InstalledModelFactAttribute.Resolve(ModelKinds.Diarization, ModelId), new OnnxSessionFactory(DeviceOptions.Cpu), null, null);

        var result = diarizer.Diarize(samples);

        var der = FrameDiarizationError.Rate(reference, result.Segments);
        output.WriteLine($"DER {der:P1} against sample.rttm with {result.Segments.Select(s => s.Speaker).Distinct().Count()} speakers:");
        foreach (var segment in result.Segments)
        {
            output.WriteLine($"  {segment.Start,7:F2} {segment.End,7:F2} {segment.Speaker}");
        }

        Assert.True(der <= 0.35, $"DER {der:P1} is above 35 %");
    }

    [Fact]
    public void The_error_rate_counts_missed_false_alarm_and_confused_speech()
    {
        // Reference: a speaks 0–10 s, b 10–20 s. Hypothesis: x 0–8 s, y 8–20 s, z 20–22 s. With x → a and y → b,
        // a's 8–10 s is confused and 20–22 s is false alarm.
        RttmTurn[] reference = [new("a", 0, 10), new("b", 10, 20)];
        SpeakerSegment[] hypothesis = [new(0, 8, "x"), new(8, 20, "y"), new(20, 22, "z")];

        Assert.Equal((2 + 2) / 20.0, FrameDiarizationError.Rate(reference, hypothesis), 1e-9);
        Assert.Equal(0, FrameDiarizationError.Rate(reference, [new(0, 10, "q"), new(10, 20, "p")]), 1e-9);
        Assert.Equal(1, FrameDiarizationError.Rate(reference, []), 1e-9);
    }
}
