using Akka.Actor;
using Akka.Persistence;
using Muesli.Actors.Serialization;

namespace Muesli.Actors.Persistence;

/// <summary>
/// Reads an entity's state from its journal — its latest snapshot and the events after it — without starting the
/// entity: nothing is written, and none of what the entity does once it has recovered (reopening its files, resuming
/// its work) happens. The actor stops as soon as it has recovered.
/// </summary>
public sealed class JournalReader<TState, TEvent> : ReceivePersistentActor
    where TState : class, IEventSourcedState<TState, TEvent>, IMuesliPersisted
    where TEvent : IMuesliPersisted
{
    private readonly TaskCompletionSource<JournalRead<TState>> _done;
    private TState _state;

    public JournalReader(string persistenceId, TState empty, TaskCompletionSource<JournalRead<TState>> done)
    {
        PersistenceId = persistenceId;
        _state = empty;
        _done = done;
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is TState state)
            {
                _state = state;
            }
        });
        Recover<TEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            _done.TrySetResult(new JournalRead<TState>(_state, LastSequenceNr));
            Context.Stop(Self);
        });
        CommandAny(_ => { });
    }

    public override string PersistenceId { get; }

    /// <summary>The state of the entity whose journal is <paramref name="persistenceId"/>; the empty state when it has none.</summary>
    public static async Task<JournalRead<TState>> ReadAsync(IActorRefFactory factory, string persistenceId, TState empty, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<JournalRead<TState>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = factory.ActorOf(Props.Create(() => new JournalReader<TState, TEvent>(persistenceId, empty, done)));
        if (await Task.WhenAny(done.Task, Task.Delay(timeout)) != done.Task)
        {
            reader.Tell(PoisonPill.Instance);
            throw new TimeoutException($"the journal of {persistenceId} was not read within {timeout}");
        }

        return await done.Task;
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _done.TrySetException(new InvalidOperationException($"the journal of {PersistenceId} cannot be read: {reason.Message}", reason));
        base.OnRecoveryFailure(reason, message);
    }
}

/// <summary>What a <see cref="JournalReader{TState,TEvent}"/> read: the state, and the sequence number of its last event (0: none).</summary>
public sealed record JournalRead<TState>(TState State, long LastSequenceNr);
