using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using Muesli.Actors.Inference;
using Muesli.Actors.Operations;
using Muesli.Actors.Serialization;
using Muesli.Actors.Streams;
using Muesli.Actors.Transcripts;
using Muesli.Core;
using Muesli.Core.Protocol;
using Muesli.Core.Transcripts;
using Muesli.Core.Windows;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Actors.Tests;

/// <summary>What nodes send each other survives the trip: the serializer bound to each message, and its payload.</summary>
public sealed class MessageSerializerSpec(ITestOutputHelper output) : MuesliSpec(output)
{
    public static TheoryData<Type> MessageTypes => new(typeof(IMuesliMessage).Assembly.GetTypes()
        .Where(t => typeof(IMuesliMessage).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface));

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void Every_message_type_is_bound_to_the_message_serializer_and_its_manifest_resolves(Type type)
    {
        var serializer = Sys.Serialization.FindSerializerForType(type);
        Assert.IsType<MuesliMessageSerializer>(serializer);
        Assert.Equal(type, MuesliMessageSerializer.Resolve(MuesliMessageSerializer.ManifestOf(type)));
    }

    [Fact]
    public void A_manifest_that_names_no_muesli_message_is_refused()
    {
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => MuesliMessageSerializer.Resolve("System.IO.FileInfo"));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => MuesliMessageSerializer.Resolve(typeof(StreamEvents.ChunkCommitted).FullName!));
    }

    [Fact]
    public void Messages_with_actor_refs_results_events_and_audio_round_trip()
    {
        var probe = CreateTestProbe();
        var request = new ChunkRequest("m1/system", 4, new Window(32000, 96000, 1, false), WorkPriority.Finalize, probe.Ref, 2, new EngineChoice("whisper"), new Core.Merge.MergeOptions());
        var result = MuesliSpec.Result(1, 2, new Word("hello", 1.2, 1.5)) with { SpeechSeconds = 1.5 };
        var messages = new object[]
        {
            request,
            new WorkerMessages.Run(request),
            new ChunkResult("m1/system", 4, request.Window, result, TimeSpan.FromMilliseconds(1234)),
            new WorkerMessages.RunSucceeded(request, result, TimeSpan.FromSeconds(1)),
            new StreamCommands.AppendAudio("m1/mic", 123456, [1, 2, 3, 4], More: true),
            new AudioPiece("m1/system", WorkPriority.Live, 4, 24576, 49152, [5, 6]),
            new TranscriptCommands.Publish("m1", new MuesliEvents.Error("journal_unavailable: try later")),
            new TranscriptCommands.Subscribe("m1", probe.Ref, Replay: true, Exclusive: true, Claim: 42),
            new TranscriptCommands.EventPublished("m1", 7, new MuesliEvents.Result([new MuesliEvents.ResultTurn("SPEAKER_00", "system", 0, 1, "hi")], [], 1)),
            new MuesliEvents.MeetingStarted(JsonDocument.Parse("{\"title\":\"standup\"}").RootElement, "m1"),
        };

        foreach (var message in messages)
        {
            var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(message);
            var bytes = serializer.ToBinary(message);
            var back = serializer.FromBinary(bytes, serializer.Manifest(message));
            Assert.Equal(message.GetType(), back.GetType());
            Assert.Equal(Convert.ToBase64String(bytes), Convert.ToBase64String(serializer.ToBinary(back)));
        }

        var copy = (ChunkRequest)RoundTrip(request);
        Assert.Equal(probe.Ref, copy.ReplyTo);
        Assert.Equal(request.Window, copy.Window);
        var published = (TranscriptCommands.Publish)RoundTrip(new TranscriptCommands.Publish("m1", new MuesliEvents.Error("x")));
        Assert.Equal("{\"type\":\"error\",\"message\":\"x\"}", published.Event.ToJson());
    }

    [Fact]
    public void The_console_s_replies_and_the_router_s_status_round_trip_with_their_values()
    {
        var reply = (CmdReply)RoundTrip(CmdReply.Of(
            new Dictionary<string, object?> { ["leader"] = "akka.tcp://muesli@h:1", ["queued"] = 3 },
            new CmdTable("workers", ["slot", "runs", "last_chunk"], [["h:1/cpu", 12L, null]])));
        Assert.True(reply.Ok);
        Assert.Equal("akka.tcp://muesli@h:1", ((JsonElement)reply.Facts["leader"]!).GetString());
        Assert.Equal(12, ((JsonElement)reply.Tables[0].Rows[0][1]!).GetInt64());
        Assert.Null(reply.Tables[0].Rows[0][2]);

        var at = new DateTime(2026, 12, 6, 11, 0, 0, DateTimeKind.Utc);
        var status = (WorkerMessages.RouterStatus)RoundTrip(new WorkerMessages.RouterStatus(1, 0, [new WorkerMessages.WorkerStatus("cpu", "CPU", true, "m1/system", 4, 1, true) { Node = "h:1", LastChunkAt = at }]));
        Assert.Equal("h:1/cpu", status.Workers[0].Id);
        Assert.Equal(at, status.Workers[0].LastChunkAt);
    }

    [Fact]
    public void A_published_result_keeps_its_words_and_their_confidence()
    {
        var words = new MuesliEvents.TimedWord[] { new("hi", 0.12, 0.4), new("there", 0.5, 0.9, 0.75) };
        var result = new MuesliEvents.Result(
            [new MuesliEvents.ResultTurn("system:SPEAKER_00", "system", 0.12, 0.9, "hi there", words), new MuesliEvents.ResultTurn("mic:SPEAKER_00", "mic", 1, 2, "bye")],
            [new MuesliEvents.KnownSpeaker("system:SPEAKER_00", "system:SPEAKER_00"), new MuesliEvents.KnownSpeaker("mic:SPEAKER_00", "mic:SPEAKER_00")],
            2);
        var back = (TranscriptCommands.EventPublished)RoundTrip(new TranscriptCommands.EventPublished("m1", 9, result));
        var copy = Assert.IsType<MuesliEvents.Result>(back.Event);
        Assert.Equal(words, copy.Turns[0].Words);
        Assert.Null(copy.Turns[1].Words);
        Assert.Equal(result.ToJson(), copy.ToJson());
        Assert.Contains("\"words\":[{\"text\":\"hi\",\"t0\":0.12,\"t1\":0.4},{\"text\":\"there\",\"t0\":0.5,\"t1\":0.9,\"confidence\":0.75}]", copy.ToJson());
    }

    [Fact]
    public void Audio_in_pieces_stays_below_the_remote_frame_size_and_arrives_exactly()
    {
        var probe = CreateTestProbe();
        var samples = Enumerable.Range(0, 45 * 16000).Select(i => (short)((i * 7) % 65536 - 32768) / 32768f).ToArray();
        var request = new ChunkRequest("m1/system", 1, new Window(0, samples.Length * 2L, 0, false), WorkPriority.Live, probe.Ref);
        AudioPieces.Send(probe.Ref, request, samples, probe.Ref);
        var assembly = new AudioPieces.Assembly(request);
        while (!assembly.Complete)
        {
            var piece = probe.ExpectMsg<AudioPiece>();
            Assert.True(Sys.Serialization.FindSerializerFor(piece).ToBinary(piece).Length < 128000);
            assembly.Add((AudioPiece)RoundTrip(piece));
        }

        Assert.Equal(samples, assembly.Samples);
        foreach (var part in StreamCommands.AppendAudio.Parts("m1/mic", 0, new byte[1_000_000]))
        {
            Assert.True(Sys.Serialization.FindSerializerFor(part).ToBinary(part).Length < 128000);
        }
    }

    private object RoundTrip(object message)
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(message);
        return serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message));
    }
}
