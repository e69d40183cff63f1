using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Muesli.Actors.Inference;
using Muesli.Actors.Sharding;
using Muesli.Actors.Streams;
using Muesli.Actors.Transcripts;
using Muesli.Core.Protocol;
using static Muesli.Core.Protocol.MuesliEvents;
using Decider = Akka.Streams.Supervision.Decider;
using Directive = Akka.Streams.Supervision.Directive;
using Error = Muesli.Core.Protocol.MuesliEvents.Error;

namespace Muesli.Actors.Sessions;

/// <summary>How one client connection is served.</summary>
public sealed record SessionSettings
{
    public bool EmitMeters { get; init; }

    public int MaxPayloadBytes { get; init; } = FrameDecoder.DefaultMaxPayloadBytes;

    /// <summary>Frames decoded ahead of the one being handled; bounds the session's memory.</summary>
    public int FramesInFlight { get; init; } = 4;

    /// <summary>
    /// Why transcription cannot run, known at start (e.g. missing models): audio is still captured, and the exit code
    /// is 2. A pipeline that fails to build later is reported by the work router and treated the same way.
    /// </summary>
    public string? TranscriptionUnavailable { get; init; }

    /// <summary>
    /// Reads the input with asynchronous reads (a socket), holding no thread while the client is quiet; otherwise with
    /// blocking reads on the stream dispatcher (stdin).
    /// </summary>
    public bool AsyncInput { get; init; }

    /// <summary>MEETING_START may carry the meeting's own settings (<see cref="MeetingSettings"/>): a node's meetings.</summary>
    public bool AcceptsSettings { get; init; }

    /// <summary>Checks a meeting's settings against what the node can run (an installed <c>asr_model</c>); the error, or null.</summary>
    public Func<MeetingSettings, string?>? CheckSettings { get; init; }

    /// <summary>
    /// End of input without STOP stops the meeting (the backend: stdin closed). Otherwise (a node) the meeting stays
    /// open for the client to reconnect, and only its connection ends.
    /// </summary>
    public bool StopAtEndOfInput { get; init; } = true;

    /// <summary>A frame that cannot be decoded, or a refused START, ends the connection (a node); the backend reports it and goes on.</summary>
    public bool CloseOnProtocolError { get; init; }

    /// <summary>A connection that sends no MEETING_START within this is closed.</summary>
    public TimeSpan? StartTimeout { get; init; }

    /// <summary>
    /// A node's events: <c>meeting_started</c> names the meeting, a resumed meeting tells where each stream's
    /// recording ends (<c>resume_pts_us</c>), and a newer connection for the meeting supersedes this one.
    /// </summary>
    public bool NodeEvents { get; init; }
}

public static class SessionCommands
{
    /// <summary>The node is shutting down: the client is told <c>node_stopping</c> and the connection ends; the meeting is kept.</summary>
    public sealed class NodeStopping
    {
        public static readonly NodeStopping Instance = new();
    }
}

