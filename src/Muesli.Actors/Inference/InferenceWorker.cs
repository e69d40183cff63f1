using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Muesli.Actors.Hosting;
using Muesli.Inference;
using static Muesli.Actors.Inference.WorkerMessages;

namespace Muesli.Actors.Inference;

/// <summary>
/// The single writer of one device: builds its pipeline once, in the background, then runs one chunk at a time. It
/// tells the router it is loading, then that it is ready (with the provider its sessions got) or that it failed, so
/// nothing waits on model files to open. Loads and runs happen on a dedicated thread and come back with
/// <c>PipeTo</c>, so the mailbox stays responsive while either is busy.
/// </summary>
public sealed class InferenceWorker : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    private readonly WorkerSlot _slot;
    private readonly IActorRef _router;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private const int MaxVariants = 3;

    private readonly Dictionary<EngineChoice, ITranscriptionPipeline> _variants = [];
    private readonly LinkedList<EngineChoice> _recent = [];
    private readonly TimeSpan _fetchTimeout;
    private ITranscriptionPipeline? _pipeline;
    private AudioPieces.Assembly? _fetching;
    private string? _provider;
    private long _runStarted;

    private static readonly TimeSpan AnnounceEvery = TimeSpan.FromSeconds(5);

    public InferenceWorker(WorkerSlot slot, IActorRef router, TimeSpan? fetchTimeout = null, Action<string>? runLog = null)
    {
        _slot = slot;
        _router = router;
        _fetchTimeout = fetchTimeout ?? TimeSpan.FromSeconds(10);
        RunLog = new WorkerRunLog(Context.GetLogger(), runLog);
        Loading();
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    private WorkerRunLog RunLog { get; }

    public static Props Props(WorkerSlot slot, IActorRef router, TimeSpan? fetchTimeout = null, Action<string>? runLog = null)
        => Akka.Actor.Props.Create(() => new InferenceWorker(slot, router, fetchTimeout, runLog));

    protected override void PreStart()
    {
        _router.Tell(new WorkerLoading(_slot.Name, _slot.Provider));
        MuesliMetrics.WorkerSlot(_slot.Name, ready: false);
        var slot = _slot;
        Task.Factory.StartNew(slot.CreatePipeline, TaskCreationOptions.LongRunning)
            .ContinueWith(t => t.IsCompletedSuccessfully
                ? new Loaded(t.Result, slot.LoadedProvider())
                : (object)new LoadFailed(t.Exception?.InnerException ?? new OperationCanceledException("pipeline build cancelled")))
            .PipeTo(Self);
    }

    protected override void PostStop()
    {
        _pipeline?.Dispose();
        foreach (var variant in _variants.Values)
        {
            variant.Dispose();
        }
    }

    private void Loading()
    {
        Receive<Loaded>(loaded =>
        {
            _pipeline = loaded.Pipeline;
            _log.Info("inference worker {0} ready on {1}", _slot.Name, loaded.Provider);
            _provider = loaded.Provider;
            _router.Tell(new RegisterWorker(_slot.Name, loaded.Provider));
            MuesliMetrics.WorkerSlot(_slot.Name, ready: true);
            // The router is a cluster singleton: when its node dies, a new one starts empty on another node. An idle
            // worker says it is ready again every few seconds (a router ignores a worker it knows), so the new
            // router has its pool back within that time; a busy one is heard again when it is idle.
            Timers.StartPeriodicTimer(Announce.Instance, Announce.Instance, AnnounceEvery);
            Stash.UnstashAll();
            Become(Idle);
        });
        Receive<LoadFailed>(failed =>
        {
            _log.Error(failed.Cause, "inference worker {0} could not build its pipeline", _slot.Name);
            _router.Tell(new WorkerFailed(_slot.Name, failed.Cause.Message));
            Context.Stop(Self);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Idle()
    {
        Receive<Run>(run =>
        {
            // The request is small; its audio comes from the requester, in pieces.
            var request = run.Request;
            _fetching = new AudioPieces.Assembly(request);
            request.ReplyTo.Tell(new FetchAudio(request.StreamId, request.Priority, request.Seq), Self);
            Timers.StartSingleTimer(FetchTimeout.Instance, FetchTimeout.Instance, _fetchTimeout);
            Become(Fetching);
        });
        Receive<Announce>(_ => _router.Tell(new RegisterWorker(_slot.Name, _provider!)));
        Receive<AudioPiece>(_ => { });
        Receive<AudioGone>(_ => { });
    }

    private void Fetching()
    {
        Receive<AudioPiece>(piece =>
        {
            var fetching = _fetching!;
            if (!fetching.Matches(piece.StreamId, piece.Priority, piece.Seq))
            {
                return;
            }

            try
            {
                fetching.Add(piece);
            }
            catch (InvalidOperationException e)
            {
                Abandon(e.Message);
                return;
            }

            if (fetching.Complete)
            {
                Timers.Cancel(FetchTimeout.Instance);
                _fetching = null;
                RunPipeline(fetching.Request, fetching.Samples);
            }
        });
        Receive<AudioGone>(gone =>
        {
            if (_fetching!.Matches(gone.StreamId, gone.Priority, gone.Seq))
            {
                Abandon(gone.Reason);
            }
        });
        Receive<FetchTimeout>(_ => Abandon($"no audio from its requester within {_fetchTimeout.TotalSeconds:0} s"));
        Receive<Announce>(_ => { });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Abandon(string reason)
    {
        var request = _fetching!.Request;
        Timers.Cancel(FetchTimeout.Instance);
        _fetching = null;
        _log.Info("inference worker {0} drops {1} #{2}: {3}", _slot.Name, request.StreamId, request.Seq, reason);
        _router.Tell(new RunAbandoned(request, reason));
        MuesliMetrics.ChunkRan(request.Priority, "abandoned", _slot.Name, 0);
        Stash.UnstashAll();
        Become(Idle);
    }

    private void RunPipeline(ChunkRequest request, float[] samples)
    {
        var choice = request.Engines ?? EngineChoice.Default;
        var pipeline = choice.IsDefault ? _pipeline! : _variants.GetValueOrDefault(choice);
        var build = pipeline is null ? _slot.CreateVariant : null;
        var slot = _slot.Name;
        RunLog.Started(slot, request);
        _runStarted = Stopwatch.GetTimestamp();
        Task.Factory.StartNew(
                () =>
                {
                    var watch = Stopwatch.StartNew();
                    var built = pipeline is null
                        ? (build ?? throw new NotSupportedException($"worker slot {slot} runs only its default engines"))(choice)
                        : null;
                    try
                    {
                        var runner = pipeline ?? built!;
                        var result = request.Merge is { } merge
                            ? runner.Run(samples, request.Window.TimestampOffset, merge)
                            : runner.Run(samples, request.Window.TimestampOffset);
                        return (object)new RunSucceeded(request, result, watch.Elapsed) { Built = built };
                    }
                    catch
                    {
                        built?.Dispose();
                        throw;
                    }
                },
                TaskCreationOptions.LongRunning)
            .ContinueWith(t => t.IsCompletedSuccessfully
                ? t.Result
                : new RunFailed(request, t.Exception?.GetBaseException().Message ?? "run cancelled"))
            .PipeTo(Self);
        Become(Busy);
    }

    private void Busy()
    {
        Receive<RunSucceeded>(done =>
        {
            if (done.Built is { } built)
            {
                KeepVariant(done.Request.Engines!, built);
            }

            RunLog.Finished(_slot.Name, done.Request, "ok");
            MuesliMetrics.ChunkRan(done.Request.Priority, "succeeded", _slot.Name, Stopwatch.GetElapsedTime(_runStarted).TotalSeconds);
            _router.Tell(done with { Built = null });
            Stash.UnstashAll();
            Become(Idle);
        });
        Receive<RunFailed>(failed =>
        {
            _log.Warning("inference worker {0} failed on {1} #{2}: {3}", _slot.Name, failed.Request.StreamId, failed.Request.Seq, failed.Error);
            RunLog.Finished(_slot.Name, failed.Request, "failed");
            MuesliMetrics.ChunkRan(failed.Request.Priority, "failed", _slot.Name, Stopwatch.GetElapsedTime(_runStarted).TotalSeconds);
            _router.Tell(failed);
            Stash.UnstashAll();
            Become(Idle);
        });
        Receive<Announce>(_ => { });
        ReceiveAny(_ => Stash.Stash());
    }

    /// <summary>A meeting's own engines stay loaded for its next chunks; the least recently used go when too many are.</summary>
    private void KeepVariant(EngineChoice choice, ITranscriptionPipeline pipeline)
    {
        _log.Info("inference worker {0} built engines {1} for a meeting", _slot.Name, choice);
        _variants[choice] = pipeline;
        _recent.Remove(choice);
        _recent.AddFirst(choice);
        while (_recent.Count > MaxVariants)
        {
            var oldest = _recent.Last!.Value;
            _recent.RemoveLast();
            _variants.Remove(oldest, out var dropped);
            dropped?.Dispose();
        }
    }

    private sealed class Announce
    {
        public static readonly Announce Instance = new();
    }

    private sealed class FetchTimeout
    {
        public static readonly FetchTimeout Instance = new();
    }

    private sealed record Loaded(ITranscriptionPipeline Pipeline, string Provider);

    private sealed record LoadFailed(Exception Cause);
}
