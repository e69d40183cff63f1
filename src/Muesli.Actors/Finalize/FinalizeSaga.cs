using Akka.Actor;
using Akka.Event;
using Akka.Cluster.Sharding;
using Muesli.Actors.Inference;
using Muesli.Actors.Persistence;
using Muesli.Actors.Streams;
using Muesli.Actors.Transcripts;
using Muesli.Core;
using Muesli.Core.Protocol;
using Muesli.Core.Windows;
using static Muesli.Actors.Finalize.FinalizeCommands;

namespace Muesli.Actors.Finalize;

/// <summary>
/// One per stream stop. Steps, each persisted before the next: the full-file pass (windowed, finalize priority) →
/// the final transcript to the aggregator (tail segments and the meeting's <c>result</c>) → retention of the
/// stream's files → report the stream done. A crash resumes at the first step not persisted.
/// </summary>
public sealed class FinalizeSaga : EventSourcedEntity<SagaState, ISagaEvent>, IWithTimers
{
    private readonly string _streamId;
    private readonly MeetingOptions _defaults;
    private readonly IActorRef _router;
    private readonly IActorRef _streams;
    private readonly IActorRef _transcripts;
    private int? _running;
    private int _failedRounds;
    private bool _announced;

    public FinalizeSaga(string streamId, MeetingOptions options, IActorRef router, IActorRef streams, IActorRef transcripts)
        : base($"finalize-{streamId}", SagaState.Empty, options.SnapshotEvery)
    {
        _streamId = streamId;
        _defaults = options;
        _router = router;
        _streams = streams;
        _transcripts = transcripts;
        Command<StartFinalize>(OnStart);
        Command<FetchAudio>(OnFetchAudio);
        Command<ResendWindow>(_ =>
        {
            if (_running is { } running)
            {
                _router.Tell(Request(running));
            }
        });
        Command<ChunkResult>(OnResult);
        Command<ChunkFailed>(OnFailed);
        Command<ChunkRefused>(OnRefused);
        Command<TranscriptCommands.FinalApplied>(_ => StepFrom(SagaStep.Publishing, new SagaEvents.ResultPublished()));
        Command<StreamCommands.StreamClosed>(_ => StepFrom(SagaStep.Retaining, new SagaEvents.Retained()));
        Command<TranscriptCommands.StreamDoneAck>(_ => StepFrom(SagaStep.Reporting, new SagaEvents.Completed()));
        Command<Resume>(_ => Continue());
        Command<GetSagaState>(_ => Sender.Tell(State));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string streamId, MeetingOptions options, IActorRef router, IActorRef streams, IActorRef transcripts)
        => Akka.Actor.Props.Create(() => new FinalizeSaga(streamId, options, router, streams, transcripts));

    private SagaEvents.SagaStarted Plan => State.Plan!;

    /// <summary>The node's options with the meeting's own settings, as persisted with the plan.</summary>
    private MeetingOptions Options => _defaults.With(State.Plan?.Settings);

    private void OnStart(StartFinalize start)
    {
        if (State.Plan is not null)
        {
            Continue();
            return;
        }

        var windows = start.Transcribe
            ? WindowPlan.PlanFinalizeWindows(start.TotalBytes, AudioFormat.Asr, _defaults.With(start.Settings).Windows)
            : [];
        Record(new SagaEvents.SagaStarted(start.MeetingId, start.Stream, start.TotalBytes, start.Transcribe, windows, start.Settings), _ =>
        {
            Continue();
        });
    }

    private void Continue()
    {
        switch (State.Step)
        {
            case SagaStep.Transcribing:
                if (_running is not null)
                {
                    return;
                }

                if (!_announced)
                {
                    _announced = true;
                    _transcripts.Tell(new TranscriptCommands.ReachStage(Plan.MeetingId, "transcribing"));
                    _transcripts.Tell(new TranscriptCommands.Publish(
                        Plan.MeetingId,
                        new MuesliEvents.LiveProcessStart(Plan.Stream.Name(), AudioFormat.Asr.SecondsOf(Plan.TotalBytes), Finalize: true)));
                }

                // The worker pulls the window's audio from here, read piece by piece from the stream's log.
                var index = State.NextWindow;
                _running = index;
                _router.Tell(Request(index));
                Timers.StartPeriodicTimer(ResendWindow.Instance, ResendWindow.Instance, Options.RequestResendInterval);
                break;
            case SagaStep.Publishing:
                if (Plan.Transcribe)
                {
                    _transcripts.Tell(new TranscriptCommands.ReachStage(Plan.MeetingId, "merging"));
                    var words = FinalPass.Stitch(State.Windows.Values.ToArray(), Options.CommitLagSeconds, Options.Merge, Options.FinalClustering);
                    _transcripts.Tell(new TranscriptCommands.ApplyFinal(Plan.MeetingId, Plan.Stream, words, AudioFormat.Asr.SecondsOf(Plan.TotalBytes)));
                }
                else
                {
                    StepFrom(SagaStep.Publishing, new SagaEvents.ResultPublished());
                }

                break;
            case SagaStep.Retaining:
                _streams.Tell(new StreamCommands.CloseStream(_streamId, Options.KeepPcm));
                break;
            case SagaStep.Reporting:
                _transcripts.Tell(new TranscriptCommands.StreamDone(Plan.MeetingId, Plan.Stream, Plan.TotalBytes));
                break;
            case SagaStep.Done:
                Context.Parent.Tell(new Passivate(PoisonPill.Instance));
                break;
        }
    }

