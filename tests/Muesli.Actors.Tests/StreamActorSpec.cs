using Akka.Actor;
using Akka.TestKit;
using Muesli.Actors.Finalize;
using Muesli.Actors.Inference;
using Muesli.Actors.Streams;
using Muesli.Actors.Transcripts;
using Muesli.Core;
using Muesli.Core.Protocol;
using Muesli.Core.Windows;
using Xunit;
using Xunit.Abstractions;
using static Muesli.Actors.Streams.StreamCommands;

namespace Muesli.Actors.Tests;

public sealed class StreamActorSpec(ITestOutputHelper output) : MuesliSpec(output)
{
    private const int Bps = 32000;
    private const string StreamId = "m1/system";

    private readonly string _output = Path.Combine(Path.GetTempPath(), $"muesli-stream-{Guid.NewGuid():N}");
    /// <summary>
    /// A stream's resend of its unanswered request (every 5 s by default) is for a router that lost its queue; these
    /// specs answer every request themselves, and on a loaded machine a resend would look like a second chunk.
    /// </summary>
    private MeetingOptions Options(bool fullReprocess = false) => new()
    {
        OutputDirectory = _output,
        Windows = new WindowOptions { FullReprocess = fullReprocess },
        RequestResendInterval = TimeSpan.FromMinutes(10),
    };

    [Fact]
    public async Task Live_windows_carry_the_new_audio_with_30_s_of_context_from_memory_one_chunk_at_a_time()
    {
        var (router, transcripts, _, stream) = Start(Options());
        var audio = Append(stream, 0, 47);
        var first = router.ExpectMsg<ChunkRequest>();
        Assert.Equal(new Window(0, 15 * Bps, 0, false), first.Window);
        AssertSamples(audio, first, FetchAudio(stream, first));

        // More than another interval arrives while the first chunk is in flight: no second chunk.
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Commit(stream, router, transcripts, first, expectedCutoff: 10);

        var second = router.ExpectMsg<ChunkRequest>();
        Assert.Equal(new Window(0, 47 * Bps, 0, false), second.Window);
        Commit(stream, router, transcripts, second, expectedCutoff: 42);

        audio = audio.Concat(Append(stream, 47, 65)).ToArray();
        var third = router.ExpectMsg<ChunkRequest>();
        Assert.Equal(17 * Bps, third.Window.ReadStart);
        Assert.Equal(62 * Bps, third.Window.ReadEnd);
        Assert.Equal(17.0, third.Window.TimestampOffset);
        AssertSamples(audio, third, FetchAudio(stream, third));

        var status = await stream.Ask<StreamStatus>(new GetStreamStatus(StreamId));
        Assert.Equal(0, status.Disk!.BytesRead);
        Assert.Equal(47 * Bps, status.LastProcessedByte);
    }

    [Fact]
    public async Task Full_reprocess_reads_every_window_from_byte_0_off_the_disk()
    {
        var (router, transcripts, _, stream) = Start(Options(fullReprocess: true));
        Append(stream, 0, 31);
        var first = router.ExpectMsg<ChunkRequest>();
        Commit(stream, router, transcripts, first, expectedCutoff: 10);
        var second = router.ExpectMsg<ChunkRequest>();
        Assert.Equal(new Window(0, 31 * Bps, 0, false), second.Window);
        var status = await stream.Ask<StreamStatus>(new GetStreamStatus(StreamId));
        Assert.Equal((15 + 31) * Bps, status.Disk!.BytesRead);
    }

    [Fact]
    public void Stop_drains_the_chunk_in_flight_before_the_finalize_saga_starts()
    {
        var (router, transcripts, sagas, stream) = Start(Options());
        Append(stream, 0, 20);
        var chunk = router.ExpectMsg<ChunkRequest>();
        stream.Tell(new StopStream(StreamId), TestActor);
        ExpectMsg<StopAccepted>(s => s.TotalBytes == 20 * Bps);
        sagas.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        Commit(stream, router, transcripts, chunk, expectedCutoff: 10);
        var start = sagas.ExpectMsg<FinalizeCommands.StartFinalize>();
        Assert.Equal(20 * Bps, start.TotalBytes);
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // No live audio is taken once the stream is stopping.
        stream.Tell(new AppendAudio(StreamId, 21_000_000, new byte[640]), TestActor);
        Assert.Equal("stream_stopped", ExpectMsg<AudioAppended>().Outcome.Rejection);
    }

