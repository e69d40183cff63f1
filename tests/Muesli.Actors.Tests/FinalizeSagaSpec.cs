using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit;
using Muesli.Actors.Finalize;
using Muesli.Actors.Inference;
using Muesli.Actors.Streams;
using Muesli.Actors.Transcripts;
using Muesli.Core.Protocol;
using Muesli.Core.Transcripts;
using Muesli.Core.Windows;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Actors.Tests;

public sealed class FinalizeSagaSpec(ITestOutputHelper output) : MuesliSpec(output)
{
    private const string StreamId = "m1/mic";
    private const int Bps = 32000;

    private static readonly MeetingOptions Options = new()
    {
        // Small finalize windows, so a 25 s stream takes three of them.
        Windows = new WindowOptions { FinalizeWindowSeconds = 10, ContextSeconds = 3 },
    };

    [Fact]
    public async Task A_saga_killed_mid_pass_resumes_at_the_first_window_not_persisted_and_runs_every_step_once()
    {
        var (streams, router, transcripts) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var saga = Sys.ActorOf(FinalizeSaga.Props(StreamId, Options, router.Ref, streams.Ref, transcripts.Ref));
        saga.Tell(new FinalizeCommands.StartFinalize(StreamId, "m1", StreamKind.Mic, 25 * Bps, Transcribe: true));

        RunWindow(saga, streams, router, expectedStart: 0, expectedEnd: 10);
        RunWindow(saga, streams, router, expectedStart: 7, expectedEnd: 20);
        var third = streams.ExpectMsg<StreamCommands.ReadAudio>();
        Assert.Equal(17 * Bps, third.Start);

        // A crash now: the third window's result never arrives.
        Watch(saga);
        Sys.Stop(saga);
        ExpectTerminated(saga);

        var again = Sys.ActorOf(FinalizeSaga.Props(StreamId, Options, router.Ref, streams.Ref, transcripts.Ref));
        again.Tell(new FinalizeCommands.StartFinalize(StreamId, "m1", StreamKind.Mic, 25 * Bps, Transcribe: true));
        RunWindow(again, streams, router, expectedStart: 17, expectedEnd: 25);

        var final = transcripts.FishForMessage<TranscriptCommands.ApplyFinal>(_ => true);
        // Words from all three windows, each once, although the windows overlap by 3 s.
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"w{i}"), final.Words.Select(w => w.Word.Text));
        Assert.Equal(25, final.Duration);
        transcripts.Send(again, new TranscriptCommands.FinalApplied("m1", StreamKind.Mic, 3));

        var close = streams.ExpectMsg<StreamCommands.CloseStream>();
        Assert.False(close.KeepPcm);
        streams.Send(again, new StreamCommands.StreamClosed(StreamId, 25 * Bps));
        var done = transcripts.FishForMessage<TranscriptCommands.StreamDone>(_ => true);
        Assert.Equal(25 * Bps, done.TotalBytes);
        transcripts.Send(again, new TranscriptCommands.StreamDoneAck("m1", StreamKind.Mic));

        var state = await again.Ask<SagaState>(new FinalizeCommands.GetSagaState(StreamId));
        Assert.Equal(SagaStep.Done, state.Step);
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_stream_that_is_not_transcribed_is_only_retained()
    {
        var (streams, router, transcripts) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var saga = Sys.ActorOf(FinalizeSaga.Props(StreamId, Options, router.Ref, streams.Ref, transcripts.Ref));
        saga.Tell(new FinalizeCommands.StartFinalize(StreamId, "m1", StreamKind.Mic, 5 * Bps, Transcribe: false));
        streams.ExpectMsg<StreamCommands.CloseStream>();
        streams.Send(saga, new StreamCommands.StreamClosed(StreamId, 5 * Bps));
        transcripts.FishForMessage<TranscriptCommands.StreamDone>(_ => true);
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_window_no_worker_can_run_is_given_up_at_once_and_the_saga_goes_on()
    {
        var (streams, router, transcripts) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var saga = Sys.ActorOf(FinalizeSaga.Props(StreamId, Options, router.Ref, streams.Ref, transcripts.Ref));
        saga.Tell(new FinalizeCommands.StartFinalize(StreamId, "m1", StreamKind.Mic, 15 * Bps, Transcribe: true));

        foreach (var start in new[] { 0, 7 })
        {
            var read = streams.ExpectMsg<StreamCommands.ReadAudio>();
            Assert.Equal(start * Bps, read.Start);
            streams.Send(saga, new StreamCommands.AudioRead(StreamId, read.Start, read.End, new float[(read.End - read.Start) / 2]));
            var request = router.ExpectMsg<ChunkRequest>();
            router.Send(saga, new ChunkRefused(StreamId, request.Seq, "models_unavailable: broken"));
        }

        // No retry rounds and no error of its own: the session told the client why.
        var told = new List<object>();
        var final = (TranscriptCommands.ApplyFinal)transcripts.FishForMessage<object>(
            m =>
            {
                told.Add(m);
                return m is TranscriptCommands.ApplyFinal;
            },
            TimeSpan.FromSeconds(3));
        Assert.Empty(final.Words);
        Assert.DoesNotContain(told, m => m is TranscriptCommands.Publish { Event: MuesliEvents.Error });
        var state = await saga.Ask<SagaState>(new FinalizeCommands.GetSagaState(StreamId));
        Assert.All(state.Windows.Values, w => Assert.Contains("models_unavailable: broken", w.Error));
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    /// <summary>Answers one window: its audio, then a result with a word a second over the window.</summary>
    private static void RunWindow(IActorRef saga, TestProbe streams, TestProbe router, double expectedStart, double expectedEnd)
    {
        var read = streams.ExpectMsg<StreamCommands.ReadAudio>();
        Assert.Equal((long)(expectedStart * Bps), read.Start);
        Assert.Equal((long)(expectedEnd * Bps), read.End);
        streams.Send(saga, new StreamCommands.AudioRead(StreamId, read.Start, read.End, new float[(read.End - read.Start) / 2]));
        var request = router.ExpectMsg<ChunkRequest>();
        Assert.Equal(WorkPriority.Finalize, request.Priority);
        Assert.True(request.Window.IsFinalize);
        var words = Enumerable.Range((int)expectedStart, (int)(expectedEnd - expectedStart))
            .Select(i => new Word($"w{i}", i + 0.3, i + 0.6))
            .ToArray();
        router.Send(saga, new ChunkResult(StreamId, request.Seq, request.Window, Result(expectedStart, expectedEnd - expectedStart, words), TimeSpan.Zero));
    }
}
