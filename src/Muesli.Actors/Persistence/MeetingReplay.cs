using System.Collections.Concurrent;
using Akka.Actor;
using Muesli.Actors.Sharding;
using Muesli.Actors.Streams;
using Muesli.Actors.Transcripts;
using Muesli.Core.Protocol;

namespace Muesli.Actors.Persistence;

/// <summary>How a replay ended.</summary>
public enum ReplayStatus
{
    /// <summary>The meeting's result is in <see cref="ReplayOutcome.Result"/>.</summary>
    Replayed,

    /// <summary>A PCM log lacks audio its journal counts on (<see cref="ReplayOutcome.Damage"/>); nothing was changed.</summary>
    Damaged,

    /// <summary>The journal holds no meeting of that id.</summary>
    UnknownMeeting,
}

/// <summary>
/// A stream whose PCM log is shorter than what its journal says was processed (a live stream's
/// <c>lastProcessedByte</c>) or stopped at (a stopped stream's length at STOP, which its final pass covers).
/// </summary>
public sealed record StreamDamage(string MeetingId, StreamKind Stream, string PcmPath, long LogBytes, long JournalBytes, StreamLifecycle Lifecycle)
{
    public string Message
    {
        get
        {
            var what = Lifecycle == StreamLifecycle.Live ? "processed up to" : "stopped the stream at";
            return $"damage: meeting {MeetingId} stream {Stream.Name()}: PCM log holds {LogBytes} bytes but the journal has {what} {JournalBytes} (bytes {LogBytes}..{JournalBytes} missing; {PcmPath})";
        }
    }
}

/// <summary>
/// What a replay gave: the meeting's result, or why there is none; <see cref="Errors"/> are the meeting's own error
/// events. <see cref="RanFinalPass"/>: the meeting was not finalized, so the replay finalized it (else the result is
/// the one its journal holds).
/// </summary>
public sealed record ReplayOutcome(
    string MeetingId,
    ReplayStatus Status,
    MuesliEvents.Result? Result,
    IReadOnlyList<StreamDamage> Damage,
    IReadOnlyList<string> Errors,
    bool RanFinalPass = false);

/// <summary>
/// Rebuilds a persisted meeting's transcript on a running node, from its journal and its streams' PCM logs: what
/// <c>muesli replay</c> runs on an embedded node of its own, and an operator command can run on a live one.
/// </summary>
/// <remarks>
/// <para>
/// First every stream's journal is read without starting the stream (<see cref="JournalReader{TState,TEvent}"/>) and
/// compared with its PCM log on disk: a log shorter than the journal's <c>lastProcessedByte</c> (or, once stopped,
/// than the length the stream was stopped at) is damage, reported, and nothing is started or written.
/// </para>
/// <para>
/// Then a finalized meeting gives the result its aggregator persisted — the one it published. A meeting that is not
/// finalized is stopped as its client's STOP would (a stream already stopping resumes its finalize saga where the
/// journal left it), and its result awaited. Why that is the transcript of an uninterrupted run: the result is built
/// only from the final pass, which reads the PCM log in fixed windows planned from the stream's length at STOP and
/// runs the same deterministic pipeline on them; a saga's windows done before a crash are persisted and the rest are
/// run from the same bytes. The live passes (lost in flight, or not) change the live segments only, never the result.
/// </para>
/// <para>On a live node, replaying a meeting that is still live finalizes it.</para>
/// </remarks>
public sealed class MeetingReplay(ActorSystem system, MuesliRegions regions, MeetingOptions options)
{
    /// <summary>How long reading one entity's journal may take.</summary>
    public TimeSpan JournalTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public async Task<ReplayOutcome> ReplayAsync(string meetingId, CancellationToken cancel = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(meetingId);
        var transcript = (await JournalReader<TranscriptState, ITranscriptEvent>.ReadAsync(
            system, $"transcript-{meetingId}", TranscriptState.Empty, JournalTimeout)).State;
        if (!transcript.Opened)
        {
            return new ReplayOutcome(meetingId, ReplayStatus.UnknownMeeting, null, [], []);
        }

        var damage = new List<StreamDamage>();
        foreach (var stream in transcript.Streams)
        {
            var state = (await JournalReader<StreamState, IStreamEvent>.ReadAsync(
                system, $"stream-{EntityIds.StreamId(meetingId, stream)}", StreamState.Empty, JournalTimeout)).State;
            if (Check(meetingId, stream, state, PcmPath(meetingId, stream)) is { } damaged)
            {
                damage.Add(damaged);
            }
        }

        if (damage.Count > 0)
        {
            return new ReplayOutcome(meetingId, ReplayStatus.Damaged, null, damage, []);
        }

        var result = new TaskCompletionSource<MuesliEvents.Result>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ConcurrentQueue<string>();
        var listener = system.ActorOf(Props.Create(() => new Listener(meetingId, regions, !transcript.Finalized, transcript.Streams, result, errors)));
        try
        {
            await using (cancel.Register(() => result.TrySetCanceled(cancel)))
            {
                var done = await result.Task;
                return new ReplayOutcome(meetingId, ReplayStatus.Replayed, done, [], [.. errors], RanFinalPass: !transcript.Finalized);
            }
        }
        finally
        {
            regions.Transcripts.Tell(new TranscriptCommands.Unsubscribe(meetingId, listener));
            system.Stop(listener);
        }
    }

