using Muesli.Core;
using Muesli.Inference.Asr;
using Muesli.Inference.Tests.Support;
using Muesli.TestWorld;
using Xunit;

namespace Muesli.Inference.Tests.ToneWorld;

/// <summary>The stand-in models folder, run by the product's own NeMo CTC engine.</summary>
public sealed class ToneCtcEngineTests : IDisposable
{
    private readonly StandInModelsFolder standIns = new();

    public void Dispose() => standIns.Dispose();

    [Fact]
    public void The_nemo_ctc_engine_transcribes_a_meeting_with_the_stand_in_folder()
    {
        var installed = InstalledModels.FromFiles(
            StandInModels.CtcId,
            "asr",
            "nemo-ctc",
            ("model", Path.Combine(standIns.Path, "tone-ctc", "model.onnx")),
            ("tokens", Path.Combine(standIns.Path, "tone-ctc", "tokens.txt")));
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 180, Speakers = 2, Seed = 23, OverlapRatio = 0.1 });
        using var engine = AsrEngines.Create(installed, new OnnxSessionFactory(DeviceOptions.Cpu));

        var heard = engine.Transcribe(HeardTranscript.Samples(meeting.Render("all", AudioFormat.Asr), 0, meeting.Duration));

        Assert.Equal(StandInModels.CtcId, engine.Name);
        var judged = HeardTranscript.Judge(meeting, 0, meeting.Duration, heard);
        Assert.True(judged.ReferenceWords > 250);
        Assert.InRange(judged.WordErrorRate, 0, 0.02);
        Assert.Empty(judged.TimingErrors);
    }
}
