using System.Text.Json;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>Diarized meetings through the backend, with the stand-in ASR, segmentation and embedding models.</summary>
public sealed class BackendDiarizationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(2, 31)]
    [InlineData(4, 32)]
    [InlineData(6, 33)]
    public async Task Speakers_keep_one_meeting_wide_id_live_and_the_final_pass_labels_them_consistently(int speakers, int seed)
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 600, Speakers = speakers, Seed = seed });
        using var dir = new TempDir();
        await using var backend = BackendProcess.Start(["--output-dir", dir, "--models", StandIns.Folder]);
        await backend.SendAsync(AppClient.Start());
        await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting, new FeedPlan()));
        await backend.SendAsync(AppClient.Stop());
        backend.CloseInput();
        Assert.Equal(0, await backend.WaitForExitAsync(TimeSpan.FromMinutes(10)));

        var events = backend.Events;
        Assert.All(events, e => Assert.Null(EventShapes.Check(e)));
        var reference = meeting.WordBoundedTurns();
        var result = Assert.Single(events.OfType("result"));
        var finalTurns = Turns(result.GetProperty("turns").EnumerateArray());
        var live = events.OfType("segment")
            .Where(s => s.GetProperty("t1").GetDouble() <= LastLiveCommit(events))
            .ToArray();
        var liveTurns = Turns(live);

        var finalDer = Scoring.DiarizationErrorRate(reference, finalTurns);
        var liveDer = Scoring.DiarizationErrorRate(reference.Where(t => t.T1 <= LastLiveCommit(events)).ToArray(), liveTurns);
        var wer = Scoring.WordErrorRate(meeting.ReferenceText(), Transcripts.Text(result.GetProperty("turns").EnumerateArray()));
        output.WriteLine($"{speakers} speakers: final DER {finalDer.Total:P2} (missed {finalDer.Missed:P2}, false alarm {finalDer.FalseAlarm:P2}, confusion {finalDer.Confusion:P2}), live DER {liveDer.Total:P2}, WER {wer:P2}");

        Assert.True(wer <= 0.02, $"final WER {wer:P2}");
        Assert.True(finalDer.Total <= 0.05, $"final DER {finalDer.Total:P2}");
        Assert.True(liveDer.Total <= 0.10, $"live DER {liveDer.Total:P2}");

        // Live: each person has exactly one id, and no two people share one.
        var idsByPerson = live
            .Select(s => (Id: s.GetProperty("speaker_id").GetString()!, Person: TrueSpeaker(reference, s.GetProperty("t0").GetDouble(), s.GetProperty("t1").GetDouble())))
            .Where(x => x.Person is not null)
            .GroupBy(x => x.Person!)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Id).Distinct().ToArray());
        output.WriteLine(string.Join("; ", idsByPerson.Select(p => $"{p.Key}: {string.Join(",", p.Value)}")));
        Assert.Equal(speakers, idsByPerson.Count);
        Assert.All(idsByPerson, p => Assert.Single(p.Value));
        Assert.Equal(speakers, idsByPerson.Values.Select(v => v[0]).Distinct().Count());
        Assert.All(idsByPerson.Values, v => Assert.StartsWith("system:SPEAKER_", v[0]));

        // The live ids map onto the final ones, and the mapping is told to the client when they differ.
        if (events.OfType("speaker_map").SingleOrDefault() is { ValueKind: JsonValueKind.Object } map)
        {
            Assert.All(map.GetProperty("map").EnumerateObject(), p => Assert.Contains(finalTurns, t => t.Speaker == p.Value.GetString()));
        }
    }

    private static IReadOnlyList<TruthTurn> Turns(IEnumerable<JsonElement> turns)
        => turns.Select(t => new TruthTurn(t.GetProperty("speaker_id").GetString()!, t.GetProperty("stream").GetString()!, t.GetProperty("t0").GetDouble(), t.GetProperty("t1").GetDouble())).ToArray();

    /// <summary>The end of the live transcript: segments after it were committed by the final pass.</summary>
    private static double LastLiveCommit(IReadOnlyList<JsonElement> events)
    {
        var finalStart = events.ToList().FindIndex(e => e.TryGetProperty("message", out var m) && m.GetString() == "live_process_start" && e.GetProperty("finalize").GetBoolean());
        return events.Take(finalStart).OfType("segment").Select(s => s.GetProperty("t1").GetDouble()).DefaultIfEmpty(0).Max();
    }

    private static string? TrueSpeaker(IReadOnlyList<TruthTurn> reference, double t0, double t1)
        => reference
            .Select(r => (r.Speaker, Shared: Math.Min(r.T1, t1) - Math.Max(r.T0, t0)))
            .Where(x => x.Shared > 0)
            .OrderByDescending(x => x.Shared)
            .Select(x => x.Speaker)
            .FirstOrDefault();
}
