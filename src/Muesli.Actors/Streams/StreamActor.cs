using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Muesli.Actors.Finalize;
using Muesli.Actors.Inference;
using Muesli.Actors.Operations;
using Muesli.Actors.Persistence;
using Muesli.Actors.Transcripts;
using Muesli.Audio;
using Muesli.Core;
using Muesli.Core.Protocol;
using Muesli.Core.Windows;
using static Muesli.Actors.Streams.StreamCommands;

namespace Muesli.Actors.Streams;

/// <summary>
/// One per stream: the single writer of its PCM log and the owner of its event-sourced state
/// (<c>lastProcessedByte</c>). Plans live windows with the core window plan, keeps at most one chunk in flight,
/// serves the context from memory, commits a chunk only after the aggregator has persisted its results, and on
/// Stop drains the chunk in flight before handing the stream to its <see cref="FinalizeSaga"/>.
/// </summary>
public sealed class StreamActor : EventSourcedEntity<StreamState, IStreamEvent>, IWithTimers
{
    private const int PassHistory = 4096;

    private readonly string _streamId;
    private readonly MeetingOptions _defaults;
    private readonly IActorRef _router;
    private readonly IActorRef _transcripts;
    private readonly IActorRef _sagas;
    private readonly ThrottledReport _reports = new(TimeSpan.FromSeconds(5));
    private readonly List<double> _passSeconds = [];

    // For the console (streams show): chunks sent again (unanswered, or failed and retried), and failed attempts.
    private long _retries;
    private long _errors;
    private string? _lastError;
    private StreamRecorder? _recorder;
    private InFlight? _inFlight;
    private MemoryStream? _partial;
    private DateTime _retryNotBefore = DateTime.MinValue;
    private bool _sagaStarted;
    private bool _refused;
    private long _chunksCommitted;
    private (MeetingSettings? Settings, MeetingOptions Options) _effective;

