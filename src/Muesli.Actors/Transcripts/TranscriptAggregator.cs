using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Muesli.Core.Commit;
using Muesli.Core.Merge;
using Muesli.Core.Protocol;
using Muesli.Core.Speakers;
using Muesli.Core.Transcripts;
using Muesli.Inference;
using static Muesli.Actors.Transcripts.TranscriptCommands;

namespace Muesli.Actors.Transcripts;

/// <summary>
/// One per meeting: receives offset results, applies the commit policy per stream, persists what it commits, and
/// publishes the meeting's events — in one order — to its subscribers. A subscriber that reconnects gets the
/// transcript so far.
/// </summary>
public sealed class TranscriptAggregator : ReceivePersistentActor
{
    public static readonly IReadOnlyList<string> Stages = ["preparing", "transcribing", "diarizing", "merging", "recovering", "complete"];

    private readonly string _meetingId;
    private readonly MeetingOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _subscribers = [];
    private TranscriptState _state = TranscriptState.Empty;
    private long _published;
    private int _lastStage = -1;

    public TranscriptAggregator(string meetingId, MeetingOptions options)
    {
        _meetingId = meetingId;
        _options = options;
        PersistenceId = $"transcript-{meetingId}";

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is TranscriptState state)
            {
                _state = state;
            }
        });
        Recover<ITranscriptEvent>(e => _state = _state.Apply(e));

        Command<OpenMeeting>(OnOpenMeeting);
        Command<Subscribe>(OnSubscribe);
        Command<Unsubscribe>(u =>
        {
            _subscribers.Remove(u.Subscriber);
            Context.Unwatch(u.Subscriber);
        });
        Command<Terminated>(t => _subscribers.Remove(t.ActorRef));
        Command<Publish>(p => PublishEvent(p.Event));
        Command<ReachStage>(r => ReachStageOnce(r.Stage));
        Command<ApplyWindow>(OnApplyWindow);
        Command<ApplyFinal>(OnApplyFinal);
        Command<StreamDone>(OnStreamDone);
        Command<GetTranscript>(_ => Sender.Tell(_state));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("transcript snapshot failed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    public static Props Props(string meetingId, MeetingOptions options)
        => Akka.Actor.Props.Create(() => new TranscriptAggregator(meetingId, options));

    private void OnOpenMeeting(OpenMeeting open)
    {
        if (_state.Opened)
        {
            Sender.Tell(new MeetingReady(_meetingId, Resumed: true, _state.Segments.Count, _state.Finalized));
            return;
        }

        var sender = Sender;
        Persist(new TranscriptEvents.MeetingOpened(open.Streams, open.Transcribed, open.LabelByStream), e =>
        {
            _state = _state.Apply(e);
            sender.Tell(new MeetingReady(_meetingId, Resumed: false, 0, false));
        });
    }

    private void OnSubscribe(Subscribe subscribe)
    {
        _subscribers.Add(subscribe.Subscriber);
        Context.Watch(subscribe.Subscriber);
        var replayed = 0;
        if (subscribe.Replay)
        {
            if (_state.Speakers.Count > 0)
            {
                Send(subscribe.Subscriber, SpeakersEvent());
            }

            foreach (var segment in _state.Segments)
            {
                Send(subscribe.Subscriber, segment.ToEvent(_options.EmitWords));
                replayed++;
            }

            if (_state.Finalized)
            {
                Send(subscribe.Subscriber, ResultEvent());
            }
        }

        Sender.Tell(new Subscribed(_meetingId, replayed));
        if (_state.Finalized)
        {
            subscribe.Subscriber.Tell(new MeetingFinalized(_meetingId, _state.Completed));
        }
    }

    private void OnApplyWindow(ApplyWindow apply)
    {
        var sender = Sender;
        if (_state.Finals.ContainsKey(apply.Stream))
        {
            sender.Tell(new WindowApplied(_meetingId, apply.Stream, apply.Seq, 0));
            return;
        }

        var (words, link) = Link(apply.Stream, apply.Result);
        var outcome = CommitPolicy.Apply(_state.CommitOf(apply.Stream), words, apply.Cutoff, _options.Merge);
        var committed = Persistable(apply.Stream, apply.Seq, final: false, outcome) with { Link = link };
        Persist(committed, e =>
        {
            _state = _state.Apply(e);
            PublishCommit(apply.Stream, e, outcome);
            PublishEvent(new MuesliEvents.LiveProcessDone(apply.Stream.Name(), apply.WindowEnd, apply.Result.Turns.Count, Finalize: false));
            sender.Tell(new WindowApplied(_meetingId, apply.Stream, apply.Seq, e.Segments.Count));
            MaybeSnapshot();
        });
    }

    private void OnApplyFinal(ApplyFinal apply)
    {
        var sender = Sender;
        if (_state.Finals.ContainsKey(apply.Stream))
        {
            sender.Tell(new FinalApplied(_meetingId, apply.Stream, 0));
            return;
        }

        var words = SpeakerNaming.Name(apply.Words, apply.Stream, _state.LabelByStream);
        var outcome = CommitPolicy.Apply(_state.CommitOf(apply.Stream), words, double.PositiveInfinity, _options.Merge);
        var committed = Persistable(apply.Stream, long.MaxValue, final: true, outcome);
        var turns = SpeakerMerge.BuildTurns(words, _options.Merge)
            .Select(t => new FinalTurn(apply.Stream, IdOf(apply.Stream, t.Speaker), t.Start, t.End, t.Text))
            .ToArray();
        var recorded = new TranscriptEvents.FinalTranscriptRecorded(apply.Stream, turns, apply.Duration);
        var mapped = new TranscriptEvents.SpeakersMapped(apply.Stream, LiveToFinal(apply.Stream, turns));
        PersistAll(new ITranscriptEvent[] { committed, recorded, mapped }, e =>
        {
            _state = _state.Apply(e);
            switch (e)
            {
                case TranscriptEvents.WindowCommitted w:
                    PublishCommit(apply.Stream, w, outcome);
                    break;
                case TranscriptEvents.SpeakersMapped m:
                    if (m.LiveToFinal.Any(p => p.Key != p.Value))
                    {
                        PublishEvent(new MuesliEvents.SpeakerMap(apply.Stream.Name(), m.LiveToFinal));
                    }

                    PublishEvent(new MuesliEvents.LiveProcessDone(apply.Stream.Name(), apply.Duration, turns.Length, Finalize: true));
                    sender.Tell(new FinalApplied(_meetingId, apply.Stream, committed.Segments.Count));
                    MaybeSnapshot();
                    break;
            }
        });
    }

    private void OnStreamDone(StreamDone done)
    {
        var sender = Sender;
        if (_state.Completed.ContainsKey(done.Stream))
        {
            sender.Tell(new StreamDoneAck(_meetingId, done.Stream));
            return;
        }

        Persist(new TranscriptEvents.StreamCompleted(done.Stream, done.TotalBytes), e =>
        {
            _state = _state.Apply(e);
            sender.Tell(new StreamDoneAck(_meetingId, done.Stream));
            if (_state.AllStreamsCompleted && !_state.Finalized)
            {
                Persist(new TranscriptEvents.MeetingCompleted(), completed =>
                {
                    _state = _state.Apply(completed);
                    ReachStageOnce("complete");
                    PublishEvent(ResultEvent());
                    foreach (var subscriber in _subscribers)
                    {
                        subscriber.Tell(new MeetingFinalized(_meetingId, _state.Completed));
                    }

                    SaveSnapshot(_state);
                });
            }
        });
    }

    private TranscriptEvents.WindowCommitted Persistable(StreamKind stream, long seq, bool final, CommitOutcome outcome)
    {
        var segments = outcome.CommittedTurns
            .Select(t => new CommittedSegment(
                stream,
                t.Speaker,
                IdOf(stream, t.Speaker),
                t.Start,
                t.End,
                t.Text,
                t.Words.Select(w => new MuesliEvents.TimedWord(w.Text, w.Start, w.End)).ToArray()))
            .ToArray();
        var newSpeakers = segments.Select(s => s.SpeakerId).Distinct().Where(id => !_state.Speakers.Contains(id)).ToArray();
        return new TranscriptEvents.WindowCommitted(stream, seq, final, outcome.State, segments, newSpeakers);
    }

    private void PublishCommit(StreamKind stream, TranscriptEvents.WindowCommitted committed, CommitOutcome outcome)
    {
        if (committed.NewSpeakers.Count > 0)
        {
            PublishEvent(SpeakersEvent());
        }

        foreach (var segment in committed.Segments)
        {
            PublishEvent(segment.ToEvent(_options.EmitWords));
        }

        if (outcome.PartialChanged)
        {
            var partial = outcome.Partial;
            PublishEvent(partial is null
                ? new MuesliEvents.Partial(string.Empty, stream.Name(), outcome.State.CommittedUntil is var t && double.IsFinite(t) ? t : 0, string.Empty)
                : new MuesliEvents.Partial(
                    IdOf(stream, partial.Speaker),
                    stream.Name(),
                    partial.Start,
                    partial.Text));
        }
    }

    /// <summary>A window's words under meeting-wide speakers, and the link that made them so (null when labelled by stream).</summary>
    private (IReadOnlyList<LabelledWord> Words, TranscriptEvents.SpeakerLink? Link) Link(StreamKind stream, PipelineResult result)
    {
        if (_state.LabelByStream)
        {
            return (SpeakerNaming.Name(result.LabelledWords, stream, labelByStream: true), null);
        }

        var locals = result.Segments
            .GroupBy(s => s.Speaker)
            .Select(g => new LocalSpeaker(g.Key, result.Embeddings.GetValueOrDefault(g.Key), g.Sum(s => s.Duration), g.ToArray()))
            .ToArray();
        var mapping = SpeakerLinker.Link(_state.LinkOf(stream), locals, _options.Linking);
        var words = result.LabelledWords.Select(w => w with { Speaker = mapping.GetValueOrDefault(w.Speaker, w.Speaker) }).ToArray();
        return (words, new TranscriptEvents.SpeakerLink(locals, mapping));
    }

    /// <summary>Each live speaker id of the stream → the final id whose turns share the most time with its segments.</summary>
    private Dictionary<string, string> LiveToFinal(StreamKind stream, IReadOnlyList<FinalTurn> final)
        => _state.Segments
            .Where(s => s.Stream == stream)
            .GroupBy(s => s.SpeakerId)
            .Select(g => (Live: g.Key, Final: final
                .GroupBy(t => t.SpeakerId)
                .Select(f => (Id: f.Key, Shared: f.Sum(t => g.Sum(s => Math.Max(0, Math.Min(s.T1, t.T1) - Math.Max(s.T0, t.T0))))))
                .Where(f => f.Shared > 0)
                .OrderByDescending(f => f.Shared)
                .ThenBy(f => f.Id, StringComparer.Ordinal)
                .Select(f => f.Id)
                .FirstOrDefault()))
            .Where(p => p.Final is not null)
            .ToDictionary(p => p.Live, p => p.Final!);

    private string IdOf(StreamKind stream, string speaker) => SpeakerNaming.SpeakerId(stream, speaker, _state.LabelByStream);

    private MuesliEvents.Speakers SpeakersEvent()
        => new(_state.Speakers.Select(id => new MuesliEvents.KnownSpeaker(id, id)).ToArray());

    private MuesliEvents.Result ResultEvent()
    {
        var turns = _state.Finals.Values
            .SelectMany(f => f.Turns)
            .OrderBy(t => t.T0)
            .ThenBy(t => t.Stream)
            .Select(t => new MuesliEvents.ResultTurn(t.SpeakerId, t.Stream.Name(), t.T0, t.T1, t.Text))
            .ToArray();
        var speakers = turns.Select(t => t.SpeakerId).Distinct().Select(id => new MuesliEvents.KnownSpeaker(id, id)).ToArray();
        var duration = _state.Finals.Values.Select(f => f.Duration)
            .Concat(_state.Completed.Values.Select(bytes => Core.AudioFormat.Asr.SecondsOf(bytes)))
            .DefaultIfEmpty(0)
            .Max();
        return new MuesliEvents.Result(turns, speakers, duration);
    }

    private void ReachStageOnce(string stage)
    {
        var index = Stages.ToList().IndexOf(stage);
        if (index <= _lastStage)
        {
            return;
        }

        _lastStage = index;
        PublishEvent(new MuesliEvents.Stage(stage));
    }

    private void PublishEvent(MuesliEvent e)
    {
        var number = ++_published;
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(new EventPublished(_meetingId, number, e));
        }
    }

    private void Send(IActorRef subscriber, MuesliEvent e) => subscriber.Tell(new EventPublished(_meetingId, ++_published, e));

    private void MaybeSnapshot()
    {
        if (LastSequenceNr % _options.SnapshotEvery == 0)
        {
            SaveSnapshot(_state);
        }
    }
}
