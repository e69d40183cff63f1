using Xunit;
using Muesli.Actors.Inference;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Akka.TestKit.Xunit2;
using Muesli.Actors.Hosting;
using Muesli.Core.Transcripts;
using Muesli.Inference;
using Xunit.Abstractions;

namespace Muesli.Actors.Tests;

/// <summary>A TestKit spec on a real SQLite journal, with the node's own persistence and serialization settings.</summary>
public abstract class MuesliSpec(string journal, ITestOutputHelper output) : TestKit(Config(journal), output: output)
{
    protected MuesliSpec(ITestOutputHelper output)
        : this(NewJournal(), output)
    {
    }

    protected string Journal { get; } = journal;

    public static string NewJournal() => Path.Combine(Path.GetTempPath(), $"muesli-spec-{Guid.NewGuid():N}", "journal.db");

    public static Config Config(string journal) => ConfigurationFactory.ParseString(MuesliHosting.SqliteJournal(journal))
        .WithFallback(MuesliHosting.JournalSerialization)
        .WithFallback(SqlPersistence.DefaultConfiguration)
        .WithFallback("akka.loglevel = INFO\nakka.test.single-expect-default = 15s");

    /// <summary>A second actor system on the same journal: what a restarted process sees.</summary>
    protected ActorSystem Restarted(string name) => ActorSystem.Create(name, Config(Journal));

    /// <summary>Pulls a chunk's audio from its requester, as a worker does, piece by piece.</summary>
    protected float[] FetchAudio(IActorRef requester, ChunkRequest request)
    {
        var worker = CreateTestProbe();
        worker.Send(requester, new FetchAudio(request.StreamId, request.Priority, request.Seq));
        var assembly = new AudioPieces.Assembly(request);
        do
        {
            var piece = worker.ExpectMsg<AudioPiece>();
            Assert.True(piece.Pcm.Length <= AudioPieces.PieceSamples * 2);
            assembly.Add(piece);
        }
        while (!assembly.Complete);

        return assembly.Samples;
    }

    /// <summary>Removes the journal's folder once the actor system is down (before, persistence may still write to it).</summary>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        RemoveFolder(Path.GetDirectoryName(Journal)!);
    }

    /// <summary>Deletes a test's folder, retrying briefly while a file in it is still being closed.</summary>
    protected static void RemoveFolder(string folder)
    {
        for (var attempt = 0; attempt < 10 && Directory.Exists(folder); attempt++)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>A pipeline result whose words all belong to one speaker, as ASR-only mode produces.</summary>
    public static PipelineResult Result(double start, double duration, params Word[] words)
    {
        var labelled = words.Select(w => new LabelledWord(w, TranscriptionPipeline.SingleSpeaker)).ToArray();
        var turns = Core.Merge.SpeakerMerge.BuildTurns(labelled, new Core.Merge.MergeOptions());
        return new PipelineResult(start, duration, words, [], labelled, turns, new Dictionary<string, float[]>());
    }
}