    [Fact]
    public void A_failed_run_is_reported_to_the_client_and_the_window_is_planned_again_with_more_audio()
    {
        var (router, transcripts, _, stream) = Start(Options());
        Append(stream, 0, 16);
        var chunk = router.ExpectMsg<ChunkRequest>();
        transcripts.ExpectMsg<TranscriptCommands.Publish>();

        router.Send(stream, new ChunkFailed(StreamId, chunk.Seq, "model exploded", 1, WillRetry: true));
        var retrying = Assert.IsType<MuesliEvents.Error>(transcripts.ExpectMsg<TranscriptCommands.Publish>().Event);
        Assert.Contains("model exploded", retrying.Message);
        Assert.Contains("retrying", retrying.Message);

        router.Send(stream, new ChunkFailed(StreamId, chunk.Seq, "model exploded", 3, WillRetry: false));
        Assert.IsType<MuesliEvents.Error>(transcripts.ExpectMsg<TranscriptCommands.Publish>().Event);

        // Nothing was committed: the next plan covers the failed window's audio again.
        var again = router.FishForMessage<ChunkRequest>(_ => true, TimeSpan.FromSeconds(30));
        Assert.Equal(0, again.Window.ReadStart);
        Assert.Equal(16 * Bps, again.Window.ReadEnd);
    }

    [Fact]
    public void A_refused_chunk_ends_live_passes_quietly_and_the_stream_still_records_and_finalizes()
    {
        var (router, transcripts, sagas, stream) = Start(Options());
        Append(stream, 0, 16);
        var chunk = router.ExpectMsg<ChunkRequest>();
        Assert.IsType<MuesliEvents.LiveProcessStart>(transcripts.ExpectMsg<TranscriptCommands.Publish>().Event);

        // The session tells the client why no worker can run it: the stream adds no error of its own.
        router.Send(stream, new ChunkRefused(StreamId, chunk.Seq, "models_unavailable: broken"));
        Append(stream, 16, 50);
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        transcripts.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        stream.Tell(new StopStream(StreamId), TestActor);
        ExpectMsg<StopAccepted>(s => s.TotalBytes == 50 * Bps);
        Assert.Equal(50 * Bps, sagas.ExpectMsg<FinalizeCommands.StartFinalize>().TotalBytes);
    }

    [Fact]
    public async Task A_restarted_system_recovers_lastProcessedByte_and_the_log_and_plans_from_there()
    {
        var (router, transcripts, _, stream) = Start(Options());
        Append(stream, 0, 40);
        Commit(stream, router, transcripts, router.ExpectMsg<ChunkRequest>(), expectedCutoff: 10);
        var second = router.ExpectMsg<ChunkRequest>();
        Commit(stream, router, transcripts, second, expectedCutoff: 35);
        await AwaitAssertAsync(async () => Assert.Equal(40 * Bps, (await stream.Ask<StreamStatus>(new GetStreamStatus(StreamId))).LastProcessedByte));
        await Sys.Terminate();

        var restarted = Restarted("restarted");
        try
        {
            var probe = new TestProbe(restarted, new Akka.TestKit.Xunit2.XunitAssertions());
            var again = restarted.ActorOf(StreamActor.Props(StreamId, Options(), probe.Ref, probe.Ref, probe.Ref));
            var status = await again.Ask<StreamStatus>(new GetStreamStatus(StreamId));
            Assert.Equal(40 * Bps, status.LastProcessedByte);
            Assert.Equal(40 * Bps, status.RecordedBytes);

            // The client re-sends from 20 s before the crash: those bytes are already in the log and are dropped.
            again.Tell(new OpenStream(StreamId, "m1", StreamKind.System, AudioFormat.Asr, Transcribe: true), probe.Ref);
            Assert.True(probe.ExpectMsg<StreamReady>().Resumed);
            var replies = Enumerable.Range(0, (int)((56 - 20) / 0.02))
                .Select(i => again.Ask<AudioAppended>(new AppendAudio(StreamId, 20_000_000L + (i * 20_000L), Frame(20 + (i * 0.02)))))
                .ToArray();
            await Task.WhenAll(replies);
            Assert.Equal(20 * 50, replies.Count(r => r.Result.Outcome.DroppedFrames > 0));

            var next = probe.FishForMessage<ChunkRequest>(_ => true);
            Assert.Equal(10 * Bps, next.Window.ReadStart);
            Assert.Equal(55 * Bps, next.Window.ReadEnd);
        }
        finally
        {
            await restarted.Terminate();
        }
    }

