using Muesli.Inference.Diarization.Sortformer;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Sortformer;

public sealed class SortformerRealModelTests(ITestOutputHelper output)
{
    private const string ModelId = "sortformer-4spk-v2";

    [RealModelFact(ModelId)]
    public void The_pyannote_sample_is_diarized_within_35_percent_error()
    {
        using var diarizer = SortformerDiarizer.Load(
            RealModels.Resolve(ModelKinds.Diarization, ModelId), new OnnxSessionFactory(DeviceOptions.Cpu), null, null);

        var der = PublicAudio.DiarizePyannoteSample(diarizer, output);

        Assert.True(der.Total <= 0.35, $"DER {der.Total:P1} is above 35 %");
    }
}
