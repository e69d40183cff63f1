using System.Collections.Immutable;
using Akka.Actor;
using Akka.Serialization;
using Muesli.Actors.Finalize;
using Muesli.Actors.Serialization;
using Muesli.Actors.Streams;
using Muesli.Actors.Transcripts;
using Muesli.Core.Commit;
using Muesli.Core.Protocol;
using Muesli.Core.Transcripts;
using Muesli.Core.Windows;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Actors.Tests;

public sealed class MuesliSerializerSpec(ITestOutputHelper output) : MuesliSpec(output)
{
    private static readonly MeetingSettings Settings = new() { TranscribeStream = "both", LiveInterval = 10, AsrModel = "whisper", EmitWords = true };

    public static TheoryData<string> Persisted => new(Samples.Keys);

    private static readonly Dictionary<string, object> Samples = new()
    {
        ["StreamOpened"] = new StreamEvents.StreamOpened("m", StreamKind.Mic, 44100, 2, true),
        ["StreamOpenedWithSettings"] = new StreamEvents.StreamOpened("m", StreamKind.Mic, 44100, 2, true, Settings),
        ["MeetingOpenedWithSettings"] = new TranscriptEvents.MeetingOpened([StreamKind.System], [StreamKind.System], false, Settings),
        ["SagaStartedWithSettings"] = new SagaEvents.SagaStarted("m", StreamKind.System, 320000, true, [new Window(0, 320000, 0, true)], Settings),
        ["ChunkCommitted"] = new StreamEvents.ChunkCommitted(7, 123456),
        ["FinalizeStarted"] = new StreamEvents.FinalizeStarted(99),
        ["StreamFinalized"] = new StreamEvents.StreamFinalized(99),
        ["StreamState"] = StreamState.Empty with { MeetingId = "m", LastProcessedByte = 64000, Lifecycle = StreamLifecycle.Finalizing },
        ["MeetingOpened"] = new TranscriptEvents.MeetingOpened([StreamKind.System, StreamKind.Mic], [StreamKind.Mic], true),
        ["WindowCommitted"] = new TranscriptEvents.WindowCommitted(
            StreamKind.System,
            3,
            false,
            CommitState.Initial,
            [Segment()],
            ["system:SPEAKER_00"],
            new TranscriptEvents.SpeakerLink(
                [new Muesli.Core.Speakers.LocalSpeaker("B", [0.6f, 0.8f], 4.5, [new SpeakerSegment(1, 5.5, "B")])],
                new Dictionary<string, string> { ["B"] = "SPEAKER_00" })),
        ["FinalTranscriptRecorded"] = new TranscriptEvents.FinalTranscriptRecorded(StreamKind.Mic, [new FinalTurn(StreamKind.Mic, "mic:SPEAKER_01", 1, 2, "hi")], 12.5),
        ["FinalTranscriptRecordedWithWords"] = new TranscriptEvents.FinalTranscriptRecorded(
            StreamKind.Mic,
            [new FinalTurn(StreamKind.Mic, "mic:SPEAKER_01", 1, 2, "hi there", [new MuesliEvents.TimedWord("hi", 1, 1.3), new MuesliEvents.TimedWord("there", 1.4, 2, 0.875)])],
            12.5),
        ["StreamCompleted"] = new TranscriptEvents.StreamCompleted(StreamKind.Mic, 100),
        ["MeetingCompleted"] = new TranscriptEvents.MeetingCompleted(),
        ["SpeakersMapped"] = new TranscriptEvents.SpeakersMapped(StreamKind.System, new Dictionary<string, string> { ["system:SPEAKER_01"] = "system:SPEAKER_00" }),
        ["TranscriptState"] = TranscriptState.Empty with
        {
            Opened = true,
            Commit = ImmutableDictionary<StreamKind, CommitState>.Empty.Add(StreamKind.System, new CommitState(12.5, "a b")),
            Segments = [Segment()],
        },
        ["SagaStarted"] = new SagaEvents.SagaStarted("m", StreamKind.System, 320000, true, [new Window(0, 320000, 0, true)]),
        ["WindowDone"] = new SagaEvents.WindowDone(new FinalWindow(
            0,
            new Window(0, 320000, 0, true),
            [new LabelledWord(new Word("alpha", 1, 1.2), "SPEAKER_00")],
            [new SpeakerSegment(0, 5, "SPEAKER_00")],
            new Dictionary<string, float[]> { ["SPEAKER_00"] = [0.5f, -1f] },
            null)),
        ["ResultPublished"] = new SagaEvents.ResultPublished(),
        ["Retained"] = new SagaEvents.Retained(),
        ["Completed"] = new SagaEvents.Completed(),
        ["SagaState"] = SagaState.Empty with { Published = true },
    };