    /// <summary>The PCM log of one of the meeting's streams, where this node keeps it.</summary>
    public string PcmPath(string meetingId, StreamKind stream)
        => Path.Combine(options.StreamDirectory(meetingId), $"{stream.Name()}.pcm");

    /// <summary>
    /// Whether the log at <paramref name="pcmPath"/> holds what the stream's journal counts on. A finalized stream's log
    /// may be gone (removed at the end of its finalize unless kept): its result is in the journal. When it is there,
    /// it must still be whole.
    /// </summary>
    public static StreamDamage? Check(string meetingId, StreamKind stream, StreamState state, string pcmPath)
    {
        if (state.Lifecycle == StreamLifecycle.New)
        {
            return null;
        }

        var exists = File.Exists(pcmPath);
        if (!exists && state.Lifecycle == StreamLifecycle.Finalized)
        {
            return null;
        }

        var needed = state.Lifecycle == StreamLifecycle.Live
            ? state.LastProcessedByte
            : Math.Max(state.LastProcessedByte, state.FinalBytes);
        var held = exists ? new FileInfo(pcmPath).Length : 0;
        return held < needed ? new StreamDamage(meetingId, stream, pcmPath, held, needed, state.Lifecycle) : null;
    }

    /// <summary>Subscribes to the meeting; stops its streams when it is not finalized; hands on its result and errors.</summary>
    private sealed class Listener : ReceiveActor
    {
        private readonly string _meetingId;
        private readonly MuesliRegions _regions;

        public Listener(
            string meetingId,
            MuesliRegions regions,
            bool finalize,
            IReadOnlyList<StreamKind> streams,
            TaskCompletionSource<MuesliEvents.Result> result,
            ConcurrentQueue<string> errors)
        {
            _meetingId = meetingId;
            _regions = regions;
            Receive<TranscriptCommands.EventPublished>(e =>
            {
                switch (e.Event)
                {
                    case MuesliEvents.Result r:
                        result.TrySetResult(r);
                        break;
                    case MuesliEvents.Error error:
                        errors.Enqueue(error.Message);
                        break;
                }
            });
            Receive<TranscriptCommands.Subscribed>(_ =>
            {
                if (!finalize)
                {
                    return;
                }

                // What the session does on STOP: idempotent, and a stream already stopping goes on from its journal.
                _regions.Transcripts.Tell(new TranscriptCommands.ReachStage(_meetingId, "preparing"));
                foreach (var stream in streams)
                {
                    _regions.Streams.Tell(new StreamCommands.StopStream(EntityIds.StreamId(_meetingId, stream)));
                }
            });
            ReceiveAny(_ => { });
        }

        protected override void PreStart()
            => _regions.Transcripts.Tell(new TranscriptCommands.Subscribe(_meetingId, Self, Replay: false));
    }
}
