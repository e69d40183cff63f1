using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Muesli.Inference;
using static Muesli.Actors.Inference.WorkerMessages;

namespace Muesli.Actors.Inference;

/// <summary>
/// The single writer of one device: builds its pipeline once, then runs one chunk at a time. Runs happen on a
/// dedicated thread and come back with <c>PipeTo</c>, so the mailbox stays responsive while a run is busy.
/// </summary>
public sealed class InferenceWorker : ReceiveActor, IWithUnboundedStash
{
    private readonly string _slot;
    private readonly string _provider;
    private readonly Func<ITranscriptionPipeline> _createPipeline;
    private readonly IActorRef _router;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ITranscriptionPipeline? _pipeline;

    public InferenceWorker(string slot, string provider, Func<ITranscriptionPipeline> createPipeline, IActorRef router)
    {
        _slot = slot;
        _provider = provider;
        _createPipeline = createPipeline;
        _router = router;
        Loading();
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(string slot, string provider, Func<ITranscriptionPipeline> createPipeline, IActorRef router)
        => Akka.Actor.Props.Create(() => new InferenceWorker(slot, provider, createPipeline, router));

    protected override void PreStart()
    {
        var create = _createPipeline;
        Task.Factory.StartNew(() => new Loaded(create()), TaskCreationOptions.LongRunning).PipeTo(Self);
    }

    protected override void PostStop() => _pipeline?.Dispose();

    private void Loading()
    {
        Receive<Loaded>(loaded =>
        {
            _pipeline = loaded.Pipeline;
            _log.Info("inference worker {0} ready on {1}", _slot, _provider);
            _router.Tell(new RegisterWorker(_slot, _provider));
            Stash.UnstashAll();
            Become(Idle);
        });
        Receive<Status.Failure>(f =>
        {
            _log.Error(f.Cause, "inference worker {0} could not build its pipeline", _slot);
            Context.Stop(Self);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Idle()
    {
        Receive<Run>(run =>
        {
            var pipeline = _pipeline!;
            var request = run.Request;
            Task.Factory.StartNew(
                    () =>
                    {
                        var watch = Stopwatch.StartNew();
                        var result = pipeline.Run(request.Samples, request.Window.TimestampOffset);
                        return (object)new RunSucceeded(request, result, watch.Elapsed);
                    },
                    TaskCreationOptions.LongRunning)
                .ContinueWith(t => t.IsCompletedSuccessfully
                    ? t.Result
                    : new RunFailed(request, t.Exception?.GetBaseException().Message ?? "run cancelled"))
                .PipeTo(Self);
            Become(Busy);
        });
    }

    private void Busy()
    {
        Receive<RunSucceeded>(done =>
        {
            _router.Tell(done);
            Stash.UnstashAll();
            Become(Idle);
        });
        Receive<RunFailed>(failed =>
        {
            _log.Warning("inference worker {0} failed on {1} #{2}: {3}", _slot, failed.Request.StreamId, failed.Request.Seq, failed.Error);
            _router.Tell(failed);
            Stash.UnstashAll();
            Become(Idle);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private sealed record Loaded(ITranscriptionPipeline Pipeline);
}