    [Theory]
    [MemberData(nameof(Persisted))]
    public void Every_persisted_type_goes_through_the_journal_serializer_and_round_trips(string name)
    {
        var sample = Samples[name];
        var serializer = Sys.Serialization.FindSerializerFor(sample);
        Assert.IsType<MuesliSerializer>(serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, sample);
        var bytes = serializer.ToBinary(sample);
        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
        Assert.IsType(sample.GetType(), back);
        Assert.Equal(bytes, serializer.ToBinary(back));
    }

    [Fact]
    public void Every_persisted_type_has_a_sample_here()
    {
        var persisted = typeof(IMuesliPersisted).Assembly.GetTypes()
            .Where(t => typeof(IMuesliPersisted).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
            .ToHashSet();
        Assert.Equal(persisted.OrderBy(t => t.FullName), Samples.Values.Select(s => s.GetType()).Distinct().OrderBy(t => t.FullName));
        Assert.Equal(persisted.OrderBy(t => t.FullName), MuesliSerializer.PersistedTypes.OrderBy(t => t.FullName));
    }

    [Fact]
    public void A_meeting_persisted_before_meetings_had_settings_replays_with_the_node_defaults()
    {
        var serializer = new MuesliSerializer((ExtendedActorSystem)Sys);
        var old = System.Text.Encoding.UTF8.GetBytes("{\"meetingId\":\"m\",\"stream\":\"Mic\",\"sampleRate\":44100,\"channels\":2,\"transcribe\":true}");
        var opened = Assert.IsType<StreamEvents.StreamOpened>(serializer.FromBinary(old, "st.open"));
        Assert.Null(opened.Settings);
        var back = Assert.IsType<StreamEvents.StreamOpened>(serializer.FromBinary(serializer.ToBinary(Samples["StreamOpenedWithSettings"]), "st.open"));
        Assert.Equal(Settings, back.Settings);
    }

    [Fact]
    public void A_final_transcript_keeps_its_words_and_one_recorded_before_words_replays_without_them()
    {
        var serializer = new MuesliSerializer((ExtendedActorSystem)Sys);
        var sample = (TranscriptEvents.FinalTranscriptRecorded)Samples["FinalTranscriptRecordedWithWords"];
        var back = Assert.IsType<TranscriptEvents.FinalTranscriptRecorded>(serializer.FromBinary(serializer.ToBinary(sample), "tr.final"));
        Assert.Equal(sample.Turns[0].Words, back.Turns[0].Words);

        // Before words were kept, and a word without a confidence: neither field is written.
        var old = System.Text.Encoding.UTF8.GetBytes("{\"stream\":\"Mic\",\"turns\":[{\"stream\":\"Mic\",\"speakerId\":\"mic:SPEAKER_01\",\"t0\":1,\"t1\":2,\"text\":\"hi\"}],\"duration\":12.5}");
        var replayed = Assert.IsType<TranscriptEvents.FinalTranscriptRecorded>(serializer.FromBinary(old, "tr.final"));
        Assert.Null(replayed.Turns[0].Words);
        Assert.Equal(old, serializer.ToBinary(replayed));
        Assert.DoesNotContain("confidence", System.Text.Encoding.UTF8.GetString(serializer.ToBinary(Samples["WindowCommitted"])));
    }

    [Fact]
    public void An_unknown_manifest_fails_loudly()
    {
        var serializer = new MuesliSerializer((ExtendedActorSystem)Sys);
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([], "no.such"));
    }

    private static CommittedSegment Segment()
        => new(StreamKind.System, "SPEAKER_00", "system:SPEAKER_00", 1, 2, "alpha bravo", [new MuesliEvents.TimedWord("alpha", 1, 1.4), new MuesliEvents.TimedWord("bravo", 1.6, 2)]);
}