/// <summary>
/// One per client connection (stdin or TCP). Decodes frames with Akka.Streams, back-pressured end to end: the next
/// frame is read only when the stream actor has logged the previous one. Starts the meeting's streams on
/// MEETING_START, forwards audio, relays the meeting's events as JSONL, turns STOP (or end of input) into finalize,
/// and completes <c>exitCode</c> once the meeting is finalized. It never waits for the engines: it watches the work
/// router and reports, when it happens, that no worker could build its pipeline.
/// </summary>
public sealed class MeetingSession : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    public const int ExitOk = 0;
    public const int ExitNoAudio = 1;
    public const int ExitUnavailable = 2;

    private readonly HashSet<string> _stopsPending = [];
    private static readonly TimeSpan FrameTimeout = TimeSpan.FromMinutes(10);

    private const int ReadChunkBytes = 64 * 1024;

    private static readonly TimeSpan ResubscribeEvery = TimeSpan.FromSeconds(15);

    private readonly Stream _input;
    private readonly IEventOutput _output;
    private readonly MeetingOptions _options;
    private readonly MuesliRegions _regions;
    private readonly SessionSettings _settings;
    private readonly TaskCompletionSource<int> _exitCode;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ThrottledReport _reports = new(TimeSpan.FromSeconds(2));
    private readonly Dictionary<StreamKind, long> _audioBytes = new();
    private MeetingOptions _meeting;
    private bool _emitMeters;
    private string? _meetingId;
    private string? _unavailable;

    public MeetingSession(Stream input, IEventOutput output, MeetingOptions options, MuesliRegions regions, SessionSettings settings, TaskCompletionSource<int> exitCode)
    {
        _input = input;
        _output = output;
        _options = options;
        _regions = regions;
        _settings = settings;
        _exitCode = exitCode;
        _unavailable = settings.TranscriptionUnavailable;
        _meeting = options;
        _emitMeters = settings.EmitMeters;
        AwaitingStart();
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(Stream input, IEventOutput output, MeetingOptions options, MuesliRegions regions, SessionSettings settings, TaskCompletionSource<int> exitCode)
        => Akka.Actor.Props.Create(() => new MeetingSession(input, output, options, regions, settings, exitCode));

    public ITimerScheduler Timers { get; set; } = null!;

    private IEnumerable<StreamKind> Transcribed => _meeting.Transcribed.Where(_ => _unavailable is null);

    protected override void PreStart()
    {
        if (_unavailable is { } why)
        {
            _output.Write(new Error(why));
        }
        else
        {
            _regions.Router.Tell(new WorkerMessages.WatchPool());
        }

        if (_settings.StartTimeout is { } startTimeout)
        {
            Timers.StartSingleTimer(StartTimedOut.Instance, StartTimedOut.Instance, startTimeout);
        }

        var self = Self;
        var input = _input;
        var decider = new Decider(e =>
        {
            _log.Warning("frame not handled: {0}", e.Message);
            return Directive.Resume;
        });
        var bytes = _settings.AsyncInput
            ? Source.UnfoldResourceAsync<ByteString, (Stream Stream, byte[] Buffer)>(
                () => Task.FromResult((input, new byte[ReadChunkBytes])),
                async reader =>
                {
                    // One buffer per connection, reused: each read copies out only the bytes that arrived.
                    var read = await reader.Stream.ReadAsync(reader.Buffer.AsMemory());
                    return read == 0 ? Akka.Util.Option<ByteString>.None : ByteString.CopyFrom(reader.Buffer, 0, read);
                },
                _ => Task.FromResult(Akka.Done.Instance))
            : StreamConverters.FromInputStream(() => input, ReadChunkBytes).MapMaterializedValue(_ => Akka.NotUsed.Instance);
        bytes
            .Via(new FrameDecoderStage(_settings.MaxPayloadBytes))
            .SelectAsync(_settings.FramesInFlight, item => self.Ask<object>(new Inbound(item), FrameTimeout))
            .WithAttributes(ActorAttributes.CreateSupervisionStrategy(decider))
            .RunWith(Sink.Ignore<object>(), Context.Materializer())
            .ContinueWith(t => new InputEnded(t.IsFaulted ? t.Exception?.GetBaseException().Message : null))
            .PipeTo(self);
    }

    private void AwaitingStart()
    {
        Receive<WorkerMessages.PoolUnavailable>(OnPoolUnavailable);
        Receive<Inbound>(inbound =>
        {
            switch (inbound.Item)
            {
                case Frame { Type: FrameType.MeetingStart } start:
                    Start(start);
                    break;
                case Frame { Type: FrameType.MeetingStop }:
                    Reply();
                    FinishWithoutMeeting();
                    break;
                case Frame { Type: FrameType.Audio }:
                    ReportToClient("before-start", "audio_before_start: AUDIO frames before MEETING_START are ignored");
                    Reply();
                    break;
                case Frame { Type: FrameType.ScreenshotEvent } screenshot:
                    EchoScreenshot(screenshot);
                    Reply();
                    break;
                case FrameError error:
                    OnFrameError(error);
                    break;
            }
        });
        Receive<StartTimedOut>(_ => Close(new Error($"start_timeout: no MEETING_START within {_settings.StartTimeout!.Value.TotalSeconds:0} s")));
        Receive<SessionCommands.NodeStopping>(_ => Close(new NodeStatus("node_stopping")));
        Receive<InputEnded>(ended =>
        {
            LogInputEnd(ended);
            if (_settings.StopAtEndOfInput)
            {
                FinishWithoutMeeting();
            }
            else
            {
                Close(null);
            }
        });
    }

    private void Start(Frame frame)
    {
        var settings = MeetingSettings.None;
        string? error = null;
        if (!MeetingStart.TryParse(frame.Payload, out var start, out var invalid))
        {
            error = invalid;
        }
        else if (_settings.AcceptsSettings && !MeetingSettings.TryParse(start!.Meta, out settings, out var badSetting))
        {
            error = badSetting;
        }
        else if (_settings.CheckSettings?.Invoke(settings) is { } refused)
        {
            error = refused;
        }

        if (error is not null)
        {
            if (_settings.CloseOnProtocolError)
            {
                Reply();
                Close(new Error(error));
                return;
            }

            ReportToClient("start", error);
            Reply();
            return;
        }

        Timers.Cancel(StartTimedOut.Instance);
        _meetingId = start!.MeetingId ?? EntityIds.NewMeetingId(DateTimeOffset.UtcNow);
        _output.Write(new MeetingStarted(start.Meta, _settings.NodeEvents ? _meetingId : null));
        var asker = Sender;
        var request = new MeetingRequest(
            _meetingId,
            start,
            settings,
            (settings.TranscribedStreams ?? _options.Transcribed).Where(_ => _unavailable is null).ToArray(),
            _options.LabelByStream || settings.LiveAsrOnly == true,
            _settings.NodeEvents,
            DateTime.UtcNow.Ticks);
        OpenMeeting(request, Self).PipeTo(Self, success: opened => opened with { Asker = asker }, failure: e => new OpenFailed(e, asker));
        Become(Opening);
    }

    /// <summary>
    /// Opens the meeting's aggregator, then its streams with what the aggregator holds: a resumed meeting keeps the
    /// settings it was opened with. Runs outside the actor's context: everything it needs is passed in.
    /// </summary>
    private async Task<Opened> OpenMeeting(MeetingRequest request, IActorRef self)
    {
        var meetingId = request.MeetingId;
        var ready = await AskAgainUntilAnswered<TranscriptCommands.MeetingReady>(_regions.Transcripts,
            new TranscriptCommands.OpenMeeting(meetingId, StreamKinds.All.ToArray(), request.Transcribed, request.LabelByStream, request.Settings));
        var transcribed = ready.Transcribed ?? request.Transcribed;
        var settings = ready.Settings ?? request.Settings;
        await AskAgainUntilAnswered<TranscriptCommands.Subscribed>(_regions.Transcripts,
            new TranscriptCommands.Subscribe(meetingId, self, Replay: ready.Resumed, Exclusive: request.Exclusive, Claim: request.Claim));
        var resumePts = new Dictionary<string, long>();
        foreach (var stream in StreamKinds.All)
        {
            var opened = await AskAgainUntilAnswered<StreamCommands.StreamReady>(_regions.Streams,
                new StreamCommands.OpenStream(
                    EntityIds.StreamId(meetingId, stream), meetingId, stream, request.Start.FormatOf(stream), transcribed.Contains(stream), settings));
            resumePts[stream.Name()] = opened.ResumePtsUs;
        }

        return new Opened(ready, settings, transcribed, resumePts, ActorRefs.Nobody);
    }

    /// <summary>
    /// Asks an entity, and asks again when no answer came within 20 s, for up to 100 s: a message sent to a node that
    /// has just died is lost, and its shards answer again only once the cluster has downed it and moved them (about
    /// 15 s). Every message asked this way is idempotent.
    /// </summary>
    private static async Task<T> AskAgainUntilAnswered<T>(IActorRef region, object message)
    {
        var attempt = TimeSpan.FromSeconds(20);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(100);
        while (true)
        {
            try
            {
                return await region.Ask<T>(message, attempt);
            }
            catch (AskTimeoutException) when (DateTime.UtcNow + attempt <= deadline)
            {
            }
        }
    }

    private void Opening()
    {
        Receive<WorkerMessages.PoolUnavailable>(OnPoolUnavailable);
        Receive<Opened>(opened =>
        {
            _meeting = _options.With(opened.Settings) with { Transcribed = opened.Transcribed.ToHashSet() };
            _emitMeters = opened.Settings.EmitMeters ?? _settings.EmitMeters;
            if (opened.Ready.Resumed)
            {
                _log.Info("meeting {0} resumed with {1} committed segments", _meetingId!, opened.Ready.Segments);
                _output.Write(new MeetingResumed(_meetingId!, opened.Ready.Segments, _settings.NodeEvents ? opened.ResumePtsUs : null));
            }
            else
            {
                _log.Info("meeting {0} started", _meetingId!);
            }

            opened.Asker.Tell(Handled.Instance);
            if (_settings.NodeEvents)
            {
                Timers.StartPeriodicTimer(Resubscribe.Instance, Resubscribe.Instance, ResubscribeEvery);
            }

            Become(Running);
            Stash.UnstashAll();
        });
        Receive<OpenFailed>(failed =>
        {
            _log.Error(failed.Cause, "meeting {0} could not start", _meetingId!);
            _output.Write(new Error($"meeting_start_failed: {failed.Cause.GetBaseException().Message}"));
            failed.Asker.Tell(Handled.Instance);
            _meetingId = null;
            if (_settings.CloseOnProtocolError)
            {
                Close(null);
                return;
            }

            Become(AwaitingStart);
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Running()
    {
        Receive<WorkerMessages.PoolUnavailable>(OnPoolUnavailable);
        Receive<Inbound>(inbound =>
        {
            switch (inbound.Item)
            {
                case Frame { Type: FrameType.Audio } audio:
                    _audioBytes[audio.Stream] = _audioBytes.GetValueOrDefault(audio.Stream) + audio.Payload.Length;
                    if (_emitMeters)
                    {
                        _output.Write(new Meter(audio.Stream.Name(), Math.Max(0, audio.PtsUs) / 1e6, Audio.StreamRecorder.Rms(audio.Payload)));
                    }

                    foreach (var part in StreamCommands.AppendAudio.Parts(EntityIds.StreamId(_meetingId!, audio.Stream), audio.PtsUs, audio.Payload))
                    {
                        _regions.Streams.Tell(part, Sender);
                    }

                    break;
                case Frame { Type: FrameType.ScreenshotEvent } screenshot:
                    EchoScreenshot(screenshot);
                    Reply();
                    break;
                case Frame { Type: FrameType.MeetingStart }:
                    ReportToClient("second-start", "meeting_already_started: a second MEETING_START is ignored");
                    Reply();
                    break;
                case Frame { Type: FrameType.MeetingStop }:
                    Reply();
                    BeginStop();
                    break;
                case FrameError error:
                    OnFrameError(error);
                    break;
            }
        });
        Receive<TranscriptCommands.EventPublished>(e => _output.Write(e.Event));
        Receive<InputEnded>(ended =>
        {
            LogInputEnd(ended);
            if (_settings.StopAtEndOfInput)
            {
                BeginStop();
            }
            else
            {
                _log.Info("meeting {0}: the client's connection ended without STOP; the meeting waits for it to reconnect", _meetingId!);
                Close(null);
            }
        });
        Receive<TranscriptCommands.Superseded>(_ => Close(new Error("superseded: a newer connection took over this meeting")));
        Receive<SessionCommands.NodeStopping>(_ => Close(new NodeStatus("node_stopping")));
        Receive<Resubscribe>(_ => RenewSubscription());
        Receive<TranscriptCommands.Subscribed>(_ => { });

        // A resumed meeting that was already finalized: its transcript and result were replayed; it ends here.
        Receive<TranscriptCommands.MeetingFinalized>(Finish);
    }

    private void OnPoolUnavailable(WorkerMessages.PoolUnavailable pool)
    {
        if (_unavailable is not null)
        {
            return;
        }

        _unavailable = pool.Reason;
        _output.Write(new Error(pool.Reason));
    }

    private void BeginStop()
    {
        _log.Info("meeting {0} stopping", _meetingId!);
        _regions.Transcripts.Tell(new TranscriptCommands.ReachStage(_meetingId!, "preparing"));
        foreach (var stream in StreamKinds.All)
        {
            _stopsPending.Add(EntityIds.StreamId(_meetingId!, stream));
        }

        SendStops();
        Become(Stopping);
    }

    /// <summary>
    /// STOP goes to each stream until it accepts: a stream that could not journal its stop (the database was down)
    /// has stopped itself and comes back from its journal; StopStream is idempotent.
    /// </summary>
    private void SendStops()
    {
        foreach (var streamId in _stopsPending)
        {
            _regions.Streams.Tell(new StreamCommands.StopStream(streamId));
        }

        if (_stopsPending.Count > 0)
        {
            Timers.StartSingleTimer(ResendStops.Instance, ResendStops.Instance, TimeSpan.FromSeconds(5));
        }
    }

    private void Stopping()
    {
        Receive<WorkerMessages.PoolUnavailable>(OnPoolUnavailable);
        Receive<Inbound>(inbound =>
        {
            var message = inbound.Item switch
            {
                Frame { Type: FrameType.MeetingStop } => "duplicate_stop: the meeting is already stopping",
                Frame f => $"frame_after_stop: {f.Type} ignored, the meeting is stopping",
                FrameError e => e.Message,
                _ => "frame_after_stop",
            };
            ReportToClient("after-stop", message);
            Reply();
        });
        Receive<TranscriptCommands.EventPublished>(e => _output.Write(e.Event));
        Receive<TranscriptCommands.StreamDoneAck>(_ => { });
        Receive<StreamCommands.StopAccepted>(accepted => _stopsPending.Remove(accepted.StreamId));
        Receive<ResendStops>(_ => SendStops());
        Receive<InputEnded>(LogInputEnd);
        Receive<TranscriptCommands.Superseded>(_ => Close(new Error("superseded: a newer connection took over this meeting")));
        Receive<SessionCommands.NodeStopping>(_ => Close(new NodeStatus("node_stopping")));
        Receive<Resubscribe>(_ => RenewSubscription());
        Receive<TranscriptCommands.Subscribed>(_ => { });
        Receive<TranscriptCommands.MeetingFinalized>(Finish);
    }

    private void Finish(TranscriptCommands.MeetingFinalized finalized)
    {
        var heard = false;
        foreach (var stream in Transcribed)
        {
            if (finalized.StreamBytes.GetValueOrDefault(stream) > 0)
            {
                heard = true;
            }
            else
            {
                _output.Write(new Error($"no_audio_for_stream_{stream.Name()}"));
            }
        }

        _output.Write(new MeetingStopped());
        var code = _unavailable is not null ? ExitUnavailable : heard ? ExitOk : ExitNoAudio;
        _log.Info("meeting {0} finalized; exit code {1}", _meetingId!, code);
        _exitCode.TrySetResult(code);
        Become(Done);
        if (!_settings.StopAtEndOfInput)
        {
            // A node's connection ends with its meeting; the host closes it once this session has stopped.
            Context.Stop(Self);
        }
    }

    /// <summary>
    /// Ends this connection without ending the meeting (a node's client closed, was superseded, or the node stops):
    /// the last word to the client, then the host closes the connection.
    /// </summary>
    private void Close(MuesliEvent? last)
    {
        if (last is not null)
        {
            _log.Info("meeting {0}: closing the connection: {1}", _meetingId ?? "(not started)", last.ToJson());
            _output.Write(last);
        }

        _exitCode.TrySetResult(ExitOk);
        Become(Done);
        Context.Stop(Self);
    }

    /// <summary>
    /// An aggregator that restarted (its shard was moved or restarted) no longer knows its subscribers: a node's
    /// session subscribes again now and then, which also delivers a completion it missed. Not exclusive, so that it
    /// never takes a meeting back from a newer connection.
    /// </summary>
    private void RenewSubscription()
        => _regions.Transcripts.Tell(new TranscriptCommands.Subscribe(_meetingId!, Self, Replay: false, Exclusive: false));

    private void OnFrameError(FrameError error)
    {
        Reply();
        if (_settings.CloseOnProtocolError)
        {
            Close(new Error(error.Message));
            return;
        }

        ReportToClient(error.Kind.ToString(), error.Message);
    }

    private void Done()
    {
        Receive<Inbound>(_ => Reply());
        ReceiveAny(_ => { });
    }

    private void FinishWithoutMeeting()
    {
        foreach (var stream in Transcribed)
        {
            _output.Write(new Error($"no_audio_for_stream_{stream.Name()}"));
        }

        _output.Write(new MeetingStopped());
        _exitCode.TrySetResult(_unavailable is not null ? ExitUnavailable : ExitNoAudio);
        Become(Done);
    }

    private void EchoScreenshot(Frame frame)
    {
        try
        {
            using var doc = JsonDocument.Parse(frame.Payload);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("not an object");
            }

            _output.Write(new Screenshot(doc.RootElement.Clone()));
        }
        catch (JsonException e)
        {
            ReportToClient("screenshot", $"invalid_screenshot_event: {e.Message}");
        }
    }

    private void ReportToClient(string kind, string message)
    {
        if (_reports.Next(kind, message, DateTime.UtcNow) is { } text)
        {
            _log.Warning("{0}", text);
            _output.Write(new Error(text));
        }
    }

    private void LogInputEnd(InputEnded ended)
    {
        if (ended.Error is { } error)
        {
            _log.Warning("input ended with an error: {0}", error);
        }
        else
        {
            _log.Info("input ended");
        }
    }

    private void Reply() => Sender.Tell(Handled.Instance);

    private sealed record Inbound(object Item);

    private sealed record InputEnded(string? Error);

    private sealed class ResendStops
    {
        public static readonly ResendStops Instance = new();
    }

    private sealed record MeetingRequest(
        string MeetingId, MeetingStart Start, MeetingSettings Settings, IReadOnlyList<StreamKind> Transcribed, bool LabelByStream, bool Exclusive, long Claim);

    private sealed record Opened(
        TranscriptCommands.MeetingReady Ready,
        MeetingSettings Settings,
        IReadOnlyList<StreamKind> Transcribed,
        IReadOnlyDictionary<string, long> ResumePtsUs,
        IActorRef Asker);

    private sealed class Resubscribe
    {
        public static readonly Resubscribe Instance = new();
    }

    private sealed class StartTimedOut
    {
        public static readonly StartTimedOut Instance = new();
    }

    private sealed record OpenFailed(Exception Cause, IActorRef Asker);

    /// <summary>The acknowledgement of a frame that needs no stream's answer.</summary>
    private sealed class Handled
    {
        public static readonly Handled Instance = new();
    }
}
