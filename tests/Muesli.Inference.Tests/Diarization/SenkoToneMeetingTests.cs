using Muesli.Core;
using Muesli.Core.Speakers;
using Muesli.Inference.Diarization;
using Muesli.Inference.Tests.Support;
using Muesli.TestWorld;
using Muesli.TestWorld.StandIns;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Diarization;

/// <summary>The real senko engine, built from the stand-in models folder, on generated tone meetings scored against their truth.</summary>
public sealed class SenkoToneMeetingTests(StandInModelsFolder standIns, ITestOutputHelper output) : IClassFixture<StandInModelsFolder>
{
    private IDiarizationEngine Engine(SenkoOptions? options = null)
        => DiarizationEngines.Create("senko", DiarizationEngines.Resolve("senko", standIns.Catalog), new OnnxSessionFactory(DeviceOptions.Cpu), options);

    private static float[] Audio(ToneMeeting meeting) => meeting.Render(ToneMeeting.AllStreams, AudioFormat.Asr).Select(s => s / 32768f).ToArray();

    private static IReadOnlyList<TruthTurn> Turns(DiarizationResult result)
        => result.Segments.Select(s => new TruthTurn(s.Speaker, ToneMeeting.AllStreams, s.Start, s.End)).ToList();

    private DerBreakdown Score(ToneMeeting meeting, DiarizationResult result)
    {
        var der = Scoring.DiarizationErrorRate(meeting.Turns, Turns(result));
        output.WriteLine(
            $"{meeting.Spec.Speakers} speakers, {meeting.Duration / 60:0} min, overlap {meeting.Spec.OverlapRatio:0.00}: DER {der.Total:P2} "
            + $"(missed {der.Missed:P2}, false alarm {der.FalseAlarm:P2}, confusion {der.Confusion:P2}); {result.Embeddings.Count} speakers found");
        return der;
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(4, 2)]
    [InlineData(6, 3)]
    public void Ten_minute_meetings_are_diarized_within_five_percent(int speakers, int seed)
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 600, Speakers = speakers, Seed = seed, OverlapRatio = 0.2 });
        using var engine = Engine();

        var result = engine.Diarize(Audio(meeting));

        Assert.True(Score(meeting, result).Total <= 0.05);
        Assert.Equal(speakers, result.Embeddings.Count);
    }

    [Fact]
    public void A_live_window_with_a_larger_step_is_diarized_within_five_percent()
    {
        // The live pass: 15 s of new audio and 30 s of context.
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 45, Speakers = 3, Seed = 4, OverlapRatio = 0.3 });
        using var engine = Engine(new SenkoOptions { StepSeconds = 5 });

        var result = engine.Diarize(Audio(meeting));

        Assert.True(Score(meeting, result).Total <= 0.05);
    }

    [Fact]
    public void Each_speaker_gets_one_unit_embedding_along_its_true_voice()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 120, Speakers = 4, Seed = 5, OverlapRatio = 0.1 });
        using var engine = Engine();
        var directions = ToneEmbeddingModel.VoiceDirections();

        var result = engine.Diarize(Audio(meeting));

        Assert.Equal(result.Segments.Select(s => s.Speaker).Distinct().Order(), result.Embeddings.Keys.Order());
        foreach (var (label, embedding) in result.Embeddings)
        {
            Assert.Equal(1, Math.Sqrt(embedding.Sum(x => (double)x * x)), 1e-4);

            // The true speaker this label overlaps most, and the stand-in's direction for that speaker's voice.
            var truth = meeting.Turns
                .GroupBy(t => t.Speaker)
                .MaxBy(g => g.Sum(t => result.Segments.Where(s => s.Speaker == label).Sum(s => Math.Max(0, Math.Min(s.End, t.T1) - Math.Max(s.Start, t.T0)))))!
                .Key;
            var voice = int.Parse(truth["SPEAKER_".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(AgglomerativeClustering.CosineDistance(embedding, directions[voice].Select(x => (float)x).ToArray()) < 0.05);
        }
    }

    [Fact]
    public void Labels_are_numbered_in_order_of_first_appearance()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 90, Speakers = 5, Seed = 6 });
        using var engine = Engine();

        var result = engine.Diarize(Audio(meeting));

        var order = result.Segments.OrderBy(s => s.Start).Select(s => s.Speaker).Distinct().ToList();
        Assert.Equal(Enumerable.Range(0, order.Count).Select(SenkoDiarizer.SpeakerLabel), order);
        Assert.True(order.Count >= 2);
    }

    [Fact]
    public void A_known_speaker_count_is_kept()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 90, Speakers = 3, Seed = 7 });
        using var engine = Engine(new SenkoOptions { SpeakerCount = 2 });

        var result = engine.Diarize(Audio(meeting));

        Assert.Equal(2, result.Embeddings.Count);
    }
}
