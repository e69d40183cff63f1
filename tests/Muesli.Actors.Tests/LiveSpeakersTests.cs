using Muesli.Core;
using Muesli.Core.Commit;
using Muesli.Core.Merge;
using Muesli.Core.Speakers;
using Muesli.Core.Transcripts;
using Muesli.Core.Windows;
using Muesli.Inference;
using Muesli.Inference.Asr;
using Muesli.Inference.Diarization;
using Muesli.Inference.Models;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Actors.Tests;

/// <summary>
/// The live loop's windows, heard by the real engines with the stand-in models: linked to meeting-wide speakers,
/// the live transcript's speakers are right; with each window's own labels, as the original emitted them, they are not.
/// </summary>
public sealed class LiveSpeakersTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _models = Path.Combine(Path.GetTempPath(), $"muesli-live-speakers-{Guid.NewGuid():N}");

    [Fact]
    public void Linked_live_speakers_meet_the_live_bar_where_per_window_labels_do_not()
    {
        StandInModels.WriteModelsFolder(_models);
        var catalog = ModelCatalog.Open(_models);
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);
        using var pipeline = new TranscriptionPipeline(
            AsrEngines.Create(catalog.Resolve("asr", null), sessions),
            DiarizationEngines.Create("senko", DiarizationEngines.Resolve("senko", catalog), sessions),
            vad: null,
            new PipelineOptions());
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 300, Speakers = 4, Seed = 77 });
        var audio = meeting.Render("system", AudioFormat.Asr).Select(s => s / 32768f).ToArray();

        var (linked, perWindow) = (new List<TruthTurn>(), new List<TruthTurn>());
        var (linkedState, windowState) = (CommitState.Initial, CommitState.Initial);
        var link = SpeakerLinkState.Empty;
        var options = new WindowOptions();
        var merge = new MergeOptions();
        long processed = 0;
        var seq = 0;
        for (long recorded = 0; recorded <= audio.Length * 2L; recorded += 32000)
        {
            if (WindowPlan.PlanLive(recorded, processed, AudioFormat.Asr, options) is not { } window)
            {
                continue;
            }

            var result = pipeline.Run(audio.AsSpan((int)(window.ReadStart / 2), (int)(window.Length / 2)), window.TimestampOffset);
            var cutoff = AudioFormat.Asr.SecondsOf(window.ReadEnd) - 5;

            var locals = result.Segments.GroupBy(s => s.Speaker)
                .Select(g => new LocalSpeaker(g.Key, result.Embeddings.GetValueOrDefault(g.Key), g.Sum(s => s.Duration), g.ToArray()))
                .ToArray();
            var mapping = SpeakerLinker.Link(link, locals, new SpeakerLinkOptions());
            link = SpeakerLinker.Update(link, locals, mapping);
            var outcome = CommitPolicy.Apply(linkedState, result.LabelledWords.Select(w => w with { Speaker = mapping[w.Speaker] }).ToArray(), cutoff, merge);
            linkedState = outcome.State;
            linked.AddRange(outcome.CommittedTurns.Select(t => new TruthTurn(t.Speaker, "system", t.Start, t.End)));

            // The original: each window's labels as the window's diarization gave them.
            var original = CommitPolicy.Apply(windowState, result.LabelledWords, cutoff, merge);
            windowState = original.State;
            perWindow.AddRange(original.CommittedTurns.Select(t => new TruthTurn(t.Speaker, "system", t.Start, t.End)));
            processed = window.ReadEnd;
            seq++;
        }

        var end = linked.Max(t => t.T1);
        var reference = meeting.WordBoundedTurns().Where(t => t.T1 <= end).ToArray();
        var linkedDer = Scoring.DiarizationErrorRate(reference, linked);
        var perWindowDer = Scoring.DiarizationErrorRate(reference, perWindow);
        output.WriteLine($"{seq} live windows: DER linked {linkedDer.Total:P2}, per-window labels {perWindowDer.Total:P2} (confusion {perWindowDer.Confusion:P2})");

        Assert.True(linkedDer.Total <= 0.10, $"linked live DER {linkedDer.Total:P2}");
        Assert.True(perWindowDer.Total > 0.10, $"per-window labels scored {perWindowDer.Total:P2}: the contrast is gone");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_models, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
