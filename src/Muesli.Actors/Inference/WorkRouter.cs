using Akka.Actor;
using Akka.Event;
using static Muesli.Actors.Inference.WorkerMessages;

namespace Muesli.Actors.Inference;

/// <summary>
/// The single writer in front of the inference pool, replacing the original's global pipeline lock. Workers
/// announce themselves while they load and register when ready (work pulling); requests queue until a worker is
/// ready, and each goes to an idle worker, live chunks before finalize work. A failed run is reported to its requester
/// and queued again with exponential backoff, up to a bound; a request whose worker died is queued again at once.
/// When no worker is ready or loading and one failed to load, the pool is unavailable: its watchers are told once,
/// and every queued or new request is refused until a worker registers.
/// Requesters send a request again until it is answered, so the router keeps one copy per key (stream, priority,
/// seq): a resend of a request it holds changes nothing (or updates the queued copy, when the requester restarted),
/// and a router that failed over to another node rebuilds its queue from the resends.
/// </summary>
public sealed class WorkRouter : ReceiveActor, IWithTimers
{
    private readonly int _maxAttempts;
    private readonly TimeSpan _backoff;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<ChunkRequest> _live = new();
    private readonly LinkedList<ChunkRequest> _finalize = new();
    private readonly Dictionary<IActorRef, Slot> _workers = new();
    private readonly Dictionary<IActorRef, string> _loading = new();
    private readonly HashSet<IActorRef> _watchers = new();
    private readonly HashSet<(string, WorkPriority, long)> _known = new();
    private string? _lastLoadFailure;
    private string? _unavailable;
    private long _retryKeys;
    private long _assignments;

