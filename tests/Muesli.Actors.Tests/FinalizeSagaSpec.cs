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

    private readonly string _output = Directory.CreateTempSubdirectory("muesli-saga-").FullName;

    private MeetingOptions Options => new()
    {
        OutputDirectory = _output,
        // Small finalize windows, so a 25 s stream takes three of them.
        Windows = new WindowOptions { FinalizeWindowSeconds = 10, ContextSeconds = 3 },
    };

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        RemoveFolder(_output);
    }

    /// <summary>The stream's log on the shared data dir, as the stream actor left it: a ramp the test can check.</summary>
    private short[] WriteLog(double seconds)
    {
        var samples = Enumerable.Range(0, (int)(seconds * 16000)).Select(i => (short)((i % 40000) - 20000)).ToArray();
        var bytes = new byte[samples.Length * 2];
        Buffer.BlockCopy(samples, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(Path.Combine(_output, "mic.pcm"), bytes);
        return samples;
    }

    [Fact]
    public async Task A_saga_killed_mid_pass_resumes_at_the_first_window_not_persisted_and_runs_every_step_once()
    {
        var (streams, router, transcripts) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var log = WriteLog(25);
        var saga = Sys.ActorOf(FinalizeSaga.Props(StreamId, Options, router.Ref, streams.Ref, transcripts.Ref));
        saga.Tell(new FinalizeCommands.StartFinalize(StreamId, "m1", StreamKind.Mic, 25 * Bps, Transcribe: true));

        RunWindow(saga, router, expectedStart: 0, expectedEnd: 10);
        var second = RunWindow(saga, router, expectedStart: 7, expectedEnd: 20, answer: false);
        // The worker reads the window from the stream's log, through the saga, in pieces.
        var audio = FetchAudio(saga, second);
        Assert.Equal(log.Skip(7 * 16000).Take(13 * 16000).Select(v => v / 32768f), audio);
        Answer(saga, router, second, 7, 20);
        var third = router.ExpectMsg<ChunkRequest>();
        Assert.Equal(17 * Bps, third.Window.ReadStart);

        // A crash now: the third window's result never arrives.
        Watch(saga);
        Sys.Stop(saga);
        ExpectTerminated(saga);

        var again = Sys.ActorOf(FinalizeSaga.Props(StreamId, Options, router.Ref, streams.Ref, transcripts.Ref));
        again.Tell(new FinalizeCommands.StartFinalize(StreamId, "m1", StreamKind.Mic, 25 * Bps, Transcribe: true));
        RunWindow(again, router, expectedStart: 17, expectedEnd: 25);

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
            var request = router.ExpectMsg<ChunkRequest>();
            Assert.Equal(start * Bps, request.Window.ReadStart);
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

    /// <summary>Expects one window's request and (unless told not to) answers it with a word a second over the window.</summary>
    private static ChunkRequest RunWindow(IActorRef saga, TestProbe router, double expectedStart, double expectedEnd, bool answer = true)
    {
        var request = router.ExpectMsg<ChunkRequest>();
        Assert.Equal((long)(expectedStart * Bps), request.Window.ReadStart);
        Assert.Equal((long)(expectedEnd * Bps), request.Window.ReadEnd);
        Assert.Equal(WorkPriority.Finalize, request.Priority);
        Assert.True(request.Window.IsFinalize);
        if (answer)
        {
            Answer(saga, router, request, expectedStart, expectedEnd);
        }

        return request;
    }

    private static void Answer(IActorRef saga, TestProbe router, ChunkRequest request, double start, double end)
    {
        var words = Enumerable.Range((int)start, (int)(end - start))
            .Select(i => new Word($"w{i}", i + 0.3, i + 0.6))
            .ToArray();
        router.Send(saga, new ChunkResult(StreamId, request.Seq, request.Window, Result(start, end - start, words), TimeSpan.Zero));
    }
}