    public StreamActor(string streamId, MeetingOptions options, IActorRef router, IActorRef transcripts, IActorRef sagas)
        : base($"stream-{streamId}", StreamState.Empty, options.SnapshotEvery)
    {
        _streamId = streamId;
        _defaults = options;
        _effective = (null, options);
        _router = router;
        _transcripts = transcripts;
        _sagas = sagas;
        Command<OpenStream>(OnOpen);
        Command<AppendAudio>(OnAppend);
        Command<StopStream>(OnStop);
        Command<ChunkResult>(OnChunkResult);
        Command<ChunkFailed>(OnChunkFailed);
        Command<ChunkRefused>(OnChunkRefused);
        Command<TranscriptCommands.WindowApplied>(OnWindowApplied);
        Command<CloseStream>(OnClose);
        Command<GetStreamStatus>(_ => Sender.Tell(Status()));
        Command<RetryLive>(_ => MaybeProcess());
        Command<FetchAudio>(OnFetchAudio);
        Command<ResendChunk>(_ =>
        {
            // Unanswered: the router's node may have died with its queue, or the aggregator with its journal.
            if (_inFlight is { Apply: { } apply })
            {
                _retries++;
                _transcripts.Tell(apply);
            }
            else if (_inFlight is { } chunk)
            {
                _retries++;
                _router.Tell(chunk.Request);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string streamId, MeetingOptions options, IActorRef router, IActorRef transcripts, IActorRef sagas)
        => Akka.Actor.Props.Create(() => new StreamActor(streamId, options, router, transcripts, sagas));

    private AudioFormat Source => new(State.SampleRate, State.Channels);

    /// <summary>The node's options with the meeting's own settings, as persisted when the stream opened.</summary>
    private MeetingOptions Options
    {
        get
        {
            if (!ReferenceEquals(_effective.Settings, State.Settings))
            {
                _effective = (State.Settings, _defaults.With(State.Settings));
            }

            return _effective.Options;
        }
    }

    protected override void OnReplaySuccess()
    {
        if (State.MeetingId is null || State.Lifecycle == StreamLifecycle.Finalized)
        {
            return;
        }

        OpenRecorder(fresh: false);
        OperationsRegistry.Of(Context).Tell(new OperationsRegistry.StreamRunning(_streamId), Self);
        Log.Info("stream {0} recovered: {1} bytes recorded, lastProcessedByte {2}, {3}", _streamId, _recorder!.Length, State.LastProcessedByte, State.Lifecycle);
        if (State.Lifecycle == StreamLifecycle.Finalizing)
        {
            // A crash during finalize: the saga resumes from its own journal.
            Self.Tell(new StopStream(_streamId));
        }
    }

    protected override void PostStop()
    {
        _recorder?.Dispose();
        MuesliMetrics.StreamGone(_streamId);
    }

    /// <summary>
    /// Another node has taken this stream over (this one was downed while paused): stop at once, write nothing more,
    /// and never restart here, where a restart would claim the files back.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            var handled = base.AroundReceive(receive, message);
            Measure();
            return handled;
        }
        catch (LogFencedException e)
        {
            Log.Error("stream {0}: {1}", _streamId, e.Message);
            _recorder?.Dispose();
            _recorder = null;
            Context.Stop(Self);
            return true;
        }
    }

    private void OnOpen(OpenStream open)
    {
        var sender = Sender;
        if (State.MeetingId is not null && State.SampleRate == open.Format.SampleRate && State.Channels == open.Format.Channels)
        {
            _recorder?.Flush(durable: true);
            sender.Tell(Ready(resumed: true));
            return;
        }

        var fresh = State.MeetingId is null;
        var opened = new StreamEvents.StreamOpened(
            open.MeetingId, open.Stream, open.Format.SampleRate, open.Format.Channels, open.Transcribe, open.Settings);
        Record(opened, _ =>
        {
            if (State.Lifecycle != StreamLifecycle.Finalized)
            {
                _recorder?.Dispose();
                OpenRecorder(fresh);
                OperationsRegistry.Of(Context).Tell(new OperationsRegistry.StreamRunning(_streamId), Self);
                Log.Info("stream {0} opened: {1} Hz × {2}, {3}", _streamId, State.SampleRate, State.Channels, State.Transcribe ? "transcribed" : "recorded only");
            }

            sender.Tell(Ready(resumed: !fresh));
        });
    }

    private StreamReady Ready(bool resumed)
        => new(_streamId, _recorder?.Length ?? State.FinalBytes, State.LastProcessedByte, resumed, _recorder?.ResumePtsUs ?? 0);

    private void OnAppend(AppendAudio append)
    {
        // A payload larger than one remote message arrives in parts; it is appended whole, and acknowledged once.
        if (append.More || _partial is not null)
        {
            _partial ??= new MemoryStream();
            _partial.Write(append.Payload);
            if (append.More)
            {
                return;
            }

            append = append with { Payload = _partial.ToArray() };
            _partial = null;
        }

        if (_recorder is null || State.Lifecycle != StreamLifecycle.Live)
        {
            var reason = _recorder is null ? "stream_not_open" : "stream_stopped";
            Sender.Tell(new AudioAppended(_streamId, new AppendOutcome(0, 0, 0, 0, reason, 0)));
            return;
        }

        AppendOutcome outcome;
        try
        {
            outcome = _recorder.Append(append.PtsUs, append.Payload);
        }
        catch (LogFencedException)
        {
            throw;
        }
        catch (IOException e)
        {
            outcome = new AppendOutcome(0, 0, 0, 0, $"audio_write_failed: {e.Message}", 0);
        }

        Sender.Tell(new AudioAppended(_streamId, outcome));
        MuesliMetrics.PcmWritten(outcome.PcmBytesAdded);
        if (outcome.DroppedFrames > 0)
        {
            MuesliMetrics.OverlapDropped(outcome.DroppedFrames);
        }

        if (outcome.Rejection is { } rejection)
        {
            Report("rejected", $"{State.Stream.Name()}: {rejection}", toClient: true);
        }

        if (outcome.DroppedFrames > 0)
        {
            Report("overlap", $"{State.Stream.Name()}: dropped {outcome.DroppedFrames} overlapping frames at pts {append.PtsUs} us ({_recorder.TotalDroppedFrames} in all)", toClient: false);
        }

        if (outcome.TruncatedBytes > 0)
        {
            Report("partial-frame", $"{State.Stream.Name()}: payload of {append.Payload.Length} bytes is not whole frames; {outcome.TruncatedBytes} bytes cut", toClient: false);
        }

        MaybeProcess();
    }

    private void OnStop(StopStream stop)
    {
        var sender = Sender;
        if (State.Lifecycle == StreamLifecycle.Live && _recorder is not null)
        {
            _recorder.Flush(durable: true);
            Record(new StreamEvents.FinalizeStarted(_recorder.Length), _ =>
            {
                sender.Tell(new StopAccepted(_streamId, State.FinalBytes));
                MaybeFinalize();
            });
            return;
        }

        sender.Tell(new StopAccepted(_streamId, State.FinalBytes));
        MaybeFinalize();
    }

    private void MaybeProcess()
    {
        if (!Options.Live || !State.Transcribe || _refused || State.Lifecycle != StreamLifecycle.Live
            || _inFlight is not null || _recorder is null || DateTime.UtcNow < _retryNotBefore)
        {
            return;
        }

        if (WindowPlan.PlanLive(_recorder.Length, State.LastProcessedByte, AudioFormat.Asr, Options.Windows) is not { } window)
        {
            return;
        }

        // The rollback mode re-reads the file from byte 0, as the original did, so both costs can be measured.
        var samples = Options.Windows.FullReprocess
            ? _recorder.Log.Read(window.ReadStart, window.ReadEnd)
            : _recorder.Read(window.ReadStart, window.ReadEnd);
        var seq = State.NextSeq;
        var request = new ChunkRequest(_streamId, seq, window, WorkPriority.Live, Self, Engines: Options.Engines, Merge: Options.Merge);
        _inFlight = new InFlight(request, samples, DateTime.UtcNow);
        var duration = AudioFormat.Asr.SecondsOf(_recorder.Length);
        _transcripts.Tell(new TranscriptCommands.Publish(State.MeetingId!, new Core.Protocol.MuesliEvents.LiveProcessStart(State.Stream.Name(), duration, Finalize: false)));
        _router.Tell(request);
        Timers.StartPeriodicTimer(ResendChunk.Instance, ResendChunk.Instance, Options.RequestResendInterval);
    }

    private void OnChunkResult(ChunkResult result)
    {
        if (_inFlight is not { } chunk || chunk.Seq != result.Seq || chunk.Committing || chunk.Window != result.Window)
        {
            // A late or repeated run (a slow node, a resend that crossed its answer): applied once, by sequence number.
            Log.Info("stream {0}: result of chunk {1} that is not in flight; ignored", _streamId, result.Seq);
            return;
        }

        var windowEnd = AudioFormat.Asr.SecondsOf(result.Window.ReadEnd);
        var cutoff = windowEnd - Options.CommitLagSeconds;
        var apply = new TranscriptCommands.ApplyWindow(State.MeetingId!, State.Stream, result.Seq, result.Window, windowEnd, cutoff, result.Result);
        _inFlight = chunk with { Samples = null, Apply = apply };
        _transcripts.Tell(apply);
    }

    private void OnWindowApplied(TranscriptCommands.WindowApplied applied)
    {
        if (_inFlight is not { Committing: true } chunk || chunk.Seq != applied.Seq)
        {
            return;
        }

        Timers.Cancel(ResendChunk.Instance);
        // Bytes up to the new lastProcessedByte must be on disk before the journal says they were processed.
        _recorder?.Flush(durable: true);
        Record(new StreamEvents.ChunkCommitted(chunk.Seq, chunk.Window.ReadEnd), _ =>
        {
            _inFlight = null;
            _chunksCommitted++;
            RecordPass((DateTime.UtcNow - chunk.Sent).TotalSeconds);
            MaybeProcess();
            MaybeFinalize();
        });
    }

    private void OnChunkFailed(ChunkFailed failed)
    {
        if (_inFlight is not { } chunk || chunk.Seq != failed.Seq)
        {
            return;
        }

        var retry = failed.WillRetry ? "; retrying" : "; giving up on this window until more audio arrives";
        // Not throttled: the router's backoff already spaces failures, and the last one must always be told.
        var message = $"pipeline failed on {State.Stream.Name()} (attempt {failed.Attempt}): {failed.Error}{retry}";
        _errors++;
        _lastError = message;
        if (failed.WillRetry)
        {
            _retries++;
        }

        Log.Warning("{0}", message);
        _transcripts.Tell(new TranscriptCommands.Publish(State.MeetingId!, new Core.Protocol.MuesliEvents.Error(message)));
        if (!failed.WillRetry)
        {
            Timers.Cancel(ResendChunk.Instance);
            _inFlight = null;
            var wait = TimeSpan.FromSeconds(Options.Windows.LiveIntervalSeconds);
            _retryNotBefore = DateTime.UtcNow + wait;
            Timers.StartSingleTimer(RetryLive.Instance, RetryLive.Instance, wait);
            MaybeFinalize();
        }
    }

    private void OnChunkRefused(ChunkRefused refused)
    {
        if (_inFlight is not { } chunk || chunk.Seq != refused.Seq)
        {
            return;
        }

        // The session tells the client why, once; the audio is still captured and the final pass decides what is left.
        Log.Warning("stream {0}: no live passes, no worker can run them: {1}", _streamId, refused.Reason);
        Timers.Cancel(ResendChunk.Instance);
        _inFlight = null;
        _refused = true;
        MaybeFinalize();
    }

    private void MaybeFinalize()
    {
        if (State.Lifecycle != StreamLifecycle.Finalizing || _inFlight is not null || _sagaStarted)
        {
            return;
        }

        _sagaStarted = true;
        _sagas.Tell(new FinalizeCommands.StartFinalize(_streamId, State.MeetingId!, State.Stream, State.FinalBytes, State.Transcribe, State.Settings));
    }

    /// <summary>A worker pulls the audio of the chunk in flight; a chunk no longer wanted is told gone.</summary>
    private void OnFetchAudio(FetchAudio fetch)
    {
        if (_inFlight is { Samples: { } samples } chunk && fetch.Seq == chunk.Seq && fetch.Priority == WorkPriority.Live)
        {
            AudioPieces.Send(Sender, chunk.Request, samples, Self);
            return;
        }

        Sender.Tell(new AudioGone(_streamId, fetch.Priority, fetch.Seq, $"stream {_streamId} no longer waits for chunk {fetch.Seq}"));
    }

    private void OnClose(CloseStream close)
    {
        var sender = Sender;
        if (State.Lifecycle == StreamLifecycle.Finalized)
        {
            sender.Tell(new StreamClosed(_streamId, State.FinalBytes));
            return;
        }

        var total = _recorder?.Length ?? State.FinalBytes;
        _recorder?.Close(close.KeepPcm);
        _recorder = null;
        Record(new StreamEvents.StreamFinalized(total), _ =>
        {
            sender.Tell(new StreamClosed(_streamId, total));
            Snapshot();
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        });
    }

    private void OpenRecorder(bool fresh)
    {
        var directory = Options.StreamDirectory(State.MeetingId!);
        Directory.CreateDirectory(directory);
        var name = State.Stream.Name();
        if (fresh)
        {
            // A new meeting in a reused folder starts its files afresh.
            File.Delete(Path.Combine(directory, $"{name}.pcm"));
            File.Delete(Path.Combine(directory, $"{name}.wav"));
        }

        // Only a transcribed stream reads its recent audio back for live passes; the others keep no ring in memory.
        var recorder = State.Transcribe ? Options.Recorder : Options.Recorder with { RingSeconds = 0 };
        _recorder = StreamRecorder.Open(directory, name, Source, recorder);
        if (_recorder.Length < State.LastProcessedByte)
        {
            Log.Warning("stream {0}: log holds {1} bytes but {2} were processed; the lost tail must be re-sent", _streamId, _recorder.Length, State.LastProcessedByte);
        }
    }

    /// <summary>This stream's state and live lag, as the node's metrics show them (after every message).</summary>
    private void Measure()
    {
        if (State.MeetingId is not { } meeting || State.Lifecycle == StreamLifecycle.New)
        {
            return;
        }

        double? lag = _recorder is not null && Options.Live && State.Transcribe
            ? AudioFormat.Asr.SecondsOf(Math.Max(0, _recorder.Length - State.LastProcessedByte))
            : null;
        MuesliMetrics.Stream(_streamId, meeting, State.Lifecycle, lag);
    }

    private void Report(string kind, string message, bool toClient)
    {
        if (_reports.Next(kind, message, DateTime.UtcNow) is not { } text)
        {
            return;
        }

        Log.Warning("{0}", text);
        if (toClient && State.MeetingId is { } meeting)
        {
            _transcripts.Tell(new TranscriptCommands.Publish(meeting, new Core.Protocol.MuesliEvents.Error(text)));
        }
    }

    private void RecordPass(double seconds)
    {
        if (_passSeconds.Count == PassHistory)
        {
            _passSeconds.RemoveAt(0);
        }

        _passSeconds.Add(seconds);
    }

    private StreamStatus Status() => new(
        _streamId,
        State.Lifecycle,
        _recorder?.Length ?? State.FinalBytes,
        State.LastProcessedByte,
        _inFlight?.Seq,
        _chunksCommitted,
        _recorder?.TotalDroppedFrames ?? 0,
        _recorder?.Log.Counters,
        _passSeconds.ToArray(),
        State.MeetingId,
        State.Transcribe,
        _retries,
        _errors,
        _lastError);

    /// <summary>
    /// The chunk in flight: its request, and its audio until the result arrives (a worker pulls it from here); then
    /// its results, sent to the aggregator again until it says they are persisted.
    /// </summary>
    private sealed record InFlight(ChunkRequest Request, float[]? Samples, DateTime Sent, TranscriptCommands.ApplyWindow? Apply = null)
    {
        /// <summary>The result is in; the aggregator has not yet said it persisted it.</summary>
        public bool Committing => Apply is not null;

        public long Seq => Request.Seq;

        public Window Window => Request.Window;
    }

    private sealed class ResendChunk
    {
        public static readonly ResendChunk Instance = new();
    }

    private sealed class RetryLive
    {
        public static readonly RetryLive Instance = new();
    }
}