    public WorkRouter(int maxAttempts, TimeSpan backoff)
    {
        _maxAttempts = Math.Max(1, maxAttempts);
        _backoff = backoff;

        Receive<WorkerLoading>(l =>
        {
            if (!_workers.ContainsKey(Sender))
            {
                Context.Watch(Sender);
                _loading[Sender] = l.Slot;
                _log.Info("worker {0} is loading ({1})", l.Slot, l.Provider);
            }
        });
        Receive<RegisterWorker>(r =>
        {
            _loading.Remove(Sender);
            if (!_workers.ContainsKey(Sender))
            {
                Context.Watch(Sender);
                _workers[Sender] = new Slot(r.Slot, r.Provider, NodeOf(Sender));
                _log.Info("worker {0} registered ({1}); {2} in the pool", r.Slot, r.Provider, _workers.Count);
            }

            _unavailable = null;
            Dispatch();
        });
        Receive<WorkerFailed>(f =>
        {
            _loading.Remove(Sender);
            _lastLoadFailure = f.Error;
            CheckAvailable();
        });
        Receive<WatchPool>(_ =>
        {
            _watchers.Add(Sender);
            Context.Watch(Sender);
            if (_unavailable is { } reason)
            {
                Sender.Tell(new PoolUnavailable(reason));
            }
        });
        Receive<ChunkRequest>(request =>
        {
            if (!_known.Contains(request.Key))
            {
                Enqueue(request, atFront: false);
            }
            else
            {
                ReplaceQueued(request);
            }

            Dispatch();
        });
        Receive<Requeue>(r =>
        {
            Enqueue(r.Request, atFront: false);
            Dispatch();
        });
        Receive<RunSucceeded>(done =>
        {
            var slot = Release(Sender);
            slot?.Done(failed: false);
            _known.Remove(done.Request.Key);
            done.Request.ReplyTo.Tell(new ChunkResult(done.Request.StreamId, done.Request.Seq, done.Request.Window, done.Result, done.Elapsed));
            Dispatch();
        });
        Receive<RunFailed>(failed =>
        {
            Release(Sender)?.Done(failed: true);
            var request = failed.Request;
            var retry = request.Attempt < _maxAttempts;
            request.ReplyTo.Tell(new ChunkFailed(request.StreamId, request.Seq, failed.Error, request.Attempt, retry));
            if (!retry)
            {
                _known.Remove(request.Key);
            }
            else
            {
                var delay = _backoff * Math.Pow(2, request.Attempt - 1);
                Timers.StartSingleTimer($"retry-{_retryKeys++}", new Requeue(request with { Attempt = request.Attempt + 1 }), delay);
            }

            Dispatch();
        });
        Receive<RunAbandoned>(abandoned =>
        {
            Release(Sender);
            _known.Remove(abandoned.Request.Key);
            Dispatch();
        });
        Receive<Terminated>(t =>
        {
            _watchers.Remove(t.ActorRef);
            _loading.Remove(t.ActorRef);
            if (_workers.Remove(t.ActorRef, out var slot) && slot.Current is { } orphan)
            {
                _log.Warning("worker {0} died during {1} #{2}; queued again", slot.Name, orphan.StreamId, orphan.Seq);
                Enqueue(orphan, atFront: true);
            }

            CheckAvailable();
            Dispatch();
        });
        Receive<Drain>(d =>
        {
            foreach (var slot in _workers.Values.Where(s => s.Id == d.Slot || s.Name == d.Slot))
            {
                slot.Draining = true;
            }

            Sender.Tell(Status());
        });
        Receive<Resume>(r =>
        {
            foreach (var slot in _workers.Values.Where(s => s.Id == r.Slot || s.Name == r.Slot))
            {
                slot.Draining = false;
            }

            Dispatch();
            Sender.Tell(Status());
        });
        Receive<GetRouterStatus>(_ => Sender.Tell(Status()));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(int maxAttempts, TimeSpan backoff)
        => Akka.Actor.Props.Create(() => new WorkRouter(maxAttempts, backoff));

    protected override bool AroundReceive(Receive receive, object message)
    {
        var handled = base.AroundReceive(receive, message);
        MuesliMetrics.QueueDepth(_live.Count, _finalize.Count);
        return handled;
    }

    /// <summary>The singleton moved (or stopped): its queue is no longer this node's.</summary>
    protected override void PostStop() => MuesliMetrics.QueueDepth(0, 0);

    private void Enqueue(ChunkRequest request, bool atFront)
    {
        if (_unavailable is { } reason)
        {
            _known.Remove(request.Key);
            request.ReplyTo.Tell(new ChunkRefused(request.StreamId, request.Seq, reason));
            return;
        }

        _known.Add(request.Key);
        var queue = request.Priority == WorkPriority.Live ? _live : _finalize;
        if (atFront)
        {
            queue.AddFirst(request);
        }
        else
        {
            queue.AddLast(request);
        }
    }

    /// <summary>A resend from a requester that restarted carries its new address (and maybe a longer window).</summary>
    private void ReplaceQueued(ChunkRequest request)
    {
        var queue = request.Priority == WorkPriority.Live ? _live : _finalize;
        for (var node = queue.First; node is not null; node = node.Next)
        {
            if (node.Value.Key == request.Key)
            {
                if (!node.Value.ReplyTo.Equals(request.ReplyTo) || node.Value.Window != request.Window)
                {
                    node.Value = request with { Attempt = node.Value.Attempt };
                }

                return;
            }
        }
    }

    /// <summary>Declares the pool unavailable once nothing can ever run the queue: no worker ready or loading, and one failed.</summary>
    private void CheckAvailable()
    {
        if (_unavailable is not null || _workers.Count > 0 || _loading.Count > 0 || _lastLoadFailure is not { } reason)
        {
            return;
        }

        _unavailable = reason;
        _log.Error("no worker can run work: {0}", reason);
        foreach (var watcher in _watchers)
        {
            watcher.Tell(new PoolUnavailable(reason));
        }

        foreach (var request in _live.Concat(_finalize).ToArray())
        {
            request.ReplyTo.Tell(new ChunkRefused(request.StreamId, request.Seq, reason));
        }

        _live.Clear();
        _finalize.Clear();
        _known.Clear();
    }

    /// <summary>
    /// Gives queued work to idle workers, live first. Among idle workers, the one idle longest goes first, so work
    /// spreads over every device rather than wearing out the first one registered.
    /// </summary>
    private void Dispatch()
    {
        while (_live.Count + _finalize.Count > 0)
        {
            IActorRef? worker = null;
            Slot? slot = null;
            foreach (var (candidate, state) in _workers)
            {
                if (state.Current is null && !state.Draining && (slot is null || state.LastAssigned < slot.LastAssigned))
                {
                    (worker, slot) = (candidate, state);
                }
            }

            if (slot is null)
            {
                return;
            }

            var queue = _live.Count > 0 ? _live : _finalize;
            var next = queue.First!.Value;
            queue.RemoveFirst();
            slot.Current = next;
            slot.LastAssigned = ++_assignments;
            slot.LastChunkAt = DateTime.UtcNow;
            worker.Tell(new Run(next));
        }
    }

    private Slot? Release(IActorRef worker)
    {
        if (!_workers.TryGetValue(worker, out var slot))
        {
            return null;
        }

        slot.Current = null;
        return slot;
    }

    private RouterStatus Status() => new(
        _live.Count,
        _finalize.Count,
        _workers.Values
            .Select(s => new WorkerStatus(s.Name, s.Provider, s.Current is not null, s.Current?.StreamId, s.Runs, s.Failures, s.Draining) { Node = s.Node, LastChunkAt = s.LastChunkAt })
            .OrderBy(w => w.Id, StringComparer.Ordinal)
            .ToArray());

    /// <summary>host:port of the worker's node (a worker beside the router has a local path: this node's address).</summary>
    private static string NodeOf(IActorRef worker)
    {
        var address = worker.Path.Address.HasLocalScope ? ((ExtendedActorSystem)Context.System).Provider.DefaultAddress : worker.Path.Address;
        return $"{address.Host}:{address.Port}";
    }

    private sealed record Requeue(ChunkRequest Request);

    private sealed class Slot(string name, string provider, string node)
    {
        public string Name { get; } = name;

        public string Node { get; } = node;

        public string Id => $"{Node}/{Name}";

        public DateTime? LastChunkAt { get; set; }

        public string Provider { get; } = provider;

        public ChunkRequest? Current { get; set; }

        /// <summary>When it last got work (a counter of assignments); 0: never.</summary>
        public long LastAssigned { get; set; }

        public bool Draining { get; set; }

        public long Runs { get; private set; }

        public long Failures { get; private set; }

        public void Done(bool failed)
        {
            Runs++;
            if (failed)
            {
                Failures++;
            }
        }
    }
}