    private (TestProbe Router, TestProbe Transcripts, TestProbe Sagas, IActorRef Stream) Start(MeetingOptions options)
    {
        var router = CreateTestProbe();
        var transcripts = CreateTestProbe();
        var sagas = CreateTestProbe();
        var stream = Sys.ActorOf(StreamActor.Props(StreamId, options, router.Ref, transcripts.Ref, sagas.Ref));
        stream.Tell(new OpenStream(StreamId, "m1", StreamKind.System, AudioFormat.Asr, Transcribe: true), TestActor);
        Assert.False(ExpectMsg<StreamReady>().Resumed);
        return (router, transcripts, sagas, stream);
    }

    /// <summary>Appends [from, to) seconds in 20 ms frames of a ramp that names each sample's position.</summary>
    private short[] Append(IActorRef stream, double from, double to)
    {
        var all = new List<short>();
        for (var t = from; t < to - 1e-9; t += 0.02)
        {
            var frame = Frame(t);
            stream.Tell(new AppendAudio(StreamId, (long)Math.Round(t * 1e6), frame), TestActor);
            ExpectMsg<AudioAppended>();
            for (var i = 0; i < frame.Length; i += 2)
            {
                all.Add((short)(frame[i] | (frame[i + 1] << 8)));
            }
        }

        return all.ToArray();
    }

    private static byte[] Frame(double t)
    {
        var start = (long)Math.Round(t * 16000);
        var bytes = new byte[640];
        for (var i = 0; i < 320; i++)
        {
            var value = (short)(((start + i) % 20000) - 10000);
            bytes[2 * i] = (byte)value;
            bytes[(2 * i) + 1] = (byte)(value >> 8);
        }

        return bytes;
    }

    private static void AssertSamples(short[] audio, ChunkRequest request, float[] samples)
    {
        var from = (int)(request.Window.ReadStart / 2);
        Assert.Equal((int)(request.Window.Length / 2), samples.Length);
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.Equal(audio[from + i] / 32768f, samples[i]);
        }
    }

    private void Commit(IActorRef stream, TestProbe router, TestProbe transcripts, ChunkRequest chunk, double expectedCutoff)
    {
        var seconds = chunk.Window.Length / (double)Bps;
        router.Send(stream, new ChunkResult(StreamId, chunk.Seq, chunk.Window, Result(chunk.Window.TimestampOffset, seconds), TimeSpan.Zero));
        var publish = transcripts.ExpectMsg<TranscriptCommands.Publish>();
        Assert.IsType<MuesliEvents.LiveProcessStart>(publish.Event);
        var apply = transcripts.ExpectMsg<TranscriptCommands.ApplyWindow>();
        Assert.Equal(expectedCutoff, apply.Cutoff, 6);
        transcripts.Send(stream, new TranscriptCommands.WindowApplied("m1", StreamKind.System, chunk.Seq, 0));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        RemoveFolder(_output);
    }
}