    private void ReportProgress(int done)
    {
        if (!Options.ReportPassProgress)
        {
            return;
        }

        var seconds = AudioFormat.Asr.SecondsOf(Plan.TotalBytes);
        var window = Plan.Windows[done - 1];
        var reached = Math.Min(seconds, window.TimestampOffset + AudioFormat.Asr.SecondsOf(window.Length));
        _transcripts.Tell(new TranscriptCommands.Publish(
            Plan.MeetingId, new MuesliEvents.PassProgress(Plan.Stream.Name(), done, Plan.Windows.Count, reached, seconds)));
    }

    private ChunkRequest Request(int index)
    {
        var options = Options;
        return new ChunkRequest(_streamId, index, Plan.Windows[index], WorkPriority.Finalize, Self, Engines: options.Engines, Merge: options.Merge);
    }

    /// <summary>The stream's PCM log, on the data dir that every stream node shares.</summary>
    private string PcmPath => Path.Combine(Options.StreamDirectory(Plan.MeetingId), $"{Plan.Stream.Name()}.pcm");

    private void OnFetchAudio(FetchAudio fetch)
    {
        if (_running is not { } index || fetch.Seq != index || fetch.Priority != WorkPriority.Finalize)
        {
            Sender.Tell(new AudioGone(_streamId, fetch.Priority, fetch.Seq, $"final pass of {_streamId} no longer waits for window {fetch.Seq}"));
            return;
        }

        try
        {
            AudioPieces.SendFromLog(Sender, Request(index), PcmPath, Self);
        }
        catch (IOException e)
        {
            Sender.Tell(new AudioGone(_streamId, fetch.Priority, fetch.Seq, e.Message));
            RetryLater($"could not read the stream's audio: {e.Message}");
        }
    }

    private void OnResult(ChunkResult result)
    {
        if (_running is not { } index || index != (int)result.Seq || Plan.Windows[index] != result.Window)
        {
            return;
        }

        Timers.Cancel(ResendWindow.Instance);
        var r = result.Result;
        var done = new FinalWindow((int)result.Seq, result.Window, r.LabelledWords, r.Segments, r.Embeddings, null);
        Record(new SagaEvents.WindowDone(done), _ =>
        {
            _running = null;
            _failedRounds = 0;
            ReportProgress(index + 1);
            Continue();
        });
    }

    private void OnFailed(ChunkFailed failed)
    {
        if (_running != (int)failed.Seq || failed.WillRetry)
        {
            return;
        }

        Timers.Cancel(ResendWindow.Instance);
        RetryLater($"final pass of {Plan.Stream.Name()} failed on window {failed.Seq + 1}/{Plan.Windows.Count}: {failed.Error}");
    }

    private void OnRefused(ChunkRefused refused)
    {
        if (_running is not { } index || index != (int)refused.Seq)
        {
            return;
        }

        // No worker can run it, now or after a retry: the session has told the client why.
        Timers.Cancel(ResendWindow.Instance);
        _running = null;
        GiveUp(index, $"final pass of {Plan.Stream.Name()} not run: {refused.Reason}");
    }

    private void RetryLater(string error)
    {
        Timers.Cancel(ResendWindow.Instance);
        _transcripts.Tell(new TranscriptCommands.Publish(Plan.MeetingId, new MuesliEvents.Error(error)));
        var index = _running ?? State.NextWindow;
        _running = null;
        if (++_failedRounds >= Options.MaxChunkAttempts)
        {
            GiveUp(index, error);
            return;
        }

        Timers.StartSingleTimer(Resume.Instance, Resume.Instance, Options.RetryBackoff * 5);
    }

    /// <summary>The live transcript already holds the window's committed words; the final pass goes on without it.</summary>
    private void GiveUp(int index, string error)
    {
        Log.Error("{0}: giving up on final window {1}: {2}", _streamId, index, error);
        _failedRounds = 0;
        Record(new SagaEvents.WindowDone(new FinalWindow(index, Plan.Windows[index], [], [], new Dictionary<string, float[]>(), error)), _ => Continue());
    }

    /// <summary>Persists a step once: a duplicate acknowledgement of an earlier step changes nothing.</summary>
    private void StepFrom(SagaStep expected, ISagaEvent e)
    {
        if (State.Step != expected)
        {
            return;
        }

        Record(e, _ =>
        {
            Continue();
        });
    }

    private sealed class ResendWindow
    {
        public static readonly ResendWindow Instance = new();
    }

    private sealed class Resume
    {
        public static readonly Resume Instance = new();
    }
}
