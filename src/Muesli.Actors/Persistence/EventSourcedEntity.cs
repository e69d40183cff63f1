using Akka.Event;
using Akka.Persistence;
using Muesli.Actors.Serialization;

namespace Muesli.Actors.Persistence;

/// <summary>An entity's state: an immutable value that a pure <see cref="Apply"/> moves forward, one event at a time.</summary>
public interface IEventSourcedState<out TState, in TEvent>
{
    TState Apply(TEvent e);
}

/// <summary>
/// What every persistent entity does the same way: rebuild its state from the latest snapshot and the events after
/// it, persist an event before acting on it, and save a snapshot every N events (dropping the older ones).
/// </summary>
public abstract class EventSourcedEntity<TState, TEvent> : ReceivePersistentActor
    where TState : class, IEventSourcedState<TState, TEvent>, IMuesliPersisted
    where TEvent : IMuesliPersisted
{
    private readonly int _snapshotEvery;

    protected EventSourcedEntity(string persistenceId, TState empty, int snapshotEvery)
    {
        PersistenceId = persistenceId;
        State = empty;
        _snapshotEvery = snapshotEvery;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is TState state)
            {
                State = state;
            }
        });
        Recover<TEvent>(e => State = State.Apply(e));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => Log.Warning("{0}: snapshot failed: {1}", PersistenceId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => Log.Warning("{0}: old snapshots not deleted: {1}", PersistenceId, f.Cause.Message));
    }

    public override string PersistenceId { get; }

    protected TState State { get; private set; }

    /// <summary>Persists <paramref name="e"/>, applies it, then runs <paramref name="then"/>.</summary>
    protected void Record<T>(T e, Action<T>? then = null)
        where T : TEvent
        => Persist(e, persisted => Applied(persisted, then));

    /// <summary>Persists the events atomically; applies and follows up each in order.</summary>
    protected void RecordAll(IEnumerable<TEvent> events, Action<TEvent>? then = null)
        => PersistAll(events, persisted => Applied(persisted, then));

    /// <summary>
    /// The journal refused or failed a write: Akka stops this entity (its shard starts it again, with backoff, from
    /// what the journal holds). <see cref="OnJournalUnavailable"/> is the last word before that.
    /// </summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Log.Error("{0}: journal write failed ({1}); stopping, to start again from the journal: {2}", PersistenceId, @event.GetType().Name, cause.Message);
        MuesliMetrics.PersistenceFailed(PersistenceFailure.Write);
        OnJournalUnavailable(cause);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        MuesliMetrics.PersistenceFailed(PersistenceFailure.Rejected);
        OnJournalUnavailable(cause);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        MuesliMetrics.PersistenceFailed(PersistenceFailure.Recovery);
        base.OnRecoveryFailure(reason, message);
    }

    /// <summary>Called when a write failed, before the entity stops: tell whoever waits on it.</summary>
    protected virtual void OnJournalUnavailable(Exception cause)
    {
    }

    /// <summary>A snapshot now, outside the every-N rhythm (e.g. when the entity is done).</summary>
    protected void Snapshot() => SaveSnapshot(State);

    private void Applied<T>(T e, Action<T>? then)
        where T : TEvent
    {
        State = State.Apply(e);
        then?.Invoke(e);
        if (_snapshotEvery > 0 && LastSequenceNr % _snapshotEvery == 0)
        {
            SaveSnapshot(State);
        }
    }
}
